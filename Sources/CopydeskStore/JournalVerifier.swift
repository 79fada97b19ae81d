import CopydeskCore
import SystemPackage

/// What `copydesk verify` found: whole, or the first bad thing, named exactly.
public struct VerificationReport: Codable, Sendable, Equatable {
    public var directory: String
    /// True when every segment, frame, payload, link and trailer checked out (a torn tail of the last segment, which
    /// the writer cuts on its next start, is only noted).
    public var whole: Bool
    public var segments: Int
    public var sealedSegments: Int
    /// Records checked (all of them when whole; those before the problem otherwise).
    public var records: UInt64
    /// Bytes of segment files read.
    public var bytes: Int64
    /// The oldest and newest record checked (nil when none).
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    /// The chain hash the check started from: zero for a journal that starts at record 1, the hash the oldest kept
    /// segment carries when retention removed older ones.
    public var startHash: Digest
    /// The chain hash after the last good record.
    public var endHash: Digest
    /// Things worth knowing that are not damage (a torn tail, a journal that starts after record 1).
    public var notes: [String]
    public var problem: VerificationProblem?

    /// The text `copydesk verify` prints.
    public var text: String {
        var lines: [String] = []
        let range = firstSequence.map { "records \($0)–\(lastSequence ?? $0)" } ?? "no records"
        if let problem {
            lines.append("DAMAGED: \(problem.reason)")
            lines.append("  segment:  \(problem.segment)")
            lines.append("  offset:   byte \(problem.offset)")
            lines.append("  sequence: " + (problem.sequence.map { "#\($0)" } ?? "-"))
            lines.append("  kind:     \(problem.kind.rawValue)")
            lines.append("Checked before it: \(records) records (\(range)) in \(segments) segment(s).")
        } else {
            lines.append(
                "Whole: \(records) records (\(range)), \(segments) segment(s) (\(sealedSegments) sealed), "
                    + "\(bytes) bytes."
            )
            lines.append("Chain: \(startHash.hex.prefix(16))… → \(endHash.hex.prefix(16))…")
        }
        for note in notes { lines.append("Note: \(note)") }
        return lines.joined(separator: "\n")
    }
}

/// The first bad thing in a journal: where it is and what is wrong.
public struct VerificationProblem: Codable, Sendable, Equatable {
    /// The segment file (full path).
    public var segment: String
    /// Byte offset in it: the bad record's frame, the header (0), or the trailer.
    public var offset: Int64
    /// The record concerned: the bad one, the one expected at `offset`, or (trailer) the segment's last.
    public var sequence: UInt64?
    public var kind: Kind
    public var reason: String

    public enum Kind: String, Codable, Sendable {
        /// The segment header does not decode or does not match the file name.
        case header
        /// A segment does not start where the previous one ended (a missing or extra segment).
        case gap
        /// A frame's length is impossible, or the frame is cut short where more follows.
        case frame
        /// A frame's CRC32C does not match its payload.
        case checksum
        /// The payload does not decode as a record.
        case payload
        /// A record carries the wrong sequence number.
        case sequence
        /// A record's payload does not hash to what the next record, trailer or segment header carries.
        case chain
        /// A sealed segment's trailer does not decode or disagrees with its records.
        case trailer
        /// A format-2 segment followed by another has no trailer.
        case unsealed
    }
}

/// How far `verify` has got, for a progress line.
public struct VerificationProgress: Sendable, Equatable {
    public var records: UInt64
    public var bytesDone: Int64
    public var totalBytes: Int64

    public init(records: UInt64, bytesDone: Int64, totalBytes: Int64) {
        self.records = records
        self.bytesDone = bytesDone
        self.totalBytes = totalBytes
    }
}

