#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` with the given variables set (or, for nil, unset) in this process's environment, then restores them.
///
/// Only for tests inside ``EnvironmentTests``, which is `.serialized`: the environment is process-wide.
func withEnvironment<T>(_ changes: [String: String?], _ body: () async throws -> T) async rethrows -> T {
    var saved: [String: String?] = [:]
    for (name, value) in changes {
        saved[name] = .some(getenv(name).map { String(cString: $0) })
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
    }
    defer {
        for (name, value) in saved {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
    }
    return try await body()
}
