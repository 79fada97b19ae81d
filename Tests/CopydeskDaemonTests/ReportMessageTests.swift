@testable import CopydeskDaemon
import CopydeskCore
import CopydeskTestSupport
import Testing

/// What `journalctl -u copydeskd` shows by default is the message alone: it must name the record and the file.
@Suite struct ReportMessageTests {
    @Test func theSubjectNamesTheRecordAndTheFileWithItsChannel() {
        let inChannel = JournalRecord(sequence: 12, recordedAt: .epoch, previousHash: .zero, body: RecordFixtures.document(2))
        let atTop = JournalRecord(sequence: 13, recordedAt: .epoch, previousHash: .zero, body: RecordFixtures.rejected(3))
        #expect(Pipeline.subject(inChannel) == "#12 xinhua/dépêche-2.txt")
        #expect(Pipeline.subject(atTop) == "#13 dépêche-3.txt")
    }

    @Test func longHeadlinesAreCutToALogLine() {
        #expect(Pipeline.headline("NATO to join coalition") == "\"NATO to join coalition\"")
        let long = String(repeating: "é", count: 150)
        let cut = Pipeline.headline(long)
        #expect(cut.count == 102 && cut.hasSuffix("…\""))
        // Counted in characters, not bytes: 60 two-byte letters are kept whole; 100 ASCII ones too, 101 are cut.
        let accented = String(repeating: "é", count: 60)
        #expect(Pipeline.headline(accented) == "\"" + accented + "\"")
        let hundred = String(repeating: "a", count: 100)
        #expect(Pipeline.headline(hundred) == "\"" + hundred + "\"")
        #expect(Pipeline.headline(hundred + "b") == "\"" + String(repeating: "a", count: 99) + "…\"")
    }
}
