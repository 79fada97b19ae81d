import CopydeskCore
import SystemPackage

/// Read-only view for the CLI and for the daemon's index rebuild; never modifies any file; works while the writer
/// runs; stops quietly at a torn tail of the LAST segment; damage elsewhere throws `.corrupt` naming segment file,
/// byte offset, sequence (or, opened with `salvaging`, ends the readable journal there and says so in ``damage``).
///
/// Opening reads little: each segment's header, each sealed segment's trailer (its range and closing chain hash,
/// checked against the next header), and the frames of the last segment, with their checksums, by the same rule the
/// writer recovers with, so a reader and a restarted writer agree on where the journal ends. A sealed segment's
/// frames are read only when a record in it is asked for: ``forEach(from:_:)`` starts at the segment holding `from`
/// (found from the file names) and ``record(_:)`` indexes just the segment it needs. So reopening a large journal to
/// read the records after an index checkpoint costs the last segment plus what is read. A reader may see records
/// whose batch is written but not yet synced; after a crash those can vanish. Checking every frame and the hash
/// chain is ``JournalVerifier``'s job.
///
/// Not `Sendable`: give each task its own reader.
public final class JournalReader {
    private let directory: String
    private let salvaging: Bool
    private var segments: [Segment] = []
    /// Set (salvaging only) when damage ended the readable journal: later segments are not followed.
    private var frozen = false
    /// The segment file read last; kept open because reads tend to stay in one segment.
    private var cachedFile: (path: String, fd: FileDescriptor)?

    /// The first damage found so far when opened with `salvaging` (nil when none was seen): records from there on
    /// are not served. Damage in a sealed segment shows only once its frames are read (``forEach(from:_:)``,
    /// ``record(_:)``); ``JournalVerifier`` finds all of it.
    public private(set) var damage: JournalError?

    /// What the reader knows of one segment.
    private struct Segment {
        var file: SegmentFile
        var header: SegmentHeader
        /// The trailer, once the segment is known to be sealed.
        var trailer: SegmentTrailer?
        /// The sequence after its last record: from its trailer, from the next segment's name (format 1), or from
        /// the walk (the last segment).
        var nextSequence: UInt64
        /// Where its frames end: the trailer's offset, the end of the last whole frame (the last segment), or the
        /// file's size (a format-1 segment followed by another).
        var end: Int64
        /// The last segment, walked with checksums as it grows.
        var isTail: Bool
        /// Byte offset of each frame, once walked: record `firstSequence + i` starts at `offsets[i]`.
        var offsets: [Int64]?
        /// End of the last frame in `offsets`; equals `end` unless damage stopped the walk.
        var offsetsEnd: Int64 = 0
        /// Damage found in its frames (the walk stopped before `end`).
        var frameDamage: JournalError?

        var firstSequence: UInt64 { header.firstSequence }

        func frameRange(_ index: Int) -> Range<Int64>? {
            guard let offsets, index < offsets.count else { return nil }
            return offsets[index]..<(index + 1 < offsets.count ? offsets[index + 1] : offsetsEnd)
        }
    }

    private init(directory: String, salvaging: Bool) {
        self.directory = directory
        self.salvaging = salvaging
    }

    deinit {
        if let cachedFile { try? cachedFile.fd.close() }
    }

    /// Opens the journal in `directory` (which must exist). Takes no lock and writes nothing. Damage found while
    /// opening (a bad header or trailer, a gap, a damaged frame in the last segment that intact records follow)
    /// throws `.corrupt`.
    public static func open(directory: String) throws(JournalError) -> JournalReader {
        try open(directory: directory, salvaging: false)
    }

    /// With `salvaging`, damage does not throw: the readable journal ends just before it, ``damage`` says where, and
    /// every record before it is served (what the CLI does, so people can read what is left). Only I/O errors throw.
    public static func open(directory: String, salvaging: Bool) throws(JournalError) -> JournalReader {
        let reader = JournalReader(directory: directory, salvaging: salvaging)
        try reader.refresh()
        return reader
    }

    /// The last whole record's sequence number (0 when the journal is empty), after looking for new records. When
    /// that look fails, the value as of the last successful one; the next throwing call reports the failure.
    public var lastSequence: UInt64 {
        try? refresh()
        return indexedLastSequence
    }

    /// The first sequence number the journal still holds (retention removes the oldest segments), or nil when the
    /// journal has no segment yet.
    public var firstSequence: UInt64? {
        try? refresh()
        return segments.first?.firstSequence
    }

