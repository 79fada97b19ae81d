#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager how the daemon is doing, through `sd_notify(3)`.
///
/// `copydeskd` runs as a `Type=notify` unit: systemd considers it started only on ``ready()``, shows ``status(_:)``
/// in `systemctl status`, and kills it when ``watchdog()`` pings stop arriving within `WatchdogSec=`.
///
/// Every call checks what `sd_notify` returned, because a silently lost `READY=1` times the unit out and a lost
/// `WATCHDOG=1` gets the daemon killed:
/// - `true`: the message was sent;
/// - `false`: the process is not supervised (`NOTIFY_SOCKET` is unset), which is normal outside systemd;
/// - a thrown ``SystemdError``: the socket is set but sending failed (`sd_notify` returned `-errno`).
///
/// The notifier has no timer and never pings the watchdog on its own. The daemon sends `WATCHDOG=1` from its
/// pipeline loop, so a wedged pipeline stops the pings and systemd restarts it (a timer would keep a stuck daemon
/// looking alive). Use ``watchdogInterval`` to choose how often that loop must come round.
///
/// The value is stateless: copies are interchangeable and safe to share between tasks.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// `READY=1`: start-up is complete. Also sent after a reload has finished.
    @discardableResult
    public func ready() throws(SystemdError) -> Bool {
        try send("READY=1")
    }

    /// `STATUS=text`: a one-line, human-readable status for `systemctl status`.
    ///
    /// Newlines would end the assignment early and start a bogus one, so they are replaced by spaces.
    @discardableResult
    public func status(_ text: String) throws(SystemdError) -> Bool {
        try send("STATUS=" + Self.singleLine(text))
    }

    /// `WATCHDOG=1`: proof of progress. Call it from the work loop itself, never from a timer.
    @discardableResult
    public func watchdog() throws(SystemdError) -> Bool {
        try send("WATCHDOG=1")
    }

    /// `STOPPING=1`: shutdown has begun, so systemd does not treat the slower exit as a hang.
    @discardableResult
    public func stopping() throws(SystemdError) -> Bool {
        try send("STOPPING=1")
    }

    /// `RELOADING=1` with `MONOTONIC_USEC`: a reload (SIGHUP) has begun; send ``ready()`` when it is done.
    ///
    /// systemd 252 only needs `RELOADING=1`; later versions use the timestamp to tell this reload from earlier ones.
    /// - Parameter monotonic: `CLOCK_MONOTONIC` in microseconds when the reload began.
    @discardableResult
    public func reloading(monotonic: UInt64 = SystemdNotifier.monotonicMicroseconds()) throws(SystemdError) -> Bool {
        try send("RELOADING=1\nMONOTONIC_USEC=\(monotonic)")
    }

    /// `EXTEND_TIMEOUT_USEC=`: asks for more time while starting, reloading or stopping takes long (e.g. a long
    /// journal recovery), counted from now, so `TimeoutStartSec=` need not cover the worst case.
    @discardableResult
    public func extendTimeout(microseconds: UInt64) throws(SystemdError) -> Bool {
        try send("EXTEND_TIMEOUT_USEC=\(microseconds)")
    }

    /// `MAINPID=`: names the process systemd should supervise (only needed if it is not the one started).
    @discardableResult
    public func mainPID(_ pid: Int32 = getpid()) throws(SystemdError) -> Bool {
        try send("MAINPID=\(pid)")
    }

    /// Sends any newline-separated list of `KEY=value` assignments, as `sd_notify(3)` describes them.
    @discardableResult
    public func send(_ state: String) throws(SystemdError) -> Bool {
        let result = LibSystemd.notify(state)
        if result < 0 {
            throw SystemdError(function: "sd_notify", errno: -result)
        }
        return result > 0
    }

    /// How often systemd expects ``watchdog()`` (`WatchdogSec=`), or nil when no watchdog is set up for this process.
    ///
    /// Read through `sd_watchdog_enabled(3)`, which honours `WATCHDOG_USEC` and, when set, `WATCHDOG_PID` (another
    /// process's watchdog is not ours). Ping at about half this interval. Throws when the variables are malformed.
    public var watchdogInterval: Duration? {
        get throws(SystemdError) {
            let (result, microseconds) = LibSystemd.watchdogEnabled()
            if result < 0 {
                throw SystemdError(function: "sd_watchdog_enabled", errno: -result)
            }
            guard result > 0 else { return nil }
            return .microseconds(Int64(clamping: microseconds))
        }
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd expects in `MONOTONIC_USEC`.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)  // cannot fail for CLOCK_MONOTONIC with a valid pointer
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    static func singleLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return String(text.map { $0.isNewline ? " " : $0 })
    }
}

/// A libsystemd call that failed, with the `errno` it returned (as `-errno`).
///
/// A struct rather than an enum because the set of errnos is open-ended; `function` names the C call so the
/// message is actionable without a stack trace.
public struct SystemdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libsystemd function that failed, e.g. `sd_notify`.
    public var function: String
    /// The positive `errno` value (e.g. `ENOENT` when `NOTIFY_SOCKET` names a missing socket).
    public var errno: Int32

    public init(function: String, errno: Int32) {
        self.function = function
        self.errno = errno
    }

    public var description: String {
        "\(function): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
