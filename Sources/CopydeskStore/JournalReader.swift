import CopydeskCore
import SystemPackage

/// Read-only view for the CLI and for the daemon's index rebuild; never modifies any file; works while the writer
/// runs; stops quietly at a torn tail of the LAST segment; damage elsewhere throws `.corrupt` naming segment file,
/// byte offset, sequence.
///
/// Opening walks frame headers only (a sequence number → file offset index), so `record(n)` and `recent` read and
/// decode just the records asked for. The segment still being written is walked with its checksums, by the same
/// rule the writer recovers with, so a reader and a restarted writer agree on where the journal ends. A reader may
/// see records whose batch is written but not yet synced; after a crash those can vanish.
///
/// Not `Sendable`: give each task its own reader.
public final class JournalReader {
    private let directory: String
    private var segments: [IndexedSegment] = []
    /// The segment file read last; kept open because reads tend to stay in one segment.
    private var cachedFile: (path: String, fd: FileDescriptor)?

    /// Where the records of one segment start.
    private struct IndexedSegment {
        var file: SegmentFile
        var header: SegmentHeader
        /// Byte offset of each whole frame: record `firstSequence + i` starts at `offsets[i]`.
        var offsets: [Int64] = []
        /// End of the last whole frame: where the walk continues when the file grows.
        var end: Int64 = Int64(SegmentHeader.size)

        var nextSequence: UInt64 { header.firstSequence + UInt64(offsets.count) }

        func frameRange(_ sequence: UInt64) -> Range<Int64> {
            let index = Int(sequence - header.firstSequence)
            return offsets[index]..<(index + 1 < offsets.count ? offsets[index + 1] : end)
        }
    }

    private init(directory: String) {
        self.directory = directory
    }

    deinit {
        if let cachedFile { try? cachedFile.fd.close() }
    }

    /// Opens the journal in `directory` (which must exist) and indexes it. Takes no lock and writes nothing.
    public static func open(directory: String) throws(JournalError) -> JournalReader {
        let reader = JournalReader(directory: directory)
        try reader.refresh()
        return reader
    }

    /// The last whole record's sequence number (0 when the journal is empty), after looking for new records. When
    /// that look fails, the value as of the last successful one; the next throwing call reports the failure.
    public var lastSequence: UInt64 {
        try? refresh()
        return indexedLastSequence
    }

    /// Indexes records (and segments) written since the last look, and forgets segments removed by retention.
    public func refresh() throws(JournalError) {
        let files = try SegmentFile.list(in: directory)
        // Retention removes the oldest segments: forget them. Anything else that changed means starting over.
        let listed = Set(files.map(\.firstSequence))
        segments.removeAll { !listed.contains($0.file.firstSequence) }
        if segments.map(\.file) != Array(files.prefix(segments.count)) {
            segments.removeAll()
        }
        var index = max(0, segments.count - 1)
        while index < files.count {
            let isLast = index == files.count - 1
            if index < segments.count {
                let grown = try continueWalk(&segments[index], isLast: isLast)
                if !grown {
                    // The file shrank under the index (a writer undid a failed batch): index everything again.
                    segments.removeAll()
                    index = 0
                    continue
                }
            } else {
                guard let segment = try startWalk(files[index], isLast: isLast, previous: segments.last) else { break }
                segments.append(segment)
            }
            index += 1
        }
    }

    /// Calls `body` with each record from `sequence` (or the oldest one kept) to the last, in order.
    public func forEach(from sequence: UInt64 = 1, _ body: (JournalRecord) throws -> Void) throws {
        try refresh()
        let last = indexedLastSequence
        for segment in segments where segment.nextSequence > max(sequence, segment.header.firstSequence) {
            let first = max(sequence, segment.header.firstSequence)
            guard first <= last else { return }
            // Its own descriptor, not the cached one: `body` may call back into this reader.
            let fd = try Self.openReadOnly(segment.file.path)
            defer { try? fd.close() }
            var window = FileWindow(fd: fd, path: segment.file.path, size: segment.end)
            for current in first..<segment.nextSequence {
                let range = segment.frameRange(current)
                let record = try window.withBytes(at: range.lowerBound, count: Int(range.count)) { bytes in
                    Self.decode(bytes, path: segment.file.path, offset: range.lowerBound, sequence: current)
                }
                try body(try record.get())
            }
        }
    }

    /// The record with this sequence number, or nil if there is none (not written yet, or dropped by retention).
    public func record(_ sequence: UInt64) throws(JournalError) -> JournalRecord? {
        if sequence > indexedLastSequence { try refresh() }
        guard let segment = segment(containing: sequence) else { return nil }
        let range = segment.frameRange(sequence)
        var window = FileWindow(fd: try file(segment.file.path), path: segment.file.path, size: range.upperBound)
        return try window.withBytes(at: range.lowerBound, count: Int(range.count)) { bytes in
            Self.decode(bytes, path: segment.file.path, offset: range.lowerBound, sequence: sequence)
        }
        .get()
    }

    /// Up to `limit` records, newest first.
    public func recent(limit: Int) throws(JournalError) -> [JournalRecord] {
        try refresh()
        let last = indexedLastSequence
        guard limit > 0, let oldest = segments.first?.header.firstSequence, last >= oldest else { return [] }
        let first = last - min(UInt64(limit), last - oldest + 1) + 1
        var records: [JournalRecord] = []
        records.reserveCapacity(Int(last - first + 1))
        for sequence in (first...last).reversed() {
            if let record = try record(sequence) { records.append(record) }
        }
        return records
    }

    // MARK: - Index

