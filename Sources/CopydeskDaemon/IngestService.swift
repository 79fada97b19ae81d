@preconcurrency import Dispatch
import CopydeskCore
import CopydeskStore
import Logging
import ServiceLifecycle
import Synchronization
import Glibc
import SystemPackage

/// The pipeline as a service: watch → claim → read → decide → journal append (fsync) → finish → report.
///
/// `run()` owns the journal writer and the dedup memory, so neither needs a lock; other tasks see
/// the pipeline only through the ``StatusBoard`` and the reporter.
public final class IngestService: Service {
    private let initial: Configuration
    private let settings: Locked<Configuration>
    private let reporter: any LifecycleReporter
    private let logger: Logger
    private let queue = WorkQueue()
    public let board: StatusBoard
    /// Set by a reload: a daemon waiting on a damaged journal looks at it again at once.
    private let retryRequested = Atomic<Bool>(false)
    /// The classification rules and model, swapped on reload.
    let classifiers: ClassifierSlot

    /// `classifier`: the rules and model loaded at start (`copydeskd` refuses to start when they cannot be used);
    /// nil loads them from `configuration`, falling back to the built-in rules.
    public init(
        configuration: Configuration, reporter: any LifecycleReporter, logger: Logger,
        classifier: ClassifierFiles.Loaded? = nil
    ) {
        classifiers = ClassifierSlot(classifier ?? (try? ClassifierFiles.load(configuration)) ?? .builtIn)
        initial = configuration
        settings = Locked(configuration)
        self.reporter = reporter
        self.logger = logger
        board = StatusBoard(StatusSnapshot(
            state: .starting, pid: getpid(), startedAt: now(), inbox: configuration.inbox,
            journal: configuration.journal, counts: .init(), queue: 0, lastSequence: 0, lastArrival: nil,
            rescans: 0, overflows: 0
        ))
    }

    /// Applies a re-read configuration (SIGHUP). Folders cannot move under a running daemon; changing them
    /// needs a restart, and the log says so.
    public func reload(_ configuration: Configuration) {
        retryRequested.store(true, ordering: .relaxed)
        reporter.reloading()
        board.update { $0.state = .reloading }
        if configuration.spool != initial.spool || configuration.journal != initial.journal
            || configuration.controlSocket != initial.controlSocket || configuration.segmentSize != initial.segmentSize
            || configuration.dedup != initial.dedup {
            logger.warning("reload: spool, journal, control socket, segment size and [dedup] take effect on restart only")
        }
        settings.update { current in
            current.maxFileSize = configuration.maxFileSize
            current.keepDone = configuration.keepDone
            current.rescanInterval = configuration.rescanInterval
            current.batchMax = configuration.batchMax
            current.batchDelay = configuration.batchDelay
            current.checkpointRecords = configuration.checkpointRecords
            current.checkpointInterval = configuration.checkpointInterval
            current.retentionMaxAge = configuration.retentionMaxAge
            current.retentionMaxSize = configuration.retentionMaxSize
            current.metricsTextfile = configuration.metricsTextfile
            current.metricsInterval = configuration.metricsInterval
            current.quietFactor = configuration.quietFactor
            current.quietMinimum = configuration.quietMinimum
        }
        classifiers.reload(from: configuration, logger: logger)
        logger.notice("configuration reloaded", metadata: ["copydesk.event": "reloaded"])
        board.update { $0.state = .ready }
        reporter.ready(status: board.snapshot.statusLine)
        queue.requestRescan()
    }

    public func run() async throws {
        logger.info("classification: \(classifiers.current.summary)")
        // The control socket comes first and outlives the pipeline: `copydesk status` answers even while the
        // journal is damaged and nothing is ingested. Its own lock, not the journal's (which `copydesk repair`
        // must be able to take meanwhile), makes sure it is not another running daemon's socket it replaces.
        let instance = try Self.lockInstance(initial.controlSocket + ".lock")
        defer { close(instance) }
        let control: ControlServer
        do {
            control = try ControlServer(path: initial.controlSocket, board: board, logger: logger)
        } catch {
            throw DaemonError("cannot bind the control socket \(initial.controlSocket): \(error)")
        }
        control.start()
        defer { control.stop() }
        guard let pipeline = try await openPipeline() else {
            board.update { $0.state = .stopping }
            reporter.stopping()
            logger.info("stopped", metadata: ["copydesk.event": "stopped"])
            return
        }
        defer { pipeline.close() }
        try await withGracefulShutdownHandler {
            try await pipeline.run()
        } onGracefulShutdown: { [queue, reporter, board, logger] in
            board.update { $0.state = .stopping }
            reporter.stopping()
            logger.info("stopping: finishing the batch in hand")
            queue.stop()
        }
    }

