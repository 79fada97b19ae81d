import CopydeskCore
import Testing

@Suite("Parse: parser registry")
struct ParseRegistryTests {
    static let nitf = Array(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <nitf><head><title>NATO ministers meet</title></head><body><p>Ministers met.</p></body></nitf>
        """.utf8)

    /// Stands in for the NITF parser of the formats issue.
    struct StubNITFParser: ArticleParser {
        var format: InputFormat { .nitf }
        func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
            .success(Article(headline: "from the stub", paragraphs: []))
        }
    }

    @Test func standardRegistryReadsTheTextFormats() {
        let formats = ParserRegistry.standard.formats
        #expect(formats.isSuperset(of: [.text, .ninjs, .anpa1312, .iptc7901, .email, .html]))
        for format in [InputFormat.ninjs, .anpa1312, .iptc7901, .email, .html] {
            #expect(ParserRegistry.standard.parser(for: format).format == format)
        }
    }

    @Test func standardRegistryReadsTheXMLNewsFormats() {
        #expect(ParserRegistry.standard.formats.isSuperset(of: [.text, .nitf, .newsMLG2, .newsML12, .xml]))
        #expect(ParserRegistry.standard.parser(for: .nitf).format == .nitf)
    }

    @Test func formatWithoutParserIsReadAsTextAndRecordedAsText() throws {
        let plainOnly = ParserRegistry([PlainTextParser()])
        let document = try #require(Parse.prepare(Self.nitf, fileName: "story.xml", parsers: plainOnly).success)
        #expect(document.format == "text")
        #expect(document.article.headline == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        #expect(document.article.paragraphs.count == 1)
    }

    @Test func registeredParserIsChosenBySniffedFormat() throws {
        var registry = ParserRegistry.standard
        registry.register(StubNITFParser())
        let document = try #require(Parse.prepare(Self.nitf, fileName: "story.xml", parsers: registry).success)
        #expect(document.format == "nitf")
        #expect(document.article.headline == "from the stub")
        let text = try #require(Parse.prepare(Array("Plain\n\nText.".utf8), fileName: "a", parsers: registry).success)
        #expect(text.format == "text")
    }
}
