import CopydeskCore
import Testing

/// Each parser of this issue on mutated copies of a valid file of its format: the result must be an article
/// or a reason, never a trap, and an article must be well formed. (The long fuzzing runs use a separate
/// harness; this keeps a quick, seeded version in every test run.)
@Suite("Parse: parser safety")
struct ParserSafetyTests {
    static let iterations = 300

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var parser: any ArticleParser
        var sample: [UInt8]
        /// At least one in this many mutants must still be an article (JSON breaks at any stray byte).
        var readableOneIn = 4
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "ANPA-1312", parser: ANPA1312Parser(), sample: Array(ParseWireCopyTests.anpa(eol: "\r\n").utf8)),
        Case(name: "IPTC 7901", parser: IPTC7901Parser(), sample: Array(ParseWireCopyTests.iptc7901.utf8)),
        Case(name: "e-mail", parser: EmailParser(), sample: ParseEmailTests.release),
        Case(name: "ninjs", parser: NinjsParser(), sample: Array(ParseNinjsTests.ninjs1.utf8), readableOneIn: 20),
        Case(name: "HTML", parser: HTMLParser(), sample: Array(ParseHTMLTests.page.utf8)),
        Case(
            name: "plain text", parser: PlainTextParser(),
            sample: Array("Headline\n\nBy A. Writer\n\nBRUSSELS (AP) — Text.\n".utf8)),
    ]

    /// Pieces that steer mutations into the formats' own syntax.
    static let pieces: [[UInt8]] = [
        [0x01], [0x02], [0x03], [0x04], [0x16], [0x1F], [0x08], [0x10], [0x7F], [0x00], [0x0D, 0x0A], [0x0A, 0x0A],
        [0xC3, 0xA9], [0xE2, 0x80, 0xA8], [0xFF], [0xC0],
        Array("^".utf8), Array("=".utf8), Array(" =\n".utf8), Array("By ".utf8), Array("/\n".utf8), Array("# ".utf8),
        Array("=?utf-8?Q?".utf8), Array("=?".utf8), Array("?=".utf8), Array("=C3".utf8), Array("=\r\n".utf8),
        Array("--inner".utf8), Array("--outer--".utf8), Array("Content-Type: multipart/mixed; boundary=x\n".utf8),
        Array("Content-Transfer-Encoding: base64\n".utf8), Array("charset=koi8-r".utf8),
        Array("{".utf8), Array("}".utf8), Array("[".utf8), Array("\"".utf8), Array("\\u".utf8), Array("\\ud800".utf8),
        Array(":".utf8), Array(",".utf8), Array("null".utf8),
        Array("<".utf8), Array(">".utf8), Array("</p>".utf8), Array("<br>".utf8), Array("<nav>".utf8),
        Array("<!--".utf8), Array("&#0;".utf8), Array("&amp".utf8), Array("<![CDATA[".utf8),
        Array("(AP) _ ".utf8), Array(" — ".utf8), Array(" • ".utf8), Array("11 Feb. 2016".utf8),
    ]

    static func mutate(_ sample: [UInt8], _ generator: inout SeededGenerator) -> [UInt8] {
        var bytes = sample
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0 where !bytes.isEmpty:  // flip a byte
                let index = min(position, bytes.count - 1)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            case 1:  // insert a piece
                bytes.insert(contentsOf: pieces.randomElement(using: &generator) ?? [], at: position)
            case 2 where !bytes.isEmpty:  // delete a run
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &generator))
                bytes.removeSubrange(min(position, end)..<end)
            case 3 where !bytes.isEmpty:  // duplicate a run
                let end = min(bytes.count, position + Int.random(in: 1...256, using: &generator))
                bytes.insert(contentsOf: bytes[min(position, end)..<end], at: min(position, end))
            case 4:  // truncate
                bytes = Array(bytes.prefix(position))
            default:  // insert a piece repeated (deep nesting, long runs)
                let piece = pieces.randomElement(using: &generator) ?? []
                let count = Int.random(in: 1...500, using: &generator)
                bytes.insert(contentsOf: Array(repeating: piece, count: count).flatMap { $0 }, at: position)
            }
        }
        return bytes
    }

    static func check(_ article: Article, _ label: String) {
        #expect(!article.headline.isEmpty, "\(label)")
        let fields =
            [article.headline] + article.paragraphs
            + [article.byline, article.subheadline, article.summary].compactMap { $0 }
        for text in fields {
            #expect(
                !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) },
                "\(label): \(text)")
        }
        #expect(article.paragraphs.allSatisfy { !$0.isEmpty }, "\(label)")
    }

    @Test(arguments: cases)
    func mutatedInputNeverTraps(_ testCase: Case) {
        var generator = SeededGenerator(seed: 0x5AFE_0000 + UInt64(testCase.name.utf8.count))
        var articles = 0
        for iteration in 0..<Self.iterations {
            let bytes = Self.mutate(testCase.sample, &generator)
            let text = String(decoding: bytes, as: UTF8.self)
            let input = ParserInput(bytes: bytes, text: text, charset: "utf-8", fileName: "fuzz")
            let label = "\(testCase.name) #\(iteration)"
            switch testCase.parser.parseForCleaning(input) {
            case .success(let parsed):
                articles += 1
                Self.check(parsed.article, label)
                let cleaned = Clean.clean(parsed.article, layout: parsed.layout)
                #expect(!cleaned.article.headline.isEmpty, "\(label)")
            case .failure(let reason):
                #expect(!reason.message.isEmpty, "\(label)")
            }
            // The whole pipeline too, sniffing included.
            if case .success(let document) = Parse.prepare(bytes, fileName: "fuzz") {
                Self.check(document.article, label + " (pipeline)")
            }
        }
        // Mutations must leave most inputs readable, or this tests only the refusals.
        #expect(articles > Self.iterations / testCase.readableOneIn, "\(testCase.name): \(articles) articles")
    }
}
