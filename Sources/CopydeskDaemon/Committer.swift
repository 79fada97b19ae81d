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

/// Appends batches to the journal on its own threads, so the pipeline reads and decides the next files while a
/// batch is on the disk (the `fdatasync` is the longest step at low load, up to 4 ms here).
///
/// Two batches may be in flight (``depth``): while one is written and synced on the commit queue, the next is
/// encoded (metadata, CRC, chain) on the encode queue after the first one's end, so a batch's CPU no longer adds to
/// the disk's time. A batch submitted when none is in flight is encoded on the caller's thread instead: there is
/// nothing to overlap with, and a hop between threads would only add latency. Outcomes come back in submission order through ``outcome()``, which is also where a failure
/// reaches the pipeline. A batch is acknowledged (`durable`) only after its own fdatasync, in order. Once a batch
/// fails, every batch after it fails with the same error without touching the disk, until ``reopen()``: the
/// pipeline predicted their sequence numbers past the failed one.
///
/// Owns the ``JournalWriter``: once the committer exists, only its commit queue touches the writer.
final class Committer: @unchecked Sendable {
    // @unchecked: `writer` and the retention fields are used only on `queue` (or, in `close()` and `reopen()`,
    // with both queues drained); everything else is immutable or behind `state`.
    private var writer: JournalWriter?
    private let queue = DispatchQueue(label: "copydesk.commit")
    private let encodeQueue = DispatchQueue(label: "copydesk.encode")
    private let encoder: JournalEncoder
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
    /// Batches in flight at most: one on the disk, the next encoded meanwhile.
    static let depth = 2

    private struct State {
        /// Submitted and not yet finished.
        var inFlight = 0
        /// Finished, in submission order, not yet taken by ``outcome()``.
        var outcomes: [CommitOutcome] = []
        var waiter: CheckedContinuation<CommitOutcome?, Never>?
        var lastSequence: UInt64
        var lastHash: Digest
        /// The writer's tail after the last durable batch: where encoding starts again after a failure.
        var tail: JournalTail
        /// The failure every later batch shares until ``reopen()``.
        var failure: JournalError?
        /// Where the last batch encoded ends: the next one is encoded after it (nil: after `tail`).
        var planned: JournalTail?
    }

    /// - Parameter durable: called on the commit thread once a batch is durable, with its records and the
    ///   monotonic time the append returned; it lets go of the files and reports.
    init(
        writer: JournalWriter, directory: String, options: JournalOptions, logger: Logger,
        retention: @escaping @Sendable () -> (policy: RetentionPolicy, keeping: UInt64?) = { (.keepEverything, nil) },
        durable: @escaping @Sendable (StagedBatch, [JournalRecord], Double) -> Void
    ) {
        self.writer = writer
        self.encoder = writer.encoder
        self.directory = directory
        self.options = options
        self.logger = logger
        self.durable = durable
        self.retention = retention
        state = Mutex(State(lastSequence: writer.lastSequence, lastHash: writer.lastHash, tail: writer.tail))
    }

    /// The last durable record's sequence number and payload hash.
    var last: (sequence: UInt64, hash: Digest) { state.withLock { ($0.lastSequence, $0.lastHash) } }

    /// A batch is on its way to the disk.
    var isBusy: Bool { state.withLock { $0.inFlight > 0 } }

    /// Another batch can be submitted without waiting for an outcome first.
    var canSubmit: Bool { state.withLock { $0.inFlight < Self.depth } }

    /// Starts appending `batch` after the batches already submitted. Fewer than ``depth`` may be in flight
    /// (``canSubmit``); take outcomes with ``outcome()`` to make room.
    func submit(_ batch: StagedBatch) {
        let idle = state.withLock { state in
            precondition(state.inFlight < Self.depth, "at most \(Self.depth) batches in flight")
            state.inFlight += 1
            return state.inFlight == 1
        }
        let work: @Sendable () -> Void = { [self] in
            let encoded = encode(batch)
            queue.async { [self] in finish(commit(batch, encoded)) }
        }
        // Nothing to overlap with when idle: encoded here, which saves the latency of a hop through the encode
        // queue (≈ 0.25 ms at 100 files/s). Every earlier batch is committed then, so none is still being encoded.
        if idle { work() } else { encodeQueue.async(execute: work) }
    }