    /// Takes `path` with an exclusive `flock`, held until the descriptor is closed (or the process dies).
    private static func lockInstance(_ path: String) throws -> CInt {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DaemonError("cannot open the instance lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another copydeskd holds it" : String(cString: strerror(errno))
            close(fd)
            throw DaemonError("cannot take the instance lock \(path): \(reason)")
        }
        return fd
    }

    /// How often a damaged journal is looked at again (SIGHUP looks at once).
    static let damageRetryInterval = 30.0

    /// Opens the journal and recovers the pipeline. Damage a crash cannot explain is not written past: the daemon
    /// says so (log, `STATUS=`, `copydesk status`), stays up, leaves the inbox alone, and tries again every
    /// ``damageRetryInterval`` or on SIGHUP, so a `copydesk repair` is picked up without a restart. Nil: stopped
    /// (SIGTERM) while waiting.
    private func openPipeline() async throws -> Pipeline? {
        var reported: String?
        while true {
            do {
                let pipeline = try Pipeline(
                    configuration: initial, settings: settings, reporter: reporter, board: board, queue: queue,
                    logger: logger, classifiers: classifiers
                )
                if reported != nil {
                    logger.notice("the journal opens cleanly again; ingesting")
                    board.update { $0.problem = nil }
                }
                return pipeline
            } catch let error as JournalError where error.code == .corrupt {
                let problem = "Journal damaged, not ingesting (run copydesk verify, then copydesk repair): \(error)"
                if reported != problem {
                    logger.critical("the journal is damaged; nothing is ingested until it is repaired", metadata: [
                        "copydesk.event": "journal-damaged", "journal.path": "\(error.path ?? initial.journal)",
                        "journal.offset": "\(error.offset.map(String.init) ?? "-")",
                        "journal.sequence": "\(error.sequence.map(String.init) ?? "-")", "error": "\(error)",
                    ])
                    board.update {
                        $0.problem = problem
                        $0.state = .ready
                    }
                    // READY, so systemd neither kills the daemon for a slow start nor restarts it in a loop; the
                    // status line carries the problem.
                    reporter.ready(status: board.snapshot.statusLine)
                    reported = problem
                }
                guard await waitForRepair() else { return nil }
            }
        }
    }

    /// Waits out one retry interval, pinging the watchdog; false when the daemon is stopping.
    private func waitForRepair() async -> Bool {
        let deadline = monotonicSeconds() + Self.damageRetryInterval
        while monotonicSeconds() < deadline {
            if await Task.isShuttingDownGracefully || Task.isCancelled { return false }
            if retryRequested.exchange(false, ordering: .relaxed) { return true }
            reporter.watchdog()
            try? await Task.sleep(for: .milliseconds(200))
        }
        return true
    }
}

/// The state `IngestService.run()` owns. Not `Sendable`: it never leaves the task that made it.
///
/// Three stages run side by side, so the disk and both cores stay busy under a burst:
/// 1. this task claims, reads and decides files, one batch at a time (serial, against one index);
/// 2. the ``Committer`` encodes each batch and, on another thread, appends it and `fdatasync`s it: up to two batches
///    in flight, the next encoded while the previous one is on the disk;
/// 3. the ``Finisher`` lets go of the files of durable batches (unlink, or move to `done/` / `rejected/`).
///
/// A batch is handed to the committer when it holds `batch_max` records, when its first file has waited
/// `batch_delay` and the committer has room, or at once when no other file is waiting; while batches are on their
/// way to the disk the next one fills, so files arriving together share one `fdatasync`.
final class Pipeline {
    enum Pending {
        case inbox(InboxEntry)
        case claimed(ClaimedFile)
    }

    let configuration: Configuration
    let settings: Locked<Configuration>
    let reporter: any LifecycleReporter
    let board: StatusBoard
    let queue: WorkQueue
    let logger: Logger
    let committer: Committer
    let finisher: Finisher
    let checkpoints: CheckpointWriter
    let observer: Observer
    private var watcher: InboxWatcher?
    /// Exact, normalized, near-duplicate, version and story memory of every durable document plus those of the
    /// batches in flight and being staged.
    var dedup: DedupMemory
    /// Set when a batch that was staged into ``dedup`` was not written (a full disk): the memory is ahead of the
    /// journal and is rebuilt from it before the next file is decided.
    var dedupAhead = false
    private var claimBase: UInt64
    private var claimCounter: UInt64 = 0
    private var throttle = StatusThrottle()
    private var lastScan = -Double.infinity
    /// Claimed files to process before new arrivals: `work/` left from a stop, or files held while the disk was
    /// full.
    var carry: [Pending] = []
    private var staging: StagedBatch
    /// The sequence number the next staged record will get.
    private var nextSequence: UInt64
    /// Set while appends fail for want of space.
    private var hold: DiskFullHold?
    let classifiers: ClassifierSlot

