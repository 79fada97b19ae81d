import CopydeskCore
import Testing

@Suite("Parse: charset")
struct ParseDecodingTests {
    private static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 {
            let high = UInt8(unit >> 8), low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return bytes
    }

    @Test func latin1IsUndecodableWithTheOffset() {
        let bytes: [UInt8] = Array("caf".utf8) + [0xE9]
        let reason = Parse.prepare(bytes, fileName: "menu.txt").failure
        #expect(reason == RejectReason(.undecodable, "invalid UTF-8 at byte offset 3 (0xE9)"))
    }

    @Test func offsetCountsTheByteOrderMark() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("caf".utf8) + [0xE9] + Array(" au lait".utf8)
        #expect(Parse.prepare(bytes, fileName: "x").failure?.message == "invalid UTF-8 at byte offset 6 (0xE9)")
    }

    @Test(arguments: [
        (Array("abc".utf8) + [0xE2, 0x82], 3),  // truncated sequence at the end
        (Array("Zürich ".utf8) + [0xC0, 0xAF], 8),  // overlong encoding
        ([0x41, 0xED, 0xA0, 0x80, 0x42], 1),  // UTF-16 surrogate encoded in UTF-8
        (Array("ok ".utf8) + [0x80], 3),  // stray continuation byte
    ] as [([UInt8], Int)])
    func invalidUTF8ReportsTheFirstBadByte(_ bytes: [UInt8], _ offset: Int) {
        let reason = TextDecoding.decode(bytes).failure
        #expect(reason?.code == .undecodable)
        #expect(reason?.message.hasPrefix("invalid UTF-8 at byte offset \(offset) ") == true)
    }

    @Test func utf8ByteOrderMarkIsStripped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Héllo wörld\n\nBody.".utf8)
        let document = try #require(Parse.prepare(bytes, fileName: "x.txt").success)
        #expect(document.charset == "utf-8")
        #expect(document.article.headline == "Héllo wörld")
        #expect(document.article.paragraphs == ["Body."])
    }

    @Test(arguments: [(false, "utf-16le"), (true, "utf-16be")])
    func utf16WithByteOrderMarkDecodes(_ bigEndian: Bool, _ charset: String) throws {
        let bytes = Self.utf16("Zürich 🇨🇭 talks\r\n\r\nMinisters met.", bigEndian: bigEndian)
        let document = try #require(Parse.prepare(bytes, fileName: "x.txt").success)
        #expect(document.charset == charset)
        #expect(document.article.headline == "Zürich 🇨🇭 talks")
        #expect(document.article.paragraphs == ["Ministers met."])
    }

    @Test func utf16XMLIsSniffedAfterDecoding() {
        let bytes = Self.utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<nitf><head/></nitf>", bigEndian: false)
        #expect(FormatSniffer.sniff(bytes, fileName: "story") == .nitf)
    }

    @Test func utf16WithOddLengthIsUndecodable() {
        let bytes = Self.utf16("Headline", bigEndian: true) + [0x41]
        #expect(Parse.prepare(bytes, fileName: "x").failure == RejectReason(
            .undecodable, "UTF-16BE with an odd number of bytes (19)"
        ))
    }

    @Test func unpairedSurrogateIsUndecodable() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x42, 0x00]
        #expect(TextDecoding.decode(bytes).failure == RejectReason(
            .undecodable, "invalid UTF-16LE at byte offset 4 (unpaired surrogate 0xD800)"
        ))
    }

    @Test func utf32IsUndecodable() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x00, 0x00, 0x41, 0x00, 0x00, 0x00]
        #expect(Parse.prepare(bytes, fileName: "x").failure?.code == .undecodable)
    }

    @Test func plainUTF8Decodes() {
        #expect(TextDecoding.decode(Array("Ελλάδα".utf8)).success == .init(text: "Ελλάδα", charset: .utf8))
    }
}

@Suite struct SingleByteCharsetTests {
    @Test func windows1252MapsTheC1RangeToPunctuation() throws {
        let bytes: [UInt8] = [0x93, 0x51, 0x75, 0x6F, 0x74, 0x65, 0x94, 0x20, 0x80, 0x35, 0x20, 0x96, 0x20, 0xE9]
        let decoded = try #require(try? TextDecoding.decode(bytes, as: .windows1252).get())
        #expect(decoded.text == "\u{201C}Quote\u{201D} €5 – é")
        #expect(decoded.charset == .windows1252)
    }

    @Test func latin1IsTheIdentityOnBytes() throws {
        let bytes = (0...255).map(UInt8.init)
        let decoded = try #require(try? TextDecoding.decode(bytes, as: .iso88591).get())
        #expect(decoded.text.unicodeScalars.map(\.value) == (0...255).map(UInt32.init))
    }

    @Test(arguments: [
        ("ISO-8859-1", TextDecoding.Charset.iso88591), ("latin1", .iso88591), ("\"utf-8\"", .utf8),
        ("Windows-1252", .windows1252), ("us-ascii", .iso88591), ("UTF8", .utf8),
    ])
    func labelsNameCharsets(_ label: String, _ charset: TextDecoding.Charset) {
        #expect(TextDecoding.Charset(label: label) == charset)
    }

    @Test func unknownLabelsAreNil() {
        #expect(TextDecoding.Charset(label: "koi8-r") == nil)
    }
}
