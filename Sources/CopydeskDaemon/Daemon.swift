import CopydeskCore
import CopydeskStore
import Logging
import ServiceLifecycle
import UnixSignals

/// Wires the services of `copydeskd` together and runs them until SIGTERM or SIGINT.
public enum Daemon {
    /// Runs until SIGTERM/SIGINT (graceful: the batch in hand is finished, exit 0). SIGHUP re-reads the
    /// configuration through `reloadConfiguration`.
    public static func run(
        configuration: Configuration, reporter: any LifecycleReporter, logger: Logger,
        classifier: ClassifierFiles.Loaded? = nil,
        reloadConfiguration: @escaping @Sendable () throws -> Configuration
    ) async throws {
        let ingest = IngestService(
            configuration: configuration, reporter: reporter, logger: logger, classifier: classifier
        )
        let reload = ReloadService(ingest: ingest, load: reloadConfiguration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: ingest),
                .init(service: reload),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}

/// Turns SIGHUP into a configuration reload (`systemctl reload`, via `ExecReload=kill -HUP`).
struct ReloadService: Service {
    let ingest: IngestService
    let load: @Sendable () throws -> Configuration
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                ingest.reload(try load())
            } catch {
                logger.error("reload failed, keeping the running configuration", metadata: ["error": "\(error)"])
            }
        }
    }
}
