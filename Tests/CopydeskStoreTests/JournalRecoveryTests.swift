import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

@Suite struct JournalRecoveryTests {
    @Test func theLastRecordCutAtEveryByteRecoversToTheRecordsBeforeIt() throws {
        try TemporaryDirectory.with { directory in
            let source = directory.appending("source")
            let writer = try openWriter(source)
            let before = try writer.append(RecordFixtures.mixed(3), recordedAt: testTime)
            let last = try writer.append([RecordFixtures.document(4, rawSize: 8)], recordedAt: testTime)[0]
            writer.close()
            let segmentName = SegmentHeader.fileName(firstSequence: 1)
            let whole = try fileBytes(source + "/" + segmentName)
            let offsets = try frameOffsets(before + [last])
            let (start, end) = (Int(offsets[3]), Int(offsets[4]))
            #expect(end == whole.count)

            for cut in start..<end {
                let root = directory.appending("cut-\(cut)")
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
                let segment = root + "/" + segmentName
                try writeFile(segment, Array(whole[..<cut]))

                // A reader stops quietly at the torn tail and changes nothing.
                #expect(try readAll(root) == before, "cut at \(cut)")
                #expect(try fileSize(segment) == Int64(cut))

                let (logger, entries) = RecordingLogHandler.logger()
                let reopened = try openWriter(root, logger: logger)
                #expect(reopened.lastSequence == 3, "cut at \(cut)")
                if cut == start {
                    #expect(reopened.recovery.isClean)
                    #expect(entries.all.allSatisfy { $0.level < .warning })
                } else {
                    #expect(reopened.recovery.segment == segment)
                    #expect(reopened.recovery.offset == Int64(start))
                    #expect(reopened.recovery.bytesDropped == Int64(cut - start))
                    let warning = entries.all.first { $0.level == .warning }
                    #expect(warning?.metadata["journal.segment"] == "\(segment)")
                    #expect(warning?.metadata["journal.offset"] == "\(start)")
                    #expect(warning?.metadata["journal.bytesDropped"] == "\(cut - start)")
                }
                #expect(try fileSize(segment) == Int64(start))
                let next = try reopened.append([RecordFixtures.rejected(5)], recordedAt: testTime)
                reopened.close()
                #expect(next.map(\.sequence) == [4])
                #expect(next[0].previousHash == SHA256.hash(try RecordCodec.encode(before[2])))
                #expect(try readAll(root) == before + next)
                try FileManager.default.removeItem(atPath: root)
            }
        }
    }

