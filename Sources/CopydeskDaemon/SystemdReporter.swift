import CopydeskSystemd
import Glibc
import Logging

/// Reports to systemd through `sd_notify`. A failed notification is logged once per kind and otherwise
/// ignored: losing a `STATUS=` must not stop ingestion (and without a supervisor nothing is sent at all).
public struct SystemdReporter: LifecycleReporter {
    private let notifier = SystemdNotifier()
    private let logger: Logger
    public let watchdogInterval: Duration?

    public init(logger: Logger) {
        self.logger = logger
        do {
            watchdogInterval = try notifier.watchdogInterval
        } catch {
            logger.warning("ignoring a malformed WATCHDOG_USEC", metadata: ["error": "\(error)"])
            watchdogInterval = nil
        }
    }

    public func ready(status: String) {
        notify("READY=1\nSTATUS=\(status.replacingNewlines)\nMAINPID=\(getpid())")
    }

    public func status(_ text: String) { notify { try notifier.status(text) } }

    public func watchdog() {
        guard watchdogInterval != nil else { return }
        notify { try notifier.watchdog() }
    }

    public func reloading() { notify { try notifier.reloading() } }

    public func stopping() { notify { try notifier.stopping() } }

    public func extendTimeout(seconds: Double) {
        notify { try notifier.extendTimeout(microseconds: UInt64(seconds * 1_000_000)) }
    }

    private func notify(_ state: String) {
        notify { try notifier.send(state) }
    }

    private func notify(_ body: () throws -> Bool) {
        do {
            _ = try body()
        } catch {
            logger.warning("sd_notify failed", metadata: ["error": "\(error)"])
        }
    }
}

private extension String {
    var replacingNewlines: String {
        String(map { $0 == "\n" ? " " : $0 })
    }
}
