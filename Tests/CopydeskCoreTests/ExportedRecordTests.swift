import CopydeskCore
import CopydeskTestSupport
import Testing

@Suite struct ExportedRecordTests {
    static let records: [JournalRecord] = RecordFixtures.mixed(6).enumerated().map { index, body in
        JournalRecord(
            sequence: UInt64(index + 1), recordedAt: Timestamp(microseconds: 1_767_225_600_123_457 + Int64(index)),
            previousHash: SHA256.hash([UInt8(index)]), body: body
        )
    }

    @Test(arguments: records)
    func aLineGivesTheSameRecordBack(_ record: JournalRecord) throws {
        let line = try ExportedRecord(record, includeRaw: true).line()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
        let decoded = try ExportedRecord(line: line)
        #expect(try decoded.record() == record)
        // The readable fields are RecordView's.
        let view = RecordView(record)
        #expect(decoded.recordedAt == view.recordedAt)
        #expect(decoded.verdict == view.verdict)
        #expect(decoded.article == view.article)
        #expect(decoded.kind == record.body.kind.name)
    }

    @Test func aDocumentWithoutItsBytesCannotBeImported() throws {
        let document = Self.records[0]
        let line = try ExportedRecord(document, includeRaw: false).line()
        let decoded = try ExportedRecord(line: line)
        #expect(decoded.raw == nil)
        guard case .document(let body) = document.body else {
            Issue.record("not a document")
            return
        }
        #expect(decoded.rawSize == body.raw.count)
        #expect(throws: ExportedRecordError.missingRaw) { try decoded.record() }
        // The other kinds have no bytes to lose.
        #expect(
            try ExportedRecord(line: try ExportedRecord(Self.records[1], includeRaw: false).line()).record()
                == Self.records[1])
    }

    @Test func badLinesSayWhy() throws {
        #expect(throws: ExportedRecordError.self) { try ExportedRecord(line: Array("{".utf8)) }
        var line = ExportedRecord(Self.records[0], includeRaw: true)
        line.kind = "memo"
        #expect(throws: ExportedRecordError.invalid("unknown kind memo")) { try line.record() }
        line = ExportedRecord(Self.records[0], includeRaw: true)
        line.raw = "***"
        #expect(throws: ExportedRecordError.invalid("raw is not base64")) { try line.record() }
        line = ExportedRecord(Self.records[0], includeRaw: true)
        line.rawSize = 1
        #expect(throws: ExportedRecordError.self) { try line.record() }
    }
}
