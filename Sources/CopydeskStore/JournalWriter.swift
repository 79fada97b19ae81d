import CopydeskCore
import Dispatch
import Glibc
import Logging
import SystemPackage

/// The only writer; holds an exclusive flock on DIR/LOCK so a second daemon gets `.locked`.
///
/// A record exists once ``append(_:recordedAt:)`` returns: the batch is written and `fdatasync`ed first, so the
/// caller may then let go of the files it describes (DESIGN.md, "Nothing lost"). Opening repairs what a crash can
/// leave (a torn tail of the last segment, a segment file whose header was never completed) and refuses anything
/// else, so damage is reported rather than written over.
///
/// An append can also be taken in two halves, so that two batches are in flight: ``encoder`` encodes the next batch
/// on any thread while ``commit(_:)`` writes and syncs the one before on the owner's (JournalWriter+Pipeline.swift).
///
/// Not `Sendable`: one owner (the ingest service's committer) appends; readers open their own ``JournalReader``.
public final class JournalWriter {
    /// What ``open(directory:options:logger:)`` repaired.
    public let recovery: RecoveryReport

    /// Sequence number of the last record written (0 when the journal is empty).
    public var lastSequence: UInt64 { link.sequence }

    /// SHA-256 of the last record's payload (``Digest/zero`` when the journal is empty): what the next record links
    /// to. The daemon's index checkpoint keeps it to prove the checkpoint belongs to this journal.
    public var lastHash: Digest { link.hash }

    let directory: String
    let options: JournalOptions
    let logger: Logger
    private var lock: FileDescriptor?
    var segment: OpenSegment?
    /// The chain after the last record written: the next record's sequence and `previousHash` come from here.
    var link: ChainLink
    /// When the last record was written: a trailer carries it.
    var lastRecordedAt: Timestamp
    /// The batch buffer, kept between appends.
    private var scratch: [UInt8] = []
    /// Set when a failed append could not be undone; the writer refuses further appends.
    private(set) var broken: JournalError?

    /// The path of the segment being appended to (nil once closed): it changes at each rollover.
    public var openSegmentPath: String? { segment?.path }

    /// The path and first sequence of the segment being appended to (nil once closed): retention never touches it.
    var openSegment: SegmentFile? { segment.map { SegmentFile(firstSequence: $0.firstSequence, path: $0.path) } }

    /// The segment being appended to.
    struct OpenSegment {
        var fd: FileDescriptor
        var path: String
        var firstSequence: UInt64
        /// Its size: where the next frame goes.
        var size: Int64
        var recordCount: UInt64
        /// Format 2 or later: sealed with a trailer at rollover. A format-1 segment from an older version is not.
        var sealable: Bool
    }

    private init(
        directory: String, options: JournalOptions, logger: Logger, lock: FileDescriptor, segment: OpenSegment,
        link: ChainLink, lastRecordedAt: Timestamp, recovery: RecoveryReport
    ) {
        self.directory = directory
        self.options = options
        self.logger = logger
        self.lock = lock
        self.segment = segment
        self.link = link
        self.lastRecordedAt = lastRecordedAt
        self.recovery = recovery
    }

    deinit { close() }