    /// Looks for records (and segments) written since the last look, and forgets segments removed by retention.
    public func refresh() throws(JournalError) {
        guard !frozen else { return }
        var files = try SegmentFile.list(in: directory)
        // A last file shorter than a header holds no records yet (being created, or a crash the writer cleans up).
        if let last = files.last, segments.last?.file != last, try size(of: last.path) < Int64(SegmentHeader.size) {
            files.removeLast()
        }
        // Retention removes the oldest segments: forget them. Anything else that changed means starting over.
        let listed = Set(files.map(\.firstSequence))
        segments.removeAll { !listed.contains($0.file.firstSequence) }
        if segments.map(\.file) != Array(files.prefix(segments.count)) {
            segments.removeAll()
        }
        if !segments.isEmpty {
            let index = segments.count - 1
            let isLast = files.count == segments.count
            guard try grow(index, isLast: isLast) else {
                // The file shrank under the index (a writer undid a failed batch): index everything again.
                segments.removeAll()
                return try refresh()
            }
            if frozen { return }
        }
        var index = segments.count
        while index < files.count {
            guard try add(files[index], next: index + 1 < files.count ? files[index + 1] : nil) else { return }
            if frozen { return }
            index += 1
        }
    }

    /// Calls `body` with each record from `sequence` (or the oldest one kept) to the last, in order. Segments before
    /// the one holding `sequence` are not read. Throws `.corrupt` at a damaged record (with `salvaging`: stops before
    /// it and sets ``damage``), and whatever `body` throws.
    public func forEach(from sequence: UInt64 = 1, _ body: (JournalRecord) throws -> Void) throws {
        try refresh()
        let last = indexedLastSequence
        guard
            let start = segmentIndex(containing: max(sequence, segments.first?.firstSequence ?? 1))
                ?? firstAfter(sequence)
        else { return }
        for index in start..<segments.count {
            let segment = segments[index]
            let first = max(sequence, segment.firstSequence)
            guard first <= last else { return }
            guard first < segment.nextSequence else { continue }
            // Its own descriptor, not the cached one: `body` may call back into this reader.
            let fd = try SegmentIO.openReadOnly(segment.file.path)
            defer { try? fd.close() }
            var cursor = Cursor(segment: segment, fd: fd, from: first)
            while true {
                let record: JournalRecord?
                do {
                    record = try cursor.next()
                } catch {
                    if salvaging {
                        note(error)
                        return
                    }
                    throw error
                }
                guard let record else { break }
                try body(record)
            }
        }
    }

    /// The record with this sequence number, or nil if there is none (not written yet, or dropped by retention).
    /// Throws `.corrupt` when the record, or a frame before it in its segment, is damaged.
    public func record(_ sequence: UInt64) throws(JournalError) -> JournalRecord? {
        if sequence > indexedLastSequence { try refresh() }
        guard let index = segmentIndex(containing: sequence) else { return nil }
        try indexFrames(index)
        let segment = segments[index]
        guard let range = segment.frameRange(Int(sequence - segment.firstSequence)) else {
            throw segment.frameDamage
                ?? .corrupt("record not found in its segment", path: segment.file.path, offset: nil, sequence: sequence)
        }
        var window = FileWindow(fd: try file(segment.file.path), path: segment.file.path, size: range.upperBound)
        return try window.withBytes(at: range.lowerBound, count: Int(range.count)) { bytes in
            SegmentIO.decodeRecord(bytes, path: segment.file.path, offset: range.lowerBound, sequence: sequence)
        }
        .get()
    }

    /// Up to `limit` records, newest first.
    public func recent(limit: Int) throws(JournalError) -> [JournalRecord] {
        try refresh()
        let last = indexedLastSequence
        guard limit > 0, let oldest = segments.first?.firstSequence, last >= oldest else { return [] }
        let first = last - min(UInt64(limit), last - oldest + 1) + 1
        var records: [JournalRecord] = []
        records.reserveCapacity(Int(last - first + 1))
        for sequence in (first...last).reversed() {
            if let record = try record(sequence) { records.append(record) }
        }
        return records
    }

    // MARK: - Segments

    private var indexedLastSequence: UInt64 {
        segments.last.map { $0.nextSequence - 1 } ?? 0
    }

    private func segmentIndex(containing sequence: UInt64) -> Int? {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].firstSequence <= sequence { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        return sequence < segments[low - 1].nextSequence ? low - 1 : nil
    }

    /// The first segment that starts after `sequence` (retention removed the one that held it).
    private func firstAfter(_ sequence: UInt64) -> Int? {
        segments.firstIndex { $0.firstSequence > sequence }
    }