    init(
        configuration: Configuration, settings: Locked<Configuration>, reporter: any LifecycleReporter,
        board: StatusBoard, queue: WorkQueue, logger: Logger, classifiers: ClassifierSlot = ClassifierSlot(.builtIn)
    ) throws {
        self.classifiers = classifiers
        self.configuration = configuration
        self.settings = settings
        self.reporter = reporter
        self.board = board
        self.queue = queue
        self.logger = logger
        dedup = DedupMemory(settings: configuration.dedup)
        // Claim ids: start time in µs times 4096 plus a counter, so ids never repeat across restarts.
        claimBase = UInt64(max(0, now().microseconds)) << 12

        let spool = Spool(config: configuration)
        do {
            try spool.createDirectories()
        } catch {
            throw DaemonError("cannot create the spool folders under \(configuration.spool): \(error)")
        }
        let options = JournalOptions(segmentSize: configuration.segmentSize)
        let writer = try JournalWriter.open(directory: configuration.journal, options: options, logger: logger)
        let finisher = Finisher(spool: spool, logger: logger)
        self.finisher = finisher
        let checkpoints = CheckpointWriter(directory: configuration.journal, logger: logger)
        self.checkpoints = checkpoints
        let observer = Observer(configuration: configuration, logger: logger)
        self.observer = observer
        committer = Committer(
            writer: writer, directory: configuration.journal, options: options, logger: logger,
            retention: { [settings] in
                let current = settings.value
                // Segments are removed only once the index checkpoint covers them: it keeps their documents' hashes
                // for duplicate detection, and a rebuild from what is left could not.
                let checkpointing = current.checkpointRecords > 0 || current.checkpointInterval > 0
                return (RetentionPolicy(current), checkpointing ? (checkpoints.covered ?? 0) + 1 : nil)
            },
            durable: { [board, logger] batch, records, durableAt in
                finisher.finish(batch.files, records: records)
                observer.recorded(records, claimedAt: batch.claimedAt, durableAt: durableAt)
                board.update { status in
                    for index in records.indices { status.counts.count(records[index].body.kind) }
                    status.lastSequence = records.last?.sequence ?? status.lastSequence
                    status.lastArrival = records.last?.body.arrival.receivedAt ?? status.lastArrival
                    status.commits = (status.commits ?? 0) + 1
                    status.committedRecords = (status.committedRecords ?? 0) + records.count
                }
                // By index: `for record in records` copies each record (a retain per string and array inside).
                for index in records.indices { Pipeline.report(records[index], logger: logger) }
            }
        )
        nextSequence = writer.lastSequence + 1
        staging = StagedBatch(firstSequence: nextSequence)
        do {
            try recover(spool)
            observer.seed(journal: configuration.journal)
            watcher = try makeWatcher(spool)
        } catch {
            committer.close()
            throw error
        }
    }

    private func makeWatcher(_ spool: Spool) throws -> InboxWatcher {
        let queue = self.queue
        let board = self.board
        let logger = self.logger
        return try InboxWatcher(inbox: configuration.inbox, channels: try spool.channels()) { event in
            switch event {
            case .arrived(let entry): queue.add(entry)
            case .channelAdded: queue.requestRescan()
            case .overflowed:
                board.update { $0.overflows += 1 }
                logger.warning("inotify queue overflowed: rescanning the inbox", metadata: ["copydesk.event": "overflow"])
                queue.requestRescan()
            case .inboxGone:
                logger.error("the inbox folder was removed or moved away: recreating it")
                queue.requestRewatch()
            }
        }
    }

    /// Recreates the spool folders and watches the inbox again after it was removed under the daemon.
    private func rewatch() {
        watcher?.stop()
        watcher = nil
        let spool = Spool(config: settings.value)
        do {
            try spool.createDirectories()
            watcher = try makeWatcher(spool)
        } catch {
            // Keep going on the periodic rescan; try again at the next one.
            logger.error("cannot watch the inbox again", metadata: ["error": "\(error)"])
            queue.requestRewatchLater()
        }
    }

