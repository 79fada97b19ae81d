import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

@Suite struct JournalWriterTests {
    @Test func anEmptyJournalHasOneHeaderOnlySegment() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.appending("a/b/journal")  // parents are created too
            let writer = try openWriter(root)
            #expect(writer.lastSequence == 0)
            #expect(writer.recovery.isClean)
            #expect(try writer.append([], recordedAt: testTime).isEmpty)
            writer.close()
            #expect(try segmentPaths(root) == [root + "/00000000000000000001.cdj"])
            #expect(try fileSize(root + "/00000000000000000001.cdj") == Int64(SegmentHeader.size))
            let reader = try JournalReader.open(directory: root)
            #expect(reader.lastSequence == 0)
            #expect(try reader.recent(limit: 5).isEmpty)
            #expect(try reader.record(1) == nil)
        }
    }

    /// A batch large enough to be encoded on every core and written ahead of its `fdatasync` in several pieces,
    /// across segment rollovers, reads back exactly, chain included.
    @Test func aLargeBatchWrittenAheadAcrossRolloversReadsBack() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let bodies = (1...400).map { n in
                n % 7 == 0 ? RecordFixtures.rejected(n) : RecordFixtures.document(n, rawSize: 3000 + n)
            }
            let writer = try openWriter(root, segmentSize: 300 * 1024)
            let written = try writer.append(bodies, recordedAt: testTime)
            #expect(written.map(\.body) == bodies)
            writer.close()
            #expect(try segmentPaths(root).count >= 4)
            let all = try readAll(root)
            #expect(all == written)
            try checkChain(all)
            let reopened = try openWriter(root, segmentSize: 300 * 1024)
            #expect(reopened.recovery.isClean)
            #expect(reopened.lastSequence == 400)
            reopened.close()
            #expect(try JournalVerifier.verify(directory: root).whole)
        }
    }

    @Test func batchesReopenAndReadBack() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            var written: [JournalRecord] = []
            do {
                let writer = try openWriter(root)
                for (index, size) in [1, 5, 3].enumerated() {
                    let time = Timestamp(microseconds: testTime.microseconds + Int64(index))
                    let batch = try writer.append(
                        RecordFixtures.mixed(size, startingAt: written.count + 1), recordedAt: time)
                    #expect(batch.map(\.sequence) == Array(UInt64(written.count + 1)...UInt64(written.count + size)))
                    #expect(batch.allSatisfy { $0.recordedAt == time })
                    written += batch
                }
                #expect(writer.lastSequence == 9)
                #expect(written.map(\.body) == RecordFixtures.mixed(9))
                writer.close()
                #expect(
                    journalError { _ = try writer.append(RecordFixtures.mixed(1), recordedAt: testTime) }?.code == .io)
            }
            #expect(try readAll(root) == written)

            let writer = try openWriter(root)
            #expect(writer.recovery.isClean)
            #expect(writer.lastSequence == 9)
            let more = try writer.append(RecordFixtures.mixed(2, startingAt: 10), recordedAt: testTime)
            #expect(more.map(\.sequence) == [10, 11])
            #expect(more[0].previousHash == SHA256.hash(try RecordCodec.encode(written[8])))
            written += more
            writer.close()

            let all = try readAll(root)
            #expect(all == written)
            try checkChain(all)
            let reader = try JournalReader.open(directory: root)
            #expect(reader.lastSequence == 11)
            #expect(try reader.record(5) == written[4])
            #expect(try reader.record(0) == nil)
            #expect(try reader.record(12) == nil)
            #expect(try reader.recent(limit: 3) == [written[10], written[9], written[8]])
            #expect(try reader.recent(limit: 100) == written.reversed())
            var fromSeven: [UInt64] = []
            try reader.forEach(from: 7) { fromSeven.append($0.sequence) }
            #expect(fromSeven == [7, 8, 9, 10, 11])
        }
    }

    @Test func theChainHoldsAcrossSegmentRollover() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let segmentSize = 2048
            var written: [JournalRecord] = []
            let writer = try openWriter(root, segmentSize: segmentSize)
            written += try writer.append(RecordFixtures.mixed(7), recordedAt: testTime)
            // Larger than a whole segment: goes in alone.
            written += try writer.append([RecordFixtures.document(8, rawSize: 5000)], recordedAt: testTime)
            written += try writer.append(RecordFixtures.mixed(4, startingAt: 9), recordedAt: testTime)
            writer.close()
            let reopened = try openWriter(root, segmentSize: segmentSize)
            written += try reopened.append(RecordFixtures.mixed(3, startingAt: 13), recordedAt: testTime)
            reopened.close()

            #expect(try readAll(root) == written)
            try checkChain(written)

            let paths = try segmentPaths(root)
            #expect(paths.count >= 4)
            var previousLast: JournalRecord?
            var seen: UInt64 = 0
            for path in paths {
                let bytes = try fileBytes(path)
                let header = try SegmentHeader.decode(bytes)
                #expect(path.hasSuffix("/" + SegmentHeader.fileName(firstSequence: header.firstSequence)))
                #expect(header.firstSequence == seen + 1)
                #expect(header.chainHash == (try previousLast.map { SHA256.hash(try RecordCodec.encode($0)) } ?? .zero))
                // Walk the frames: each segment is whole, sealed unless it is the last, and only a lone record may
                // exceed the size limit.
                let (offsets, trailer) = try segmentLayout(bytes)
                let count = offsets.count
                #expect(bytes.count <= segmentSize || count == 1, "\(path): \(bytes.count) bytes, \(count) records")
                seen += UInt64(count)
                previousLast = written[Int(seen) - 1]
                if path == paths.last {
                    #expect(trailer == nil)
                } else {
                    #expect(
                        trailer
                            == SegmentTrailer(
                                recordCount: UInt64(count), firstSequence: header.firstSequence, lastSequence: seen,
                                lastRecordedAt: testTime, offset: Int64(bytes.count - SegmentTrailer.size),
                                chainHash: SHA256.hash(try RecordCodec.encode(previousLast!))
                            ), "\(path)"
                    )
                }
            }
            #expect(seen == 15)
            let big = paths.first { $0.hasSuffix(SegmentHeader.fileName(firstSequence: 8)) }
            #expect(big != nil)
            #expect(
                try big.map(fileSize) == Int64(SegmentHeader.size + Frame.headerSize + SegmentTrailer.size)
                    + Int64(try RecordCodec.encode(written[7]).count))
        }
    }

    @Test func aSecondWriterIsLockedOut() throws {
        try TemporaryDirectory.with { directory in
            let first = try openWriter(directory.path)
            _ = try first.append(RecordFixtures.mixed(2), recordedAt: testTime)
            let error = journalError { _ = try openWriter(directory.path) }
            #expect(error?.code == .locked)
            #expect(error?.path == directory.appending("LOCK"))
            first.close()
            let second = try openWriter(directory.path)
            #expect(second.lastSequence == 2)
            second.close()
        }
    }

    @Test func aNewerFormatIsRefused() throws {
        try TemporaryDirectory.with { directory in
            let writer = try openWriter(directory.path)
            _ = try writer.append(RecordFixtures.mixed(1), recordedAt: testTime)
            writer.close()
            let path = try segmentPaths(directory.path)[0]
            let original = try fileBytes(path)

            // Unknown incompatible flag: readers and writers refuse.
            var incompatible = SegmentHeader(firstSequence: 1, chainHash: .zero, incompatibleFlags: 1 << 7).encoded()
            incompatible += original[SegmentHeader.size...]
            try writeFile(path, incompatible)
            #expect(journalError { _ = try openWriter(directory.path) }?.code == .versionUnsupported)
            #expect(journalError { _ = try JournalReader.open(directory: directory.path) }?.code == .versionUnsupported)

            // Unknown compatible flag: readers read, writers refuse.
            var compatible = SegmentHeader(firstSequence: 1, chainHash: .zero, compatibleFlags: 1 << 3).encoded()
            compatible += original[SegmentHeader.size...]
            try writeFile(path, compatible)
            #expect(try readAll(directory.path).count == 1)
            #expect(journalError { _ = try openWriter(directory.path) }?.code == .versionUnsupported)
            #expect(try fileBytes(path) == compatible)  // refused without touching anything
        }
    }

    @Test func aReaderNeedsAnExistingDirectory() throws {
        try TemporaryDirectory.with { directory in
            let error = journalError { _ = try JournalReader.open(directory: directory.appending("missing")) }
            #expect(error?.code == .io)
            #expect(!FileManager.default.fileExists(atPath: directory.appending("missing")))
        }
    }
}