    /// Damage: thrown, or (salvaging) remembered as the end of the readable journal.
    private func fail(_ error: JournalError) throws(JournalError) {
        guard salvaging else { throw error }
        note(error)
        frozen = true
    }

    private func note(_ error: JournalError) {
        if damage == nil { damage = error }
    }

    /// Adds the segment after the known ones. Returns false when it is the last and its header is not whole yet.
    private func add(_ file: SegmentFile, next: SegmentFile?) throws(JournalError) -> Bool {
        var window = FileWindow(
            fd: try self.file(file.path), path: file.path, size: try size(of: file.path), readAhead: 0
        )
        if window.size < Int64(SegmentHeader.size) && next == nil { return false }
        let header: SegmentHeader
        do throws(JournalError) {
            header = try SegmentIO.readHeader(&window)
            try SegmentIO.checkName(header, file)
        } catch  where error.code == .corrupt {
            try fail(error)
            return true
        }
        if let previous = segments.last {
            if previous.nextSequence != header.firstSequence {
                try fail(
                    .corrupt(
                        "segment starts at record \(header.firstSequence) but the previous one ends before record "
                            + "\(previous.nextSequence)",
                        path: file.path, offset: 0, sequence: previous.nextSequence
                    )
                )
                return true
            }
            if let trailer = previous.trailer, trailer.chainHash != header.chainHash {
                try fail(
                    .corrupt(
                        "the segment header's chain hash is not the one the previous segment's trailer carries",
                        path: file.path, offset: 0, sequence: header.firstSequence,
                        cause: ChainError.brokenLink(
                            sequence: header.firstSequence, expected: trailer.chainHash, found: header.chainHash
                        )
                    )
                )
                return true
            }
        }
        var segment = Segment(
            file: file, header: header, nextSequence: header.firstSequence, end: Int64(SegmentHeader.size),
            isTail: true, offsets: [], offsetsEnd: Int64(SegmentHeader.size)
        )
        if next != nil, header.isSealable {
            switch try SegmentIO.readTrailer(&window) {
            case .success(let trailer) where trailer.firstSequence == header.firstSequence:
                segment.trailer = trailer
                segment.nextSequence = trailer.lastSequence + 1
                segment.end = trailer.offset
            case .success(let trailer):
                segments.append(segment)
                try fail(
                    .corrupt(
                        "the trailer says the segment starts at record \(trailer.firstSequence)", path: file.path,
                        offset: trailer.offset, sequence: nil
                    )
                )
                try salvageFrames(segments.count - 1)
                return true
            case .failure(let error):
                segments.append(segment)
                let offset = max(Int64(SegmentHeader.size), window.size - Int64(SegmentTrailer.size))
                try fail(.trailer(error, path: file.path, offset: offset, sequence: nil))
                try salvageFrames(segments.count - 1)
                return true
            }
            segment.isTail = false
            segment.offsets = nil
            segments.append(segment)
        } else if let next {
            // Format 1: no trailer; the next segment's name says where this one ends; frames are read when needed.
            segment.nextSequence = next.firstSequence
            segment.end = window.size
            segment.isTail = false
            segment.offsets = nil
            segments.append(segment)
        } else {
            segments.append(segment)
            _ = try grow(segments.count - 1, isLast: true)
        }
        return true
    }

