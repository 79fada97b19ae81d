import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

/// Overwrites the frames of a sealed segment with garbage, keeping its header and trailer: any reader that walks
/// those frames fails, so a success proves they were not read.
func garbleFrames(_ path: String) throws {
    var bytes = try fileBytes(path)
    let trailerOffset = bytes.count - SegmentTrailer.size
    for index in SegmentHeader.size..<trailerOffset { bytes[index] = 0xEE }
    try writeFile(path, bytes)
}

@Suite struct JournalSealingTests {
    @Test func forEachFromStartsAtTheSegmentHoldingItsRecord() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 20)
            #expect(journal.paths.count >= 5)
            try garbleFrames(journal.paths[0])
            try garbleFrames(journal.paths[1])
            let start = try SegmentHeader.decode(try fileBytes(journal.paths[2])).firstSequence + 1

            let reader = try JournalReader.open(directory: journal.root)
            #expect(reader.lastSequence == 20)
            #expect(reader.firstSequence == 1)
            var seen: [JournalRecord] = []
            try reader.forEach(from: start) { seen.append($0) }
            #expect(seen == Array(journal.records[Int(start - 1)...]))
            #expect(try reader.record(start) == journal.records[Int(start - 1)])
            #expect(try reader.recent(limit: 3) == journal.records.suffix(3).reversed())

            // Reading from the start does reach the garbled frames, and says where.
            let error = journalError { try reader.forEach(from: 1) { _ in } }
            #expect(error?.code == .corrupt)
            #expect(error?.path == journal.paths[0])
            #expect(error?.offset == Int64(SegmentHeader.size))
            #expect(error?.sequence == 1)
            #expect(journalError { _ = try reader.record(2) }?.path == journal.paths[0])

            // The writer opens too: it checks older segments by header and trailer only (verify finds the rest).
            let writer = try openWriter(journal.root, segmentSize: SealedJournal.segmentSize)
            #expect(writer.lastSequence == 20)
            writer.close()
            #expect(try JournalVerifier.verify(directory: journal.root).problem?.segment == journal.paths[0])
        }
    }

    @Test func aDamagedTrailerOfAnOlderSegmentStopsTheWriter() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 20)
            let path = journal.paths[0]
            let lastBefore = try fileBytes(journal.paths.last!)
            var bytes = try fileBytes(path)
            bytes[bytes.count - 30] ^= 0x02
            try writeFile(path, bytes)
            let error = journalError { _ = try openWriter(journal.root, segmentSize: SealedJournal.segmentSize) }
            #expect(error?.code == .corrupt)
            #expect(error?.path == path)
            #expect(error?.offset == Int64(bytes.count - SegmentTrailer.size))
            #expect(try fileBytes(path) == bytes)
            #expect(try fileBytes(journal.paths.last!) == lastBefore)  // nothing written past the damage
        }
    }

    @Test func aSalvagingReaderServesWhatLiesBeforeDamage() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 20)

            // A damaged trailer in the middle: records up to the end of that segment's frames, nothing after.
            let middle = journal.paths[2]
            let last = try SegmentHeader.decode(try fileBytes(journal.paths[3])).firstSequence - 1
            var bytes = try fileBytes(middle)
            bytes[bytes.count - 1] ^= 0x01
            try writeFile(middle, bytes)
            #expect(journalError { _ = try JournalReader.open(directory: journal.root) }?.path == middle)
            let reader = try JournalReader.open(directory: journal.root, salvaging: true)
            #expect(reader.damage?.path == middle)
            #expect(reader.damage?.offset == Int64(bytes.count - SegmentTrailer.size))
            #expect(reader.lastSequence == last)
            var seen: [JournalRecord] = []
            try reader.forEach { seen.append($0) }
            #expect(seen == Array(journal.records[..<Int(last)]))
            #expect(try reader.record(last + 1) == nil)
            bytes[bytes.count - 1] ^= 0x01
            try writeFile(middle, bytes)

            // Damage found only when a sealed segment's frames are read: forEach stops before it, quietly.
            let (path, offset) = try journal.locate(6)
            bytes = try fileBytes(path)
            bytes[offset + 40] ^= 0x08
            try writeFile(path, bytes)
            let lazy = try JournalReader.open(directory: journal.root, salvaging: true)
            #expect(lazy.damage == nil)
            seen = []
            try lazy.forEach { seen.append($0) }
            #expect(seen == Array(journal.records[..<5]))
            #expect(lazy.damage?.path == path)
            #expect(lazy.damage?.offset == Int64(offset))
            #expect(lazy.damage?.sequence == 6)
            #expect(try lazy.record(20) == journal.records[19])  // later segments still serve
        }
    }

    @Test func aDamagedLastSegmentIsServedUpToTheDamage() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            let written = try writer.append(RecordFixtures.mixed(6), recordedAt: testTime)
            writer.close()
            let offsets = try frameOffsets(written)
            let segment = try segmentPaths(root)[0]
            var bytes = try fileBytes(segment)
            bytes[Int(offsets[3]) + 12] ^= 0x40
            try writeFile(segment, bytes)

            #expect(journalError { _ = try JournalReader.open(directory: root) }?.sequence == 4)
            #expect(journalError { _ = try openWriter(root) }?.code == .corrupt)
            let reader = try JournalReader.open(directory: root, salvaging: true)
            #expect(reader.lastSequence == 3)
            #expect(reader.damage?.offset == offsets[3])
            #expect(reader.damage?.sequence == 4)
            #expect(try reader.recent(limit: 10) == written[..<3].reversed())
            #expect(try fileBytes(segment) == bytes)
        }
    }

    @Test func aSegmentSealedJustBeforeACrashGetsItsSuccessorOnOpen() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            // As if the crash came after the seal's fdatasync but before the next segment was created.
            try FileManager.default.removeItem(atPath: journal.paths.last!)
            let sealed = try segmentLayout(try fileBytes(journal.paths[journal.paths.count - 2])).trailer!
            let kept = Array(journal.records[..<Int(sealed.lastSequence)])
            #expect(try readAll(journal.root) == kept)

            let writer = try openWriter(journal.root, segmentSize: SealedJournal.segmentSize)
            #expect(writer.lastSequence == sealed.lastSequence)
            let next = try writer.append(RecordFixtures.mixed(2, startingAt: 50), recordedAt: testTime)
            writer.close()
            #expect(next.map(\.sequence) == [sealed.lastSequence + 1, sealed.lastSequence + 2])
            #expect(next[0].previousHash == sealed.chainHash)
            #expect(try segmentPaths(journal.root).last == journal.paths.last)
            #expect(try readAll(journal.root) == kept + next)
            #expect(try JournalVerifier.verify(directory: journal.root).whole)
        }
    }

    @Test func formatOneSegmentsAreReadAppendedToAndNeverSealed() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            // A journal as version 1 wrote it: one segment, format 1.
            var writer = try openWriter(root)
            var written = try writer.append(RecordFixtures.mixed(4), recordedAt: testTime)
            writer.close()
            let first = try segmentPaths(root)[0]
            var bytes = try fileBytes(first)
            bytes.replaceSubrange(
                0..<SegmentHeader.size, with: SegmentHeader(firstSequence: 1, chainHash: .zero, version: 1).encoded()
            )
            try writeFile(first, bytes)
            #expect(try readAll(root) == written)

            // This version appends to it, rolls over without sealing it, and seals its own segments.
            writer = try openWriter(root, segmentSize: 2048)
            written += try writer.append(RecordFixtures.mixed(3, startingAt: 5), recordedAt: testTime)
            writer.close()
            writer = try openWriter(root, segmentSize: 2048)  // the format-1 segment is now the one before the last
            written += try writer.append(RecordFixtures.mixed(9, startingAt: 8), recordedAt: testTime)
            writer.close()
            let paths = try segmentPaths(root)
            #expect(paths.count >= 4)
            #expect(try SegmentHeader.decode(try fileBytes(paths[0])).version == 1)
            #expect(try segmentLayout(try fileBytes(paths[0])).trailer == nil)
            for path in paths.dropFirst().dropLast() {
                #expect(try SegmentHeader.decode(try fileBytes(path)).version == 2)
                #expect(try segmentLayout(try fileBytes(path)).trailer != nil)
            }
            #expect(try readAll(root) == written)
            let reader = try JournalReader.open(directory: root)
            var tail: [UInt64] = []
            try reader.forEach(from: 3) { tail.append($0.sequence) }
            #expect(tail == Array(3...16))
            let report = try JournalVerifier.verify(directory: root)
            #expect(report.whole, "\(report.text)")
            #expect(report.sealedSegments == paths.count - 2)
            writer = try openWriter(root, segmentSize: 2048)
            #expect(writer.lastSequence == 16)
            writer.close()
        }
    }
}
