import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

/// A journal of several sealed segments and an open one, for damaging.
struct SealedJournal {
    let root: String
    var records: [JournalRecord]
    let paths: [String]
    static let segmentSize = 2048

    init(_ root: String, count: Int = 14) throws {
        self.root = root
        let writer = try openWriter(root, segmentSize: Self.segmentSize)
        var records: [JournalRecord] = []
        for start in stride(from: 1, through: count, by: 3) {
            let time = Timestamp(microseconds: testTime.microseconds + Int64(start) * 1_000_000)
            records += try writer.append(
                RecordFixtures.mixed(min(3, count - start + 1), startingAt: start), recordedAt: time)
        }
        writer.close()
        self.records = records
        paths = try segmentPaths(root)
    }

    /// Where record `sequence` lies: its segment file and its frame's offset.
    func locate(_ sequence: UInt64) throws -> (path: String, offset: Int) {
        for path in paths {
            let bytes = try fileBytes(path)
            let first = try SegmentHeader.decode(bytes).firstSequence
            let offsets = try segmentLayout(bytes).offsets
            if sequence >= first && sequence < first + UInt64(offsets.count) {
                return (path, offsets[Int(sequence - first)])
            }
        }
        throw CocoaError(.fileNoSuchFile)
    }

    /// Rewrites the payload of record `sequence` with `edit`, keeping its length, and fixes its CRC32C.
    func tamper(_ sequence: UInt64, _ edit: (inout [UInt8]) -> Void) throws {
        let (path, offset) = try locate(sequence)
        var bytes = try fileBytes(path)
        let frame = try Frame.decode(bytes, at: offset)
        var payload = Array(bytes[frame.payload])
        edit(&payload)
        bytes.replaceSubrange(offset..<frame.next, with: Frame.encode(payload))
        try writeFile(path, bytes)
    }
}

/// Replaces the first occurrence of `old` in `bytes` with `new` (same length).
func replaceFirst(_ old: String, with new: String, in bytes: inout [UInt8]) {
    let (o, n) = (Array(old.utf8), Array(new.utf8))
    precondition(o.count == n.count)
    for index in 0...(bytes.count - o.count) where Array(bytes[index..<index + o.count]) == o {
        bytes.replaceSubrange(index..<index + o.count, with: n)
        return
    }
    Issue.record("\(old) not found")
}

