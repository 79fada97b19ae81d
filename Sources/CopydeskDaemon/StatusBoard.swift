import CopydeskCore
import Synchronization

/// The daemon's status, written by the pipeline and read by the control server and the notifier.
public final class StatusBoard: Sendable {
    private let state: Mutex<StatusSnapshot>

    public init(_ initial: StatusSnapshot) {
        state = Mutex(initial)
    }

    public var snapshot: StatusSnapshot { state.withLock { $0 } }

    public func update(_ body: (inout StatusSnapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}

/// Sends `STATUS=` when the line changes, at most every `interval` seconds, so a burst of thousands of
/// files does not become thousands of notifications.
struct StatusThrottle {
    var interval: Double = 0.25
    private var lastSent = ""
    private var lastTime = -Double.infinity

    init(interval: Double = 0.25) { self.interval = interval }

    /// Returns the line to send now, or nil.
    mutating func line(_ line: String, at time: Double, force: Bool = false) -> String? {
        guard line != lastSent else { return nil }
        guard force || time - lastTime >= interval else { return nil }
        lastSent = line
        lastTime = time
        return line
    }
}

/// A value shared between tasks behind a lock, as a class so it can be handed around (`Mutex` cannot be
/// copied).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    var value: Value { mutex.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) {
        mutex.withLock { body(&$0) }
    }
}
