import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

@Suite struct JournalReaderTests {
    @Test func aReaderFollowsAWriterThatStaysOpen() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root, segmentSize: 1500)
            var written = try writer.append(RecordFixtures.mixed(3), recordedAt: testTime)
            let reader = try JournalReader.open(directory: root)
            #expect(reader.lastSequence == 3)
            #expect(try reader.record(4) == nil)

            written += try writer.append(RecordFixtures.mixed(2, startingAt: 4), recordedAt: testTime)
            #expect(try reader.record(5) == written[4])  // asked for a newer record: it looks again
            written += try writer.append(RecordFixtures.mixed(6, startingAt: 6), recordedAt: testTime)
            #expect(try reader.recent(limit: 2) == [written[10], written[9]])
            #expect(reader.lastSequence == 11)
            var all: [JournalRecord] = []
            try reader.forEach { all.append($0) }
            #expect(all == written)
            #expect(try segmentPaths(root).count > 2)  // it followed across rollovers
            writer.close()
        }
    }

    @Test func aReaderNeverWrites() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            let written = try writer.append(RecordFixtures.mixed(4), recordedAt: testTime)
            writer.close()
            let segment = try segmentPaths(root)[0]
            let torn = Array(try fileBytes(segment).dropLast(10))
            try writeFile(segment, torn)
            let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()

            let reader = try JournalReader.open(directory: root)
            #expect(reader.lastSequence == 3)
            #expect(try reader.recent(limit: 10) == written[..<3].reversed())
            #expect(try fileBytes(segment) == torn)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == names)
        }
    }

    @Test func aReaderSeesTheTornTailCompletedLater() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            let written = try writer.append(RecordFixtures.mixed(3), recordedAt: testTime)
            writer.close()
            let segment = try segmentPaths(root)[0]
            let whole = try fileBytes(segment)
            try writeFile(segment, Array(whole.dropLast(20)))  // as if the last write were still in progress
            let reader = try JournalReader.open(directory: root)
            #expect(reader.lastSequence == 2)
            try writeFile(segment, whole)
            #expect(reader.lastSequence == 3)
            #expect(try reader.record(3) == written[2])
        }
    }
}
