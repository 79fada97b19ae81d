import CopydeskCore
import SystemPackage

/// What `copydesk repair` did, step by step, and how the journal stands afterwards.
public struct RepairReport: Codable, Sendable, Equatable {
    public var directory: String
    /// Where damaged files were moved (`journal/damaged/`).
    public var damagedDirectory: String
    /// The problems found, in the order they were repaired.
    public var problems: [VerificationProblem]
    public var actions: [RepairAction]
    /// The verification after the repair.
    public var after: VerificationReport

    /// True when there was nothing to repair.
    public var nothingToDo: Bool { problems.isEmpty }

    /// The text `copydesk repair` prints.
    public var text: String {
        var lines: [String] = []
        if problems.isEmpty {
            lines.append("Nothing to repair: the journal is whole.")
        }
        for problem in problems {
            lines.append(
                "Found: \(problem.reason) [\(problem.segment) at byte \(problem.offset)"
                    + (problem.sequence.map { ", record #\($0)" } ?? "") + "]"
            )
        }
        for action in actions { lines.append("Did: \(action.description)") }
        lines.append(after.whole ? "The journal now verifies: " + after.text : "The journal still does not verify:")
        if !after.whole { lines.append(after.text) }
        return lines.joined(separator: "\n")
    }
}

/// One thing `repair` did to a file. Nothing is ever deleted: files leave the journal only by being moved (or
/// hard-linked, then replaced) into `damaged/`.
public struct RepairAction: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A segment after the damage moved into `damaged/` whole.
        case movedAside
        /// The damaged segment replaced by its good prefix (its original kept in `damaged/`).
        case truncated
        /// A sealed segment whose trailer was damaged or missing given a new one (original kept in `damaged/`).
        case resealed
        /// A segment whose header carried the wrong chain hash given a correct header (original kept).
        case rewroteHeader
        /// Intact records found after the damage, written as export lines (NDJSON, raw included) for a person.
        case salvaged
    }

    public var kind: Kind
    /// The journal file concerned.
    public var segment: String
    /// Where the original, or the salvaged records, went.
    public var savedAs: String?
    /// Records kept in the journal (truncated, resealed, rewroteHeader) or salvaged: first and last sequence.
    public var records: UInt64
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?

    public var description: String {
        let range = firstSequence.map { first in " (#\(first)–#\(lastSequence ?? first))" } ?? ""
        let saved = savedAs.map { " → \($0)" } ?? ""
        switch kind {
        case .movedAside: return "moved \(segment) aside\(saved)"
        case .truncated:
            return "rewrote \(segment) with the \(records) whole record(s) before the damage\(range); original\(saved)"
        case .resealed: return "resealed \(segment) with a new trailer, \(records) record(s)\(range); original\(saved)"
        case .rewroteHeader:
            return "rewrote the header of \(segment) with the right chain hash, every record kept; original\(saved)"
        case .salvaged:
            return "copied \(records) intact record(s) found after the damage\(range) out of \(segment)\(saved)"
        }
    }
}

/// `copydesk repair`: makes a damaged journal one the daemon can start on again, losing nothing a person could
/// still want.
///
/// It takes the journal's lock (so it refuses while `copydeskd` runs: `.locked`), runs ``JournalVerifier``, and at
/// the first problem:
/// - a damaged or missing trailer, or a header with the wrong chain hash, over records that all check out: the
///   segment is rewritten with a correct trailer or header; nothing is dropped;
/// - anything else: every whole record before the damage stays; the damaged segment is replaced by a new file
///   (written under a temporary name, synced, renamed) holding just those records; the original is kept in
///   `journal/damaged/` (hard-linked there before the rename, so at every instant one of the two names holds it);
///   intact records found after the damage in that segment are written to `damaged/NAME.after-damage.ndjson` (the
///   export format, raw bytes included) for a person to look at or re-deliver; every later segment is moved to
///   `damaged/` whole. Sequence numbers after the damage are then given again to new records.
///
/// Then it verifies again, and repeats until the journal is whole. Nothing is deleted.
public enum JournalRepair {
    public static func repair(directory: String) throws(JournalError) -> RepairReport {
        let lock = try JournalWriter.acquireLock(directory: directory)
        defer { try? lock.close() }
        let names: [String]
        do {
            names = try Syscall.listDirectory(directory)
        } catch {
            throw .io("cannot list the journal directory", path: directory, error)
        }
        // Unfinished segment files: the writer removes them on open; repair moves them aside instead.
        let damaged = directory + "/damaged"
        var problems: [VerificationProblem] = []
        var actions: [RepairAction] = []
        for name in names where name.hasSuffix("." + SegmentHeader.fileExtension + ".tmp") {
            try makeDamagedDirectory(damaged)
            let target = try moveAside(directory + "/" + name, into: damaged)
            actions.append(
                RepairAction(kind: .movedAside, segment: directory + "/" + name, savedAs: target, records: 0))
        }

        var rounds = 0
        while true {
            let finding = try JournalVerifier.examine(directory: directory, progress: nil)
            guard let problem = finding.report.problem, let index = finding.problemIndex else {
                return RepairReport(
                    directory: directory, damagedDirectory: damaged, problems: problems, actions: actions,
                    after: finding.report
                )
            }
            rounds += 1
            guard rounds <= finding.files.count * 2 + 4 else {
                throw .corrupt(
                    "repair made no progress on: \(problem.reason)", path: problem.segment, offset: problem.offset,
                    sequence: problem.sequence
                )
            }
            problems.append(problem)
            guard let before = finding.linkBeforeSegment else {
                throw .corrupt(
                    "the oldest segment's header is damaged, so where the chain starts cannot be known; move it "
                        + "aside by hand",
                    path: problem.segment, offset: 0, sequence: nil
                )
            }
            try makeDamagedDirectory(damaged)
            if finding.framesIntact {
                actions.append(try rewrite(finding, index: index, before: before, problem: problem, damaged: damaged))
            } else {
                actions += try cut(finding, index: index, before: before, damaged: damaged)
            }
        }
    }