@Suite struct JournalVerifierTests {
    @Test func aWholeJournalVerifies() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            #expect(journal.paths.count >= 4)
            var steps: [VerificationProgress] = []
            let report = try JournalVerifier.verify(directory: journal.root) { steps.append($0) }
            #expect(report.whole, "\(report.text)")
            #expect(report.problem == nil)
            #expect(report.records == UInt64(journal.records.count))
            #expect(report.firstSequence == 1)
            #expect(report.lastSequence == UInt64(journal.records.count))
            #expect(report.segments == journal.paths.count)
            #expect(report.sealedSegments == journal.paths.count - 1)
            #expect(report.startHash == .zero)
            #expect(report.endHash == SHA256.hash(try RecordCodec.encode(journal.records.last!)))
            let total = try journal.paths.map(fileSize).reduce(0, +)
            #expect(report.bytes == total)
            #expect(steps.last == VerificationProgress(records: report.records, bytesDone: total, totalBytes: total))
            #expect(report.text.hasPrefix("Whole: \(journal.records.count) records"))
        }
    }

    @Test func anEmptyJournalVerifies() throws {
        try TemporaryDirectory.with { directory in
            try openWriter(directory.path).close()
            let report = try JournalVerifier.verify(directory: directory.path)
            #expect(report.whole)
            #expect(report.records == 0)
            #expect(report.lastSequence == nil)
        }
    }

    /// A bit flipped anywhere in a record of a sealed segment: its frame's length, checksum, payload header or body.
    @Test(arguments: [0, 3, 6, 8 + 1, 8 + 25, 8 + 70, -1])
    func aFlippedBitInASealedSegmentIsNamed(delta: Int) throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let target: UInt64 = 5
            let (path, offset) = try journal.locate(target)
            #expect(path != journal.paths.last)  // sealed
            var bytes = try fileBytes(path)
            let end = try Frame.decode(bytes, at: offset).next
            bytes[delta >= 0 ? offset + delta : end + delta] ^= 0x10
            try writeFile(path, bytes)

            let report = try JournalVerifier.verify(directory: journal.root)
            #expect(!report.whole)
            let problem = try #require(report.problem)
            #expect(problem.segment == path, "delta \(delta)")
            #expect(problem.offset == Int64(offset), "delta \(delta): \(problem.reason)")
            #expect(problem.sequence == target, "delta \(delta): \(problem.reason)")
            #expect(report.records == target - 1)
            #expect(report.lastSequence == target - 1)
        }
    }

    @Test func anEditedRecordWithItsChecksumFixedIsNamed() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            // A duplicate in the middle of a sealed segment.
            var candidates: [UInt64] = []
            for record in journal.records where record.body.kind == .duplicate {
                let here = try journal.locate(record.sequence).path
                if here != journal.paths.last, try journal.locate(record.sequence + 1).path == here {
                    candidates.append(record.sequence)
                }
            }
            let target = try #require(candidates.first)
            let (path, offset) = try journal.locate(target)
            try journal.tamper(target) { payload in
                replaceFirst("\"duplicateOf\":1", with: "\"duplicateOf\":2", in: &payload)
            }
            // The frame is intact and the record reads back, edited.
            let edited = try JournalReader.open(directory: journal.root).record(target)
            guard case .duplicate(let duplicate) = edited?.body else {
                Issue.record("not a duplicate")
                return
            }
            #expect(duplicate.duplicateOf == 2)

            let report = try JournalVerifier.verify(directory: journal.root)
            let problem = try #require(report.problem)
            #expect(problem.kind == .chain)
            #expect(problem.segment == path)
            #expect(problem.offset == Int64(offset))
            #expect(problem.sequence == target, "\(problem.reason)")
            #expect(report.records == target - 1)
        }
    }

    @Test func anEditedLastRecordOfASealedSegmentIsNamedByItsTrailer() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let first = try SegmentHeader.decode(try fileBytes(journal.paths[2])).firstSequence
            let target = first - 1  // the last record of the second segment
            let (path, offset) = try journal.locate(target)
            #expect(path == journal.paths[1])
            try journal.tamper(target) { payload in replaceFirst("-claim", with: "_claim", in: &payload) }

            let problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .chain)
            #expect(problem.segment == path)
            #expect(problem.offset == Int64(offset))
            #expect(problem.sequence == target, "\(problem.reason)")
            #expect(try JournalVerifier.verify(directory: journal.root).lastSequence == target - 1)
        }
    }

    @Test func aTamperedTrailerIsNamed() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let path = journal.paths[1]
            let original = try fileBytes(path)
            let trailerOffset = original.count - SegmentTrailer.size
            let trailer = try SegmentTrailer.decode(Array(original[trailerOffset...]))

            // A flipped bit: its checksum fails.
            var bytes = original
            bytes[trailerOffset + 20] ^= 0x01
            try writeFile(path, bytes)
            var problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .trailer)
            #expect(problem.segment == path)
            #expect(problem.offset == Int64(trailerOffset))
            #expect(problem.sequence == trailer.lastSequence)

            // Rewritten with a valid checksum but a wrong last time: it disagrees with the records.
            var forged = trailer
            forged.lastRecordedAt = Timestamp(microseconds: trailer.lastRecordedAt.microseconds + 1)
            try writeFile(path, Array(original[..<trailerOffset]) + forged.encoded())
            problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .trailer)
            #expect(problem.offset == Int64(trailerOffset))
            #expect(problem.reason.contains("recordedAt"))

            // A forged chain hash that the next header does not carry: the trailer, not the record, is named.
            forged = trailer
            forged.chainHash = SHA256.hash(Array("forged".utf8))
            try writeFile(path, Array(original[..<trailerOffset]) + forged.encoded())
            problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .trailer)
            #expect(problem.offset == Int64(trailerOffset))

            // Gone altogether, though another segment follows.
            try writeFile(path, Array(original[..<trailerOffset]))
            problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .unsealed)
            #expect(problem.offset == Int64(trailerOffset))
        }
    }

    @Test func aHeaderWithTheWrongChainHashIsNamed() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let path = journal.paths[2]
            var bytes = try fileBytes(path)
            let header = try SegmentHeader.decode(bytes)
            bytes.replaceSubrange(
                0..<SegmentHeader.size,
                with: SegmentHeader(firstSequence: header.firstSequence, chainHash: SHA256.hash([1])).encoded()
            )
            try writeFile(path, bytes)
            let problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .chain)
            #expect(problem.segment == path)
            #expect(problem.offset == 0)
            #expect(problem.sequence == header.firstSequence)
        }
    }

    @Test func aMissingSegmentIsAGap() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let removed = try SegmentHeader.decode(try fileBytes(journal.paths[1])).firstSequence
            try FileManager.default.removeItem(atPath: journal.paths[1])
            let problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .gap)
            #expect(problem.segment == journal.paths[2])
            #expect(problem.offset == 0)
            #expect(problem.sequence == removed)
        }
    }

    @Test func aTornTailIsNotedNotReported() throws {
        try TemporaryDirectory.with { directory in
            var journal = try SealedJournal(directory.path)
            let writer = try openWriter(journal.root)  // a large segment size: no rollover
            journal.records += try writer.append(RecordFixtures.mixed(3, startingAt: 15), recordedAt: testTime)
            writer.close()
            let last = journal.paths.last!
            let (path, offset) = try journal.locate(UInt64(journal.records.count - 2))
            try writeFile(last, Array(try fileBytes(last).dropLast(7)))
            let report = try JournalVerifier.verify(directory: journal.root)
            #expect(report.whole)
            #expect(report.lastSequence == UInt64(journal.records.count - 1))
            #expect(report.notes.contains { $0.contains("torn tail") })

            // Damage in the middle of the last segment, with an intact record after it, is reported.
            #expect(path == last)
            var bytes = try fileBytes(last)
            bytes[offset + 20] ^= 0x04
            try writeFile(last, bytes)
            let problem = try #require(try JournalVerifier.verify(directory: journal.root).problem)
            #expect(problem.kind == .checksum)
            #expect(problem.offset == Int64(offset))
        }
    }
}