    private var indexedLastSequence: UInt64 {
        segments.last.map { $0.nextSequence - 1 } ?? 0
    }

    private func segment(containing sequence: UInt64) -> IndexedSegment? {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].header.firstSequence <= sequence { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let segment = segments[low - 1]
        return sequence < segment.nextSequence ? segment : nil
    }

    /// Reads and checks a segment's header, then walks its frames. Returns nil for a last segment whose header is not
    /// whole yet: it holds no records.
    private func startWalk(
        _ file: SegmentFile, isLast: Bool, previous: IndexedSegment?
    ) throws(JournalError) -> IndexedSegment? {
        var window = FileWindow(fd: try self.file(file.path), path: file.path, size: try size(of: file.path))
        if window.size < Int64(SegmentHeader.size) && isLast { return nil }
        let decoded = try window.withBytes(at: 0, count: SegmentHeader.size) { bytes in
            Result { () throws(SegmentHeaderError) -> SegmentHeader in try SegmentHeader.decode(bytes) }
        }
        let header: SegmentHeader
        switch decoded {
        case .success(let value): header = value
        case .failure(let error): throw .header(error, path: file.path)
        }
        guard header.firstSequence == file.firstSequence else {
            throw .corrupt(
                "segment header says its first record is \(header.firstSequence), its name says \(file.firstSequence)",
                path: file.path, offset: 0, sequence: file.firstSequence
            )
        }
        if let previous, previous.nextSequence != header.firstSequence {
            throw .corrupt(
                "segment starts at record \(header.firstSequence) but the previous one ends before record "
                    + "\(previous.nextSequence)",
                path: file.path, offset: 0, sequence: previous.nextSequence
            )
        }
        var segment = IndexedSegment(file: file, header: header)
        _ = try continueWalk(&segment, isLast: isLast)
        return segment
    }

    /// Indexes the frames after `segment.end`. Returns false if the file is now shorter than what was indexed.
    private func continueWalk(_ segment: inout IndexedSegment, isLast: Bool) throws(JournalError) -> Bool {
        let path = segment.file.path
        var window = FileWindow(fd: try file(path), path: path, size: try size(of: path))
        guard window.size >= segment.end else { return false }
        guard window.size > segment.end else { return true }
        let header = segment.header
        var offsets = segment.offsets
        var firstLink: Digest?
        let end = try FrameWalk.walk(
            &window, from: segment.end, expectedSequence: segment.nextSequence, verify: isLast
        ) { offset, payloadHeader in
            if offsets.isEmpty { firstLink = payloadHeader.previousHash }
            offsets.append(offset)
        }
        if let firstLink, firstLink != header.chainHash {
            throw .corrupt(
                "the first record does not link to the chain hash in the segment header", path: path,
                offset: Int64(SegmentHeader.size), sequence: header.firstSequence,
                cause: ChainError.brokenLink(
                    sequence: header.firstSequence, expected: header.chainHash, found: firstLink)
            )
        }
        let nextSequence = header.firstSequence + UInt64(offsets.count)
        switch end {
        case .endOfFile:
            segment.end = window.size
        case .stopped(let offset, let problem):
            if !isLast {
                throw .corrupt("\(problem)", path: path, offset: offset, sequence: nextSequence, cause: problem.cause)
            }
            if let intact = try FrameWalk.findIntactFrame(&window, after: offset, laterThan: nextSequence - 1) {
                throw .corrupt(
                    "\(problem), yet record \(intact.sequence) follows intact at byte \(intact.offset)", path: path,
                    offset: offset, sequence: nextSequence, cause: problem.cause
                )
            }
            segment.end = offset  // a torn tail: being written now, or left by a crash for the writer to cut
        }
        segment.offsets = offsets
        return true
    }

    // MARK: - Files

    private func file(_ path: String) throws(JournalError) -> FileDescriptor {
        if let cachedFile, cachedFile.path == path { return cachedFile.fd }
        let fd = try Self.openReadOnly(path)
        if let cachedFile { try? cachedFile.fd.close() }
        cachedFile = (path, fd)
        return fd
    }

    private static func openReadOnly(_ path: String) throws(JournalError) -> FileDescriptor {
        do {
            return try FileDescriptor.typed { try FileDescriptor.open(path, .readOnly, options: [.closeOnExec]) }
        } catch {
            throw .io("cannot open a journal segment", path: path, error)
        }
    }

    private func size(of path: String) throws(JournalError) -> Int64 {
        let fd = try file(path)
        do {
            return try fd.stat().size
        } catch {
            throw .io("cannot stat a journal segment", path: path, error)
        }
    }

    private static func decode(
        _ bytes: UnsafeRawBufferPointer, path: String, offset: Int64, sequence: UInt64
    ) -> Result<JournalRecord, JournalError> {
        let frame: Frame.Decoded
        do throws(FrameError) {
            frame = try Frame.decode(bytes, at: 0)
        } catch {
            return .failure(.corrupt("\(error)", path: path, offset: offset, sequence: sequence, cause: error))
        }
        let record: JournalRecord
        do throws(RecordCodecError) {
            record = try RecordCodec.decode(UnsafeRawBufferPointer(rebasing: bytes[frame.payload]))
        } catch {
            return .failure(.payload(error, path: path, offset: offset, sequence: sequence))
        }
        guard record.sequence == sequence else {
            return .failure(
                .corrupt(
                    "expected record \(sequence), found record \(record.sequence)", path: path, offset: offset,
                    sequence: sequence
                )
            )
        }
        return .success(record)
    }
}

@available(*, unavailable)
extension JournalReader: Sendable {}
