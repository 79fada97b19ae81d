import CopydeskCore
import SystemPackage

/// How much of the journal to keep: by the age of a segment's last record and/or by the journal's total size.
///
/// Retention removes whole sealed segments, oldest first, and never the segment being written, so what is left is
/// always a contiguous, verifiable journal: the oldest kept segment's header carries the chain hash its first record
/// links to, and `copydesk verify` starts from it. The default keeps everything.
public struct RetentionPolicy: Sendable, Equatable {
    /// Remove a sealed segment once its last record is older than this.
    public var maxAge: Duration?
    /// Remove the oldest sealed segments while all segment files together take more bytes than this.
    public var maxSize: Int64?
    /// Also return the sequence and exact SHA-256 of every document removed, so the daemon can keep recognising a
    /// redelivered old story (it costs reading and decoding the removed segments first).
    public var collectDocumentHashes: Bool

    public init(maxAge: Duration? = nil, maxSize: Int64? = nil, collectDocumentHashes: Bool = false) {
        self.maxAge = maxAge
        self.maxSize = maxSize
        self.collectDocumentHashes = collectDocumentHashes
    }

    public static let keepEverything = RetentionPolicy()

    /// The policy `[journal] retention_max_age` and `retention_max_size` configure.
    public init(_ configuration: Configuration, collectDocumentHashes: Bool = false) {
        self.init(
            maxAge: configuration.retentionMaxAge.map { Duration.milliseconds(Int64(($0 * 1000).rounded())) },
            maxSize: configuration.retentionMaxSize, collectDocumentHashes: collectDocumentHashes
        )
    }

    public var keepsEverything: Bool { maxAge == nil && maxSize == nil }
}

/// What ``JournalWriter/applyRetention(_:now:)`` removed.
public struct RetentionReport: Sendable, Equatable {
    /// Paths of the removed segment files, oldest first.
    public var removedSegments: [String] = []
    public var removedRecords: UInt64 = 0
    public var removedBytes: Int64 = 0
    /// First sequence number of the oldest segment left: records before it are gone.
    public var firstKeptSequence: UInt64
    /// The documents removed (only with ``RetentionPolicy/collectDocumentHashes``), oldest first.
    public var removedDocuments: [RemovedDocument] = []

    public init(firstKeptSequence: UInt64) {
        self.firstKeptSequence = firstKeptSequence
    }
}

/// A document retention removed: enough for the exact-duplicate index to keep remembering it.
public struct RemovedDocument: Sendable, Hashable {
    public var sequence: UInt64
    public var sha256: Digest

    public init(sequence: UInt64, sha256: Digest) {
        self.sequence = sequence
        self.sha256 = sha256
    }
}

extension JournalWriter {
    /// Removes whole sealed segments, oldest first, while the oldest is older than `policy.maxAge` (by its last
    /// record's `recordedAt`, from its trailer) or the journal is larger than `policy.maxSize`. Stops at the first
    /// segment that may stay, and never removes the segment being written.
    ///
    /// Each removal is an `unlink`, oldest first, then one directory `fsync`: a crash in between leaves a shorter
    /// journal that is still whole. Readers that have a removed segment open finish reading it.
    ///
    /// `keeping`: never remove the segment holding this sequence or any later one — the daemon passes the record
    /// after its last index checkpoint, so the checkpoint (which keeps the removed documents' hashes) always joins
    /// the journal that is left.
    public func applyRetention(
        _ policy: RetentionPolicy, now: Timestamp, keeping: UInt64? = nil
    ) throws(JournalError) -> RetentionReport {
        if let broken { throw broken }
        guard let open = openSegment else {
            throw JournalError(code: .io, path: directory, message: "the journal writer is closed")
        }
        let files = try SegmentFile.list(in: directory)
        var report = RetentionReport(firstKeptSequence: files.first?.firstSequence ?? open.firstSequence)
        guard !policy.keepsEverything else { return report }

        var sizes: [Int64] = []
        for file in files { sizes.append(try Self.fileSize(file.path)) }
        var total = sizes.reduce(0, +)
        let cutoff = policy.maxAge.map { now.microseconds - Self.microseconds($0) }
        for (index, file) in files.enumerated() where file.firstSequence < open.firstSequence {
            let info = try Self.sealedInfo(file)
            let tooOld = cutoff.map { info.lastRecordedAt.microseconds < $0 } ?? false
            let tooLarge = policy.maxSize.map { total > $0 } ?? false
            guard tooOld || tooLarge else { break }
            if let keeping, files[index + 1].firstSequence > keeping { break }
            if policy.collectDocumentHashes {
                try SegmentRecords.forEach(file) { (_, record) throws(JournalError) in
                    if case .document(let document) = record.body, let digest = document.arrival.sha256 {
                        report.removedDocuments.append(RemovedDocument(sequence: record.sequence, sha256: digest))
                    }
                }
            }
            do {
                try Syscall.unlink(file.path)
            } catch {
                throw .io("cannot remove a segment for retention", path: file.path, error)
            }
            logger.notice(
                "journal retention: removed a segment",
                metadata: [
                    "copydesk.event": "retention",
                    "journal.segment": "\(file.path)", "journal.records": "\(info.recordCount)",
                    "journal.lastRecordedAt": "\(info.lastRecordedAt.iso8601)",
                    "journal.reason": "\(tooOld ? "age" : "size")",
                ]
            )
            total -= sizes[index]
            report.removedSegments.append(file.path)
            report.removedRecords += info.recordCount
            report.removedBytes += sizes[index]
            report.firstKeptSequence = files[index + 1].firstSequence
        }
        if !report.removedSegments.isEmpty {
            do {
                try SegmentIO.syncDirectory(directory)
            } catch {
                throw .io("cannot sync the journal directory", path: directory, error)
            }
        }
        return report
    }

    /// Record count and last record time of a segment that is not being written: from its trailer, or (format 1,
    /// which has none) from a walk over its frame headers.
    private static func sealedInfo(_ file: SegmentFile) throws(JournalError) -> (
        recordCount: UInt64, lastRecordedAt: Timestamp
    ) {
        let fd = try SegmentIO.openReadOnly(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path)
        let header = try SegmentIO.readHeader(&window)
        if header.isSealable {
            switch try SegmentIO.readTrailer(&window) {
            case .success(let trailer): return (trailer.recordCount, trailer.lastRecordedAt)
            case .failure(let error):
                throw .trailer(error, path: file.path, offset: window.size - Int64(SegmentTrailer.size), sequence: nil)
            }
        }
        var count: UInt64 = 0
        var last = Timestamp.epoch
        let end = try FrameWalk.walk(
            &window, from: Int64(SegmentHeader.size), expectedSequence: header.firstSequence, verify: false
        ) { _, payloadHeader in
            count += 1
            last = payloadHeader.recordedAt
        }
        if case .stopped(let offset, let problem) = end {
            throw .corrupt(
                "\(problem)", path: file.path, offset: offset, sequence: header.firstSequence + count,
                cause: problem.cause
            )
        }
        return (count, last)
    }

    private static func fileSize(_ path: String) throws(JournalError) -> Int64 {
        let fd = try SegmentIO.openReadOnly(path)
        defer { try? fd.close() }
        return try FileWindow(fd: fd, path: path).size
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
