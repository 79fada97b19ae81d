import Logging
import Testing

@testable import CopydeskSystemd

struct JournaldLogHandlerTests {
    func event(
        _ level: Logger.Level = .info, _ message: Logger.Message = "stored", metadata: Logger.Metadata? = nil,
        error: (any Error)? = nil
    ) -> LogEvent {
        LogEvent(
            level: level, message: message, error: error, metadata: metadata, source: "CopydeskDaemon",
            file: "CopydeskDaemon/IngestService.swift", function: "ingest(_:)", line: 42
        )
    }

    func fields(_ event: LogEvent, label: String = "copydesk.ingest") -> [String] {
        let metadata = LogMetadata.merge(base: [:], provider: nil, event: event)
        return JournaldLogHandler.fields(for: event, metadata: metadata, identifier: "copydeskd", label: label)
            .map(\.description)
    }

    @Test func aStoredEventBecomesStructuredFields() {
        let metadata: Logger.Metadata = [
            "copydesk.event": "stored", "copydesk.seq": "1234", "file.name": "xinhua/a b.xml",
            "copydesk.verdict": "new", "copydesk.source": "xinhua", "channel.name": "xinhua",
        ]
        #expect(
            fields(event(.info, "stored", metadata: metadata)) == [
                "MESSAGE=stored",
                "PRIORITY=6",
                "SYSLOG_IDENTIFIER=copydeskd",
                "CODE_FILE=CopydeskDaemon/IngestService.swift",
                "CODE_LINE=42",
                "CODE_FUNC=ingest(_:)",
                "COPYDESK_LOGGER=copydesk.ingest",
                "COPYDESK_CHANNEL_NAME=xinhua",
                "MESSAGE_ID=47e09e0514f0496d8aab05a194e225cd",
                "COPYDESK_EVENT=stored",
                "COPYDESK_SEQ=1234",
                "COPYDESK_SOURCE=xinhua",
                "COPYDESK_VERDICT=new",
                "COPYDESK_FILE=xinhua/a b.xml",
            ]
        )
    }

    @Test(arguments: CopydeskEvent.allCases)
    func everyEventGetsItsMessageID(_ copydeskEvent: CopydeskEvent) {
        let sent = fields(event(metadata: ["copydesk.event": copydeskEvent.metadataValue]))
        #expect(sent.filter { $0.hasPrefix("MESSAGE_ID=") } == ["MESSAGE_ID=\(copydeskEvent.messageID)"])
        #expect(sent.contains("COPYDESK_EVENT=\(copydeskEvent.rawValue)"))
    }

    @Test func anUnknownEventKeepsItsNameButGetsNoMessageID() {
        let sent = fields(event(metadata: ["copydesk.event": "exploded"]))
        #expect(!sent.contains { $0.hasPrefix("MESSAGE_ID=") })
        #expect(sent.contains("COPYDESK_EVENT=exploded"))
    }

    @Test func withoutMetadataOnlyTheFixedFieldsAreSent() {
        #expect(fields(event(.debug, "scan"), label: "").map { $0.prefix { $0 != "=" } } == [
            "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC",
        ])
    }

    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func levelsMapToSyslogPriorities(_ level: Logger.Level, _ priority: Int) {
        #expect(JournaldLogHandler.priority(level) == priority)
        #expect(fields(event(level)).contains("PRIORITY=\(priority)"))
    }

    @Test(arguments: [
        ("copydesk.seq", "COPYDESK_SEQ"),
        ("copydesk.verdict", "COPYDESK_VERDICT"),
        ("copydesk.source", "COPYDESK_SOURCE"),
        ("file.name", "COPYDESK_FILE"),
        ("article.topic", "COPYDESK_ARTICLE_TOPIC"),
        ("http.status-code", "COPYDESK_HTTP_STATUS_CODE"),
        ("queue_depth2", "COPYDESK_QUEUE_DEPTH2"),
        ("café.größe", "COPYDESK_CAF__GR__E"),
        ("_private", "COPYDESK__PRIVATE"),
        ("", "COPYDESK_"),
    ])
    func metadataKeysBecomeValidFieldNames(_ key: String, _ field: String) {
        #expect(JournaldLogHandler.fieldName(forMetadataKey: key) == field)
    }

    @Test func longKeysAreCutToJournaldsLimit() {
        let name = JournaldLogHandler.fieldName(forMetadataKey: String(repeating: "k", count: 100))
        #expect(name.count == 64)
        #expect(name == "COPYDESK_" + String(repeating: "K", count: 55))
    }

    @Test func multiLineValuesArePassedThroughUnchanged() {
        let sent = fields(event(.error, "parse failed\nline 2", metadata: ["copydesk.reason": "a\nb"]))
        #expect(sent.first == "MESSAGE=parse failed\nline 2")
        #expect(sent.contains("COPYDESK_REASON=a\nb"))
    }

    @Test func anAttachedErrorBecomesFields() {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let sent = fields(event(.error, "append failed", error: Boom()))
        #expect(sent.contains("COPYDESK_ERROR_MESSAGE=boom"))
        #expect(sent.contains { $0.hasPrefix("COPYDESK_ERROR_TYPE=") && $0.hasSuffix("Boom") })
    }

    @Test func handlerProviderAndCallMetadataMergeWithTheCallWinning() {
        let provider = Logger.MetadataProvider { ["trace.id": "t1", "copydesk.source": "provider"] }
        let merged = LogMetadata.merge(
            base: ["copydesk.source": "handler", "node": "n1"], provider: provider,
            event: event(metadata: ["copydesk.source": "call"])
        )
        #expect(merged == ["copydesk.source": "call", "node": "n1", "trace.id": "t1"])
    }

    @Test func messageIDsAreAFixedContract() {
        // Changing one breaks saved journalctl queries, alerts and the catalog: this table must only ever grow.
        let pinned: [CopydeskEvent: String] = [
            .started: "fe58be7ad9254fbebb08f283f64509a1",
            .stopped: "d2050670ae8d48b19514821b1e40f7c2",
            .stored: "47e09e0514f0496d8aab05a194e225cd",
            .duplicate: "d379ec8c2ca64e688d31e7c6cd6b86dd",
            .rejected: "ace040e52416442ca92437e8392aa430",
            .recovered: "6b813a6ed9e0470a99899ce5dd9f5b97",
            .reloaded: "f889b119b2d64e09b6dc84e332a06c6f",
            .overflow: "f4ba50507bc64e46912dc15da5591b57",
            .diskFull: "cbadcc501b0b46409779aaf0e58ca60b",
            .journalDamaged: "3c903a6d9ad5492380d78d4761c1bb06",
            .retention: "c82cb6f5c0e74733acc381a22552d967",
        ]
        #expect(Dictionary(uniqueKeysWithValues: CopydeskEvent.allCases.map { ($0, $0.messageID) }) == pinned)
        #expect(CopydeskEvent.allCases.map(\.rawValue) == [
            "started", "stopped", "stored", "duplicate", "rejected", "recovered", "reloaded", "overflow", "disk-full",
            "journal-damaged", "retention",
        ])
        for id in pinned.values {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
        #expect(Set(pinned.values).count == pinned.count)
    }
}