    /// Opens (creating if needed) the journal in `directory` for appending, after locking it and recovering its tail.
    ///
    /// Throws `.locked` when another writer holds it, `.corrupt` for damage a crash cannot explain (naming the file,
    /// byte offset and sequence), `.versionUnsupported` for a journal from a newer version, `.io` otherwise.
    public static func open(
        directory: String, options: JournalOptions = .init(), logger: Logger
    ) throws(JournalError) -> JournalWriter {
        do {
            try Syscall.makeDirectories(directory)
        } catch {
            throw .io("cannot create the journal directory", path: directory, error)
        }
        let lock = try acquireLock(directory: directory)
        do throws(JournalError) {
            var recovery = RecoveryReport()
            try removeLeftoverTemporaryFiles(directory: directory, logger: logger)
            var segments = try SegmentFile.list(in: directory)
            var headers: [SegmentHeader] = []
            for earlier in segments.dropLast() {
                headers.append(try checkHeader(of: earlier))
            }
            // A last segment without a whole header holds no records: a crash while it was being created.
            while let last = segments.last, try removeIfHeaderTorn(last, isOnly: segments.count == 1, logger: logger) {
                recovery.removedSegments.append(last.path)
                segments.removeLast()
            }
            headers = Array(headers.prefix(max(0, segments.count - 1)))
            // Older segments: one read of each trailer, checked against the next header (no frame is read).
            for index in 0..<max(0, segments.count - 2) {
                try skipCheck(segments[index], headers[index], followedBy: segments[index + 1], headers[index + 1])
            }
            if segments.count >= 2 {
                try checkSealed(segments[segments.count - 2], followedBy: segments[segments.count - 1])
            }
            var segment: OpenSegment
            var link: ChainLink
            var lastRecordedAt = Timestamp.epoch
            if let last = segments.last {
                let sealed: Bool
                (segment, link, lastRecordedAt, sealed) = try recoverLastSegment(
                    last, recovery: &recovery, logger: logger
                )
                if sealed {
                    // Sealed, then a crash before the next segment was created: start it now.
                    try? segment.fd.close()
                    segment = try createSegment(
                        directory: directory, firstSequence: link.sequence + 1, chainHash: link.hash
                    )
                    logger.notice(
                        "journal: the last segment was sealed; started the next one",
                        metadata: ["journal.segment": "\(segment.path)"]
                    )
                }
            } else {
                link = .genesis
                segment = try createSegment(directory: directory, firstSequence: 1, chainHash: .zero)
            }
            logger.debug(
                "journal opened",
                metadata: ["journal.directory": "\(directory)", "journal.lastSequence": "\(link.sequence)"]
            )
            return JournalWriter(
                directory: directory, options: options, logger: logger, lock: lock, segment: segment, link: link,
                lastRecordedAt: lastRecordedAt, recovery: recovery
            )
        } catch {
            try? lock.close()
            throw error
        }
    }

    /// Throws `.notEmpty` unless every segment in `directory` is header-only (what a daemon creates on its first
    /// start) or there is none. Call with the lock held.
    static func checkEmpty(directory: String) throws(JournalError) {
        for file in try SegmentFile.list(in: directory) {
            let fd = try SegmentIO.openReadOnly(file.path)
            let window = try FileWindow(fd: fd, path: file.path)
            try? fd.close()
            guard window.size <= Int64(SegmentHeader.size) else {
                throw JournalError(code: .notEmpty, path: file.path, message: "the journal already holds records")
            }
        }
    }

    /// Opens an EMPTY journal for `copydesk import`, whose `lock` the caller took (and hands over): its first record
    /// will be `start.sequence + 1`, linked to `start.hash` (the export's first `previousHash`), as retention leaves
    /// a journal that starts late. Header-only segments are removed first.
    static func openEmpty(
        directory: String, lock: FileDescriptor, startingAfter start: ChainLink, options: JournalOptions,
        logger: Logger
    ) throws(JournalError) -> JournalWriter {
        do throws(JournalError) {
            try removeLeftoverTemporaryFiles(directory: directory, logger: logger)
            try checkEmpty(directory: directory)
            let segments = try SegmentFile.list(in: directory)
            do throws(Errno) {
                for file in segments { try Syscall.unlink(file.path) }
                if !segments.isEmpty { try SegmentIO.syncDirectory(directory) }
            } catch {
                throw .io("cannot remove an empty segment", path: directory, error)
            }
            let segment = try createSegment(
                directory: directory, firstSequence: start.sequence + 1, chainHash: start.hash
            )
            return JournalWriter(
                directory: directory, options: options, logger: logger, lock: lock, segment: segment, link: start,
                lastRecordedAt: .epoch, recovery: RecoveryReport()
            )
        } catch {
            try? lock.close()
            throw error
        }
    }

    /// Encodes each body as the next record, writes them all, then ONE fdatasync; returns the records as written.
    ///
    /// When the batch crosses the segment size limit, the filled segment is synced before the next one is created,
    /// so a rollover costs a second `fdatasync` (and a directory `fsync`). If anything fails, the bytes of this batch
    /// are removed again and the journal is as before the call; if even that fails, the writer refuses further
    /// appends (reopen it to recover).
    public func append(_ bodies: [RecordBody], recordedAt: Timestamp) throws(JournalError) -> [JournalRecord] {
        try append(bodies, times: [recordedAt])
    }

