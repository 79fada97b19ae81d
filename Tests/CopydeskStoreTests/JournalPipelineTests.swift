import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// Two batches in flight: batch N+1 is encoded (``JournalEncoder``) while batch N is committed
/// (``JournalWriter/commit(_:)``). The bytes must be those `append` writes, and a failed commit must take every
/// batch encoded after it down with it.
@Suite struct JournalPipelineTests {
    /// Batches of every size, across several rollovers (a small segment size), the next one always encoded before
    /// the previous one is committed: the segment files are byte for byte those `append` writes.
    @Test func pipelinedBatchesWriteTheSameBytesAsAppend() throws {
        try TemporaryDirectory.with { directory in
            let serialRoot = directory.appending("serial")
            let pipelinedRoot = directory.appending("pipelined")
            let sizes = [1, 3, 17, 64, 1, 2, 90, 5, 40, 1, 33]
            var batches: [[RecordBody]] = []
            var first = 1
            for size in sizes {
                batches.append((first..<first + size).map { n in
                    n % 5 == 0 ? RecordFixtures.rejected(n) : RecordFixtures.document(n, rawSize: 2000 + 37 * n)
                })
                first += size
            }
            func time(_ index: Int) -> Timestamp { Timestamp(microseconds: testTime.microseconds + Int64(index)) }

            let serial = try openWriter(serialRoot, segmentSize: 96 * 1024)
            var appended: [JournalRecord] = []
            for (index, bodies) in batches.enumerated() {
                appended += try serial.append(bodies, recordedAt: time(index))
            }
            serial.close()

            let writer = try openWriter(pipelinedRoot, segmentSize: 96 * 1024)
            let encoder = writer.encoder
            var committed: [JournalRecord] = []
            var inFlight = try encoder.encode(batches[0], recordedAt: time(0), after: writer.tail)
            for index in batches.indices.dropFirst() {
                let next = try encoder.encode(batches[index], recordedAt: time(index), after: inFlight.end)
                #expect(next.records.first?.sequence == inFlight.end.link.sequence + 1)
                committed += try writer.commit(inFlight)
                #expect(writer.tail == inFlight.end)
                inFlight = next
            }
            committed += try writer.commit(inFlight)
            #expect(writer.lastSequence == UInt64(sizes.reduce(0, +)))
            writer.close()

            #expect(committed == appended)
            let serialFiles = try segmentPaths(serialRoot).map { ($0 as NSString).lastPathComponent }
            let pipelinedFiles = try segmentPaths(pipelinedRoot).map { ($0 as NSString).lastPathComponent }
            #expect(serialFiles.count >= 4, "the batches span several segments")
            #expect(pipelinedFiles == serialFiles)
            for name in serialFiles {
                #expect(
                    try fileBytes(pipelinedRoot + "/" + name) == fileBytes(serialRoot + "/" + name),
                    "segment \(name) differs"
                )
            }
            #expect(try readAll(pipelinedRoot) == appended)
            #expect(try JournalVerifier.verify(directory: pipelinedRoot).whole)
        }
    }

    /// How records are batched must not show in the journal: two large batches (their metadata encoded on every
    /// core, rollovers inside each) give byte for byte what the same records appended one at a time give, and
    /// `verify` reads every frame, checksum and link as whole.
    @Test func largeBatchesWriteTheSameBytesAsOneAtATime() throws {
        try TemporaryDirectory.with { directory in
            let bodies = (1...600).map { n in
                n % 7 == 0 ? RecordFixtures.rejected(n) : RecordFixtures.document(n, rawSize: 1500 + 53 * (n % 40))
            }
            #expect(bodies.count >= 2 * 32, "large enough for the metadata to be encoded on every core")
            let oneRoot = directory.appending("one")
            let single = try openWriter(oneRoot, segmentSize: 128 * 1024)
            var appended: [JournalRecord] = []
            for body in bodies { appended += try single.append([body], recordedAt: testTime) }
            single.close()

            let batchRoot = directory.appending("batch")
            let writer = try openWriter(batchRoot, segmentSize: 128 * 1024)
            // Two large batches, the second encoded before the first is committed.
            let first = try writer.encoder.encode(Array(bodies[..<350]), recordedAt: testTime, after: writer.tail)
            let second = try writer.encoder.encode(Array(bodies[350...]), recordedAt: testTime, after: first.end)
            let committed = try writer.commit(first) + writer.commit(second)
            writer.close()

            #expect(committed == appended)
            let names = try segmentPaths(oneRoot).map { ($0 as NSString).lastPathComponent }
            #expect(names.count >= 8, "rollovers fall inside each batch")
            #expect(try segmentPaths(batchRoot).map { ($0 as NSString).lastPathComponent } == names)
            for name in names {
                #expect(try fileBytes(batchRoot + "/" + name) == fileBytes(oneRoot + "/" + name), "segment \(name) differs")
            }
            #expect(try readAll(batchRoot) == appended)
            #expect(try JournalVerifier.verify(directory: batchRoot).whole)
        }
    }

    /// The pipeline continues a journal that `append` wrote and that was reopened (the tail comes from recovery).
    @Test func aReopenedJournalContinuesPipelined() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            var written: [JournalRecord] = []
            do {
                let writer = try openWriter(root)
                written += try writer.append(RecordFixtures.mixed(4), recordedAt: testTime)
                writer.close()
            }
            let writer = try openWriter(root)
            let encoded = try writer.encoder.encode(
                RecordFixtures.mixed(3, startingAt: 5), recordedAt: testTime, after: writer.tail
            )
            written += try writer.commit(encoded)
            #expect(written.map(\.sequence) == [1, 2, 3, 4, 5, 6, 7])
            written += try writer.append(RecordFixtures.mixed(2, startingAt: 8), recordedAt: testTime)
            writer.close()
            let all = try readAll(root)
            #expect(all == written)
            try checkChain(all)
        }
    }

    /// A batch encoded after one that was never committed starts past the journal's end: it is refused and not a
    /// byte is written; encoded again after the writer's tail, it goes in.
    @Test func aBatchThatDoesNotStartAtTheEndIsRefused() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            _ = try writer.append(RecordFixtures.mixed(2), recordedAt: testTime)
            let encoder = writer.encoder
            let skipped = try encoder.encode(RecordFixtures.mixed(3, startingAt: 3), recordedAt: testTime, after: writer.tail)
            let after = try encoder.encode(RecordFixtures.mixed(2, startingAt: 6), recordedAt: testTime, after: skipped.end)
            let path = try #require(writer.openSegmentPath)
            let before = try fileBytes(path)
            let error = journalError { _ = try writer.commit(after) }
            #expect(error?.code == .io)
            #expect(writer.lastSequence == 2)
            #expect(try fileBytes(path) == before)

            let again = try encoder.encode(RecordFixtures.mixed(2, startingAt: 6), recordedAt: testTime, after: writer.tail)
            #expect(try writer.commit(again).map(\.sequence) == [3, 4])
            // The stale batch is now as far from the end as before.
            #expect(journalError { _ = try writer.commit(skipped) }?.code == .io)
            writer.close()
            let all = try readAll(root)
            #expect(all.map(\.sequence) == [1, 2, 3, 4])
            try checkChain(all)
        }
    }

    /// The disk fills up for real (a small tmpfs) while two batches are in flight: the failed one is cut off again,
    /// the one encoded after it is refused, the journal ends at the last durable record, and once space is back
    /// the same records go in again from there. Needs permission to mount; skipped with a message otherwise.
    @Test func aFullDiskDropsTheFailedBatchAndTheOneEncodedAfterIt() throws {
        let root = try TemporaryDirectory(prefix: "copydesk-pipeline-full")
        defer { root.remove() }
        let mountPoint = root.appending("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        if let reason = SmallFileSystem.mount(at: mountPoint, size: "256k") {
            print("JournalPipelineTests: SKIPPED the disk-full case, a tmpfs cannot be mounted here: \(reason)")
            try Test.cancel("disk-full case skipped: \(reason)")
        }
        defer { SmallFileSystem.unmount(mountPoint) }
        let journal = mountPoint + "/journal"
        let writer = try openWriter(journal)
        var durable = try writer.append((1...4).map { RecordFixtures.document($0, rawSize: 3000) }, recordedAt: testTime)
        let path = try #require(writer.openSegmentPath)
        let filler = mountPoint + "/filler"
        SmallFileSystem.fill(filler, leaving: 8 * 1024)
        let sizeBefore = try fileSize(path)

        let encoder = writer.encoder
        let bodies = (5...24).map { RecordFixtures.document($0, rawSize: 3000) }  // ~60 KiB: does not fit
        let failing = try encoder.encode(bodies, recordedAt: testTime, after: writer.tail)
        let later = try encoder.encode(
            [RecordFixtures.document(25, rawSize: 100)], recordedAt: testTime, after: failing.end
        )
        let failure = journalError { _ = try writer.commit(failing) }
        #expect(failure.map { "\($0)" }?.contains("No space left") == true, "\(String(describing: failure))")
        #expect(writer.lastSequence == 4)
        #expect(try fileSize(path) == sizeBefore, "the failed batch's bytes are cut off again")
        #expect(journalError { _ = try writer.commit(later) } != nil)
        #expect(try fileSize(path) == sizeBefore)

        try FileManager.default.removeItem(atPath: filler)
        let retried = try encoder.encode(bodies, recordedAt: testTime, after: writer.tail)
        durable += try writer.commit(retried)
        durable += try writer.commit(try encoder.encode(
            [RecordFixtures.document(25, rawSize: 100)], recordedAt: testTime, after: retried.end
        ))
        writer.close()
        let all = try readAll(journal)
        #expect(all == durable)
        #expect(all.map(\.sequence) == Array(1...25))
        try checkChain(all)
        #expect(try JournalVerifier.verify(directory: journal).whole)
    }
}