    func close() {
        watcher?.stop()
        committer.close()
    }

    func run() async throws {
        let startup = carry
        carry = []
        try await ingest(startup)
        queue.requestRescan()  // the start-up scan of the inbox
        board.update { $0.state = .ready }
        reporter.ready(status: board.snapshot.statusLine)
        logger.info("started", metadata: [
            "copydesk.event": "started", "inbox": "\(configuration.inbox)", "journal": "\(configuration.journal)",
        ])

        let tick: Duration = min(.seconds(1), (reporter.watchdogInterval ?? .seconds(4)) / 4)
        let ticker = Task { [queue] in
            while !Task.isCancelled {
                try? await Task.sleep(for: tick)
                queue.wake()
            }
        }
        defer { ticker.cancel() }

        for await _ in queue.wakes {
            if queue.isStopped { break }
            if hold != nil {
                try await whileHeld()
                continue
            }
            let taken = queue.take()
            if taken.rewatch { rewatch() }
            var pending = carry
            carry = []
            pending += taken.entries.map(Pending.inbox)
            let current = settings.value
            let time = monotonicSeconds()
            if taken.rescan || time - lastScan >= current.rescanInterval {
                lastScan = time
                var known = Set(taken.entries)
                do {
                    for entry in try Spool(config: current).scanInbox() where known.insert(entry).inserted {
                        pending.append(.inbox(entry))
                    }
                } catch {
                    logger.error("cannot scan the inbox", metadata: ["error": "\(error)"])
                }
                board.update { $0.rescans += 1 }
            }
            try await ingest(pending)
            board.update { $0.queue = queue.count + (hold.map { $0.count } ?? 0) }
            maybeCheckpoint()
            committer.maintain()
            publishStatus(force: true)
            reporter.watchdog()
        }
        try await settle()
        board.update { $0.state = .stopping }
        shutDown()
        logger.info("stopped", metadata: ["copydesk.event": "stopped"])
    }

    /// Lets the last acknowledgements finish and writes the index checkpoint, so the next start reads nothing.
    private func shutDown() {
        if !finisher.drain(timeout: 10) {
            logger.warning("some finished files are still in work/; the next start finishes them", metadata: [
                "work.files": "\(finisher.outstanding)",
            ])
        }
        checkpoints.waitUntilIdle()
        if checkpoints.isStale(lastSequence: committer.last.sequence), !dedupAhead {
            checkpoints.write(snapshot(), dedup: dedup, wait: true)
        }
    }

    // MARK: - Staging and committing

    /// Files claimed and being prepared ahead of the decision: enough to keep every core parsing while this task
    /// decides and commits, few enough that a stop or a full disk finds little claimed and undecided.
    static let prepareAhead = 16

    /// Claims, reads and decides each file into the staged batch, handing batches to the committer as they fill;
    /// returns once every batch is durable (or held, if the disk is full). A crash anywhere leaves each file in
    /// `inbox/` or `work/`, or durably recorded.
    ///
    /// Files are claimed in order and prepared (read, hashed, parsed) on every core up to ``prepareAhead`` ahead,
    /// then decided one by one in claim order: a core that is busy elsewhere delays one file, not a whole group.
    private func ingest(_ items: [Pending]) async throws {
        guard !items.isEmpty else { return }
        let current = settings.value
        let spool = Spool(config: current)
        let window = PrepareWindow(spool: spool, classifier: classifiers.current.classifier)
        var position = 0
        var claimed: [ClaimedFile] = []
        var claimTimes: [Double] = []
        var next = 0
        while true {
            // SIGTERM or a full disk: claim nothing more. After a stop the files already claimed are still decided
            // and committed (the batch in hand); after a full disk they are held with the rest.
            while claimed.count - next < Self.prepareAhead, position < items.count, !queue.isStopped, hold == nil {
                if let file = claim(items[position], spool: spool) {
                    window.submit(file, ticket: claimed.count)
                    claimed.append(file)
                    claimTimes.append(monotonicSeconds())
                }
                position += 1
            }
            if hold != nil {
                hold!.defer(claimed[next...].map(Pending.claimed)[...])
                hold!.defer(items[position...])
                break
            }
            guard next < claimed.count else { break }
            let prepared = await window.result(ticket: next)
            try stage(claimed[next], prepared, spool: spool, current: current, claimedAt: claimTimes[next])
            next += 1
            if staging.count >= current.batchMax
                || (!staging.isEmpty && committer.canSubmit
                    && monotonicSeconds() - staging.openedAt >= current.batchDelay) {
                try await flush()
                board.update { $0.queue = items.count - position + claimed.count - next + queue.count }
                publishStatus()
                reporter.watchdog()
            }
        }
        try await flush()  // nothing else is waiting: commit at once
        try await settle()
    }

