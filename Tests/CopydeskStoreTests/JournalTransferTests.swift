import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

@Suite struct JournalTransferTests {
    /// Exports `root` with `selection` into NDJSON lines.
    func export(_ root: String, _ selection: ExportSelection) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        let reader = try JournalReader.open(directory: root)
        let count = try JournalExport.export(from: reader, selection: selection) { lines.append($0) }
        #expect(count == UInt64(lines.count))
        return lines
    }

    func importLines(_ lines: [[UInt8]], into root: String) throws -> ImportReport {
        let importer = try JournalImport.begin(directory: root, options: JournalOptions(segmentSize: 2048))
        for line in lines { try importer.add(try ExportedRecord(line: line)) }
        return try importer.finish()
    }

    @Test func anExportImportsIntoAnEmptyStoreAsTheSameRecords() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.appending("source"), count: 17)
            #expect(Set(journal.records.map(\.body.kind)) == Set(RecordKind.allCases))
            let lines = try export(journal.root, ExportSelection(includeRaw: true))
            #expect(lines.count == 17)
            #expect(lines.allSatisfy { $0.last == UInt8(ascii: "\n") && $0.dropLast().firstIndex(of: 10) == nil })

            let target = directory.appending("target")
            let report = try importLines(lines, into: target)
            #expect(report.records == 17)
            #expect(report.firstSequence == 1)
            #expect(report.lastSequence == 17)
            #expect(report.chainDifferences == 0)
            #expect(report.documents + report.duplicates + report.rejected == 17)

            let imported = try readAll(target)
            #expect(imported.count == journal.records.count)
            for (copy, original) in zip(imported, journal.records) {
                // Field by field; recordedAt is kept, so even the recomputed chain is the same.
                #expect(copy.sequence == original.sequence)
                #expect(copy.recordedAt == original.recordedAt)
                #expect(copy.previousHash == original.previousHash)
                #expect(copy.body.kind == original.body.kind)
                #expect(copy.body.arrival == original.body.arrival)
                switch (copy.body, original.body) {
                case (.document(let a), .document(let b)):
                    #expect(a.raw == b.raw)
                    #expect(a.article == b.article)
                    #expect(a.format == b.format)
                    #expect(a.charset == b.charset)
                case (.duplicate(let a), .duplicate(let b)):
                    #expect(a.duplicateOf == b.duplicateOf)
                    #expect(a.match == b.match)
                case (.rejected(let a), .rejected(let b)):
                    #expect(a.reason == b.reason)
                    #expect(a.rejectedAs == b.rejectedAs)
                default:
                    Issue.record("record \(copy.sequence) changed kind")
                }
                #expect(copy == original)
            }
            let verified = try JournalVerifier.verify(directory: target)
            #expect(verified.whole)
            #expect(verified.endHash == (try JournalVerifier.verify(directory: journal.root)).endHash)
            // The copy is a journal like any other: the daemon's writer opens it and appends.
            let writer = try openWriter(target)
            #expect(writer.lastSequence == 17)
            writer.close()
        }
    }

    @Test func aRangeImportsAsAJournalThatStartsThere() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.appending("source"), count: 17)
            let lines = try export(journal.root, ExportSelection(sequences: 5...11, includeRaw: true))
            #expect(try lines.map { try ExportedRecord(line: $0).sequence } == Array(5...11))
            let target = directory.appending("target")
            let report = try importLines(lines, into: target)
            #expect(report.chainDifferences == 0)
            #expect(try readAll(target) == Array(journal.records[4..<11]))
            let verified = try JournalVerifier.verify(directory: target)
            #expect(verified.whole)
            #expect(verified.firstSequence == 5)
            #expect(verified.startHash == journal.records[4].previousHash)
        }
    }

    @Test func sinceSelectsByRecordedTime() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.path, count: 12)
            let since = journal.records[6].recordedAt
            let lines = try export(journal.root, ExportSelection(since: since))
            let sequences = try lines.map { try ExportedRecord(line: $0).sequence }
            #expect(sequences == journal.records.filter { $0.recordedAt >= since }.map(\.sequence))
            #expect(sequences.first == 7)
        }
    }

    @Test func anEditedExportImportsButTheChainSaysWhere() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.appending("source"), count: 9)
            var lines = try export(journal.root, ExportSelection(includeRaw: true))
            var second = try ExportedRecord(line: lines[1])
            #expect(second.kind == "rejected")
            second.rejectedAs = "renamed.txt"
            lines[1] = try second.line()
            let report = try importLines(lines, into: directory.appending("target"))
            #expect(report.records == 9)
            #expect(report.firstChainDifference == 3)
            #expect(report.chainDifferences == 7)  // every link after the edit: each hash covers the one before
            #expect(report.text.contains("differs"))
        }
    }

    @Test func importRefusesADocumentWithoutItsBytesAStoreWithRecordsAndARunningDaemon() throws {
        try TemporaryDirectory.with { directory in
            let journal = try SealedJournal(directory.appending("source"), count: 4)
            let withoutRaw = try export(journal.root, ExportSelection())
            #expect(try ExportedRecord(line: withoutRaw[0]).raw == nil)
            #expect(try ExportedRecord(line: withoutRaw[0]).rawSize != nil)
            let error = journalError { _ = try importLines(withoutRaw, into: directory.appending("a")) }
            #expect(error?.code == .invalidRecord)
            #expect(error?.sequence == 1)

            // A store that holds records.
            #expect(journalError { _ = try JournalImport.begin(directory: journal.root) }?.code == .notEmpty)

            // A store the daemon has open (it created an empty segment on start): locked; once stopped, fine.
            let empty = directory.appending("b")
            let writer = try openWriter(empty)
            #expect(journalError { _ = try JournalImport.begin(directory: empty) }?.code == .locked)
            writer.close()
            let lines = try export(journal.root, ExportSelection(includeRaw: true))
            #expect(try importLines(lines, into: empty).records == 4)
            #expect(try readAll(empty) == journal.records)

            // Out of order lines.
            let gap = [lines[0], lines[2]]
            #expect(journalError { _ = try importLines(gap, into: directory.appending("c")) }?.sequence == 3)
        }
    }
}