    @Test(arguments: [
        ("zeros", [UInt8](repeating: 0, count: 4096)),
        ("ones", [UInt8](repeating: 0xFF, count: 13)),
        ("noise", (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 167 &+ 91) }),
        ("short header", [0x40, 0, 0]),
        ("plausible length", [0x40, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF] + [UInt8](repeating: 7, count: 64)),
    ])
    func garbageAfterTheLastRecordIsTruncated(name: String, garbage: [UInt8]) throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            let written = try writer.append(RecordFixtures.mixed(3), recordedAt: testTime)
            writer.close()
            let segment = try segmentPaths(root)[0]
            let size = try fileSize(segment)
            try writeFile(segment, try fileBytes(segment) + garbage)

            #expect(try readAll(root) == written, "\(name)")
            let reopened = try openWriter(root)
            #expect(reopened.recovery.offset == size, "\(name)")
            #expect(reopened.recovery.bytesDropped == Int64(garbage.count), "\(name)")
            #expect(try fileSize(segment) == size)
            let next = try reopened.append(RecordFixtures.mixed(1, startingAt: 4), recordedAt: testTime)
            reopened.close()
            #expect(next[0].sequence == 4)
            try checkChain(try readAll(root))
        }
    }

    /// Offsets inside record 3 (of 5) to damage: its length field, its checksum, its payload header and its body.
    @Test(arguments: [0, 2, 5, 8 + 4, 8 + 30, -1])
    func aDamagedMiddleRecordIsReportedNotTruncated(delta: Int) throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            let written = try writer.append(RecordFixtures.mixed(5), recordedAt: testTime)
            writer.close()
            let segment = try segmentPaths(root)[0]
            let offsets = try frameOffsets(written)
            let target = Int(delta >= 0 ? offsets[2] + Int64(delta) : offsets[3] + Int64(delta))
            var bytes = try fileBytes(segment)
            bytes[target] ^= 0x5A
            try writeFile(segment, bytes)

            let error = journalError { _ = try openWriter(root) }
            #expect(error?.code == .corrupt, "delta \(delta): \(String(describing: error))")
            #expect(error?.path == segment)
            #expect(error?.offset == offsets[2])
            #expect(error?.sequence == 3)
            #expect(try fileBytes(segment) == bytes)  // nothing cut

            let readerError = journalError { _ = try JournalReader.open(directory: root) }
            #expect(readerError?.code == .corrupt)
            #expect(readerError?.offset == offsets[2])
            #expect(readerError?.sequence == 3)
        }
    }

    @Test func damageInAnEarlierSegmentIsReported() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root, segmentSize: 1024)
            let written = try writer.append(RecordFixtures.mixed(9), recordedAt: testTime)
            writer.close()
            let paths = try segmentPaths(root)
            #expect(paths.count >= 4)

            // The oldest segment: the writer opens (it checks only headers there), readers report the record.
            var oldest = try fileBytes(paths[0])
            let firstRecordEnd = try frameOffsets([written[0]])[1]
            oldest[Int(firstRecordEnd) - 3] ^= 0x01
            try writeFile(paths[0], oldest)
            let reopened = try openWriter(root, segmentSize: 1024)
            #expect(reopened.lastSequence == 9)
            reopened.close()
            let reader = try JournalReader.open(directory: root)
            #expect(try reader.record(9) == written[8])
            let error = journalError { _ = try reader.record(1) }
            #expect(error?.code == .corrupt)
            #expect(error?.path == paths[0])
            #expect(error?.offset == Int64(SegmentHeader.size))
            #expect(error?.sequence == 1)
            #expect(journalError { try reader.forEach { _ in } }?.sequence == 1)
            oldest[Int(firstRecordEnd) - 3] ^= 0x01
            try writeFile(paths[0], oldest)

            // The segment before the last: the writer walks it with checksums and refuses.
            let penultimate = paths[paths.count - 2]
            let original = try fileBytes(penultimate)
            let layout = try segmentLayout(original)
            let trailerOffset = original.count - SegmentTrailer.size
            var bytes = original
            bytes[trailerOffset - 1] ^= 0x80  // the last byte of its last record
            try writeFile(penultimate, bytes)
            let writerError = journalError { _ = try openWriter(root, segmentSize: 1024) }
            #expect(writerError?.code == .corrupt)
            #expect(writerError?.path == penultimate)
            #expect(writerError?.offset == Int64(layout.offsets.last!))

            // Its trailer: the writer refuses too, naming the trailer's offset.
            bytes = original
            bytes[bytes.count - 1] ^= 0x80
            try writeFile(penultimate, bytes)
            let trailerError = journalError { _ = try openWriter(root, segmentSize: 1024) }
            #expect(trailerError?.code == .corrupt)
            #expect(trailerError?.path == penultimate)
            #expect(trailerError?.offset == Int64(trailerOffset))

            // A torn tail in a segment that is not the last is damage, not a tail to cut.
            try writeFile(penultimate, Array(bytes.dropLast(5)))
            #expect(journalError { _ = try openWriter(root, segmentSize: 1024) }?.code == .corrupt)
            #expect(journalError { _ = try JournalReader.open(directory: root) }?.path == penultimate)
            #expect(try fileSize(penultimate) == Int64(bytes.count - 5))
        }
    }

    @Test func aSegmentWithATornHeaderIsRemovedAndRecreated() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root, segmentSize: 1024)
            let written = try writer.append(RecordFixtures.mixed(5), recordedAt: testTime)
            writer.close()
            let next = root + "/" + SegmentHeader.fileName(firstSequence: 6)
            let header = SegmentHeader(firstSequence: 6, chainHash: SHA256.hash(try RecordCodec.encode(written[4])))
            try writeFile(next, Array(header.encoded()[..<30]))
            try writeFile(root + "/" + SegmentHeader.fileName(firstSequence: 6) + ".tmp", [1, 2, 3])

            #expect(try readAll(root) == written)  // the reader ignores it
            let reopened = try openWriter(root, segmentSize: 1024)
            #expect(reopened.recovery.removedSegments == [next])
            #expect(reopened.lastSequence == 5)
            #expect(!FileManager.default.fileExists(atPath: next + ".tmp"))
            // Larger than a segment, so it must start segment 6 anew.
            let bodies = [RecordFixtures.document(6, rawSize: 2000)] + RecordFixtures.mixed(2, startingAt: 7)
            let more = try reopened.append(bodies, recordedAt: testTime)
            reopened.close()
            #expect(more.map(\.sequence) == [6, 7, 8])
            #expect(try SegmentHeader.decode(try fileBytes(next)) == header)
            #expect(try readAll(root) == written + more)
            try checkChain(written + more)
        }
    }
}