    /// Records all good; only the header's chain hash or the trailer is not: rewrite the segment around them.
    private static func rewrite(
        _ finding: JournalVerifier.Finding, index: Int, before: ChainLink, problem: VerificationProblem,
        damaged: String
    ) throws(JournalError) -> RepairAction {
        let file = finding.files[index]
        let bytes = try readAll(file.path)
        let original = try SegmentHeader.decodeResult(bytes).get(path: file.path)
        let header = SegmentHeader(
            firstSequence: original.firstSequence, chainHash: before.hash, version: SegmentHeader.currentVersion
        )
        var contents = header.encoded()
        let last: UInt64
        if problem.offset == 0 {
            // Header only: keep every byte after it (a later problem, if any, is found in the next round).
            contents += bytes[SegmentHeader.size...]
            let saved = try replace(file.path, with: contents, damaged: damaged)
            return RepairAction(kind: .rewroteHeader, segment: file.path, savedAs: saved, records: 0)
        } else {
            let end = Int(finding.goodEnd)
            contents += bytes[SegmentHeader.size..<end]
            let link = finding.goodLink ?? before
            contents += SegmentTrailer(
                recordCount: link.sequence - before.sequence, firstSequence: original.firstSequence,
                lastSequence: link.sequence, lastRecordedAt: finding.goodLastRecordedAt, offset: Int64(end),
                chainHash: link.hash
            ).encoded()
            last = link.sequence
        }
        let saved = try replace(file.path, with: contents, damaged: damaged)
        return RepairAction(
            kind: .resealed, segment: file.path, savedAs: saved,
            records: last >= original.firstSequence ? last - before.sequence : 0,
            firstSequence: last >= original.firstSequence ? original.firstSequence : nil,
            lastSequence: last >= original.firstSequence ? last : nil
        )
    }

    /// Keep the good prefix of the damaged segment, save what follows it, move later segments aside.
    private static func cut(
        _ finding: JournalVerifier.Finding, index: Int, before: ChainLink, damaged: String
    ) throws(JournalError) -> [RepairAction] {
        var actions: [RepairAction] = []
        let file = finding.files[index]
        let bytes = try readAll(file.path)
        let goodEnd = Int(min(Int64(bytes.count), max(finding.goodEnd, Int64(SegmentHeader.size))))
        let kept = finding.goodLink ?? before

        // 1. Intact records after the damage, for a person.
        let salvaged = salvage(bytes, from: goodEnd, after: kept.sequence)
        if !salvaged.isEmpty {
            var text: [UInt8] = []
            for record in salvaged {
                if let line = try? ExportedRecord(record, includeRaw: true).line() { text += line }
            }
            let target = uniqueName(damaged + "/" + SegmentIO.name(of: file.path) + ".after-damage.ndjson")
            try SegmentWriting.write(path: target, contents: text)
            actions.append(
                RepairAction(
                    kind: .salvaged, segment: file.path, savedAs: target, records: UInt64(salvaged.count),
                    firstSequence: salvaged.first?.sequence, lastSequence: salvaged.last?.sequence
                )
            )
        }
        // 2. Later segments, newest first, so that at every instant the journal still ends at the damage.
        for later in finding.files[(index + 1)...].reversed() {
            let target = try moveAside(later.path, into: damaged)
            actions.append(RepairAction(kind: .movedAside, segment: later.path, savedAs: target, records: 0))
        }
        // 3. The good prefix, under the name of its first record (the damaged segment's, unless it was misplaced).
        let first = before.sequence + 1
        var contents = SegmentHeader(firstSequence: first, chainHash: before.hash).encoded()
        if goodEnd > SegmentHeader.size, first == file.firstSequence {
            contents += bytes[SegmentHeader.size..<goodEnd]
        }
        let path = SegmentIO.parent(of: file.path) + "/" + SegmentHeader.fileName(firstSequence: first)
        let saved: String
        if path == file.path {
            saved = try replace(path, with: contents, damaged: damaged)
        } else {
            saved = try moveAside(file.path, into: damaged)
            try SegmentWriting.write(path: path, contents: contents)
        }
        let count = kept.sequence >= first ? kept.sequence - before.sequence : 0
        actions.append(
            RepairAction(
                kind: .truncated, segment: path, savedAs: saved, records: count,
                firstSequence: count > 0 ? first : nil, lastSequence: count > 0 ? kept.sequence : nil
            )
        )
        return actions
    }

