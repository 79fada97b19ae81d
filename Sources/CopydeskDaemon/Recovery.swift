@preconcurrency import Dispatch
import CopydeskCore
import CopydeskStore
import Logging
import Synchronization

extension Pipeline {
    /// Rebuilding more records than this is a long start-up: systemd is asked for time (`EXTEND_TIMEOUT_USEC`)
    /// and told the progress (`STATUS=Rebuilding index: …`), and a checkpoint is written soon after.
    static let longRebuild: UInt64 = 10_000

    /// Restores counts and the dedup memory — from the index checkpoint plus the records after it when the
    /// checkpoint matches the journal and was made under the same `[dedup]` settings, from the whole journal
    /// otherwise — and settles every file left in `work/`:
    /// a file whose record is already durable is finished as that record says; any other is processed again.
    func recover(_ spool: Spool) throws {
        let workNames = try spool.workFiles()
        let inWork = Set(workNames)
        let last = committer.last
        let openReader = lazyReader()

        var counts = StatusSnapshot.Counts()
        var lastArrival: Timestamp?
        var from: UInt64 = 1
        var pendingClaims: [String: UInt64] = [:]
        if last.sequence >= Self.longRebuild {
            reporter.extendTimeout(seconds: 30)
            reporter.status("Loading the index checkpoint")
        }
        let started = monotonicSeconds()
        if let checkpoint = loadCheckpoint(matching: last, reader: openReader) {
            dedup = checkpoint.dedup
            counts = checkpoint.counts
            lastArrival = checkpoint.lastArrival
            from = checkpoint.lastSequence + 1
            for pending in checkpoint.pendingClaims { pendingClaims[pending.claim] = pending.sequence }
            checkpoints.markWritten(sequence: checkpoint.lastSequence)
            logger.info("index checkpoint loaded", metadata: [
                "checkpoint.sequence": "\(checkpoint.lastSequence)", "checkpoint.documents": "\(dedup.exact.count)",
                "checkpoint.ms": "\(Int((monotonicSeconds() - started) * 1000))",
                "rebuild.records": "\(last.sequence - checkpoint.lastSequence)",
            ])
        }

        var recorded: [String: JournalRecord] = [:]
        let toRead = last.sequence >= from ? last.sequence - from + 1 : 0
        if from == 1, toRead > 0 {
            dedup = DedupMemory(settings: configuration.dedup, expectedDocuments: Int(clamping: toRead))
        }
        if toRead > 0 {
            let long = toRead >= Self.longRebuild
            let total = StatusSnapshot.grouped(Int(toRead))
            if long {
                reporter.extendTimeout(seconds: 30)
                reporter.status("Rebuilding index: 0 of \(total) records")
            }
            let rebuildStarted = monotonicSeconds()
            var seen = 0
            var lastReport = rebuildStarted
            var replay = ReplayBuffer()
            try openReader().forEach(from: from) { record in
                counts.count(record.body.kind)
                replay.add(record, into: &dedup)
                if inWork.contains(record.body.arrival.claim) { recorded[record.body.arrival.claim] = record }
                lastArrival = record.body.arrival.receivedAt
                seen += 1
                if long, seen & 1023 == 0, monotonicSeconds() - lastReport >= 1 {
                    reporter.extendTimeout(seconds: 30)
                    reporter.status("Rebuilding index: \(StatusSnapshot.grouped(seen)) of \(total) records")
                    lastReport = monotonicSeconds()
                }
            }
            replay.flush(into: &dedup)
            logger.info("index rebuilt from the journal", metadata: [
                "rebuild.records": "\(seen)", "rebuild.from": "\(from)",
                "rebuild.ms": "\(Int((monotonicSeconds() - rebuildStarted) * 1000))",
            ])
        }
        for name in workNames where recorded[name] == nil {
            guard let sequence = pendingClaims[name], let record = try openReader().record(sequence),
                record.body.arrival.claim == name
            else { continue }
            recorded[name] = record
        }
        board.update {
            $0.counts = counts
            $0.lastSequence = last.sequence
            $0.lastArrival = lastArrival
        }

        var startupWork: [Pending] = []
        var finishing: (files: [ClaimedFile], records: [JournalRecord]) = ([], [])
        for name in workNames {
            if let record = recorded[name], let parsed = SpoolName.parseClaim(name) {
                let file = ClaimedFile(claim: name, channel: parsed.channel, file: parsed.file)
                logger.notice("finishing a file whose record was already durable", metadata: [
                    "copydesk.event": "recovered", "copydesk.seq": "\(record.sequence)", "file.name": "\(parsed.file)",
                    "copydesk.verdict": "\(record.body.verdict)",
                ])
                if case .rejected(let rejected) = record.body { finisher.reserve(rejected.rejectedAs) }
                finishing.files.append(file)
                finishing.records.append(record)
            } else if let parsed = SpoolName.parseClaim(name) {
                startupWork.append(.claimed(ClaimedFile(claim: name, channel: parsed.channel, file: parsed.file)))
            } else {
                do {
                    startupWork.append(.claimed(try spool.adopt(name, id: nextClaimID())))
                } catch {
                    logger.error("cannot adopt a file found in work/", metadata: ["file.name": "\(name)", "error": "\(error)"])
                }
            }
        }
        finisher.finish(finishing.files, records: finishing.records)
        carry = startupWork
        if !workNames.isEmpty {
            logger.info("resuming work/ after a stop", metadata: [
                "copydesk.event": "recovered", "work.files": "\(workNames.count)",
                "work.finished": "\(finishing.files.count)",
            ])
        }
    }