    func nextClaimID() -> UInt64 {
        claimCounter += 1
        return claimBase + claimCounter
    }

    /// Takes ownership of an inbox file (rename into `work/`); nil if it is gone or cannot be claimed.
    private func claim(_ item: Pending, spool: Spool) -> ClaimedFile? {
        switch item {
        case .claimed(let claimed):
            return claimed
        case .inbox(let entry):
            do {
                return try spool.claim(entry, id: nextClaimID())
            } catch {
                logger.warning("cannot claim a file; it stays in the inbox", metadata: [
                    "file.name": "\(entry.relativePath)", "error": "\(error)",
                ])
                return nil
            }
        }
    }

    /// A claimed file read, hashed and parsed: everything about it that does not depend on the other files.
    enum Prepared: Sendable {
        case vanished
        case tooLarge(Int64)
        case unreadable(String)
        case bytes([UInt8], Digest, Result<PreparedDocument, RejectReason>)
    }

    /// Reads, hashes, parses and classifies one claimed file: everything about it that does not depend on the
    /// other files.
    static func prepare(_ file: ClaimedFile, spool: Spool, classifier: Classifier = Classifier()) -> Prepared {
        switch spool.read(file) {
        case .vanished: .vanished
        case .tooLarge(let size): .tooLarge(size)
        case .unreadable(let message): .unreadable(message)
        case .bytes(let bytes):
            .bytes(
                bytes, SHA256.hash(bytes),
                classify(Parse.prepare(bytes, fileName: file.file), channel: file.channel, with: classifier)
                    .map { $0.fingerprinted() }
            )
        }
    }

    /// Decides one prepared file against the dedup memory and adds its record to the staged batch.
    private func stage(
        _ file: ClaimedFile, _ prepared: Prepared, spool: Spool, current: Configuration, claimedAt: Double = 0
    ) throws {
        if dedupAhead { try restoreDedup() }
        let receivedAt = now()
        let finisher = self.finisher
        var rejectedAs: String {
            var name = spool.rejectedName(for: file.file)
            var counter = 1
            while finisher.isReserved(name) {
                counter += 1
                name = spool.rejectedName(for: "\(file.file).\(counter)")
            }
            return name
        }
        func arrival(size: Int64, digest: Digest?) -> Arrival {
            Arrival(file: file.file, channel: file.channel, claim: file.claim, receivedAt: receivedAt, size: size, sha256: digest)
        }
        let body: RecordBody
        switch prepared {
        case .vanished:
            logger.warning("a claimed file vanished from work/", metadata: ["file.name": "\(file.file)"])
            return
        case .tooLarge(let size):
            body = .rejected(RejectedRecord(
                arrival: arrival(size: size, digest: nil),
                reason: RejectReason(.tooLarge, "\(size) bytes, over the limit of \(current.maxFileSize) bytes"),
                rejectedAs: rejectedAs
            ))
        case .unreadable(let message):
            body = .rejected(RejectedRecord(
                arrival: arrival(size: 0, digest: nil), reason: RejectReason(.unreadable, message),
                rejectedAs: rejectedAs
            ))
        case .bytes(let bytes, let digest, let parsed):
            body = dedup.decide(
                bytes, arrival: arrival(size: Int64(bytes.count), digest: digest), prepared: parsed,
                sequence: nextSequence, rejectedAs: rejectedAs
            )
        }
        if staging.isEmpty {
            staging.firstSequence = nextSequence
            staging.openedAt = monotonicSeconds()
        }
        if case .rejected(let rejected) = body {
            finisher.reserve(rejected.rejectedAs)
            staging.rejectNames.append(rejected.rejectedAs)
        }
        staging.files.append(file)
        staging.bodies.append(body)
        staging.claimedAt.append(claimedAt)
        nextSequence += 1
    }

    /// Hands the staged batch to the committer, which encodes it while the batch before is on the disk; waits for
    /// an outcome only while ``Committer/depth`` batches are in flight.
    private func flush() async throws {
        while let outcome = committer.finishedOutcome() { try handle(outcome) }
        while hold == nil, !committer.canSubmit, let outcome = await committer.outcome() { try handle(outcome) }
        if hold != nil {
            // A batch before failed: the later ones' sequence numbers were predicted past it, so the committer
            // fails them too. Take them into the hold first, then this one, so the files keep their order.
            while let outcome = await committer.outcome() { try handle(outcome) }
            holdStaged()
            return
        }
        guard !staging.isEmpty else { return }
        maybeCheckpoint()
        committer.submit(staging)
        staging = StagedBatch(firstSequence: nextSequence)
    }