/// Checks a whole journal: every segment header, frame, CRC32C, payload, sequence number, chain link, carried chain
/// hash and trailer, oldest segment first.
///
/// Read-only and lock-free, like a reader, so it runs beside the daemon (it may then see a batch being written as a
/// torn tail, which it notes rather than reports). It stops at the first problem and names it exactly: the
/// daemon's own checks on open are deliberately cheaper, so this is where damage in old segments is found.
///
/// The record it names is the first one that cannot be trusted. When a record's payload no longer hashes to the
/// `previousHash` the next record carries (a record edited and its CRC32C recomputed), the edited record is named,
/// not the one after it: its successor, and across a segment boundary the trailer and the next header, are the
/// witnesses. The last record of the journal has no successor, so only its CRC32C protects it.
public enum JournalVerifier {
    /// Verifies the journal in `directory`. Throws only when files cannot be read; damage is in the report.
    public static func verify(
        directory: String, progress: ((VerificationProgress) -> Void)? = nil
    ) throws(JournalError) -> VerificationReport {
        try examine(directory: directory, progress: progress).report
    }

    /// The report plus what `repair` needs to know about the problem.
    struct Finding {
        var report: VerificationReport
        var files: [SegmentFile]
        /// Index in `files` of the segment with the problem.
        var problemIndex: Int?
        /// The chain before the problem segment's first record (nil when it cannot be known).
        var linkBeforeSegment: ChainLink?
        /// The problem segment's frames from the header to here are whole, in sequence and linked.
        var goodEnd: Int64 = Int64(SegmentHeader.size)
        /// The chain after the last good record (before the problem).
        var goodLink: ChainLink?
        /// Every frame of the problem segment is good: only its header's chain hash or its trailer is not.
        var framesIntact = false
        /// `recordedAt` of the last good record (for a new trailer).
        var goodLastRecordedAt = Timestamp.epoch
    }

    static func examine(
        directory: String, progress: ((VerificationProgress) -> Void)?
    ) throws(JournalError) -> Finding {
        let files = try SegmentFile.list(in: directory)
        var sizes: [Int64] = []
        for file in files { sizes.append(try size(of: file.path)) }
        var check = Check(
            directory: directory, files: files, totalBytes: sizes.reduce(0, +), progress: progress
        )
        for index in files.indices {
            let done = try check.segment(index, size: sizes[index])
            if !done { break }
        }
        return check.finish()
    }

    private static func size(of path: String) throws(JournalError) -> Int64 {
        let fd = try SegmentIO.openReadOnly(path)
        defer { try? fd.close() }
        return try FileWindow(fd: fd, path: path).size
    }

    /// The walk's state: the chain so far and what was counted.
    private struct Check {
        let directory: String
        let files: [SegmentFile]
        let totalBytes: Int64
        let progress: ((VerificationProgress) -> Void)?
        var link: ChainLink?
        var startHash: Digest = .zero
        var records: UInt64 = 0
        var bytesDone: Int64 = 0
        var sealed = 0
        var segmentsSeen = 0
        var firstSequence: UInt64?
        var notes: [String] = []
        var problem: VerificationProblem?
        var finding: Finding
        var lastReported: Int64 = 0

        init(directory: String, files: [SegmentFile], totalBytes: Int64, progress: ((VerificationProgress) -> Void)?) {
            self.directory = directory
            self.files = files
            self.totalBytes = totalBytes
            self.progress = progress
            finding = Finding(
                report: VerificationReport(
                    directory: directory, whole: true, segments: 0, sealedSegments: 0, records: 0, bytes: 0,
                    startHash: .zero, endHash: .zero, notes: [], problem: nil
                ),
                files: files
            )
        }

        mutating func fail(
            _ index: Int, offset: Int64, sequence: UInt64?, _ kind: VerificationProblem.Kind, _ reason: String,
            goodEnd: Int64? = nil, goodLink: ChainLink? = nil, framesIntact: Bool = false
        ) -> Bool {
            problem = VerificationProblem(
                segment: files[index].path, offset: offset, sequence: sequence, kind: kind, reason: reason
            )
            finding.problemIndex = index
            finding.goodEnd = goodEnd ?? max(Int64(SegmentHeader.size), offset)
            finding.goodLink = goodLink ?? link
            finding.framesIntact = framesIntact
            return false
        }

