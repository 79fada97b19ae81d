import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

@Suite struct JournalRepairTests {
    /// The names in `damaged/`, sorted.
    func damagedNames(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/damaged").sorted()
    }

    func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    @Test func damageInASealedSegmentIsSetAsideAndTheDaemonCanStartAgain() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 20)
            let target: UInt64 = 7
            let (path, offset) = try journal.locate(target)
            let index = journal.paths.firstIndex(of: path)!
            #expect(index > 0 && index < journal.paths.count - 2)
            let first = try SegmentHeader.decode(try fileBytes(path)).firstSequence
            let lastInSegment = try segmentLayout(try fileBytes(path)).trailer!.lastSequence
            #expect(first < target && target < lastInSegment)
            var bytes = try fileBytes(path)
            bytes[offset + 30] ^= 0x20
            try writeFile(path, bytes)
            let later = Array(journal.paths[(index + 1)...])
            let laterBytes = try later.map(fileBytes)
            #expect(journalError { _ = try openWriter(journal.root) }?.code == nil)  // the writer does not see it…
            #expect(try JournalVerifier.verify(directory: journal.root).problem?.sequence == target)  // …verify does

            let report = try JournalRepair.repair(directory: journal.root)
            #expect(report.problems.map(\.sequence) == [target])
            #expect(report.after.whole, "\(report.text)")
            #expect(report.after.lastSequence == target - 1)

            // The damaged segment's good prefix is in the journal, under its own name.
            #expect(try segmentPaths(journal.root) == Array(journal.paths[...index]))
            #expect(try readAll(journal.root) == Array(journal.records[..<Int(target - 1)]))
            // Nothing was deleted: the original, every later segment, and the records after the damage.
            #expect(
                try damagedNames(journal.root)
                    == ([name(path), name(path) + ".after-damage.ndjson"] + later.map(name)).sorted()
            )
            #expect(try fileBytes(journal.root + "/damaged/" + name(path)) == bytes)
            for (laterPath, original) in zip(later, laterBytes) {
                #expect(try fileBytes(journal.root + "/damaged/" + name(laterPath)) == original)
            }
            let salvaged = try String(
                contentsOfFile: journal.root + "/damaged/" + name(path) + ".after-damage.ndjson", encoding: .utf8
            ).split(separator: "\n").map { try ExportedRecord(line: Array($0.utf8)).record() }
            #expect(salvaged == Array(journal.records[Int(target)..<Int(lastInSegment)]))
            #expect(report.actions.map(\.kind) == [.salvaged] + later.map { _ in .movedAside } + [.truncated])
            #expect(report.actions.last?.records == target - first)
            #expect(report.actions.last?.lastSequence == target - 1)

            // The daemon's writer opens and appends after the kept records.
            let writer = try openWriter(journal.root, segmentSize: SealedJournal.segmentSize)
            #expect(writer.lastSequence == target - 1)
            let next = try writer.append(RecordFixtures.mixed(5, startingAt: 30), recordedAt: testTime)
            writer.close()
            #expect(next.first?.sequence == target)
            let after = try JournalVerifier.verify(directory: journal.root)
            #expect(after.whole, "\(after.text)")
            #expect(after.lastSequence == target + 4)
        }
    }

    @Test func damageInTheLastSegmentKeepsTheRecordsBeforeIt() throws {
        try TemporaryDirectory.with { directory in
            let root = directory.path
            let writer = try openWriter(root)
            let written = try writer.append(RecordFixtures.mixed(6), recordedAt: testTime)
            writer.close()
            let offsets = try frameOffsets(written)
            let segment = try segmentPaths(root)[0]
            var bytes = try fileBytes(segment)
            bytes[Int(offsets[2]) + 9] ^= 0x01
            try writeFile(segment, bytes)
            #expect(journalError { _ = try openWriter(root) }?.sequence == 3)

            let report = try JournalRepair.repair(directory: root)
            #expect(report.after.whole)
            #expect(try readAll(root) == Array(written[..<2]))
            #expect(try fileBytes(root + "/damaged/" + name(segment)) == bytes)
            #expect(report.actions.first { $0.kind == .salvaged }?.records == 3)
            let reopened = try openWriter(root)
            #expect(reopened.lastSequence == 2)
            reopened.close()
        }
    }

    @Test func aDamagedTrailerIsResealedAndEveryRecordKept() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 20)
            let path = journal.paths[1]
            let original = try fileBytes(path)
            var bytes = original
            bytes[bytes.count - 50] ^= 0x01
            try writeFile(path, bytes)
            #expect(journalError { _ = try openWriter(journal.root) }?.code == .corrupt)

            let report = try JournalRepair.repair(directory: journal.root)
            #expect(report.problems.map(\.kind) == [.trailer])
            #expect(report.actions.map(\.kind) == [.resealed])
            #expect(report.after.whole)
            #expect(try fileBytes(path) == original)  // the trailer it was given is the one the writer wrote
            #expect(try fileBytes(journal.root + "/damaged/" + name(path)) == bytes)
            #expect(try segmentPaths(journal.root) == journal.paths)
            #expect(try readAll(journal.root) == journal.records)
            let writer = try openWriter(journal.root)
            #expect(writer.lastSequence == 20)
            writer.close()
        }
    }

    @Test func aHeaderWithTheWrongChainHashIsRewritten() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 20)
            let path = journal.paths[2]
            let original = try fileBytes(path)
            var bytes = original
            let header = try SegmentHeader.decode(bytes)
            bytes.replaceSubrange(
                0..<SegmentHeader.size,
                with: SegmentHeader(firstSequence: header.firstSequence, chainHash: SHA256.hash([7])).encoded()
            )
            try writeFile(path, bytes)

            let report = try JournalRepair.repair(directory: journal.root)
            #expect(report.actions.map(\.kind) == [.rewroteHeader])
            #expect(report.after.whole)
            #expect(try fileBytes(path) == original)
            #expect(try readAll(journal.root) == journal.records)
        }
    }

    @Test func aWholeJournalNeedsNothing() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let report = try JournalRepair.repair(directory: journal.root)
            #expect(report.nothingToDo)
            #expect(report.actions.isEmpty)
            #expect(report.after.whole)
            #expect(!FileManager.default.fileExists(atPath: journal.root + "/damaged"))
            #expect(report.text.hasPrefix("Nothing to repair"))
        }
    }

    @Test func repairRefusesWhileTheDaemonRuns() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path)
            let (path, offset) = try journal.locate(3)
            var bytes = try fileBytes(path)
            bytes[offset + 20] ^= 0x01
            try writeFile(path, bytes)
            let writer = try openWriter(journal.root, segmentSize: SealedJournal.segmentSize)  // "the daemon"
            #expect(journalError { _ = try JournalRepair.repair(directory: journal.root) }?.code == .locked)
            #expect(try fileBytes(path) == bytes)
            writer.close()
            #expect(try JournalRepair.repair(directory: journal.root).after.whole)
        }
    }
}