    /// Walks the frames of the last known segment written since the last look, with checksums. When `isLast` is
    /// false another segment now follows it, so it must be complete: sealed (format 2) or whole to its end.
    /// Returns false if the file is now shorter than what was indexed.
    private func grow(_ index: Int, isLast: Bool) throws(JournalError) -> Bool {
        guard segments[index].isTail else { return true }
        var segment = segments[index]
        let path = segment.file.path
        var window = FileWindow(fd: try file(path), path: path, size: try size(of: path))
        guard window.size >= segment.end else { return false }
        var ended: WalkEnd = .endOfFile
        if window.size > segment.end && segment.trailer == nil {
            let header = segment.header
            var offsets = segment.offsets ?? []
            var firstLink: Digest?
            ended = try FrameWalk.walk(
                &window, from: segment.end, expectedSequence: segment.nextSequence, verify: true,
                sealable: header.isSealable
            ) { offset, payloadHeader in
                if offsets.isEmpty { firstLink = payloadHeader.previousHash }
                offsets.append(offset)
            }
            segment.offsets = offsets
            segment.nextSequence = header.firstSequence + UInt64(offsets.count)
            if let firstLink, firstLink != header.chainHash {
                segment.offsets = []
                segment.nextSequence = header.firstSequence
                segment.end = Int64(SegmentHeader.size)
                segment.offsetsEnd = segment.end
                segments[index] = segment
                try fail(
                    .corrupt(
                        "the first record does not link to the chain hash in the segment header", path: path,
                        offset: Int64(SegmentHeader.size), sequence: header.firstSequence,
                        cause: ChainError.brokenLink(
                            sequence: header.firstSequence, expected: header.chainHash, found: firstLink)
                    )
                )
                return true
            }
            switch ended {
            case .endOfFile:
                segment.end = window.size
            case .sealed(let offset, let trailer):
                segment.end = offset
                if trailer.firstSequence == header.firstSequence, trailer.lastSequence + 1 == segment.nextSequence {
                    segment.trailer = trailer
                } else {
                    segment.offsetsEnd = offset
                    segments[index] = segment
                    try fail(
                        .corrupt(
                            "the trailer says records \(trailer.firstSequence)–\(trailer.lastSequence), the segment "
                                + "holds \(header.firstSequence)–\(segment.nextSequence - 1)",
                            path: path, offset: offset, sequence: trailer.lastSequence
                        )
                    )
                    return true
                }
            case .stopped(let offset, let problem):
                segment.end = offset
                segment.offsetsEnd = offset
                if !isLast {
                    segments[index] = segment
                    try fail(
                        .corrupt(
                            "\(problem) in a segment that is not the last", path: path, offset: offset,
                            sequence: segment.nextSequence, cause: problem.cause
                        )
                    )
                    return true
                }
                if let intact = try FrameWalk.findIntactFrame(
                    &window, after: offset, laterThan: segment.nextSequence - 1)
                {
                    segments[index] = segment
                    try fail(
                        .corrupt(
                            "\(problem), yet record \(intact.sequence) follows intact at byte \(intact.offset)",
                            path: path, offset: offset, sequence: segment.nextSequence, cause: problem.cause
                        )
                    )
                    return true
                }
            // A torn tail: being written now, or left by a crash for the writer to cut.
            }
            segment.offsetsEnd = segment.end
        }
        if !isLast {
            if segment.header.isSealable && segment.trailer == nil {
                segments[index] = segment
                try fail(
                    .corrupt(
                        "a segment followed by another is not sealed (no trailer)", path: path, offset: segment.end,
                        sequence: segment.nextSequence
                    )
                )
                return true
            }
            segment.isTail = false
        }
        segments[index] = segment
        return true
    }

    /// Salvaging a segment whose trailer is damaged: serve its frames up to the first bad one.
    private func salvageFrames(_ index: Int) throws(JournalError) {
        var segment = segments[index]
        let path = segment.file.path
        var window = FileWindow(fd: try file(path), path: path, size: try size(of: path))
        var offsets: [Int64] = []
        let ended = try FrameWalk.walk(
            &window, from: Int64(SegmentHeader.size), expectedSequence: segment.firstSequence, verify: true,
            sealable: segment.header.isSealable
        ) { offset, _ in offsets.append(offset) }
        switch ended {
        case .endOfFile: segment.end = window.size
        case .sealed(let offset, _), .stopped(let offset, _): segment.end = offset
        }
        segment.offsets = offsets
        segment.offsetsEnd = segment.end
        segment.nextSequence = segment.firstSequence + UInt64(offsets.count)
        segment.isTail = false
        segments[index] = segment
    }

    /// Indexes the frames of a sealed segment (headers only; checksums are checked when a record is read).
    private func indexFrames(_ index: Int) throws(JournalError) {
        guard segments[index].offsets == nil else { return }
        var segment = segments[index]
        let path = segment.file.path
        var window = FileWindow(fd: try file(path), path: path, size: try size(of: path))
        var offsets: [Int64] = []
        offsets.reserveCapacity(Int(segment.nextSequence - segment.firstSequence))
        let ended = try FrameWalk.walk(
            &window, from: Int64(SegmentHeader.size), expectedSequence: segment.firstSequence, verify: false,
            sealable: segment.header.isSealable
        ) { offset, _ in offsets.append(offset) }
        let found = segment.firstSequence + UInt64(offsets.count)
        var walkedEnd: Int64
        var problem: JournalError?
        switch ended {
        case .endOfFile:
            walkedEnd = window.size
            if segment.header.isSealable {
                problem = .corrupt(
                    "the frames run to the end of the file; the trailer is missing", path: path, offset: walkedEnd,
                    sequence: found
                )
            }
        case .sealed(let offset, _):
            walkedEnd = offset
        case .stopped(let offset, let stop):
            walkedEnd = offset
            problem = .corrupt("\(stop)", path: path, offset: offset, sequence: found, cause: stop.cause)
        }
        if problem == nil, walkedEnd != segment.end || found != segment.nextSequence {
            problem = .corrupt(
                "the frames end at byte \(walkedEnd) after record \(found - 1), but the segment should end at byte "
                    + "\(segment.end) after record \(segment.nextSequence - 1)",
                path: path, offset: min(walkedEnd, segment.end), sequence: min(found, segment.nextSequence)
            )
        }
        if problem != nil {
            // Keep only the frames that lie within the segment's bounds.
            let endOf = { (index: Int) -> Int64 in index + 1 < offsets.count ? offsets[index + 1] : walkedEnd }
            var keep = min(offsets.count, Int(segment.nextSequence - segment.firstSequence))
            while keep > 0 && endOf(keep - 1) > segment.end { keep -= 1 }
            walkedEnd = keep > 0 ? endOf(keep - 1) : Int64(SegmentHeader.size)
            offsets.removeLast(offsets.count - keep)
        }
        segment.offsets = offsets
        segment.offsetsEnd = walkedEnd
        segment.frameDamage = problem
        segments[index] = segment
        if let problem { note(problem) }
    }

