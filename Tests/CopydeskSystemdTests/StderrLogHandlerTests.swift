import Logging
import Testing

@testable import CopydeskSystemd

struct StderrLogHandlerTests {
    func line(_ message: Logger.Message, _ metadata: Logger.Metadata, level: Logger.Level = .info) -> String {
        let event = LogEvent(
            level: level, message: message, metadata: metadata, source: "CopydeskDaemon", file: "F.swift",
            function: "f()", line: 1
        )
        return StderrLogHandler.line(
            for: event, metadata: metadata, identifier: "copydeskd", timestamp: "2026-11-22T23:19:00.123Z"
        )
    }

    @Test func aStoredLineReadsAsDocumented() {
        let metadata: Logger.Metadata = ["copydesk.event": "stored", "copydesk.seq": "5", "file.name": "x.txt"]
        #expect(line("stored", metadata) == "2026-11-22T23:19:00.123Z info copydeskd: stored seq=5 file=x.txt\n")
    }

    @Test func metadataIsSortedByKeyAndTheEventShownWhenItAddsSomething() {
        let metadata: Logger.Metadata = ["zeta": "1", "alpha.beta": "2", "copydesk.event": "rejected"]
        #expect(
            line("could not parse", metadata, level: .warning)
                == "2026-11-22T23:19:00.123Z warning copydeskd: could not parse alpha.beta=2 event=rejected zeta=1\n"
        )
    }

    @Test func eachEventStaysOnOneLine() {
        let metadata: Logger.Metadata = ["file.name": "a \"b\".txt", "reason": "bad\nbyte\u{1}", "empty": ""]
        let expected = #"2026-11-22T23:19:00.123Z error copydeskd: two\nlines "#
            + #"empty="" file="a \"b\".txt" reason=bad\nbyte\x01"# + "\n"
        #expect(line("two\nlines", metadata, level: .error) == expected)
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (1_795_389_540, 123_456_789, "2026-11-22T23:19:00.123Z"),
        (951_782_400, 999_999_999, "2000-02-29T00:00:00.999Z"),
    ])
    func timestampsAreUTCWithMilliseconds(_ seconds: Int, _ nanoseconds: Int, _ text: String) {
        #expect(StderrLogHandler.timestamp(seconds: seconds, nanoseconds: nanoseconds) == text)
    }
}