    /// Rebuilds the dedup memory from the journal after a batch staged into it was not written (a full disk),
    /// from the checkpoint on disk when it matches, else from the first record.
    func restoreDedup() throws {
        let started = monotonicSeconds()
        let last = committer.last
        let openReader = lazyReader()
        var from: UInt64 = 1
        if let checkpoint = loadCheckpoint(matching: last, reader: openReader) {
            dedup = checkpoint.dedup
            from = checkpoint.lastSequence + 1
        } else {
            dedup = DedupMemory(settings: configuration.dedup, expectedDocuments: Int(clamping: last.sequence))
        }
        if last.sequence >= from {
            var replay = ReplayBuffer()
            try openReader().forEach(from: from) { record in
                guard record.sequence <= last.sequence else { return }
                replay.add(record, into: &dedup)
            }
            replay.flush(into: &dedup)
        }
        dedupAhead = false
        logger.info("dedup memory rebuilt from the journal", metadata: [
            "rebuild.from": "\(from)", "rebuild.ms": "\(Int((monotonicSeconds() - started) * 1000))",
        ])
    }

    /// A reader of the journal opened on first use: a start from a checkpoint that covers every record reads none.
    private func lazyReader() -> () throws(JournalError) -> JournalReader {
        let directory = configuration.journal
        var reader: JournalReader?
        return { () throws(JournalError) -> JournalReader in
            if let reader { return reader }
            let opened = try JournalReader.open(directory: directory)
            reader = opened
            return opened
        }
    }

    /// The checkpoint in the journal directory if it is whole, of this format and describes this journal: its
    /// chain hash must be the hash of the journal's record at its last sequence. Anything else is logged and
    /// ignored (nil): the index is then rebuilt from the journal.
    private func loadCheckpoint(
        matching last: (sequence: UInt64, hash: Digest), reader: () throws(JournalError) -> JournalReader
    ) -> IndexCheckpoint? {
        let checkpoint: IndexCheckpoint
        do {
            checkpoint = try IndexCheckpointFile.read(directory: configuration.journal, dedupSettings: configuration.dedup)
        } catch .missing {
            if last.sequence > 0 { logger.info("no index checkpoint: rebuilding the index from the journal") }
            return nil
        } catch {
            logger.warning("ignoring the index checkpoint: \(error); rebuilding the index from the journal", metadata: [
                "checkpoint.path": "\(IndexCheckpointFile.path(in: configuration.journal))",
            ])
            return nil
        }
        let covered = checkpoint.lastSequence
        var mismatch: String?
        if covered > last.sequence {
            mismatch = "it covers records up to \(covered) but the journal ends at \(last.sequence)"
        } else if covered == last.sequence {
            if checkpoint.chainHash != last.hash { mismatch = "its chain hash at record \(covered) is not the journal's" }
        } else {
            do {
                guard let next = try reader().record(covered + 1) else {
                    throw JournalError(code: .corrupt, message: "record \(covered + 1) is not in the journal")
                }
                if next.previousHash != checkpoint.chainHash {
                    mismatch = "its chain hash at record \(covered) is not the journal's"
                }
            } catch {
                mismatch = "cannot read record \(covered + 1) to check it: \(error)"
            }
        }
        if let mismatch {
            logger.warning("ignoring the index checkpoint: \(mismatch); rebuilding the index from the journal", metadata: [
                "checkpoint.path": "\(IndexCheckpointFile.path(in: configuration.journal))",
                "checkpoint.sequence": "\(covered)",
            ])
            return nil
        }
        return checkpoint
    }
}

/// Journal records on their way into the dedup memory during a rebuild: fingerprinting a stored article (~50 µs)
/// is most of a record's cost and pure, so it runs on every core for a group of records, which are then applied
/// one by one in journal order.
struct ReplayBuffer {
    static let group = 512
    private var records: [JournalRecord] = []