    /// Reads the records of one segment in order, checking each frame's checksum, payload and sequence number, and
    /// that the frames end exactly where the segment's bounds say.
    private struct Cursor {
        let segment: Segment
        var window: FileWindow
        var offset: Int64
        var sequence: UInt64
        let wanted: UInt64

        init(segment: Segment, fd: FileDescriptor, from first: UInt64) {
            self.segment = segment
            window = FileWindow(fd: fd, path: segment.file.path, size: segment.end)
            wanted = first
            if let range = segment.frameRange(Int(first - segment.firstSequence)) {
                offset = range.lowerBound
                sequence = first
            } else {
                offset = Int64(SegmentHeader.size)
                sequence = segment.firstSequence
            }
        }

        mutating func next() throws(JournalError) -> JournalRecord? {
            let path = segment.file.path
            while sequence < segment.nextSequence {
                let length = try window.withBytes(at: offset, count: Frame.headerSize) { bytes in
                    Result { () throws(FrameError) -> Frame.Header in try Frame.decodeHeader(bytes, at: 0) }
                }
                let frameSize: Int64
                switch length {
                case .success(let header): frameSize = Int64(Frame.headerSize + header.payloadLength)
                case .failure(let error):
                    throw .corrupt("\(error)", path: path, offset: offset, sequence: sequence, cause: error)
                }
                guard offset + frameSize <= segment.end else {
                    throw .corrupt(
                        "frame at byte \(offset) runs past the end of the segment's frames (\(segment.end))",
                        path: path, offset: offset, sequence: sequence
                    )
                }
                defer {
                    offset += frameSize
                    sequence += 1
                }
                if sequence >= wanted {
                    let (at, expected) = (offset, sequence)
                    return try window.withBytes(at: offset, count: Int(frameSize)) { bytes in
                        SegmentIO.decodeRecord(bytes, path: path, offset: at, sequence: expected)
                    }
                    .get()
                }
                let skipped = try window.withBytes(
                    at: offset + Int64(Frame.headerSize),
                    count: min(Int(frameSize) - Frame.headerSize, RecordCodec.fixedHeaderSize)
                ) { bytes in
                    Result { () throws(RecordCodecError) -> RecordCodec.PayloadHeader in
                        try RecordCodec.PayloadHeader.decode(bytes)
                    }
                }
                switch skipped {
                case .success(let header) where header.sequence == sequence: break
                case .success(let header):
                    throw .corrupt(
                        "expected record \(sequence), found record \(header.sequence)", path: path, offset: offset,
                        sequence: sequence
                    )
                case .failure(let error): throw .payload(error, path: path, offset: offset, sequence: sequence)
                }
            }
            guard offset == segment.end || segment.isTail else {
                throw .corrupt(
                    "the segment's frames end at byte \(offset), its bounds say \(segment.end)", path: path,
                    offset: offset, sequence: sequence
                )
            }
            return nil
        }
    }

    // MARK: - Files

    private func file(_ path: String) throws(JournalError) -> FileDescriptor {
        if let cachedFile, cachedFile.path == path { return cachedFile.fd }
        let fd = try SegmentIO.openReadOnly(path)
        if let cachedFile { try? cachedFile.fd.close() }
        cachedFile = (path, fd)
        return fd
    }

    private func size(of path: String) throws(JournalError) -> Int64 {
        let fd = try file(path)
        do {
            return try fd.stat().size
        } catch {
            throw .io("cannot stat a journal segment", path: path, error)
        }
    }
}

@available(*, unavailable)
extension JournalReader: Sendable {}
