import CopydeskCore
import Logging
import SystemPackage

/// The only writer; holds an exclusive flock on DIR/LOCK so a second daemon gets `.locked`.
///
/// A record exists once ``append(_:recordedAt:)`` returns: the batch is written and `fdatasync`ed first, so the
/// caller may then let go of the files it describes (DESIGN.md, "Nothing lost"). Opening repairs what a crash can
/// leave (a torn tail of the last segment, a segment file whose header was never completed) and refuses anything
/// else, so damage is reported rather than written over.
///
/// Not `Sendable`: one owner (the ingest service) appends; readers open their own ``JournalReader``.
public final class JournalWriter {
    /// What ``open(directory:options:logger:)`` repaired.
    public let recovery: RecoveryReport

    /// Sequence number of the last record written (0 when the journal is empty).
    public var lastSequence: UInt64 { link.sequence }

    /// SHA-256 of the last record's payload (``Digest/zero`` when the journal is empty): what the next record links
    /// to. The daemon's index checkpoint keeps it to prove the checkpoint belongs to this journal.
    public var lastHash: Digest { link.hash }

    private let directory: String
    private let options: JournalOptions
    private let logger: Logger
    private var lock: FileDescriptor?
    private var segment: OpenSegment?
    /// The chain after the last record written: the next record's sequence and `previousHash` come from here.
    private var link: ChainLink
    /// Set when a failed append could not be undone; the writer refuses further appends.
    private var broken: JournalError?

    /// The segment being appended to.
    private struct OpenSegment {
        var fd: FileDescriptor
        var path: String
        var firstSequence: UInt64
        /// Its size: where the next frame goes.
        var size: Int64
        var recordCount: UInt64
    }

