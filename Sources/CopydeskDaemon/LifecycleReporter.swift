/// How the daemon tells its supervisor what it is doing: systemd's `sd_notify` in production, a recording
/// twin in tests. One method per message so a twin can assert the order.
public protocol LifecycleReporter: Sendable {
    /// The pipeline has recovered the journal and queued the start-up scan.
    func ready(status: String)
    func status(_ text: String)
    /// Sent only from the pipeline loop, after it made progress or found nothing to do: a wedged pipeline
    /// stops the pings and the supervisor restarts it.
    func watchdog()
    func reloading()
    func stopping()
    /// Long start-up work (journal recovery, index rebuild) asks for more time in chunks.
    func extendTimeout(seconds: Double)
    /// How often the supervisor expects `watchdog()`; nil when it does not.
    var watchdogInterval: Duration? { get }
}

/// A reporter for running outside any supervisor.
public struct SilentReporter: LifecycleReporter {
    public init() {}
    public func ready(status: String) {}
    public func status(_ text: String) {}
    public func watchdog() {}
    public func reloading() {}
    public func stopping() {}
    public func extendTimeout(seconds: Double) {}
    public var watchdogInterval: Duration? { nil }
}
