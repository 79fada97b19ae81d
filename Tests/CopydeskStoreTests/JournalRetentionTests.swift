import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

@Suite struct JournalRetentionTests {
    /// A journal of `count` records, one per batch, each a second after the one before, in small segments.
    func journal(_ root: String, count: Int = 24) throws -> (JournalWriter, [JournalRecord]) {
        let writer = try openWriter(root, segmentSize: 2048)
        var records: [JournalRecord] = []
        for n in 1...count {
            let time = Timestamp(microseconds: testTime.microseconds + Int64(n) * 1_000_000)
            records += try writer.append(RecordFixtures.mixed(1, startingAt: n), recordedAt: time)
        }
        return (writer, records)
    }

    func trailer(_ path: String) throws -> SegmentTrailer { try segmentLayout(try fileBytes(path)).trailer! }

    @Test func bySizeTheOldestSealedSegmentsGoFirst() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let (writer, records) = try journal(root)
            let paths = try segmentPaths(root)
            #expect(paths.count >= 5)
            let sizes = try paths.map(fileSize)
            let total = sizes.reduce(0, +)
            let reader = try JournalReader.open(directory: root)  // opened before, follows after
            #expect(reader.firstSequence == 1)

            let policy = RetentionPolicy(maxSize: total - sizes[0] - sizes[1], collectDocumentHashes: true)
            let report = try writer.applyRetention(policy, now: testTime)
            #expect(report.removedSegments == Array(paths[..<2]))
            #expect(report.removedBytes == sizes[0] + sizes[1])
            let kept = try SegmentHeader.decode(try fileBytes(paths[2])).firstSequence
            #expect(report.firstKeptSequence == kept)
            #expect(report.removedRecords == kept - 1)
            let removedDocuments = records[..<Int(kept - 1)].compactMap { record -> RemovedDocument? in
                guard case .document(let document) = record.body else { return nil }
                return RemovedDocument(sequence: record.sequence, sha256: document.arrival.sha256!)
            }
            #expect(!removedDocuments.isEmpty)
            #expect(report.removedDocuments == removedDocuments)
            #expect(try segmentPaths(root) == Array(paths[2...]))

            let verified = try JournalVerifier.verify(directory: root)
            #expect(verified.whole, "\(verified.text)")
            #expect(verified.firstSequence == kept)
            #expect(verified.startHash == SHA256.hash(try RecordCodec.encode(records[Int(kept) - 2])))
            #expect(verified.notes.contains { $0.contains("retention") })

            #expect(reader.firstSequence == kept)
            var seen: [JournalRecord] = []
            try reader.forEach { seen.append($0) }
            #expect(seen == Array(records[Int(kept - 1)...]))
            #expect(try reader.record(1) == nil)

            let more = try writer.append(RecordFixtures.mixed(3, startingAt: 40), recordedAt: testTime)
            writer.close()
            #expect(more.first?.sequence == 25)
            #expect(try JournalVerifier.verify(directory: root).whole)
            let reopened = try openWriter(root, segmentSize: 2048)
            #expect(reopened.lastSequence == 27)
            reopened.close()
        }
    }

    @Test func theOpenSegmentIsNeverRemoved() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let (writer, records) = try journal(root)
            let paths = try segmentPaths(root)
            let report = try writer.applyRetention(RetentionPolicy(maxSize: 1), now: testTime)
            #expect(report.removedSegments == Array(paths.dropLast()))
            #expect(try segmentPaths(root) == [paths.last!])
            let first = try SegmentHeader.decode(try fileBytes(paths.last!)).firstSequence
            #expect(try readAll(root) == Array(records[Int(first - 1)...]))
            #expect(try JournalVerifier.verify(directory: root).whole)
            // Nothing is left to remove.
            #expect(try writer.applyRetention(RetentionPolicy(maxSize: 1), now: testTime).removedSegments.isEmpty)
            writer.close()
        }
    }

    @Test func byAgeSegmentsWhoseLastRecordIsOlderGo() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let (writer, records) = try journal(root)
            let paths = try segmentPaths(root)
            let cutoff = Timestamp(microseconds: try trailer(paths[1]).lastRecordedAt.microseconds + 1)
            #expect(try trailer(paths[2]).lastRecordedAt >= cutoff)
            let now = Timestamp(microseconds: cutoff.microseconds + 3_600_000_000)

            // An hour and a bit: nothing that old.
            let none = try writer.applyRetention(RetentionPolicy(maxAge: .seconds(3700)), now: now)
            #expect(none.removedSegments.isEmpty)
            #expect(none.removedDocuments.isEmpty)

            let report = try writer.applyRetention(RetentionPolicy(maxAge: .seconds(3600)), now: now)
            #expect(report.removedSegments == Array(paths[..<2]))
            #expect(report.removedDocuments.isEmpty)  // not asked for
            let kept = try SegmentHeader.decode(try fileBytes(paths[2])).firstSequence
            #expect(try readAll(root) == Array(records[Int(kept - 1)...]))
            #expect(try JournalVerifier.verify(directory: root).whole)
            #expect(try writer.applyRetention(.keepEverything, now: now).removedSegments.isEmpty)
            writer.close()
        }
    }

    @Test func thePolicyComesFromTheConfiguration() throws {
        var configuration = Configuration.rooted(at: "/x")
        #expect(RetentionPolicy(configuration).keepsEverything)
        configuration.retentionMaxAge = 30 * 86_400
        configuration.retentionMaxSize = 10 << 30
        let policy = RetentionPolicy(configuration, collectDocumentHashes: true)
        #expect(policy.maxAge == .seconds(30 * 86_400))
        #expect(policy.maxSize == 10 << 30)
        #expect(policy.collectDocumentHashes)
    }
}