    private init(
        directory: String, options: JournalOptions, logger: Logger, lock: FileDescriptor, segment: OpenSegment,
        link: ChainLink, recovery: RecoveryReport
    ) {
        self.directory = directory
        self.options = options
        self.logger = logger
        self.lock = lock
        self.segment = segment
        self.link = link
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
            for earlier in segments.dropLast() {
                try checkHeader(of: earlier)
            }
            // A last segment without a whole header holds no records: a crash while it was being created.
            while let last = segments.last, try removeIfHeaderTorn(last, isOnly: segments.count == 1, logger: logger) {
                recovery.removedSegments.append(last.path)
                segments.removeLast()
            }
            if segments.count >= 2 {
                try checkSealed(segments[segments.count - 2], followedBy: segments[segments.count - 1])
            }
            let segment: OpenSegment
            let link: ChainLink
            if let last = segments.last {
                (segment, link) = try recoverLastSegment(last, recovery: &recovery, logger: logger)
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
                recovery: recovery
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
        if let broken { throw broken }
        guard var current = segment else {
            throw JournalError(code: .io, path: directory, message: "the journal writer is closed")
        }
        guard !bodies.isEmpty else { return [] }

        // Encode everything first, so a record that cannot be written fails the batch before any byte is.
        var records: [JournalRecord] = []
        var payloads: [[UInt8]] = []
        var links: [ChainLink] = []
        records.reserveCapacity(bodies.count)
        var next = link
        for body in bodies {
            let record = JournalRecord(
                sequence: next.sequence + 1, recordedAt: recordedAt, previousHash: next.hash, body: body
            )
            let payload: [UInt8]
            do {
                payload = try RecordCodec.encode(record)
            } catch {
                throw JournalError(
                    code: .invalidRecord, path: nil, message: "cannot encode record: \(error)", cause: error,
                    sequence: record.sequence
                )
            }
            guard payload.count <= Frame.maxPayloadLength else {
                throw JournalError(
                    code: .invalidRecord, message: "record of \(payload.count) bytes exceeds the maximum frame size",
                    sequence: record.sequence
                )
            }
            links.append(next)
            next = ChainLink(sequence: record.sequence, hash: ChainLink.hash(ofPayload: payload))
            records.append(record)
            payloads.append(payload)
        }

        let original = current
        var created: [OpenSegment] = []
        var pending: [UInt8] = []
        var pendingCount: UInt64 = 0
        do throws(JournalError) {
            for (index, payload) in payloads.enumerated() {
                let frameSize = Int64(Frame.headerSize + payload.count)
                let filled = current.size + Int64(pending.count)
                if filled + frameSize > Int64(options.segmentSize) && current.recordCount + pendingCount > 0 {
                    try write(pending, count: pendingCount, to: &current)
                    pending.removeAll(keepingCapacity: true)
                    pendingCount = 0
                    let fresh = try Self.createSegment(
                        directory: directory, firstSequence: records[index].sequence, chainHash: links[index].hash
                    )
                    created.append(fresh)
                    current = fresh
                }
                Frame.append(payload: payload, to: &pending)
                pendingCount += 1
            }
            try write(pending, count: pendingCount, to: &current)
        } catch {
            rollBack(to: original, removing: created, after: error)
            throw error
        }

        for old in [original] + created.dropLast() where old.path != current.path {
            try? old.fd.close()
        }
        segment = current
        link = next
        return records
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
    private func write(_ bytes: [UInt8], count: UInt64, to segment: inout OpenSegment) throws(JournalError) {
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
    private func rollBack(to original: OpenSegment, removing created: [OpenSegment], after failure: JournalError) {
        do throws(Errno) {
            for fresh in created.reversed() {
                try? fresh.fd.close()
                try Syscall.unlink(fresh.path)
            }
            if !created.isEmpty { try Self.syncDirectory(directory) }
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

    private static func acquireLock(directory: String) throws(JournalError) -> FileDescriptor {
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
    private static func removeLeftoverTemporaryFiles(directory: String, logger: Logger) throws(JournalError) {
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

    private static func openSegmentFile(_ path: String) throws(JournalError) -> FileDescriptor {
        do {
            return try FileDescriptor.typed { try FileDescriptor.open(path, .readWrite, options: [.closeOnExec]) }
        } catch {
            throw .io("cannot open a journal segment", path: path, error)
        }
    }

    private static func readHeader(_ window: inout FileWindow) throws(JournalError) -> SegmentHeader {
        let path = window.path
        let decoded = try window.withBytes(at: 0, count: SegmentHeader.size) { bytes in
            Result { () throws(SegmentHeaderError) -> SegmentHeader in try SegmentHeader.decode(bytes) }
        }
        switch decoded {
        case .success(let header): return header
        case .failure(let error): throw .header(error, path: path)
        }
    }

    /// Decodes the header of a segment that is not the last, checks its name and that this version may append.
    private static func checkHeader(of file: SegmentFile) throws(JournalError) {
        let fd = try openSegmentFile(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path)
        let header = try readHeader(&window)
        try checkMatches(header, file)
    }

    private static func checkMatches(_ header: SegmentHeader, _ file: SegmentFile) throws(JournalError) {
        guard header.firstSequence == file.firstSequence else {
            throw .corrupt(
                "segment header says its first record is \(header.firstSequence), its name says \(file.firstSequence)",
                path: file.path, offset: 0, sequence: file.firstSequence
            )
        }
        do {
            try header.checkWritable()
        } catch {
            throw .header(error, path: file.path)
        }
    }

    /// Walks the segment before the last one, checksums included: it must hold whole, intact frames up to its end,
    /// its records must run up to the next segment's first one, and its last payload must hash to the next segment's
    /// chain hash. Older segments get only their header checked here: reading the whole journal at every start
    /// would cost too much; `copydesk verify` and the readers check them.
    private static func checkSealed(_ file: SegmentFile, followedBy next: SegmentFile) throws(JournalError) {
        let nextFD = try openSegmentFile(next.path)
        var nextWindow = try FileWindow(fd: nextFD, path: next.path)
        defer { try? nextFD.close() }
        guard nextWindow.size >= Int64(SegmentHeader.size) else { return }  // torn: removed by the caller
        let nextHeader = try readHeader(&nextWindow)

        let fd = try openSegmentFile(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path)
        let header = try readHeader(&window)
        var lastOffset: Int64?
        var nextSequence = header.firstSequence
        let end = try FrameWalk.walk(
            &window, from: Int64(SegmentHeader.size), expectedSequence: header.firstSequence, verify: true
        ) { offset, _ in
            lastOffset = offset
            nextSequence += 1
        }
        if case .stopped(let offset, let problem) = end {
            throw .corrupt(
                "\(problem) in a segment that is not the last", path: file.path, offset: offset, sequence: nextSequence,
                cause: problem.cause
            )
        }
        guard nextSequence == nextHeader.firstSequence else {
            throw .corrupt(
                "segment ends before record \(nextSequence) but the next one starts at \(nextHeader.firstSequence)",
                path: next.path, offset: 0, sequence: nextHeader.firstSequence
            )
        }
        let hash =
            try lastOffset.map { (offset) throws(JournalError) -> Digest in
                try window.withBytes(at: offset, count: Int(window.size - offset)) { frame in
                    ChainLink.hash(ofPayload: UnsafeRawBufferPointer(rebasing: frame[Frame.headerSize...]))
                }
            } ?? header.chainHash
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
        let fd = try openSegmentFile(file.path)
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
            try syncDirectory(parent(of: file.path))
        } catch {
            throw .io("cannot remove a segment with a torn header", path: file.path, error)
        }
        logger.warning(
            "journal recovery: removed a segment with a torn header",
            metadata: ["copydesk.event": "recovered", "journal.segment": "\(file.path)", "journal.bytesDropped": "\(window.size)"]
        )
        return true
    }

    /// Walks the last segment, checks every frame, cuts a torn or damaged tail and finds where the chain stands.
    private static func recoverLastSegment(
        _ file: SegmentFile, recovery: inout RecoveryReport, logger: Logger
    ) throws(JournalError) -> (OpenSegment, ChainLink) {
        let fd = try openSegmentFile(file.path)
        do throws(JournalError) {
            var window = try FileWindow(fd: fd, path: file.path)
            let header = try readHeader(&window)
            try checkMatches(header, file)

            var lastOffset: Int64?
            var lastSequence = header.firstSequence - 1
            var firstPreviousHash: Digest?
            let end = try FrameWalk.walk(
                &window, from: Int64(SegmentHeader.size), expectedSequence: header.firstSequence, verify: true
            ) { offset, payloadHeader in
                if firstPreviousHash == nil { firstPreviousHash = payloadHeader.previousHash }
                lastOffset = offset
                lastSequence = payloadHeader.sequence
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
            if case .stopped(let offset, let problem) = end {
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
                let hash = try window.withBytes(at: lastOffset, count: Int(size - lastOffset)) { frame in
                    ChainLink.hash(ofPayload: UnsafeRawBufferPointer(rebasing: frame[Frame.headerSize...]))
                }
                link = ChainLink(sequence: lastSequence, hash: hash)
            } else {
                link = ChainLink(before: header)
            }
            let segment = OpenSegment(
                fd: fd, path: file.path, firstSequence: header.firstSequence, size: size,
                recordCount: lastSequence - (header.firstSequence - 1)
            )
            return (segment, link)
        } catch {
            try? fd.close()
            throw error
        }
    }

    /// Creates a segment atomically: header written and synced under a temporary name, then renamed, then the
    /// directory synced, so no reader ever sees a half-written header.
    private static func createSegment(
        directory: String, firstSequence: UInt64, chainHash: Digest
    ) throws(JournalError) -> OpenSegment {
        let path = directory + "/" + SegmentHeader.fileName(firstSequence: firstSequence)
        let temporary = path + ".tmp"
        let header = SegmentHeader(firstSequence: firstSequence, chainHash: chainHash).encoded()
        do throws(Errno) {
            // Under the lock nobody else creates segments, so checking first is enough to never replace one.
            guard try !Syscall.exists(path) else { throw .fileExists }
            let fd = try FileDescriptor.typed {
                try FileDescriptor.open(
                    temporary, .readWrite, options: [.create, .truncate, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead]
                )
            }
            var renamed = false
            do throws(Errno) {
                _ = try FileDescriptor.typed { try fd.writeAll(toAbsoluteOffset: 0, header) }
                try Syscall.fdatasync(fd)
                try Syscall.rename(temporary, path)
                renamed = true
                try syncDirectory(directory)
            } catch {
                try? fd.close()
                try? Syscall.unlink(renamed ? path : temporary)
                throw error
            }
            return OpenSegment(
                fd: fd, path: path, firstSequence: firstSequence, size: Int64(header.count), recordCount: 0
            )
        } catch {
            throw .io("cannot create a journal segment", path: path, error)
        }
    }

    private static func syncDirectory(_ directory: String) throws(Errno) {
        let fd = try FileDescriptor.typed {
            try FileDescriptor.open(directory, .readOnly, options: [.directory, .closeOnExec])
        }
        defer { try? fd.close() }
        try Syscall.fsync(fd)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

@available(*, unavailable)
extension JournalWriter: Sendable {}