    /// ``append(_:recordedAt:)`` with a time per record, for `copydesk import`, which keeps the exported times.
    func append(_ bodies: [RecordBody], recordedAt: [Timestamp]) throws(JournalError) -> [JournalRecord] {
        precondition(recordedAt.count == bodies.count, "one time per record")
        return try append(bodies, times: recordedAt)
    }

    /// `times` holds one time for the whole batch or one per body (two arrays rather than one of pairs: building
    /// pairs copied every body, a retain of each of its fields, several microseconds per record at 512 a batch).
    private func append(_ bodies: [RecordBody], times: [Timestamp]) throws(JournalError) -> [JournalRecord] {
        if let broken { throw broken }
        guard segment != nil else {
            throw JournalError(code: .io, path: directory, message: "the journal writer is closed")
        }
        guard !bodies.isEmpty else { return [] }
        // Encoded first, so a record that cannot be written fails the batch before any byte is.
        var buffer: [UInt8] = []
        swap(&buffer, &scratch)
        var batch = try encoder.encode(bodies, times: times, after: tail, reusing: buffer)
        // Kept for the next batch: a fresh buffer costs a page fault per 4 KiB on every commit.
        defer { scratch = batch.takeBuffer() }
        return try commit(batch)
    }

    /// A batch buffer larger than this is not kept between batches (a huge document should not pin its memory).
    static let scratchLimit = 8 << 20
    /// Cores to encode on (sysconf, read once).
    static let processorCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// Below this many records a batch's metadata is encoded on the calling thread alone.
    static let parallelEncodingThreshold = 32

    /// The JSON metadata of each entry, in order; spread over every core for a large batch, since it does not
    /// depend on the chain, which must then be built one record at a time.
    static func encodeMetadata(_ bodies: [RecordBody], firstSequence: UInt64) throws(JournalError) -> [[UInt8]] {
        func failure(_ error: RecordCodecError, at index: Int) -> JournalError {
            JournalError(
                code: .invalidRecord, path: nil, message: "cannot encode record: \(error)", cause: error,
                sequence: firstSequence + UInt64(index)
            )
        }
        let workers = min(processorCount, bodies.count / parallelEncodingThreshold)
        guard workers > 1 else {
            var metadata: [[UInt8]] = []
            metadata.reserveCapacity(bodies.count)
            for index in bodies.indices {
                do {
                    metadata.append(try RecordCodec.metadata(of: bodies[index]))
                } catch {
                    throw failure(error, at: index)
                }
            }
            return metadata
        }
        let results = ParallelResults<Result<[UInt8], RecordCodecError>>(count: bodies.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < bodies.count {
                results.set(index, Result { () throws(RecordCodecError) -> [UInt8] in
                    try RecordCodec.metadata(of: bodies[index])
                })
                index += workers
            }
        }
        var metadata: [[UInt8]] = []
        metadata.reserveCapacity(bodies.count)
        for (index, result) in results.values.enumerated() {
            switch result {
            case .success(let bytes): metadata.append(bytes)
            case .failure(let error): throw failure(error, at: index)
            case nil: preconditionFailure("metadata \(index) was not encoded")
            }
        }
        return metadata
    }

    /// Releases the lock and closes the files. Appending afterwards throws `.io`; calling it twice is harmless.
    public func close() {
        if let segment { try? segment.fd.close() }
        segment = nil
        if let lock { try? lock.close() }  // closing the descriptor releases the flock
        lock = nil
    }

    // MARK: - Appending

    /// Writes `bytes` (`count` frames) at the end of `segment` and makes them durable.
    func write(_ bytes: some Collection<UInt8>, count: UInt64, to segment: inout OpenSegment) throws(JournalError) {
        guard !bytes.isEmpty else { return }
        do {
            _ = try FileDescriptor.typed { try segment.fd.writeAll(toAbsoluteOffset: segment.size, bytes) }
            try Syscall.fdatasync(segment.fd)
        } catch {
            throw .io("cannot write to the journal", path: segment.path, error)
        }
        segment.size += Int64(bytes.count)
        segment.recordCount += count
    }