    /// Waits for the oldest batch in flight, if any, and returns how it ended; nil when every outcome has been
    /// taken and nothing is in flight.
    func outcome() async -> CommitOutcome? {
        await withCheckedContinuation { (continuation: CheckedContinuation<CommitOutcome?, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.outcomes.isEmpty && state.inFlight > 0 {
                    precondition(state.waiter == nil, "one waiter at a time")
                    state.waiter = continuation
                    return false
                }
                return true
            }
            if ready { continuation.resume(returning: takeOutcome()) }
        }
    }

    /// The oldest outcome if a batch has already finished; never waits.
    func finishedOutcome() -> CommitOutcome? { takeOutcome() }

    private func takeOutcome() -> CommitOutcome? {
        state.withLock { state in
            state.outcomes.isEmpty ? nil : state.outcomes.removeFirst()
        }
    }

    private func finish(_ outcome: CommitOutcome) {
        let waiter = state.withLock { state in
            state.inFlight -= 1
            state.outcomes.append(outcome)
            defer { state.waiter = nil }
            return state.waiter
        }
        if let waiter { waiter.resume(returning: takeOutcome()) }
    }

    /// Closes and reopens the writer: after a failed append (disk full) the writer may refuse further appends
    /// until reopened, and opening re-checks the tail. Clears the failure later batches shared. Call only when
    /// idle (every outcome taken).
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
                    $0.tail = reopened.tail
                    $0.planned = nil
                    $0.failure = nil
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Waits for the batches in flight and closes the writer (releasing the journal lock).
    func close() {
        encodeQueue.sync {}
        queue.sync {
            writer?.close()
            writer = nil
        }
    }

    /// The CPU half, on the encode queue (or the caller's thread when nothing is in flight): the batch's records
    /// encoded after the batch before it. Batches are encoded one at a time, in submission order.
    private func encode(_ batch: StagedBatch) -> Result<EncodedBatch, JournalError> {
        let (start, failure) = state.withLock { ($0.planned ?? $0.tail, $0.failure) }
        if let failure { return .failure(failure) }
        guard start.link.sequence + 1 == batch.firstSequence else {
            // The pipeline decided duplicates against the sequence numbers it predicted; a mismatch would make
            // them point at the wrong records. Cannot happen while this committer is the only appender.
            return .failure(JournalError(
                code: .invalidRecord, path: directory,
                message: "batch would get sequence \(start.link.sequence + 1), expected \(batch.firstSequence)"
            ))
        }
        do throws(JournalError) {
            let encoded = try encoder.encode(batch.bodies, recordedAt: now(), after: start)
            state.withLock { $0.planned = encoded.end }
            return .success(encoded)
        } catch {
            return .failure(error)
        }
    }

    /// The disk half, on the commit queue: writes and syncs the encoded batch, then acknowledges it. A failure
    /// (here or while encoding) fails every later batch too, until ``reopen()``.
    private func commit(_ batch: StagedBatch, _ encoded: Result<EncodedBatch, JournalError>) -> CommitOutcome {
        let result: Result<(records: [JournalRecord], appendStarted: Double), JournalError> = {
            if let failure = state.withLock({ $0.failure }) { return .failure(failure) }
            guard let writer else {
                return .failure(JournalError(code: .io, path: directory, message: "the journal is not open"))
            }
            let started = monotonicSeconds()
            do throws(JournalError) {
                return .success((try writer.commit(try encoded.get()), started))
            } catch {
                return .failure(error)
            }
        }()
        switch result {
        case .failure(let error):
            state.withLock { if $0.failure == nil { $0.failure = error } }
            return .failed(batch, error)
        case .success(let (records, started)):
            let finished = monotonicSeconds()
            guard let writer else { preconditionFailure("committed without a writer") }
            state.withLock {
                $0.lastSequence = writer.lastSequence
                $0.lastHash = writer.lastHash
                $0.tail = writer.tail
            }
            logger.debug("journal commit", metadata: [
                "batch.records": "\(records.count)", "batch.first": "\(batch.firstSequence)",
                "batch.last": "\(records.last?.sequence ?? 0)",
                "batch.append_us": "\(Int((finished - started) * 1e6))",
                "batch.wait_us": "\(Int((started - batch.openedAt) * 1e6))",
                // From the claim of its first file to the append: reading, parsing, classifying and deciding.
                "batch.claimed_us": "\(Int((started - (batch.claimedAt.first { $0 > 0 } ?? started)) * 1e6))",
                "batch.durable_us": "\(now().microseconds)",
            ])
            durable(batch, records, finished)
            applyRetentionIfDue(writer)
            return .committed(count: records.count)
        }
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
