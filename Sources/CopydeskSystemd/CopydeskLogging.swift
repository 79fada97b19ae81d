import Logging
import Synchronization

/// Sets up swift-log for `copydeskd`: structured journal entries under systemd, readable lines elsewhere.
///
/// Only the executable calls this (convention 13); libraries take a `Logger` parameter, and tests use swift-log's
/// `InMemoryLogHandler` instead of bootstrapping.
public enum CopydeskLogging {
    /// Where log events go.
    public enum Destination: Sendable, Equatable {
        /// Native journald entries through ``JournaldLogHandler``.
        case journal
        /// One line per event on stderr through ``StderrLogHandler``.
        case stderr
    }

    private static let chosen = Mutex<Destination?>(nil)

    /// Bootstraps `LoggingSystem` once, choosing the journal when stderr is the journal stream
    /// (``JournalStream/stderrIsJournal()``) and stderr lines otherwise.
    ///
    /// swift-log traps on a second bootstrap; here a second call changes nothing and returns the first choice, so
    /// a restart path or a test cannot crash the process.
    /// - Parameters:
    ///   - identifier: `SYSLOG_IDENTIFIER` and the name in stderr lines, e.g. `copydeskd`.
    ///   - level: the initial level of every logger created afterwards.
    /// - Returns: where events go.
    @discardableResult
    public static func bootstrap(identifier: String, level: Logger.Level) -> Destination {
        chosen.withLock { chosen in
            if let chosen { return chosen }
            let destination: Destination = JournalStream.stderrIsJournal() ? .journal : .stderr
            switch destination {
            case .journal:
                LoggingSystem.bootstrap { label in
                    JournaldLogHandler(label: label, identifier: identifier, logLevel: level)
                }
            case .stderr:
                LoggingSystem.bootstrap { _ in
                    StderrLogHandler(identifier: identifier, logLevel: level)
                }
            }
            chosen = destination
            return destination
        }
    }
}
