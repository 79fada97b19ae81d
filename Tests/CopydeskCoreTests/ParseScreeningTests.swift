import CopydeskCore
import Testing

@Suite("Parse: screening")
struct ParseScreeningTests {
    private func reason(_ bytes: [UInt8]) -> RejectReason? {
        Parse.prepare(bytes, fileName: "in.txt").failure
    }

    @Test func emptyFileIsEmpty() {
        #expect(reason([]) == RejectReason(.empty, "empty file (0 bytes)"))
    }

    @Test(arguments: [
        " ", "\n\n\n", " \t\r\n \u{0C} ", "\u{00A0}\u{3000}\n", "\u{FEFF}", "\u{FEFF}  \n", "\u{01}\u{02} \u{03}",
    ])
    func blankTextIsEmpty(_ text: String) {
        #expect(reason(Array(text.utf8))?.code == .empty)
    }

    @Test func utf16WhitespaceIsEmpty() {
        #expect(reason([0xFF, 0xFE, 0x20, 0x00, 0x0A, 0x00])?.code == .empty)
    }

    @Test func nulByteIsBinaryWithItsOffset() {
        let bytes = Array("Headline\n\nBody te".utf8) + [0] + Array("xt.".utf8)
        #expect(reason(bytes) == RejectReason(.binary, "NUL byte at offset 17"))
    }

    @Test func nulCharacterInUTF16IsBinary() {
        let bytes: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00, 0x42, 0x00]
        #expect(reason(bytes) == RejectReason(.binary, "NUL character at offset 4"))
    }

    @Test func manyControlBytesAreBinary() {
        let bytes = Array("abc".utf8) + [0x1B, 0x07, 0x1B] + Array("defg".utf8)
        #expect(reason(bytes) == RejectReason(.binary, "30% control bytes (first 0x1B at offset 3)"))
    }

    @Test func aFewControlBytesAreTolerated() throws {
        let bytes = Array("Bulletin\u{07}\n\nTwenty or more characters of text follow the bell.".utf8)
        let document = try #require(Parse.prepare(bytes, fileName: "in.txt").success)
        #expect(document.article.headline == "Bulletin")
    }

    @Test(arguments: [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13], "PNG image"),
        (Array("%PDF-1.7\n%âãÏÓ\n".utf8), "PDF document"),
        ([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00], "gzip archive"),
        ([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46], "JPEG image"),
        (Array("GIF89a\u{01}\u{00}".utf8), "GIF image"),
        ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], "ZIP archive (or DOCX/XLSX/ODT document)"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "Microsoft Office 97-2003 document (OLE2)"),
    ] as [([UInt8], String)])
    func magicNumbersNameTheType(_ bytes: [UInt8], _ kind: String) {
        #expect(reason(bytes) == RejectReason(.binary, "\(kind), not text (magic number at offset 0)"))
    }

    /// ANPA-1312 as AP sends it: SYN SYN SOH header with a unit separator and DC codes, STX body, ETX.
    static let anpa = "\u{16}\u{16}\u{01}a0123\u{1F}r a\u{13}\u{11} bc-nato-refugees 02-11 0412\r\n"
        + "\u{02}^NATO agrees to help with migrant crisis<\r\n"
        + "\tBRUSSELS (AP) _ NATO defence ministers agreed on Thursday to help with the migrant crisis.\r\n"
        + "\u{03}\r\n\u{04}"
    /// IPTC 7901: SOH header line, STX headline line, body, ETX.
    static let iptc7901 = "\u{01}dpa0123 4 pl 256 dpa 0123\r\nnato/migration/\r\n"
        + "\u{02}NATO hilft in der Flüchtlingskrise\r\nBrüssel (dpa) - Die Nato beteiligt sich.\r\n\u{03}"

    @Test(arguments: [anpa, iptc7901])
    func framedWireCopyIsNotBinary(_ text: String) throws {
        #expect(Screening.screen(Array(text.utf8)) == nil)
        let document = try #require(Parse.prepare(Array(text.utf8), fileName: "wire").success)
        #expect(!document.article.headline.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test func screeningPassesOrdinaryText() {
        #expect(Screening.screen(Array("Headline\r\n\r\nBody.\u{0C}More.\t".utf8)) == nil)
        #expect(Screening.screen("Headline") == nil)
    }
}
