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

    /// The escaping as it was written first, scalar by scalar: the byte pass that replaced it must agree.
    static func escapedByScalars(_ text: String, quoting: Bool) -> String {
        let needsQuotes =
            quoting && (text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" })
        let needsEscapes = text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
        guard needsQuotes || needsEscapes else { return text }
        var out = needsQuotes ? "\"" : ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\"" where needsQuotes: out += "\\\""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return needsQuotes ? out + "\"" : out
    }

    @Test func escapingOnBytesAgreesWithTheScalarWalk() {
        let pieces: [String] = [
            "", " ", "\"", "=", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{80}", "\u{85}", "\u{A0}",
            "\u{2028}", "é", "e\u{301}", "\r\n", "日本", "🇺🇦", "\u{FEFF}", "a", "BRUSSELS", "x=y", "#12",
        ]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<4_000 {
            let count = round < pieces.count ? 1 : Int.random(in: 0...6, using: &generator)
            let text = round < pieces.count
                ? pieces[round] : (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            for quoting in [false, true] {
                let expected = Self.escapedByScalars(text, quoting: quoting)
                #expect(StderrLogHandler.escaped(text, quoting: quoting) == expected, "\(text.debugDescription)")
                var appended = "prefix "
                StderrLogHandler.appendEscaped(text, quoting: quoting, to: &appended)
                #expect(appended == "prefix " + expected)
            }
        }
    }

    @Test func timestampsAgreeWithCalendarArithmetic() {
        // Days from the civil date (Howard Hinnant's algorithm) checked against gmtime_r's fields as printed.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Int.random(in: 0...4_102_444_799, using: &generator)  // through 2099
            let nanoseconds = Int.random(in: 0...999_999_999, using: &generator)
            let text = StderrLogHandler.timestamp(seconds: seconds, nanoseconds: nanoseconds)
            let utf8 = Array(text.utf8)
            #expect(utf8.count == 24 && text.hasSuffix("Z"), "\(text)")
            func number(_ range: Range<Int>) -> Int { Int(String(decoding: utf8[range], as: UTF8.self))! }
            let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
            let (hour, minute, second, milli) = (number(11..<13), number(14..<16), number(17..<19), number(20..<23))
            let y = month <= 2 ? year - 1 : year
            let era = y / 400
            let yoe = y - era * 400
            let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146_097 + doe - 719_468
            #expect(days * 86_400 + hour * 3_600 + minute * 60 + second == seconds, "\(text)")
            #expect(milli == nanoseconds / 1_000_000, "\(text)")
        }
    }
}