    mutating func add(_ record: JournalRecord, into memory: inout DedupMemory) {
        // Only documents change the memory; the others need no place in the order.
        guard case .document = record.body else { return }
        records.append(record)
        if records.count >= Self.group { flush(into: &memory) }
    }

    mutating func flush(into memory: inout DedupMemory) {
        guard !records.isEmpty else { return }
        let fingerprints = Mutex([DedupFingerprint?](repeating: nil, count: records.count))
        let records = self.records
        DispatchQueue.concurrentPerform(iterations: records.count) { index in
            guard case .document(let document) = records[index].body else { return }
            let fingerprint = DedupMemory.fingerprint(document.article)
            fingerprints.withLock { $0[index] = fingerprint }
        }
        let made = fingerprints.withLock { $0 }
        for (record, fingerprint) in zip(records, made) { memory.replay(record, fingerprint: fingerprint) }
        self.records.removeAll(keepingCapacity: true)
    }
}

/// Writes index checkpoints on a queue of their own, so serialising the dedup memory (≈ 200 MB at a million
/// documents) never holds up the pipeline, and decides when one is due: after `checkpoint_records` new records, after
/// `checkpoint_interval` with new records, at once after a long rebuild, and at a clean stop.
final class CheckpointWriter: Sendable {
    private let directory: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "copydesk.checkpoint")
    private let state: Mutex<State>

    private struct State {
        var busy = false
        /// The last sequence the checkpoint on disk covers (nil: none known to match).
        var written: UInt64?
        var lastWrite: Double
        /// When the last attempt failed (a full disk): the next waits a minute, not the next tick.
        var failedAt: Double?
    }

    init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
        state = Mutex(State(lastWrite: monotonicSeconds()))
    }

    /// The checkpoint on disk covers `sequence` (it was just loaded and matches).
    func markWritten(sequence: UInt64) {
        state.withLock { $0.written = sequence }
    }

    static let retryAfterFailure = 60.0

    func isDue(_ configuration: Configuration, lastSequence: UInt64) -> Bool {
        state.withLock { state in
            guard !state.busy, state.written != lastSequence else { return false }
            if let failedAt = state.failedAt, monotonicSeconds() - failedAt < Self.retryAfterFailure { return false }
            let since = lastSequence &- (state.written ?? 0)
            // No matching checkpoint and a journal long to rebuild: write one now, so the next start is fast.
            return state.written == nil && lastSequence >= Pipeline.longRebuild
                || configuration.checkpointRecords > 0 && since >= UInt64(configuration.checkpointRecords)
                || configuration.checkpointInterval > 0 && monotonicSeconds() - state.lastWrite >= configuration.checkpointInterval
        }
    }

    /// The last sequence the checkpoint on disk covers (nil: none that matches the journal).
    var covered: UInt64? { state.withLock { $0.written } }

    /// The checkpoint on disk does not cover `lastSequence` (or there is none that matches).
    func isStale(lastSequence: UInt64) -> Bool {
        state.withLock { $0.written != lastSequence }
    }

    func waitUntilIdle() {
        queue.sync {}
    }

    /// Writes `checkpoint` with `dedup` in it. The memory is a copy-on-write value: encoding it here costs the
    /// pipeline only the copy of what it changes meanwhile.
    func write(_ checkpoint: IndexCheckpoint, dedup: DedupMemory, wait: Bool) {
        state.withLock { $0.busy = true }
        let work: @Sendable () -> Void = { [self] in
            let started = monotonicSeconds()
            do {
                var checkpoint = checkpoint
                checkpoint.dedup = dedup
                let bytes = try IndexCheckpointFile.write(checkpoint, directory: directory)
                state.withLock {
                    $0.written = checkpoint.lastSequence
                    $0.lastWrite = monotonicSeconds()
                    $0.failedAt = nil
                }
                logger.info("index checkpoint written", metadata: [
                    "checkpoint.sequence": "\(checkpoint.lastSequence)", "checkpoint.documents": "\(dedup.exact.count)",
                    "checkpoint.bytes": "\(bytes)", "checkpoint.ms": "\(Int((monotonicSeconds() - started) * 1000))",
                ])
            } catch {
                // Only a cache: the next start rebuilds what the checkpoint would have saved.
                state.withLock { $0.failedAt = monotonicSeconds() }
                logger.warning("cannot write the index checkpoint; trying again in a minute", metadata: [
                    "error": "\(error)",
                ])
            }
            state.withLock { $0.busy = false }
        }
        if wait { queue.sync(execute: work) } else { queue.async(execute: work) }
    }
}