    /// Waits until nothing is on the disk.
    private func settle() async throws {
        while let outcome = await committer.outcome() { try handle(outcome) }
        if hold != nil { holdStaged() }
    }

    private func handle(_ outcome: CommitOutcome) throws {
        switch outcome {
        case .committed:
            break
        case .failed(let batch, let error):
            // Only a full disk is worth waiting for. Anything else (EIO above all: after a failed fdatasync the
            // kernel may have dropped the dirty pages) ends the process; systemd restarts it, opening the journal
            // re-checks its tail, and every file not durably recorded is still in work/ or inbox/.
            guard error.isDiskFull else {
                throw DaemonError("cannot append to the journal: \(error)")
            }
            unstage(batch)
            if hold != nil {
                // A batch that was in flight behind the one that failed: held with it, after its files.
                hold!.held += batch.files
            } else {
                enterHold(error, files: batch.files)
            }
        }
    }

    /// Forgets what a batch that will not be written put into the dedup memory and the reserved names.
    private func unstage(_ batch: StagedBatch) {
        if !batch.isEmpty { dedupAhead = true }
        finisher.release(batch.rejectNames)
        nextSequence = committer.last.sequence + 1
    }

    private func holdStaged() {
        guard !staging.isEmpty else { return }
        unstage(staging)
        hold!.held += staging.files
        staging = StagedBatch(firstSequence: nextSequence)
    }

    // MARK: - Disk full

    private func enterHold(_ error: JournalError, files: [ClaimedFile]) {
        let time = monotonicSeconds()
        let previous = retrying
        retrying = nil
        var held = DiskFullHold(error: error, since: previous?.since ?? time, attempts: (previous?.attempts ?? 0) + 1)
        held.held = files
        held.freeAtFailure = Self.freeBytes(configuration.journal)
        held.nextRetry = time + min(30, pow2(held.attempts - 1))
        hold = held
        if previous == nil {
            logger.error("journal disk full: holding files in the spool until space returns", metadata: [
                "copydesk.event": "disk-full", "work.files": "\(files.count)", "error": "\(error)",
                "journal.free_bytes": "\(held.freeAtFailure.map(String.init) ?? "?")",
            ])
        } else {
            logger.debug("journal still full", metadata: ["attempt": "\(held.attempts)", "error": "\(error)"])
        }
    }

    /// The attempt in progress after a hold, so a new failure keeps counting from it.
    private var retrying: DiskFullHold?

    /// One wake-up while the disk is full: keep the spool as it is, say so, and try again when space seems back
    /// (more free bytes than at the failure) or after a back-off of 1, 2, 4 … 30 s.
    private func whileHeld() async throws {
        let taken = queue.take()
        if taken.rewatch { rewatch() }
        hold!.defer(taken.entries.map(Pending.inbox)[...])
        let problem = hold!.problem
        board.update {
            $0.problem = problem
            $0.queue = self.hold!.count + queue.count
        }
        publishStatus()
        reporter.watchdog()  // not wedged: waiting for space on purpose, and retrying

        let time = monotonicSeconds()
        let free = Self.freeBytes(configuration.journal)
        let spaceBack = free.map { $0 > (hold!.freeAtFailure ?? 0) + 256 * 1024 } ?? false
        guard time >= hold!.nextRetry || spaceBack else { return }
        do {
            try committer.reopen()
        } catch {
            guard error.isDiskFull else { throw DaemonError("cannot reopen the journal: \(error)") }
            hold!.attempts += 1
            hold!.freeAtFailure = free
            hold!.nextRetry = time + min(30, pow2(hold!.attempts - 1))
            return
        }
        nextSequence = committer.last.sequence + 1
        let attempt = hold!
        hold = nil
        retrying = attempt
        try await ingest(attempt.held.map(Pending.claimed) + attempt.deferred.map(Pending.inbox))
        if hold == nil {
            retrying = nil
            board.update { $0.problem = nil }
            logger.notice("journal disk space is back: resumed", metadata: [
                "copydesk.event": "disk-space-back", "work.files": "\(attempt.count)",
                "held.seconds": "\(Int(monotonicSeconds() - attempt.since))",
            ])
            queue.requestRescan()  // whatever arrived meanwhile
            publishStatus(force: true)
        }
    }