    /// Undoes a failed batch: removes the segments it created and cuts the original back to its old size.
    func rollBack(to original: OpenSegment, removing created: [OpenSegment], after failure: JournalError) {
        do throws(Errno) {
            for fresh in created.reversed() {
                try? fresh.fd.close()
                try Syscall.unlink(fresh.path)
            }
            if !created.isEmpty { try SegmentIO.syncDirectory(directory) }
            try FileDescriptor.typed { try original.fd.resize(to: original.size) }
            try Syscall.fdatasync(original.fd)
            logger.error(
                "journal append failed; batch removed",
                metadata: ["journal.segment": "\(original.path)", "error": "\(failure)"]
            )
        } catch {
            broken = JournalError(
                code: .io, path: original.path,
                message: "a failed append could not be undone (\(failure)); reopen the journal", cause: error
            )
            logger.critical(
                "journal append failed and could not be undone",
                metadata: ["journal.segment": "\(original.path)", "error": "\(failure)", "rollback.error": "\(error)"]
            )
        }
    }

    // MARK: - Opening

    /// Takes DIR/LOCK (`flock`, exclusive, non-blocking): the writer's, `repair`'s and `import`'s proof that no daemon
    /// runs on the journal. Closing the descriptor releases it.
    static func acquireLock(directory: String) throws(JournalError) -> FileDescriptor {
        let path = directory + "/LOCK"
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.typed {
                try FileDescriptor.open(
                    path, .readWrite, options: [.create, .closeOnExec], permissions: [.ownerReadWrite, .groupRead]
                )
            }
        } catch {
            throw .io("cannot open the journal lock file", path: path, error)
        }
        do {
            try Syscall.lockExclusive(fd)
        } catch {
            try? fd.close()
            if error == .wouldBlock {
                throw JournalError(
                    code: .locked, path: path, message: "another writer (copydeskd?) has the journal open",
                    cause: error
                )
            }
            throw .io("cannot lock the journal", path: path, error)
        }
        return fd
    }

    /// Removes `*.cdj.tmp` files: segments whose creation was cut short before they got their name.
    static func removeLeftoverTemporaryFiles(directory: String, logger: Logger) throws(JournalError) {
        let names: [String]
        do {
            names = try Syscall.listDirectory(directory)
        } catch {
            throw .io("cannot list the journal directory", path: directory, error)
        }
        for name in names where name.hasSuffix("." + SegmentHeader.fileExtension + ".tmp") {
            let path = directory + "/" + name
            do {
                try Syscall.unlink(path)
            } catch {
                throw .io("cannot remove an unfinished segment", path: path, error)
            }
            logger.notice("removed an unfinished segment file", metadata: ["journal.segment": "\(path)"])
        }
    }

    /// Decodes the header of a segment that is not the last, checks its name and that this version may append.
    private static func checkHeader(of file: SegmentFile) throws(JournalError) -> SegmentHeader {
        let fd = try SegmentIO.openReadOnly(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path, readAhead: 0)
        let header = try SegmentIO.readHeader(&window)
        try checkMatches(header, file)
        return header
    }

    private static func checkMatches(_ header: SegmentHeader, _ file: SegmentFile) throws(JournalError) {
        try SegmentIO.checkName(header, file)
        do {
            try header.checkWritable()
        } catch {
            throw .header(error, path: file.path)
        }
    }

    /// Checks a sealed segment older than the one before the last without walking its frames: its trailer must be
    /// whole and say that it ends just before the next segment starts, with the chain hash the next header carries.
    /// A format-1 segment has no trailer; its frames are checked by readers and `copydesk verify` only.
    private static func skipCheck(
        _ file: SegmentFile, _ header: SegmentHeader, followedBy next: SegmentFile, _ nextHeader: SegmentHeader
    ) throws(JournalError) {
        guard header.isSealable else { return }
        let fd = try SegmentIO.openReadOnly(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path, readAhead: 0)
        let trailer: SegmentTrailer
        switch try SegmentIO.readTrailer(&window) {
        case .success(let value): trailer = value
        case .failure(let error):
            throw .corrupt(
                "a segment followed by another has no valid trailer: \(error)", path: file.path,
                offset: max(Int64(SegmentHeader.size), window.size - Int64(SegmentTrailer.size)),
                sequence: nil, cause: error
            )
        }
        let trailerOffset = trailer.offset
        guard trailer.firstSequence == header.firstSequence, trailer.lastSequence + 1 == nextHeader.firstSequence
        else {
            throw .corrupt(
                "the trailer says records \(trailer.firstSequence)–\(trailer.lastSequence), but the segment starts "
                    + "at \(header.firstSequence) and the next one at \(nextHeader.firstSequence)",
                path: file.path, offset: trailerOffset, sequence: trailer.lastSequence
            )
        }
        guard trailer.chainHash == nextHeader.chainHash else {
            throw .corrupt(
                "the trailer's chain hash is not the one the next segment's header carries", path: file.path,
                offset: trailerOffset, sequence: trailer.lastSequence,
                cause: ChainError.brokenLink(
                    sequence: nextHeader.firstSequence, expected: trailer.chainHash, found: nextHeader.chainHash
                )
            )
        }
    }

    /// Walks the segment before the last one, checksums included: it must hold whole, intact frames up to its
    /// trailer (format 2) or its end (format 1), its records must run up to the next segment's first one, its last
    /// payload must hash to the next segment's chain hash, and its trailer must agree with all that. Older segments
    /// are only skip-checked (``skipCheck(_:_:followedBy:_:)``): reading the whole journal at every start would cost
    /// too much; `copydesk verify` and the readers check their frames.
    private static func checkSealed(_ file: SegmentFile, followedBy next: SegmentFile) throws(JournalError) {
        let nextFD = try SegmentIO.openReadOnly(next.path)
        var nextWindow = try FileWindow(fd: nextFD, path: next.path, readAhead: 0)
        defer { try? nextFD.close() }
        guard nextWindow.size >= Int64(SegmentHeader.size) else { return }  // torn: removed by the caller
        let nextHeader = try SegmentIO.readHeader(&nextWindow)

        let fd = try SegmentIO.openReadOnly(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path)
        let header = try SegmentIO.readHeader(&window)
        var lastOffset: Int64?
        var lastRecordedAt = Timestamp.epoch
        var nextSequence = header.firstSequence
        let end = try FrameWalk.walk(
            &window, from: Int64(SegmentHeader.size), expectedSequence: header.firstSequence, verify: true,
            sealable: header.isSealable
        ) { offset, payloadHeader in
            lastOffset = offset
            lastRecordedAt = payloadHeader.recordedAt
            nextSequence += 1
        }
        var trailer: SegmentTrailer?
        switch end {
        case .stopped(let offset, let problem):
            throw .corrupt(
                "\(problem) in a segment that is not the last", path: file.path, offset: offset, sequence: nextSequence,
                cause: problem.cause
            )
        case .sealed(_, let found):
            trailer = found
        case .endOfFile:
            if header.isSealable {
                throw .corrupt(
                    "a segment followed by another is not sealed (no trailer)", path: file.path, offset: window.size,
                    sequence: nextSequence
                )
            }
        }
        guard nextSequence == nextHeader.firstSequence else {
            throw .corrupt(
                "segment ends before record \(nextSequence) but the next one starts at \(nextHeader.firstSequence)",
                path: next.path, offset: 0, sequence: nextHeader.firstSequence
            )
        }
        let hash =
            try lastOffset.map { (offset) throws(JournalError) -> Digest in
                try SegmentIO.payloadHash(&window, frameAt: offset)
            } ?? header.chainHash
        if let trailer {
            let expected = SegmentTrailer(
                recordCount: nextSequence - header.firstSequence, firstSequence: header.firstSequence,
                lastSequence: nextSequence - 1, lastRecordedAt: lastRecordedAt, offset: trailer.offset, chainHash: hash
            )
            guard trailer == expected else {
                throw .corrupt(
                    "the segment's trailer does not agree with its records", path: file.path, offset: trailer.offset,
                    sequence: nextSequence - 1
                )
            }
        }
        guard hash == nextHeader.chainHash else {
            throw .corrupt(
                "the segment's chain hash is not the hash of the previous segment's last record", path: next.path,
                offset: 0, sequence: nextHeader.firstSequence,
                cause: ChainError.brokenLink(
                    sequence: nextHeader.firstSequence, expected: hash, found: nextHeader.chainHash)
            )
        }
    }

    /// Removes the last segment if it is shorter than a header (and so holds no records); returns whether it did.
    private static func removeIfHeaderTorn(
        _ file: SegmentFile, isOnly: Bool, logger: Logger
    ) throws(JournalError) -> Bool {
        let fd = try SegmentIO.openReadOnly(file.path)
        defer { try? fd.close() }
        let window = try FileWindow(fd: fd, path: file.path)
        guard window.size < Int64(SegmentHeader.size) else { return false }
        if isOnly && file.firstSequence != 1 {
            // Removing it would lose where the journal's sequence and chain continue from.
            throw .corrupt(
                "the only segment has a torn header and does not start the journal", path: file.path, offset: 0,
                sequence: file.firstSequence
            )
        }
        do {
            try Syscall.unlink(file.path)
            try SegmentIO.syncDirectory(SegmentIO.parent(of: file.path))
        } catch {
            throw .io("cannot remove a segment with a torn header", path: file.path, error)
        }
        logger.warning(
            "journal recovery: removed a segment with a torn header",
            metadata: [
                "copydesk.event": "recovered", "journal.segment": "\(file.path)",
                "journal.bytesDropped": "\(window.size)",
            ]
        )
        return true
    }

    /// Walks the last segment, checks every frame, cuts a torn or damaged tail and finds where the chain stands.
    /// Returns whether the segment is sealed (a whole trailer that agrees with its records ends it): then the
    /// writer must start the next one.
    private static func recoverLastSegment(
        _ file: SegmentFile, recovery: inout RecoveryReport, logger: Logger
    ) throws(JournalError) -> (OpenSegment, ChainLink, Timestamp, sealed: Bool) {
        let fd = try SegmentIO.openReadWrite(file.path)
        do throws(JournalError) {
            var window = try FileWindow(fd: fd, path: file.path)
            let header = try SegmentIO.readHeader(&window)
            try checkMatches(header, file)

            var lastOffset: Int64?
            var lastSequence = header.firstSequence - 1
            var lastRecordedAt = Timestamp.epoch
            var firstPreviousHash: Digest?
            let end = try FrameWalk.walk(
                &window, from: Int64(SegmentHeader.size), expectedSequence: header.firstSequence, verify: true,
                sealable: header.isSealable
            ) { offset, payloadHeader in
                if firstPreviousHash == nil { firstPreviousHash = payloadHeader.previousHash }
                lastOffset = offset
                lastSequence = payloadHeader.sequence
                lastRecordedAt = payloadHeader.recordedAt
            }
            if let firstPreviousHash, firstPreviousHash != header.chainHash {
                throw JournalError.corrupt(
                    "the first record does not link to the chain hash in the segment header",
                    path: file.path, offset: Int64(SegmentHeader.size), sequence: header.firstSequence,
                    cause: ChainError.brokenLink(
                        sequence: header.firstSequence, expected: header.chainHash, found: firstPreviousHash
                    )
                )
            }

            var size = window.size
            var sealedTrailer: SegmentTrailer?
            switch end {
            case .endOfFile:
                break
            case .sealed(_, let trailer):
                sealedTrailer = trailer
            case .stopped(let offset, let problem):
                if let intact = try FrameWalk.findIntactFrame(&window, after: offset, laterThan: lastSequence) {
                    throw JournalError.corrupt(
                        "\(problem), yet record \(intact.sequence) follows intact at byte \(intact.offset)",
                        path: file.path, offset: offset, sequence: lastSequence + 1, cause: problem.cause
                    )
                }
                do {
                    try FileDescriptor.typed { try fd.resize(to: offset) }
                    try Syscall.fsync(fd)
                } catch {
                    throw .io("cannot truncate the torn tail of the journal", path: file.path, error)
                }
                logger.warning(
                    "journal recovery: truncated a torn tail",
                    metadata: [
                        "copydesk.event": "recovered",
                        "journal.segment": "\(file.path)", "journal.offset": "\(offset)",
                        "journal.bytesDropped": "\(size - offset)", "journal.reason": "\(problem)",
                    ]
                )
                recovery.segment = file.path
                recovery.offset = offset
                recovery.bytesDropped = size - offset
                size = offset
            }

            let link: ChainLink
            if let lastOffset {
                link = ChainLink(sequence: lastSequence, hash: try SegmentIO.payloadHash(&window, frameAt: lastOffset))
            } else {
                link = ChainLink(before: header)
            }
            if let sealedTrailer {
                let expected = SegmentTrailer(
                    recordCount: lastSequence - (header.firstSequence - 1), firstSequence: header.firstSequence,
                    lastSequence: lastSequence, lastRecordedAt: lastRecordedAt, offset: sealedTrailer.offset,
                    chainHash: link.hash
                )
                // A whole trailer with a good checksum that disagrees with the records is not what a crash leaves.
                guard sealedTrailer == expected else {
                    throw JournalError.corrupt(
                        "the segment's trailer does not agree with its records", path: file.path,
                        offset: sealedTrailer.offset, sequence: lastSequence
                    )
                }
            }
            let segment = OpenSegment(
                fd: fd, path: file.path, firstSequence: header.firstSequence, size: size,
                recordCount: lastSequence - (header.firstSequence - 1), sealable: header.isSealable
            )
            return (segment, link, lastRecordedAt, sealedTrailer != nil)
        } catch {
            try? fd.close()
            throw error
        }
    }

    /// Creates a segment atomically: header written and synced under a temporary name, then renamed, then the
    /// directory synced, so no reader ever sees a half-written header.
    static func createSegment(
        directory: String, firstSequence: UInt64, chainHash: Digest
    ) throws(JournalError) -> OpenSegment {
        let path = directory + "/" + SegmentHeader.fileName(firstSequence: firstSequence)
        let header = SegmentHeader(firstSequence: firstSequence, chainHash: chainHash)
        let fd = try SegmentWriting.createAtomically(path: path, contents: header.encoded())
        return OpenSegment(
            fd: fd, path: path, firstSequence: firstSequence, size: Int64(SegmentHeader.size), recordCount: 0,
            sealable: header.isSealable
        )
    }
}

