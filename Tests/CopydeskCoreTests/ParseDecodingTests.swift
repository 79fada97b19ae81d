import CopydeskCore
import Testing

@Suite("Parse: charset")
struct ParseDecodingTests {
    private static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 {
            let high = UInt8(unit >> 8)
            let low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return bytes
    }

    @Test func undeclaredLatin1FallsBackToWindows1252() throws {
        let bytes: [UInt8] = Array("caf".utf8) + [0xE9] + Array(" \n\nMenu du jour ".utf8) + [0x96, 0x20, 0x80, 0x35]
        let document = try #require(Parse.prepare(bytes, fileName: "menu.txt").success)
        #expect(document.charset == "windows-1252")
        #expect(document.article.headline == "café")
        #expect(document.article.paragraphs == ["Menu du jour – €5"])
    }

    /// Bytes Windows-1252 leaves undefined mean some other charset: refused rather than decoded wrong.
    @Test func undeclaredBytesUndefinedInWindows1252AreUndecodable() {
        let bytes: [UInt8] = [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2, 0x20, 0x81]  // "Привет Ѓ" in Windows-1251
        #expect(
            Parse.prepare(bytes, fileName: "x.txt").failure
                == RejectReason(
                    .undecodable,
                    "invalid UTF-8 at byte offset 0 (0xCF), and not Windows-1252 either (0x81, undefined there, "
                        + "at byte offset 7); no charset declared"
                ))
    }

    @Test func offsetCountsTheByteOrderMark() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("caf".utf8) + [0xE9] + Array(" au lait".utf8)
        #expect(Parse.prepare(bytes, fileName: "x").failure?.message == "invalid UTF-8 at byte offset 6 (0xE9)")
    }

    @Test(
        arguments: [
            (Array("abc".utf8) + [0xE2, 0x82], 3),  // truncated sequence at the end
            (Array("Zürich ".utf8) + [0xC0, 0xAF], 8),  // overlong encoding
            ([0x41, 0xED, 0xA0, 0x80, 0x42], 1),  // UTF-16 surrogate encoded in UTF-8
            (Array("ok ".utf8) + [0x80], 3),  // stray continuation byte
        ] as [([UInt8], Int)])
    func invalidUTF8ReportsTheFirstBadByte(_ bytes: [UInt8], _ offset: Int) {
        let reason = TextDecoding.decode(bytes, as: .utf8).failure
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
        #expect(
            Parse.prepare(bytes, fileName: "x").failure
                == RejectReason(
                    .undecodable, "UTF-16BE with an odd number of bytes (19)"
                ))
    }

    @Test func unpairedSurrogateIsUndecodable() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x42, 0x00]
        #expect(
            TextDecoding.decode(bytes).failure
                == RejectReason(
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

/// The order of ``TextDecoding``: byte-order mark, declared charset, strict UTF-8, Windows-1252.
@Suite("Parse: declared charsets")
struct DeclaredCharsetTests {
    static func xml(_ encoding: String, _ body: [UInt8]) -> [UInt8] {
        Array("<?xml version=\"1.0\" encoding=\"\(encoding)\"?>\n<r>".utf8) + body + Array("</r>".utf8)
    }

    @Test func declaredUTF8MustBeUTF8() {
        let bytes = Self.xml("UTF-8", Array("caf".utf8) + [0xE9])
        let reason = TextDecoding.decode(bytes).failure
        #expect(
            reason
                == RejectReason(
                    .undecodable, "invalid UTF-8 at byte offset 45 (0xE9), but UTF-8 is declared in the XML declaration"
                ))
    }

    @Test func declaredLatin1IsDecodedAsLatin1() throws {
        let decoded = try #require(
            TextDecoding.decode(Self.xml("ISO-8859-1", [0x5A, 0xFC, 0x72, 0x69, 0x63, 0x68])).success)
        #expect(decoded.charset == .iso88591)
        #expect(decoded.text.hasSuffix("<r>Zürich</r>"))
    }

    /// AFP, PA and others declare ISO-8859-1 over UTF-8 bytes: valid multi-byte UTF-8 wins.
    @Test func validMultiByteUTF8OverridesASingleByteDeclaration() throws {
        let decoded = try #require(TextDecoding.decode(Self.xml("iso-8859-1", Array("Zürich – €".utf8))).success)
        #expect(decoded.charset == .utf8)
        #expect(decoded.text.hasSuffix("<r>Zürich – €</r>"))
    }

    @Test func asciiUnderASingleByteDeclarationIsRecordedAsDeclared() throws {
        let decoded = try #require(TextDecoding.decode(Self.xml("ISO-8859-15", Array("plain".utf8))).success)
        #expect(decoded.charset == .iso885915)
    }

    @Test func latin1LabelWithC1BytesIsWindows1252() throws {
        let decoded = try #require(TextDecoding.decode(Self.xml("ISO-8859-1", [0x93, 0x51, 0x94, 0x20, 0x96])).success)
        #expect(decoded.charset == .windows1252)
        #expect(decoded.text.hasSuffix("<r>\u{201C}Q\u{201D} \u{2013}</r>"))
    }

    @Test func latin9HasTheEuroSign() throws {
        let decoded = try #require(TextDecoding.decode(Self.xml("ISO-8859-15", [0xA4, 0x35, 0x20, 0xBD])).success)
        #expect(decoded.charset == .iso885915)
        #expect(decoded.text.hasSuffix("<r>€5 œ</r>"))
    }

    @Test(arguments: [
        "<html><head><meta charset=\"windows-1252\"></head><body>",
        "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=Windows-1252\"></head><body>",
    ])
    func htmlMetaDeclaresTheCharset(_ head: String) throws {
        let decoded = try #require(TextDecoding.decode(Array(head.utf8) + [0x93, 0x48, 0x94]).success)
        #expect(decoded.charset == .windows1252)
        #expect(decoded.text.hasSuffix("\u{201C}H\u{201D}"))
    }

    @Test func aMetaBeyondTheFirstKilobyteIsNotADeclaration() {
        let bytes = Array(("<html>" + String(repeating: " ", count: 1100) + "<meta charset=\"koi8-r\">").utf8)
        #expect(TextDecoding.declaredCharset(bytes) == nil)
    }

    @Test func declarationsAreReadFromTheBytes() {
        #expect(
            TextDecoding.declaredCharset(Array("  <?xml version='1.0' encoding='cp1252'?><r/>".utf8))
                == .init(
                    label: "cp1252", charset: .windows1252, origin: .xmlDeclaration
                ))
        #expect(TextDecoding.declaredCharset(Array("<?xml version=\"1.0\"?><r/>".utf8)) == nil)
        #expect(TextDecoding.declaredCharset(Array("plain text mentioning charset=utf-8".utf8)) == nil)
    }

    @Test func unknownDeclaredCharsetIsRefusedUnlessTheBytesAreUTF8() throws {
        let reason = TextDecoding.decode(Self.xml("KOI8-R", [0xF0, 0xD2, 0xC9])).failure
        #expect(reason?.code == .undecodable)
        #expect(
            reason?.message.hasPrefix("charset 'KOI8-R' (declared in the XML declaration) is not one Copydesk decodes")
                == true)
        #expect(try #require(TextDecoding.decode(Self.xml("KOI8-R", Array("ok".utf8))).success).charset == .utf8)
    }

    /// "UTF-16" declared in bytes that read as ASCII is false on its face.
    @Test func utf16DeclarationInASCIIIsIgnored() throws {
        #expect(try #require(TextDecoding.decode(Self.xml("UTF-16", Array("ok".utf8))).success).charset == .utf8)
        let fallback = try #require(TextDecoding.decode(Self.xml("UTF-16", [0xE9])).success)
        #expect(fallback.charset == .windows1252)
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
        ("Windows-1252", .windows1252), ("us-ascii", .iso88591), ("UTF8", .utf8), ("Latin9", .iso885915),
    ])
    func labelsNameCharsets(_ label: String, _ charset: TextDecoding.Charset) {
        #expect(TextDecoding.Charset(label: label) == charset)
    }

    @Test func unknownLabelsAreNil() {
        #expect(TextDecoding.Charset(label: "koi8-r") == nil)
    }
}