    private func pow2(_ exponent: Int) -> Double { Double(1 << max(0, min(exponent, 10))) }

    /// Free bytes for an unprivileged writer on the journal's file system, nil if it cannot be asked.
    private static func freeBytes(_ path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    private func publishStatus(force: Bool = false) {
        if force { observer.refresh(board, configuration: settings.value) }
        if let line = throttle.line(board.snapshot.statusLine, at: monotonicSeconds(), force: force) {
            reporter.status(line)
        }
    }

    // MARK: - Checkpoints

    /// Writes an index checkpoint (in the background) when enough records or time have passed. Only when no batch
    /// is on the disk or staged, so the dedup memory is exactly that of the committed records.
    private func maybeCheckpoint() {
        let current = settings.value
        guard !committer.isBusy, staging.isEmpty, !dedupAhead,
              checkpoints.isDue(current, lastSequence: committer.last.sequence) else { return }
        checkpoints.write(snapshot(), dedup: dedup, wait: false)
    }

    private func snapshot() -> IndexCheckpoint {
        let last = committer.last
        let status = board.snapshot
        return IndexCheckpoint(
            lastSequence: last.sequence, chainHash: last.hash, counts: status.counts,
            lastArrival: status.lastArrival, dedup: DedupMemory(), pendingClaims: finisher.unacknowledged,
            createdAt: now()
        )
    }

    // MARK: - Reporting

    static func report(_ record: JournalRecord, logger: Logger) {
        // Runs for every file on the commit thread: values handed over as `.string` (an interpolation copies each
        // one). Sized for a stored document's dozen fields at once.
        var metadata = Logger.Metadata(minimumCapacity: 12)
        let verdict = Logger.MetadataValue.string(record.body.verdict)
        let arrival = record.body.arrival
        let subject = subject(record.sequence, arrival)
        metadata["copydesk.event"] = verdict
        metadata["copydesk.seq"] = .string(String(record.sequence))
        metadata["copydesk.verdict"] = verdict
        metadata["file.name"] = .string(arrival.file)
        if let channel = arrival.channel { metadata["copydesk.source"] = .string(channel) }
        switch record.body {
        case .document(let document):
            metadata["article.headline"] = .string(document.article.headline)
            metadata["article.format"] = .string(document.format)
            addClassificationMetadata(document, to: &metadata)
            if let channel = arrival.channel { metadata["copydesk.channel"] = .string(channel) }
            logger.info("stored \(subject): \(headline(document.article.headline))", metadata: metadata)
        case .duplicate(let duplicate):
            metadata["duplicate.of"] = .string(String(duplicate.duplicateOf))
            logger.notice("duplicate \(subject) of #\(duplicate.duplicateOf)", metadata: metadata)
        case .rejected(let rejected):
            metadata["reject.reason"] = .string(rejected.reason.code.rawValue)
            metadata["reject.as"] = .string(rejected.rejectedAs)
            logger.warning("rejected \(subject): \(rejected.reason.message)", metadata: metadata)
        }
    }

    /// `#12 xinhua/a.xml`: what `journalctl` shows by default is the message alone, so it names the record and
    /// the file; the fields (`COPYDESK_SEQ`, `COPYDESK_FILE`, …) carry the same for queries.
    static func subject(_ record: JournalRecord) -> String { subject(record.sequence, record.body.arrival) }

    static func subject(_ sequence: UInt64, _ arrival: Arrival) -> String {
        "#\(sequence) " + (arrival.channel.map { $0 + "/" } ?? "") + arrival.file
    }

    /// The headline quoted and cut to a log line's worth.
    static func headline(_ text: String) -> String {
        let limit = 100
        // No more bytes than the limit means no more characters either: most headlines skip counting graphemes.
        let long = text.utf8.count > limit && text.count > limit
        return "\"" + (long ? text.prefix(limit - 1) + "…" : text) + "\""
    }
}

/// Files kept in the spool while the journal's disk is full.
struct DiskFullHold {
    var error: JournalError
    /// When the disk first filled (monotonic seconds).
    var since: Double
    var attempts: Int
    var nextRetry: Double = 0
    var freeAtFailure: UInt64?
    /// Claimed files (in `work/`) whose records could not be written.
    var held: [ClaimedFile] = []
    /// Inbox files seen meanwhile, not claimed: they stay in `inbox/`.
    var deferred: [InboxEntry] = []
    private var known: Set<InboxEntry> = []

    init(error: JournalError, since: Double, attempts: Int) {
        self.error = error
        self.since = since
        self.attempts = attempts
    }