        func finish() -> Finding {
            var finding = finding
            finding.report = VerificationReport(
                directory: directory, whole: problem == nil, segments: segmentsSeen, sealedSegments: sealed,
                records: records, bytes: bytesDone, firstSequence: records > 0 ? firstSequence : nil,
                lastSequence: records > 0 ? link?.sequence : nil, startHash: startHash,
                endHash: link?.hash ?? startHash, notes: notes, problem: problem
            )
            progress?(VerificationProgress(records: records, bytesDone: bytesDone, totalBytes: totalBytes))
            return finding
        }

        /// Checks segment `index`; returns false once a problem is found.
        mutating func segment(_ index: Int, size: Int64) throws(JournalError) -> Bool {
            let file = files[index]
            let isLast = index == files.count - 1
            segmentsSeen += 1
            let fd = try SegmentIO.openReadOnly(file.path)
            defer { try? fd.close() }
            var window = FileWindow(fd: fd, path: file.path, size: size)
            let expected = link.map { $0.sequence + 1 } ?? file.firstSequence
            finding.linkBeforeSegment = link ?? (file.firstSequence == 1 ? .genesis : nil)

            finding.goodLastRecordedAt = .epoch
            if size < Int64(SegmentHeader.size) && isLast {
                notes.append(
                    "the last segment \(SegmentIO.name(of: file.path)) has a torn header (\(size) bytes) and holds "
                        + "no records; the writer removes it on its next start"
                )
                bytesDone += size
                return true
            }
            let header: SegmentHeader
            do throws(JournalError) {
                header = try SegmentIO.readHeader(&window)
                try SegmentIO.checkName(header, file)
            } catch {
                if error.code == .versionUnsupported { throw error }
                return fail(index, offset: 0, sequence: expected, .header, "segment header: \(error.message)")
            }
            if let link {
                guard header.firstSequence == link.sequence + 1 else {
                    return fail(
                        index, offset: 0, sequence: link.sequence + 1, .gap,
                        "the segment starts at record \(header.firstSequence), but the previous one ends with record "
                            + "\(link.sequence)"
                    )
                }
            } else {
                if header.firstSequence == 1 && header.chainHash != .zero {
                    return fail(
                        index, offset: 0, sequence: 1, .chain,
                        "the journal's first segment carries a chain hash; it must be all zero"
                    )
                }
                if header.firstSequence != 1 {
                    notes.append(
                        "the journal starts at record \(header.firstSequence) (older segments were removed by "
                            + "retention or the journal was imported from a range); the chain is checked from the "
                            + "hash its oldest segment carries"
                    )
                }
                link = ChainLink(before: header)
                startHash = header.chainHash
                finding.linkBeforeSegment = link
                firstSequence = header.firstSequence
            }
            let before = link!
            var headerLinkBroken = false
            if header.chainHash != before.hash {
                // Two witnesses decide: if the first record links to the previous payload, only the header is wrong.
                headerLinkBroken = true
            }

            let bytesBefore = bytesDone
            var offset = Int64(SegmentHeader.size)
            var current = before
            var lastOffset: Int64?
            var lastRecordedAt = Timestamp.epoch
            var trailer: SegmentTrailer?
            var frames: UInt64 = 0
            walk: while offset < size {
                let step = try window.withBytes(at: offset, count: Frame.headerSize) { bytes in
                    Result { () throws(FrameError) -> Frame.Header in try Frame.decodeHeader(bytes, at: 0) }
                }
                let frameSize: Int64
                switch step {
                case .success(let frameHeader):
                    frameSize = Int64(Frame.headerSize + frameHeader.payloadLength)
                case .failure(let error):
                    if header.isSealable, case .corrupt(_, .lengthOutOfRange) = error,
                        let end = try FrameWalk.trailer(&window, at: offset)
                    {
                        switch end {
                        case .sealed(_, let found):
                            trailer = found
                            break walk
                        case .stopped(_, let problem):
                            if isLast, try tornTail(&window, file, at: offset, after: current.sequence, "\(problem)") {
                                break walk
                            }
                            return fail(
                                index, offset: offset, sequence: current.sequence, .trailer, "\(problem)",
                                goodLink: current, framesIntact: !headerLinkBroken
                            )
                        case .endOfFile:
                            break walk
                        }
                    }
                    if isLast,
                        try tornTail(&window, file, at: offset, after: current.sequence, "\(error.moved(to: offset))")
                    {
                        break walk
                    }
                    return fail(
                        index, offset: offset, sequence: current.sequence + 1, .frame, "\(error.moved(to: offset))"
                    )
                }
                guard offset + frameSize <= size else {
                    let reason = "frame at byte \(offset) torn: needs \(frameSize) bytes, \(size - offset) left"
                    if isLast, try tornTail(&window, file, at: offset, after: current.sequence, reason) { break walk }
                    return fail(index, offset: offset, sequence: current.sequence + 1, .frame, reason)
                }
                let sequence = current.sequence + 1
                let at = offset
                let decoded = try window.withBytes(at: offset, count: Int(frameSize)) {
                    (bytes) -> Result<(JournalRecord, Digest), Failure> in
                    let frame: Frame.Decoded
                    do throws(FrameError) {
                        frame = try Frame.decode(bytes, at: 0)
                    } catch {
                        return .failure(Failure(kind: .checksum, reason: "\(error.moved(to: at))"))
                    }
                    let payload = UnsafeRawBufferPointer(rebasing: bytes[frame.payload])
                    do throws(RecordCodecError) {
                        let record = try RecordCodec.decode(payload)
                        return .success((record, ChainLink.hash(ofPayload: payload)))
                    } catch {
                        return .failure(Failure(kind: .payload, reason: "record payload: \(error)"))
                    }
                }
                let record: JournalRecord
                let hash: Digest
                switch decoded {
                case .success(let value): (record, hash) = value
                case .failure(let failure):
                    if failure.kind == .checksum, isLast,
                        try tornTail(&window, file, at: offset, after: current.sequence, failure.reason)
                    {
                        break walk
                    }
                    return fail(index, offset: offset, sequence: sequence, failure.kind, failure.reason)
                }
                guard record.sequence == sequence else {
                    return fail(
                        index, offset: offset, sequence: sequence, .sequence,
                        "expected record \(sequence), found record \(record.sequence)"
                    )
                }
                if frames == 0 && headerLinkBroken {
                    if record.previousHash == before.hash {
                        return fail(
                            index, offset: 0, sequence: sequence, .chain,
                            "the segment header's chain hash is not the hash of record \(before.sequence), to which "
                                + "its first record links: the header was altered",
                            goodEnd: Int64(SegmentHeader.size), framesIntact: true
                        )
                    }
                    return fail(
                        index, offset: 0, sequence: sequence, .chain,
                        "neither the segment header nor record \(sequence) links to record \(before.sequence)"
                    )
                }
                if record.previousHash != current.hash {
                    if let lastOffset {
                        // The record before this one is the first that cannot be trusted: count up to the one before.
                        records -= 1
                        link = ChainLink(sequence: current.sequence - 1, hash: previousOfLast)
                        return fail(
                            index, offset: lastOffset, sequence: current.sequence, .chain,
                            "record \(current.sequence) was altered: its payload does not hash to the previousHash "
                                + "record \(sequence) carries (or record \(sequence)'s link was altered)",
                            goodEnd: lastOffset,
                            goodLink: ChainLink(sequence: current.sequence - 1, hash: previousOfLast)
                        )
                    }
                    return fail(
                        index, offset: offset, sequence: sequence, .chain,
                        "record \(sequence) does not link to record \(current.sequence) (its previousHash is not the "
                            + "chain hash the segment header and the previous record agree on)"
                    )
                }
                previousOfLast = current.hash
                current = ChainLink(sequence: sequence, hash: hash)
                lastOffset = offset
                lastRecordedAt = record.recordedAt
                finding.goodLastRecordedAt = lastRecordedAt
                frames += 1
                records += 1
                offset += frameSize
                bytesDone += frameSize
                link = current
                if let progress, bytesDone - lastReported >= 4 << 20 {
                    lastReported = bytesDone
                    progress(VerificationProgress(records: records, bytesDone: bytesDone, totalBytes: totalBytes))
                }
            }
            if headerLinkBroken && frames == 0 {
                return fail(
                    index, offset: 0, sequence: header.firstSequence, .chain,
                    "the segment header's chain hash is not the hash of record \(before.sequence)"
                )
            }
            bytesDone = bytesBefore + size
            finding.goodLastRecordedAt = lastRecordedAt

            // The end of the frames: a trailer that agrees, or (format 2, another segment follows) damage.
            let next = isLast ? nil : nextHeader(index + 1)
            if let trailer {
                sealed += 1
                let expectedTrailer = SegmentTrailer(
                    recordCount: frames, firstSequence: header.firstSequence, lastSequence: current.sequence,
                    lastRecordedAt: lastRecordedAt, offset: offset, chainHash: current.hash
                )
                if trailer.chainHash != current.hash, let lastOffset, frames > 0,
                    let next, next.chainHash == trailer.chainHash
                {
                    records -= 1
                    link = ChainLink(sequence: current.sequence - 1, hash: previousOfLast)
                    return fail(
                        index, offset: lastOffset, sequence: current.sequence, .chain,
                        "record \(current.sequence) was altered: its payload does not hash to the chain hash the "
                            + "trailer and the next segment's header carry",
                        goodEnd: lastOffset, goodLink: ChainLink(sequence: current.sequence - 1, hash: previousOfLast)
                    )
                }
                guard trailer == expectedTrailer else {
                    return fail(
                        index, offset: offset, sequence: current.sequence, .trailer,
                        "the trailer does not agree with the segment's records ("
                            + trailerDifference(
                                trailer, expectedTrailer) + ")",
                        goodEnd: offset, goodLink: current, framesIntact: true
                    )
                }
            } else if header.isSealable && !isLast {
                return fail(
                    index, offset: offset, sequence: current.sequence, .unsealed,
                    "the segment is followed by another but has no trailer", goodEnd: offset, goodLink: current,
                    framesIntact: true
                )
            }
            return true
        }