    /// Every intact frame after `offset` that holds a record later than `sequence`, decoded; found by trying every
    /// byte offset, since damage says nothing about where the next frame starts.
    static func salvage(_ bytes: [UInt8], from offset: Int, after sequence: UInt64) -> [JournalRecord] {
        var records: [JournalRecord] = []
        var position = offset
        let minimum = Frame.headerSize + RecordCodec.minimumPayloadSize
        bytes.withUnsafeBytes { buffer in
            while buffer.count - position >= minimum {
                guard buffer[position + Frame.headerSize] == RecordCodec.payloadVersion,
                    let frame = try? Frame.decode(buffer, at: position),
                    let record = try? RecordCodec.decode(UnsafeRawBufferPointer(rebasing: buffer[frame.payload])),
                    record.sequence > (records.last?.sequence ?? sequence)
                else {
                    position += 1
                    continue
                }
                records.append(record)
                position = frame.next
            }
        }
        return records
    }

    // MARK: - Files

    private static func makeDamagedDirectory(_ path: String) throws(JournalError) {
        do {
            try Syscall.makeDirectories(path)
            try SegmentIO.syncDirectory(SegmentIO.parent(of: path))
        } catch {
            throw .io("cannot create the folder for damaged segments", path: path, error)
        }
    }

    /// `damaged/NAME`, or `damaged/NAME.1`, `.2`… when an earlier repair already used the name.
    private static func uniqueName(_ path: String) -> String {
        var candidate = path
        var number = 0
        while (try? Syscall.exists(candidate)) ?? true {
            number += 1
            candidate = path + ".\(number)"
        }
        return candidate
    }

    /// Renames `path` into `damaged/` and syncs both directories; returns where it went.
    private static func moveAside(_ path: String, into damaged: String) throws(JournalError) -> String {
        let target = uniqueName(damaged + "/" + SegmentIO.name(of: path))
        do {
            try Syscall.rename(path, target)
            try SegmentIO.syncDirectory(damaged)
            try SegmentIO.syncDirectory(SegmentIO.parent(of: path))
        } catch {
            throw .io("cannot move a damaged segment aside", path: path, error)
        }
        return target
    }

    /// Keeps the original under `damaged/` (a hard link, or a synced copy where links are not allowed), then
    /// replaces `path` with `contents` in one atomic rename.
    private static func replace(_ path: String, with contents: [UInt8], damaged: String) throws(JournalError) -> String
    {
        let target = uniqueName(damaged + "/" + SegmentIO.name(of: path))
        do {
            try Syscall.link(path, target)
        } catch {
            try SegmentWriting.write(path: target, contents: try readAll(path))
        }
        do {
            try SegmentIO.syncDirectory(damaged)
        } catch {
            throw .io("cannot sync the folder for damaged segments", path: damaged, error)
        }
        try SegmentWriting.write(path: path, contents: contents, replacing: true)
        return target
    }

    private static func readAll(_ path: String) throws(JournalError) -> [UInt8] {
        let fd = try SegmentIO.openReadOnly(path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: path)
        return try window.withBytes(at: 0, count: Int(window.size)) { Array($0) }
    }
}

extension SegmentHeader {
    fileprivate static func decodeResult(_ bytes: [UInt8]) -> Result<SegmentHeader, SegmentHeaderError> {
        Result { () throws(SegmentHeaderError) -> SegmentHeader in try SegmentHeader.decode(bytes) }
    }
}

extension Result where Success == SegmentHeader, Failure == SegmentHeaderError {
    fileprivate func get(path: String) throws(JournalError) -> SegmentHeader {
        switch self {
        case .success(let header): return header
        case .failure(let error): throw .header(error, path: path)
        }
    }
}
