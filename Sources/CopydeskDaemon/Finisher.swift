@preconcurrency import Dispatch
import CopydeskCore
import CopydeskStore
import Logging
import Synchronization
import SystemPackage

/// Lets go of files whose records are durable — deletes them, or moves them to `done/` or `rejected/` — off the
/// commit path.
///
/// Deleting a file whose data already reached the disk costs about 3 ms on this ext4 (bench RESULTS 1d), as much
/// as a commit, while many deletions in flight overlap almost perfectly (1,000 unlinks: 4.1 s one at a time,
/// 0.18 s from 32 threads). So deletions run on ``deleteWorkers`` serial queues side by side; moves, which must
/// pick free names in `done/` without racing each other, run on one queue of their own.
///
/// Nothing here can lose a file: a file not yet let go is still in `work/`, and a restart finishes it as its
/// record says. ``unacknowledged`` lists those records, so an index checkpoint can name them.
final class Finisher: Sendable {
    static let deleteWorkers = 16

    private let spool: Spool
    private let logger: Logger
    private let deletes: [DispatchQueue]
    private let moves = DispatchQueue(label: "copydesk.finish.move")
    private let group = DispatchGroup()
    private let state = Mutex(State())

    private struct State {
        /// Claim name → sequence of every durable record whose file is not let go yet.
        var unacknowledged: [String: UInt64] = [:]
        /// Names promised to rejected files whose move has not happened yet.
        var reservedRejects: Set<String> = []
        var nextQueue = 0
    }

    init(spool: Spool, logger: Logger) {
        self.spool = spool
        self.logger = logger
        deletes = (0..<Self.deleteWorkers).map { DispatchQueue(label: "copydesk.finish.delete.\($0)") }
    }

    /// What letting go of one file needs from its record: the whole record (article, raw bytes) is not kept alive
    /// until a slow unlink returns.
    private struct Release: Sendable {
        var file: ClaimedFile
        var sequence: UInt64
        /// Set for a rejected file: it is moved to `rejected/` with this record's reason beside it.
        var rejected: RejectedRecord?
    }

    /// Records durable, files to let go of. Called on the commit thread right after the `fdatasync`.
    func finish(_ files: [ClaimedFile], records: [JournalRecord]) {
        var deletions: [Release] = []
        deletions.reserveCapacity(files.count)
        state.withLock { state in
            for index in files.indices { state.unacknowledged[files[index].claim] = records[index].sequence }
        }
        for index in files.indices {
            group.enter()
            var rejected: RejectedRecord?
            if case .rejected(let record) = records[index].body { rejected = record }
            let release = Release(file: files[index], sequence: records[index].sequence, rejected: rejected)
            if rejected != nil || spool.config.keepDone {
                moves.async { [self] in attempt(release, try: 1) }
            } else {
                deletions.append(release)
            }
        }
        // A batch's deletions go out in a few chunks rather than one block per file: each block handed to an idle
        // queue wakes a thread, and those wake-ups cost more CPU than the unlinks' own system time in a burst (perf
        // of a 10,000-file burst: ≈ 14 % of the daemon's samples in dispatch and futex). Chunks of at least
        // `minimumChunk` still spread a large batch over every worker, so slow unlinks keep overlapping.
        guard !deletions.isEmpty else { return }
        let chunks = Self.chunks(deletions.count, workers: deletes.count)
        let first = state.withLock { state in
            defer { state.nextQueue = (state.nextQueue + chunks.count) % deletes.count }
            return state.nextQueue
        }
        for (position, range) in chunks.enumerated() {
            let chunk = Array(deletions[range])
            deletes[(first + position) % deletes.count].async { [self] in
                for release in chunk { attempt(release, try: 1) }
            }
        }
    }

    /// Fewest deletions a chunk carries when there are more than that.
    static let minimumChunk = 4

    /// `count` deletions split into contiguous chunks in order: at most `workers` of them, each of at least
    /// ``minimumChunk`` (one chunk of all when there are fewer), sizes differing by at most one.
    static func chunks(_ count: Int, workers: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let number = max(1, min(workers, count / minimumChunk))
        let base = count / number
        let extra = count % number
        var ranges: [Range<Int>] = []
        var start = 0
        for index in 0..<number {
            let size = base + (index < extra ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }

    /// Claims of durable records whose files are still in `work/`, for the index checkpoint.
    var unacknowledged: [IndexCheckpoint.PendingClaim] {
        state.withLock { $0.unacknowledged.map { IndexCheckpoint.PendingClaim(claim: $0.key, sequence: $0.value) } }
    }

    var outstanding: Int { state.withLock { $0.unacknowledged.count } }

    /// Whether `name` in `rejected/` is promised to a file not moved there yet.
    func isReserved(_ name: String) -> Bool { state.withLock { $0.reservedRejects.contains(name) } }

    func reserve(_ name: String) { _ = state.withLock { $0.reservedRejects.insert(name) } }

    func release(_ names: [String]) {
        state.withLock { state in for name in names { state.reservedRejects.remove(name) } }
    }

    /// Waits up to `timeout` seconds for every file handed over so far; returns whether all were let go of (or
    /// failed for good and stay in `work/`).
    @discardableResult
    func drain(timeout: Double) -> Bool {
        group.wait(timeout: .now() + timeout) == .success
    }

    /// A finish that failed is tried again after 2, 8 and 32 s (a full disk may stop even `rejected/NAME.reason`
    /// from being written); after that the file stays in `work/` and the next start finishes it.
    private func attempt(_ release: Release, try number: Int) {
        let file = release.file
        do {
            if let rejected = release.rejected {
                try spool.reject(
                    file, as: rejected.rejectedAs, reasonText: Decide.reasonFileText(rejected, sequence: release.sequence)
                )
                self.release([rejected.rejectedAs])
            } else {
                try spool.finish(file)
            }
            state.withLock { _ = $0.unacknowledged.removeValue(forKey: file.claim) }
            group.leave()
        } catch {
            guard number < 4 else {
                logger.error("cannot move a finished file out of work/; it will be finished on the next start", metadata: [
                    "file.name": "\(file.file)", "copydesk.seq": "\(release.sequence)", "error": "\(error)",
                ])
                group.leave()
                return
            }
            logger.warning("cannot move a finished file out of work/ yet; retrying", metadata: [
                "file.name": "\(file.file)", "copydesk.seq": "\(release.sequence)", "error": "\(error)",
            ])
            let delay = 2.0 * Double(1 << (2 * (number - 1)))
            moves.asyncAfter(deadline: .now() + delay) { [self] in attempt(release, try: number + 1) }
        }
    }
}
