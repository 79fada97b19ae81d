@preconcurrency import Dispatch
import CopydeskCore
import CopydeskStore
import Logging
import Synchronization
import SystemPackage

/// One group commit: the records of a batch of files, in order, and the sequence number the first must get.
struct StagedBatch: Sendable {
    var files: [ClaimedFile] = []
    var bodies: [RecordBody] = []
    /// When each file was claimed (monotonic seconds; 0 when unknown), for the latency histogram.
    var claimedAt: [Double] = []
    /// The pipeline decided duplicates against sequence numbers it predicted; the journal must agree.
    var firstSequence: UInt64
    /// Digests of the batch's new documents, which the pipeline's index already holds: taken out again if the
    /// batch fails.
    var newDigests: [Digest] = []
    /// Names reserved in `rejected/`, released if the batch fails.
    var rejectNames: [String] = []
    /// When the first file was staged (monotonic seconds), for the latency bound.
    var openedAt: Double = 0

    var isEmpty: Bool { bodies.isEmpty }
    var count: Int { bodies.count }
}

/// How a commit ended.
enum CommitOutcome: Sendable {
    case committed(count: Int)
    case failed(StagedBatch, JournalError)
}

/// Appends batches to the journal on its own thread, so the pipeline reads and decides the next files while a
/// batch is on the disk (the `fdatasync` is the longest step at low load, up to 4 ms here).
///
/// Owns the ``JournalWriter``: once the committer exists, only its queue touches the writer. At most one batch is
/// in flight; the pipeline waits for it (``outcome()``) before it submits the next, which is also where a failure
/// reaches the pipeline.
final class Committer: @unchecked Sendable {
    // @unchecked: `writer` is used only on `queue` (or, in `close()`, after the queue has drained); everything
    // else is immutable or behind `state`.
    private var writer: JournalWriter?
    private let queue = DispatchQueue(label: "copydesk.commit")
    private let directory: String
    private let options: JournalOptions
    private let logger: Logger
    private let state: Mutex<State>
    private let durable: @Sendable (StagedBatch, [JournalRecord], Double) -> Void
    /// The retention policy now (it may change on reload) and the first sequence it must keep (nil: no limit).
    private let retention: @Sendable () -> (policy: RetentionPolicy, keeping: UInt64?)
    /// When retention last ran (monotonic seconds; commit queue only) and the segment being written then: it runs
    /// again after a rollover or once a minute, for the age limit.
    private var retentionRanAt = -Double.infinity
    private var retentionSegment: String?
    /// The checkpoint limit retention last ran with: a newer checkpoint lets it remove more.
    private var retentionKeeping: UInt64?
    static let retentionInterval = 60.0

    private struct State {
        var busy = false
        var outcome: CommitOutcome?
        var waiter: CheckedContinuation<CommitOutcome?, Never>?
        var lastSequence: UInt64
        var lastHash: Digest
    }

    /// - Parameter durable: called on the commit thread once a batch is durable, with its records and the
    ///   monotonic time the append returned; it lets go of the files and reports.
    init(
        writer: JournalWriter, directory: String, options: JournalOptions, logger: Logger,
        retention: @escaping @Sendable () -> (policy: RetentionPolicy, keeping: UInt64?) = { (.keepEverything, nil) },
        durable: @escaping @Sendable (StagedBatch, [JournalRecord], Double) -> Void
    ) {
        self.writer = writer
        self.directory = directory
        self.options = options
        self.logger = logger
        self.durable = durable
        self.retention = retention
        state = Mutex(State(lastSequence: writer.lastSequence, lastHash: writer.lastHash))
    }

    /// The last durable record's sequence number and payload hash.
    var last: (sequence: UInt64, hash: Digest) { state.withLock { ($0.lastSequence, $0.lastHash) } }

    /// A batch is on its way to the disk.
    var isBusy: Bool { state.withLock { $0.busy } }

    /// Starts appending `batch`. The previous batch's outcome must have been taken with ``outcome()`` first.
    func submit(_ batch: StagedBatch) {
        state.withLock { state in
            precondition(!state.busy && state.outcome == nil, "one batch at a time")
            state.busy = true
        }
        queue.async { [self] in
            let result = append(batch)
            let waiter = state.withLock { state in
                state.busy = false
                state.outcome = result
                defer { state.waiter = nil }
                return state.waiter
            }
            if let waiter { waiter.resume(returning: takeOutcome()) }
        }
    }