    var count: Int { held.count + deferred.count }

    /// `Disk full: holding 12 files, retrying` (or `Disk quota exceeded: …`).
    var problem: String {
        let what = (error.cause as? Errno) == .diskQuotaExceeded ? "Disk quota exceeded" : "Disk full"
        return "\(what): holding \(StatusSnapshot.grouped(count)) files, retrying"
    }

    mutating func `defer`(_ items: ArraySlice<Pipeline.Pending>) {
        for item in items {
            switch item {
            case .claimed(let file): held.append(file)
            case .inbox(let entry): if known.insert(entry).inserted { deferred.append(entry) }
            }
        }
    }
}

/// A start-up failure with a sentence an operator can act on.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Prepares claimed files on every core (DESIGN.md: preparing is pure and can run on several cores; parsing is
/// most of a file's CPU time) and hands the results back in claim order, whatever order they finish in.
///
/// A file that arrives alone is prepared by one block on the global queue: its thread is the one Swift
/// concurrency runs the waiting pipeline task on, which is about to suspend, so nothing is woken for it and its
/// latency is unchanged. When more files are in flight, draining workers take over, at most one per core, each
/// with a serial queue (and so a thread) of its own, taking files in claim order until none is left: a burst
/// then costs no thread wake-up per file (one block per file made dispatch and futex calls a tenth of the
/// daemon's CPU), and the workers do not hold the global queue's threads (one per core on Linux), on which the
/// pipeline task claims and decides.
final class PrepareWindow: Sendable {
    private let spool: Spool
    private let classifier: Classifier
    private let queues: [DispatchQueue]
    private let state: Mutex<State>

    private struct State {
        var results: [Int: Pipeline.Prepared] = [:]
        var waiter: (ticket: Int, continuation: CheckedContinuation<Pipeline.Prepared, Never>)?
        /// Files submitted and not yet taken, oldest first: at most ``Pipeline/prepareAhead`` of them, so taking
        /// from the front is a short move.
        var queued: [(file: ClaimedFile, ticket: Int)] = []
        /// Draining workers not running, by queue index.
        var idle: [Int]
        /// Files being prepared plus files queued.
        var inFlight = 0
    }

    init(spool: Spool, classifier: Classifier) {
        self.spool = spool
        self.classifier = classifier
        let workers = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        queues = (0..<workers).map { DispatchQueue(label: "copydesk.prepare.\($0)") }
        state = Mutex(State(idle: Array((0..<workers).reversed())))
    }

    /// Starts preparing `file`; its result is asked for with `ticket`.
    func submit(_ file: ClaimedFile, ticket: Int) {
        enum Start { case alone, worker(Int), none }
        let start = state.withLock { state -> Start in
            state.queued.append((file, ticket))
            state.inFlight += 1
            if state.inFlight == 1 { return .alone }
            return state.idle.popLast().map(Start.worker) ?? .none
        }
        switch start {
        case .alone:
            DispatchQueue.global().async { [self] in
                if let (file, ticket) = state.withLock({ take(&$0) }) { prepare(file, ticket) }
            }
        case .worker(let worker):
            queues[worker].async { [self] in
                while let (file, ticket) = state.withLock({ state -> (ClaimedFile, Int)? in
                    if let taken = take(&state) { return taken }
                    state.idle.append(worker)
                    return nil
                }) {
                    prepare(file, ticket)
                }
            }
        case .none:
            break  // every worker is running and takes it
        }
    }

    /// The oldest queued file, or nil.
    private func take(_ state: inout State) -> (ClaimedFile, Int)? {
        state.queued.isEmpty ? nil : state.queued.removeFirst()
    }

    private func prepare(_ file: ClaimedFile, _ ticket: Int) {
        let prepared = Pipeline.prepare(file, spool: spool, classifier: classifier)
        let waiter = state.withLock { state -> CheckedContinuation<Pipeline.Prepared, Never>? in
            state.inFlight -= 1
            if let waiter = state.waiter, waiter.ticket == ticket {
                state.waiter = nil
                return waiter.continuation
            }
            state.results[ticket] = prepared
            return nil
        }
        waiter?.resume(returning: prepared)
    }

    /// The prepared file for `ticket`, once it is ready. One caller at a time.
    func result(ticket: Int) async -> Pipeline.Prepared {
        if let ready = state.withLock({ $0.results.removeValue(forKey: ticket) }) { return ready }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Pipeline.Prepared? in
                if let ready = state.results.removeValue(forKey: ticket) { return ready }
                state.waiter = (ticket, continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
