import CopydeskCore
import CopydeskStore
import Logging
import ServiceLifecycle
import Glibc
import SystemPackage

/// The pipeline as a service: watch → claim → read → decide → journal append (fsync) → finish → report.
///
/// `run()` owns the journal writer and the exact-duplicate index, so neither needs a lock; other tasks see
/// the pipeline only through the ``StatusBoard`` and the reporter.
public final class IngestService: Service {
    private let initial: Configuration
    private let settings: Locked<Configuration>
    private let reporter: any LifecycleReporter
    private let logger: Logger
    private let queue = WorkQueue()
    public let board: StatusBoard

    public init(configuration: Configuration, reporter: any LifecycleReporter, logger: Logger) {
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
        reporter.reloading()
        board.update { $0.state = .reloading }
        if configuration.spool != initial.spool || configuration.journal != initial.journal
            || configuration.controlSocket != initial.controlSocket || configuration.segmentSize != initial.segmentSize {
            logger.warning("reload: spool, journal, control socket and segment size take effect on restart only")
        }
        settings.update { current in
            current.maxFileSize = configuration.maxFileSize
            current.keepDone = configuration.keepDone
            current.rescanInterval = configuration.rescanInterval
            current.batchMax = configuration.batchMax
        }
        logger.notice("configuration reloaded", metadata: ["copydesk.event": "reloaded"])
        board.update { $0.state = .ready }
        reporter.ready(status: board.snapshot.statusLine)
        queue.requestRescan()
    }

    public func run() async throws {
        let pipeline = try Pipeline(
            configuration: initial, settings: settings, reporter: reporter, board: board, queue: queue,
            logger: logger
        )
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
}

/// The state `IngestService.run()` owns. Not `Sendable`: it never leaves the task that made it.
final class Pipeline {
    private enum Pending {
        case inbox(InboxEntry)
        case claimed(ClaimedFile)
    }

    private let configuration: Configuration
    private let settings: Locked<Configuration>
    private let reporter: any LifecycleReporter
    private let board: StatusBoard
    private let queue: WorkQueue
    private let logger: Logger
    private let writer: JournalWriter
    private let control: ControlServer
    private var watcher: InboxWatcher?
    private var index = ExactIndex()
    private var claimBase: UInt64
    private var claimCounter: UInt64 = 0
    private var throttle = StatusThrottle()
    private var lastScan = -Double.infinity
    private var startupWork: [Pending] = []

