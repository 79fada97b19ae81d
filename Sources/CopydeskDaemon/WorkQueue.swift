import Synchronization

/// The hand-over between the watcher (and timers) and the pipeline: a set of inbox names waiting to be
/// claimed plus a rescan flag, and a wake-up stream that coalesces any number of signals into one.
///
/// Memory is bounded by the number of distinct names in the inbox, not by the number of events: a burst
/// of events for the same file is one entry.
final class WorkQueue: Sendable {
    private struct State {
        var order: [InboxEntry] = []
        var members: Set<InboxEntry> = []
        var rescan = false
        var rewatch = false
        var stopped = false
    }

    /// Past this many pending names, the queue drops names and asks for a rescan instead, so a flood of
    /// events cannot grow memory without bound; the directory stays the truth.
    static let maximumPending = 100_000

    private let state = Mutex(State())
    let wakes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func add(_ entry: InboxEntry) {
        state.withLock { state in
            guard !state.members.contains(entry) else { return }
            if state.members.count >= Self.maximumPending {
                state.rescan = true
            } else {
                state.members.insert(entry)
                state.order.append(entry)
            }
        }
        continuation.yield()
    }

    func requestRescan() {
        state.withLock { $0.rescan = true }
        continuation.yield()
    }

    /// The inbox itself went away: recreate it and watch it again (then rescan).
    func requestRewatch() {
        state.withLock {
            $0.rewatch = true
            $0.rescan = true
        }
        continuation.yield()
    }

    /// Asks for a new watch at the next wake-up (the idle tick), not at once, so a failing attempt does not spin.
    func requestRewatchLater() {
        state.withLock { $0.rewatch = true }
    }

    func wake() {
        continuation.yield()
    }

    /// Ends the wake-up stream; the pipeline finishes the batch in hand and returns.
    func stop() {
        state.withLock { $0.stopped = true }
        continuation.finish()
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    var count: Int { state.withLock { $0.order.count } }

    struct Taken {
        var entries: [InboxEntry]
        var rescan: Bool
        var rewatch: Bool
    }

    /// Everything pending, in arrival order, and whether a rescan or a new watch was asked for; the queue is
    /// left empty.
    func take() -> Taken {
        state.withLock { state in
            let taken = Taken(entries: state.order, rescan: state.rescan, rewatch: state.rewatch)
            state.order.removeAll(keepingCapacity: true)
            state.members.removeAll(keepingCapacity: true)
            state.rescan = false
            state.rewatch = false
            return taken
        }
    }
}
