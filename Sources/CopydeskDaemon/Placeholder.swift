import TOMLKit; import ServiceLifecycle; import SystemPackage; import Logging