    /// Waits for the batch in flight, if any, and returns how it ended; nil when nothing was submitted since the
    /// last call.
    func outcome() async -> CommitOutcome? {
        await withCheckedContinuation { (continuation: CheckedContinuation<CommitOutcome?, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.busy {
                    state.waiter = continuation
                    return false
                }
                return true
            }
            if ready { continuation.resume(returning: takeOutcome()) }
        }
    }

    private func takeOutcome() -> CommitOutcome? {
        state.withLock { state in
            defer { state.outcome = nil }
            return state.outcome
        }
    }

    /// Closes and reopens the writer: after a failed append (disk full) the writer may refuse further appends
    /// until reopened, and opening re-checks the tail. Runs on the commit queue; call only when idle.
    func reopen() throws(JournalError) {
        let result: Result<Void, JournalError> = queue.sync {
            writer?.close()
            writer = nil
            do throws(JournalError) {
                let reopened = try JournalWriter.open(directory: directory, options: options, logger: logger)
                writer = reopened
                state.withLock {
                    $0.lastSequence = reopened.lastSequence
                    $0.lastHash = reopened.lastHash
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Waits for the batch in flight and closes the writer (releasing the journal lock).
    func close() {
        queue.sync {
            writer?.close()
            writer = nil
        }
    }

    private func append(_ batch: StagedBatch) -> CommitOutcome {
        guard let writer else {
            return .failed(batch, JournalError(code: .io, path: directory, message: "the journal is not open"))
        }
        let started = monotonicSeconds()
        let records: [JournalRecord]
        do {
            records = try writer.append(batch.bodies, recordedAt: now())
        } catch {
            return .failed(batch, error)
        }
        let finished = monotonicSeconds()
        guard records.first?.sequence == batch.firstSequence else {
            // The pipeline decided duplicates against the sequence numbers it predicted; a mismatch would make
            // them point at the wrong records. Cannot happen while this queue is the only appender.
            return .failed(batch, JournalError(
                code: .invalidRecord, path: directory,
                message: "batch got sequence \(records.first?.sequence ?? 0), expected \(batch.firstSequence)"
            ))
        }
        state.withLock {
            $0.lastSequence = writer.lastSequence
            $0.lastHash = writer.lastHash
        }
        logger.debug("journal commit", metadata: [
            "batch.records": "\(records.count)", "batch.first": "\(batch.firstSequence)",
            "batch.last": "\(records.last?.sequence ?? 0)",
            "batch.append_us": "\(Int((finished - started) * 1e6))",
            "batch.wait_us": "\(Int((started - batch.openedAt) * 1e6))",
            "batch.durable_us": "\(now().microseconds)",
        ])
        durable(batch, records, finished)
        applyRetentionIfDue(writer)
        return .committed(count: records.count)
    }

    /// Gives retention its turn between commits (the pipeline calls this on every tick): a checkpoint written after
    /// the last commit, or the age limit passing while no files arrive, must not wait for the next file.
    func maintain() {
        guard !isBusy else { return }  // the commit in flight runs it when it ends
        queue.async { [self] in
            if let writer { applyRetentionIfDue(writer) }
        }
    }

    /// Removes whole old segments when the policy says so: after a rollover, when the index checkpoint covers
    /// more, or once a minute. A failure is logged
    /// and tried again later: retention frees space, it never stops ingest.
    private func applyRetentionIfDue(_ writer: JournalWriter) {
        let (policy, keeping) = retention()
        guard !policy.keepsEverything else { return }
        let segment = writer.openSegmentPath
        let clock = monotonicSeconds()
        guard segment != retentionSegment || keeping != retentionKeeping
            || clock - retentionRanAt >= Self.retentionInterval else { return }
        retentionRanAt = clock
        retentionSegment = segment
        retentionKeeping = keeping
        do {
            let report = try writer.applyRetention(policy, now: now(), keeping: keeping)
            if !report.removedSegments.isEmpty {
                logger.info("journal retention done", metadata: [
                    "journal.segments": "\(report.removedSegments.count)", "journal.records": "\(report.removedRecords)",
                    "journal.bytes": "\(report.removedBytes)", "journal.first": "\(report.firstKeptSequence)",
                ])
            }
        } catch {
            logger.warning("journal retention failed; trying again later", metadata: ["error": "\(error)"])
        }
    }
}

extension JournalError {
    /// The append failed for want of space (`ENOSPC`) or quota (`EDQUOT`): wait for space, do not give up.
    var isDiskFull: Bool {
        guard let errno = cause as? Errno else { return false }
        return errno == .noSpace || errno == .diskQuotaExceeded
    }
}