/// Writing whole segment files: new segments, and the segments `repair` rewrites.
enum SegmentWriting {
    /// Writes `contents` to `path.tmp`, syncs it, renames it to `path` (which must not exist) and syncs the
    /// directory, so no reader ever sees a half-written file under a segment's name. With `replacing`, an existing
    /// `path` is replaced in the same atomic rename (`repair`, after linking the old file aside). Returns the file
    /// open for reading and writing.
    static func createAtomically(
        path: String, contents: [UInt8], replacing: Bool = false
    ) throws(JournalError) -> FileDescriptor {
        let temporary = path + ".tmp"
        do throws(Errno) {
            // Under the lock nobody else creates segments, so checking first is enough to never replace one.
            if !replacing { guard try !Syscall.exists(path) else { throw .fileExists } }
            let fd = try FileDescriptor.typed {
                try FileDescriptor.open(
                    temporary, .readWrite, options: [.create, .truncate, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead]
                )
            }
            var renamed = false
            do throws(Errno) {
                _ = try FileDescriptor.typed { try fd.writeAll(toAbsoluteOffset: 0, contents) }
                try Syscall.fdatasync(fd)
                try Syscall.rename(temporary, path)
                renamed = true
                try SegmentIO.syncDirectory(SegmentIO.parent(of: path))
            } catch {
                try? fd.close()
                if !renamed { try? Syscall.unlink(temporary) }
                throw error
            }
            return fd
        } catch {
            throw .io("cannot create a journal segment", path: path, error)
        }
    }

    /// ``createAtomically(path:contents:replacing:)`` for a file that is not appended to afterwards.
    static func write(path: String, contents: [UInt8], replacing: Bool = false) throws(JournalError) {
        let fd = try createAtomically(path: path, contents: contents, replacing: replacing)
        try? fd.close()
    }
}

@available(*, unavailable)
extension JournalWriter: Sendable {}

/// One slot per index, each written once by whichever worker owns it; read after every worker has finished.
/// The slots live behind a pointer taken once, so workers writing different slots never overlap an access to a
/// Swift property (which exclusivity checking would stop).
private final class ParallelResults<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: Value) { slots[index] = value }

    var values: [Value?] { Array(slots) }
}