        /// Set to the chain hash before the last record walked, so an altered last record can be cut off.
        var previousOfLast: Digest = .zero

        /// The header of segment `index`, if it decodes (the witness for the previous segment's last record).
        func nextHeader(_ index: Int) -> SegmentHeader? {
            guard let fd = try? SegmentIO.openReadOnly(files[index].path) else { return nil }
            defer { try? fd.close() }
            guard var window = try? FileWindow(fd: fd, path: files[index].path, readAhead: 0) else { return nil }
            return try? SegmentIO.readHeader(&window)
        }

        /// The writer's tail rule: damage at the end of the last segment that no intact later record follows is a
        /// torn tail (a batch being written, or a crash the writer cuts on its next start), noted, not reported.
        mutating func tornTail(
            _ window: inout FileWindow, _ file: SegmentFile, at offset: Int64, after sequence: UInt64, _ reason: String
        ) throws(JournalError) -> Bool {
            guard try FrameWalk.findIntactFrame(&window, after: offset, laterThan: sequence) == nil else {
                return false
            }
            notes.append(
                "the last segment \(SegmentIO.name(of: file.path)) ends with \(window.size - offset) bytes that are "
                    + "not a whole record (\(reason)): a batch being written, or a torn tail the writer cuts on its "
                    + "next start"
            )
            return true
        }

        func trailerDifference(_ found: SegmentTrailer, _ expected: SegmentTrailer) -> String {
            var parts: [String] = []
            if found.recordCount != expected.recordCount {
                parts.append("count \(found.recordCount), records \(expected.recordCount)")
            }
            if found.firstSequence != expected.firstSequence || found.lastSequence != expected.lastSequence {
                parts.append(
                    "says \(found.firstSequence)–\(found.lastSequence), holds "
                        + "\(expected.firstSequence)–\(expected.lastSequence)"
                )
            }
            if found.lastRecordedAt != expected.lastRecordedAt { parts.append("last recordedAt differs") }
            if found.chainHash != expected.chainHash { parts.append("chain hash is not the last record's hash") }
            if found.offset != expected.offset { parts.append("offset differs") }
            return parts.joined(separator: "; ")
        }
    }

    private struct Failure: Error {
        var kind: VerificationProblem.Kind
        var reason: String
    }
}
