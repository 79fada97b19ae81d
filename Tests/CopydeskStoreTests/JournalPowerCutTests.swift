import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

/// A power cut during the last batch leaves any prefix of its bytes on disk. At every byte offset of that batch,
/// the journal must reopen to exactly the records wholly written before the cut, and appends must continue from
/// there with a correct chain.
@Suite struct JournalPowerCutTests {
    /// The bytes one batch wrote, in write order: the tail of the segment it started in (frames, then the trailer
    /// when it sealed it) and, when it rolled over, the new segment (header, then frames).
    struct BatchBytes {
        var segment: String
        var segmentBefore: [UInt8]
        var tail: [UInt8]
        var newSegment: String?
        var newBytes: [UInt8]
        /// Where, in `tail + newBytes`, each record of the batch ends.
        var recordEnds: [Int]

        var count: Int { tail.count + newBytes.count }

        /// Writes the journal as the cut left it: `tail` and `newBytes` cut to `cut` bytes in total.
        func write(cut: Int, into root: String, unchanged: [String: [UInt8]]) throws {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            for (name, bytes) in unchanged { try writeFile(root + "/" + name, bytes) }
            let name = { (path: String) in URL(fileURLWithPath: path).lastPathComponent }
            try writeFile(root + "/" + name(segment), segmentBefore + tail.prefix(cut))
            if let newSegment, cut > tail.count {
                try writeFile(root + "/" + name(newSegment), Array(newBytes.prefix(cut - tail.count)))
            }
        }

        /// How many of the batch's records lie wholly before `cut`.
        func wholeRecords(before cut: Int) -> Int { recordEnds.filter { $0 <= cut }.count }
    }

    /// Writes `before`, then `batch` in ONE append, and finds the bytes the batch added.
    static func layout(
        root: String, segmentSize: Int, before: [RecordBody], batch: [RecordBody]
    ) throws -> (BatchBytes, unchanged: [String: [UInt8]], earlier: [JournalRecord], written: [JournalRecord]) {
        let writer = try openWriter(root, segmentSize: segmentSize)
        let earlier = try writer.append(before, recordedAt: testTime)
        let pathsBefore = try segmentPaths(root)
        let segment = pathsBefore.last!
        let segmentBefore = try fileBytes(segment)
        let written = try writer.append(batch, recordedAt: testTime)
        writer.close()
        let pathsAfter = try segmentPaths(root)
        #expect(pathsAfter.count <= pathsBefore.count + 1, "one batch should roll over at most once here")
        let newSegment = pathsAfter.count > pathsBefore.count ? pathsAfter.last : nil
        let tail = Array(try fileBytes(segment)[segmentBefore.count...])
        let newBytes = try newSegment.map(fileBytes) ?? []

        // Where each record of the batch ends, counted in the batch's bytes (old segment's tail, then new segment).
        let old = segmentBefore + tail
        var ends = try segmentLayout(old).offsets.filter { $0 >= segmentBefore.count }.map {
            try Frame.decode(old, at: $0).next - segmentBefore.count
        }
        if newSegment != nil {
            ends += try segmentLayout(newBytes).offsets.map { tail.count + (try Frame.decode(newBytes, at: $0).next) }
        }
        #expect(ends.count == batch.count)
        var unchanged: [String: [UInt8]] = [:]
        for path in pathsBefore.dropLast() {
            unchanged[URL(fileURLWithPath: path).lastPathComponent] = try fileBytes(path)
        }
        return (
            BatchBytes(
                segment: segment, segmentBefore: segmentBefore, tail: tail, newSegment: newSegment,
                newBytes: newBytes, recordEnds: ends
            ), unchanged, earlier, written
        )
    }

    static func cutEverywhere(segmentSize: Int, expectRollover: Bool) throws {
        try TemporaryDirectory.with(inMemory: true) { directory in
            let before = RecordFixtures.mixed(4)
            let batch = [RecordFixtures.document(5, rawSize: 40)] + RecordFixtures.mixed(3, startingAt: 6)
            let (bytes, unchanged, earlier, written) = try layout(
                root: directory.appending("source"), segmentSize: segmentSize, before: before, batch: batch
            )
            #expect((bytes.newSegment != nil) == expectRollover)
            if expectRollover {
                // The batch sealed the segment it started in.
                #expect(try segmentLayout(bytes.segmentBefore + bytes.tail).trailer != nil)
            }
            var checked = 0
            for cut in 0..<bytes.count {
                let root = directory.appending("cut-\(cut)")
                try bytes.write(cut: cut, into: root, unchanged: unchanged)
                let kept = bytes.wholeRecords(before: cut)
                let expected = earlier + written.prefix(kept)

                // A reader sees exactly the whole records before the cut.
                #expect(try readAll(root) == expected, "cut at \(cut)")
                // The writer reopens to the same prefix and appends after it.
                let writer = try openWriter(root, segmentSize: segmentSize)
                #expect(writer.lastSequence == UInt64(expected.count), "cut at \(cut)")
                let next = try writer.append([RecordFixtures.rejected(99)], recordedAt: testTime)
                writer.close()
                #expect(next[0].sequence == UInt64(expected.count + 1), "cut at \(cut)")
                #expect(next[0].previousHash == SHA256.hash(try RecordCodec.encode(expected.last!)), "cut at \(cut)")
                #expect(try readAll(root) == expected + next, "cut at \(cut)")
                let report = try JournalVerifier.verify(directory: root)
                #expect(report.whole, "cut at \(cut): \(report.text)")
                #expect(report.lastSequence == UInt64(expected.count + 1))
                try FileManager.default.removeItem(atPath: root)
                checked += 1
            }
            #expect(checked == bytes.count)
            #expect(bytes.recordEnds.last == bytes.count)
        }
    }

    @Test func aBatchCutAtEveryByteReopensToAWholePrefix() throws {
        try Self.cutEverywhere(segmentSize: 64 << 20, expectRollover: false)
    }

    @Test func aBatchThatSealsASegmentCutAtEveryByteReopensToAWholePrefix() throws {
        // Room for the four earlier records and about one of the batch: the batch seals the segment and starts the
        // next, so cuts land in its frames, in the trailer, in the new header and in the new segment's frames.
        let probe = try RecordFixtures.mixed(4).enumerated().map { index, body in
            try RecordCodec.encode(
                JournalRecord(sequence: UInt64(index + 1), recordedAt: testTime, previousHash: .zero, body: body)
            ).count + Frame.headerSize
        }.reduce(SegmentHeader.size, +)
        try Self.cutEverywhere(segmentSize: probe + 900 + SegmentTrailer.size, expectRollover: true)
    }
}