    init(
        configuration: Configuration, settings: Locked<Configuration>, reporter: any LifecycleReporter,
        board: StatusBoard, queue: WorkQueue, logger: Logger
    ) throws {
        self.configuration = configuration
        self.settings = settings
        self.reporter = reporter
        self.board = board
        self.queue = queue
        self.logger = logger
        // Claim ids: start time in µs times 4096 plus a counter, so ids never repeat across restarts.
        claimBase = UInt64(max(0, now().microseconds)) << 12

        let spool = Spool(config: configuration)
        do {
            try spool.createDirectories()
        } catch {
            throw DaemonError("cannot create the spool folders under \(configuration.spool): \(error)")
        }
        writer = try JournalWriter.open(
            directory: configuration.journal, options: JournalOptions(segmentSize: configuration.segmentSize),
            logger: logger
        )
        do {
            control = try ControlServer(path: configuration.controlSocket, board: board, logger: logger)
        } catch {
            writer.close()
            throw DaemonError("cannot bind the control socket \(configuration.controlSocket): \(error)")
        }
        control.start()
        do {
            try recover(spool)
            watcher = try makeWatcher(spool)
        } catch {
            control.stop()
            writer.close()
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
        control.stop()
        writer.close()
    }

    /// Rebuilds counts and the exact index from the journal and settles every file left in `work/`: a file
    /// whose record is already durable is finished as that record says; any other is processed again.
    private func recover(_ spool: Spool) throws {
        let workNames = try spool.workFiles()
        let inWork = Set(workNames)
        var recorded: [String: JournalRecord] = [:]
        var counts = StatusSnapshot.Counts()
        var lastArrival: Timestamp?
        let reader = try JournalReader.open(directory: configuration.journal)
        var seen = 0
        var lastExtend = monotonicSeconds()
        try reader.forEach { record in
            counts.count(record.body.kind)
            if case .document(let document) = record.body, let digest = document.arrival.sha256 {
                index.insert(digest, sequence: record.sequence)
            }
            if inWork.contains(record.body.arrival.claim) { recorded[record.body.arrival.claim] = record }
            lastArrival = record.body.arrival.receivedAt
            seen += 1
            if seen % 10_000 == 0, monotonicSeconds() - lastExtend > 5 {
                reporter.extendTimeout(seconds: 30)
                reporter.status("Rebuilding index: \(StatusSnapshot.grouped(seen)) records read")
                lastExtend = monotonicSeconds()
            }
        }
        board.update {
            $0.counts = counts
            $0.lastSequence = writer.lastSequence
            $0.lastArrival = lastArrival
        }
        for name in workNames {
            if let record = recorded[name], let parsed = SpoolName.parseClaim(name) {
                let file = ClaimedFile(claim: name, channel: parsed.channel, file: parsed.file)
                logger.notice("finishing a file whose record was already durable", metadata: [
                    "copydesk.event": "recovered", "copydesk.seq": "\(record.sequence)", "file.name": "\(parsed.file)",
                    "copydesk.verdict": "\(record.body.verdict)",
                ])
                finish(file, record: record, spool: spool)
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
        if !workNames.isEmpty {
            logger.info("resuming work/ after a stop", metadata: [
                "copydesk.event": "recovered", "work.files": "\(workNames.count)",
                "work.finished": "\(workNames.count - startupWork.count)",
            ])
        }
    }

    func run() async throws {
        try process(startupWork)
        startupWork = []
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
            let taken = queue.take()
            if taken.rewatch { rewatch() }
            let rescanRequested = taken.rescan
            var pending = taken.entries
            let current = settings.value
            let time = monotonicSeconds()
            if rescanRequested || time - lastScan >= current.rescanInterval {
                lastScan = time
                var known = Set(pending)
                do {
                    for entry in try Spool(config: current).scanInbox() where known.insert(entry).inserted {
                        pending.append(entry)
                    }
                } catch {
                    logger.error("cannot scan the inbox", metadata: ["error": "\(error)"])
                }
                board.update { $0.rescans += 1 }
            }
            var start = 0
            while start < pending.count && !queue.isStopped {
                let end = min(start + current.batchMax, pending.count)
                board.update { $0.queue = pending.count - start + queue.count }
                try process(pending[start..<end].map { .inbox($0) })
                start = end
                publishStatus()
                reporter.watchdog()
            }
            board.update { $0.queue = queue.count + (pending.count - start) }
            publishStatus(force: true)
            reporter.watchdog()
        }
        board.update { $0.state = .stopping }
        logger.info("stopped", metadata: ["copydesk.event": "stopped"])
    }

    private func nextClaimID() -> UInt64 {
        claimCounter += 1
        return claimBase + claimCounter
    }

    private func publishStatus(force: Bool = false) {
        if let line = throttle.line(board.snapshot.statusLine, at: monotonicSeconds(), force: force) {
            reporter.status(line)
        }
    }

    /// Claims, reads and decides every file, appends all records with one `fdatasync`, and only then lets go
    /// of the files. A crash anywhere leaves each file in `inbox/` or `work/`, or durably recorded.
    private func process(_ items: [Pending]) throws {
        guard !items.isEmpty else { return }
        let current = settings.value
        let spool = Spool(config: current)
        var staged: [(file: ClaimedFile, body: RecordBody)] = []
        var batchDocuments: [Digest: UInt64] = [:]
        var reservedRejectNames = Set<String>()
        var sequence = writer.lastSequence + 1
        for item in items {
            let file: ClaimedFile
            switch item {
            case .claimed(let claimed):
                file = claimed
            case .inbox(let entry):
                do {
                    guard let claimed = try spool.claim(entry, id: nextClaimID()) else { continue }
                    file = claimed
                } catch {
                    logger.warning("cannot claim a file; it stays in the inbox", metadata: [
                        "file.name": "\(entry.relativePath)", "error": "\(error)",
                    ])
                    continue
                }
            }
            let receivedAt = now()
            var rejectedAs: String {
                var name = spool.rejectedName(for: file.file)
                var counter = 1
                while reservedRejectNames.contains(name) {
                    counter += 1
                    name = spool.rejectedName(for: "\(file.file).\(counter)")
                }
                return name
            }
            func arrival(size: Int64, digest: Digest?) -> Arrival {
                Arrival(file: file.file, channel: file.channel, claim: file.claim, receivedAt: receivedAt, size: size, sha256: digest)
            }
            let body: RecordBody
            switch spool.read(file) {
            case .vanished:
                logger.warning("a claimed file vanished from work/", metadata: ["file.name": "\(file.file)"])
                continue
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
            case .bytes(let bytes):
                let digest = SHA256.hash(bytes)
                let index = self.index
                body = Decide.decide(
                    bytes, arrival: arrival(size: Int64(bytes.count), digest: digest),
                    seen: { batchDocuments[$0] ?? index.lookup($0) }, rejectedAs: rejectedAs
                )
                if case .document = body { batchDocuments[digest] = sequence }
            }
            if case .rejected(let rejected) = body { reservedRejectNames.insert(rejected.rejectedAs) }
            staged.append((file, body))
            sequence += 1
        }
        guard !staged.isEmpty else { return }

        let records = try writer.append(staged.map(\.body), recordedAt: now())
        for (digest, first) in batchDocuments { index.insert(digest, sequence: first) }
        for (item, record) in zip(staged, records) {
            finish(item.file, record: record, spool: spool)
            report(record)
        }
        board.update { status in
            for record in records { status.counts.count(record.body.kind) }
            status.lastSequence = records.last?.sequence ?? status.lastSequence
            status.lastArrival = records.last?.body.arrival.receivedAt ?? status.lastArrival
        }
    }

    /// Lets go of a file as its durable record says: rejected files move to `rejected/` with a reason file,
    /// the rest are deleted (or moved to `done/`). A failure here loses nothing: the file stays in `work/`
    /// and the next start finishes it.
    private func finish(_ file: ClaimedFile, record: JournalRecord, spool: Spool) {
        do {
            if case .rejected(let rejected) = record.body {
                try spool.reject(
                    file, as: rejected.rejectedAs, reasonText: Decide.reasonFileText(rejected, sequence: record.sequence)
                )
            } else {
                try spool.finish(file)
            }
        } catch {
            logger.error("cannot move a finished file out of work/; it will be finished on the next start", metadata: [
                "file.name": "\(file.file)", "copydesk.seq": "\(record.sequence)", "error": "\(error)",
            ])
        }
    }

    private func report(_ record: JournalRecord) {
        var metadata: Logger.Metadata = [
            "copydesk.event": "\(record.body.verdict)", "copydesk.seq": "\(record.sequence)",
            "file.name": "\(record.body.arrival.file)", "copydesk.verdict": "\(record.body.verdict)",
        ]
        if let channel = record.body.arrival.channel { metadata["copydesk.source"] = "\(channel)" }
        switch record.body {
        case .document(let document):
            metadata["article.headline"] = "\(document.article.headline)"
            metadata["article.format"] = "\(document.format)"
            logger.info("stored", metadata: metadata)
        case .duplicate(let duplicate):
            metadata["duplicate.of"] = "\(duplicate.duplicateOf)"
            logger.notice("duplicate of \(duplicate.duplicateOf)", metadata: metadata)
        case .rejected(let rejected):
            metadata["reject.reason"] = "\(rejected.reason.code)"
            metadata["reject.as"] = "\(rejected.rejectedAs)"
            logger.warning("rejected: \(rejected.reason.message)", metadata: metadata)
        }
    }
}

/// A start-up failure with a sentence an operator can act on.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
