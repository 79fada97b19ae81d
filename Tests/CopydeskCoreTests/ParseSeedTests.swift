import CopydeskCore
import Testing

/// What the plain-text parser must make of each seed. Paragraph counts are what a reader sees in the file:
/// one paragraph per non-blank line of a saved web page, boilerplate included (seed 000 has one paragraph
/// fewer than lines: the page broke a sentence in two and the parser joins it again). `cleanedCount` is
/// what is left after Clean took the boilerplate out (``SeedCleaningTests`` pins what that is).
struct SeedExpectation: Sendable, CustomTestStringConvertible {
    var number: String
    var headline: String
    var paragraphCount: Int
    var firstParagraph: String
    var lastParagraphPrefix: String
    var cleanedCount: Int

    var testDescription: String { "seed \(number)" }
}

@Suite("Parse: seeds")
struct ParseSeedTests {
    static let expectations: [SeedExpectation] = [
        SeedExpectation(
            number: "000",
            headline: "NATO Defence Ministers Agree on NATO support to assist with the Refugee and Migrant Crisis",
            paragraphCount: 7,
            firstParagraph: "11 Feb. 2016 - | Last updated: 11 Feb. 2016 13:14",
            lastParagraphPrefix: "Ministers also discussed the situation in Afghanistan.",
            cleanedCount: 6
        ),
        SeedExpectation(
            number: "001",
            headline: "Off the wire",
            paragraphCount: 11,
            firstParagraph: "Azerbaijani president calls for less dependence on oil and gas • Slovenia declares to "
                + "relocate 567 refugees from Italy, Greece • Britain backs 38 bln U.S. dollar plan for new "
                + "cross-London rail line • UN chief urges investigations on peacekeeper sexual abuse to be concluded "
                + "within six months • Obama acknowledges partisan divide widened in his presidency • UN chief calls "
                + "for restraint after Iran's missile tests • Spanish stock market rises 0.07 pct, closes at 8,766 "
                + "points • 1st LD "
                + "Writethru: UN chief \"gravely concerned\" by situation on Korean Peninsula • British FTSE 100 "
                + "decreases 1.78 pct on Thursday • Biden's visit to Ramallah only aims to avoid int'l reproach: "
                + "analyst",
            lastParagraphPrefix: "Stoltenberg underlined that the European Council in June",
            cleanedCount: 7
        ),
        SeedExpectation(
            number: "002",
            headline: "Press conference",
            paragraphCount: 19,
            firstParagraph: "by NATO Secretary General Jens Stoltenberg",
            lastParagraphPrefix: "And with that, I am ready to take your questions.",
            cleanedCount: 14
        ),
        SeedExpectation(
            number: "003",
            headline: "NATO Secretary General meets with European Union Defence Ministers",
            paragraphCount: 13,
            firstParagraph: "NATO Secretary General Jens Stoltenberg joined EU Defence Ministers on Tuesday "
                + "(16 November 2021) to address issues including Belarus, Ukraine, Russia and NATO-EU cooperation.",
            lastParagraphPrefix: "So this sends a very clear message to Russia",
            cleanedCount: 13
        ),
        SeedExpectation(
            number: "004",
            headline: "NATO to Join Anti-Daesh Coalition, Though Avoid Combat Operations - Stoltenberg",
            paragraphCount: 27,
            firstParagraph: "© REUTERS / Francois LenoirNATO Secretary-General Jens Stoltenberg delivers a speech on "
                + "European defence and transatlantic security at the German Marshall Fund think-tank in Brussels, "
                + "Belgium, November 18, 2016.",
            lastParagraphPrefix: "Заголовок открываемого материала",
            cleanedCount: 13
        ),
    ]

    @Test(arguments: expectations)
    func seedParsesAsPlainText(_ expected: SeedExpectation) throws {
        let seed = try Seeds.bytes(expected.number)
        let text = String(decoding: seed.bytes, as: UTF8.self)
        let parser = ParserRegistry.standard.parser(for: FormatSniffer.sniff(seed.bytes, fileName: seed.name))
        #expect(parser.format == .text)
        let article = try #require(parser.parse(ParserInput(text: text, fileName: seed.name)).success)
        #expect(article.headline == expected.headline)
        #expect(article.paragraphs.count == expected.paragraphCount)
        #expect(article.paragraphs.first == expected.firstParagraph)
        #expect(article.paragraphs.last?.hasPrefix(expected.lastParagraphPrefix) == true)
    }

    @Test(arguments: expectations)
    func seedIsStoredAsCleanedText(_ expected: SeedExpectation) throws {
        let seed = try Seeds.bytes(expected.number)
        let result = Parse.prepare(seed.bytes, fileName: seed.name)
        let document = try #require(result.success, "rejected: \(String(describing: result.failure))")
        #expect(document.format == "text")
        #expect(document.charset == "utf-8")
        #expect(document.article.paragraphs.count == expected.cleanedCount)
    }

    @Test(arguments: expectations)
    func seedParagraphsAreCollapsed(_ expected: SeedExpectation) throws {
        let seed = try Seeds.bytes(expected.number)
        let article = try #require(Parse.prepare(seed.bytes, fileName: seed.name).success).article
        for paragraph in [article.headline] + article.paragraphs {
            #expect(!paragraph.isEmpty)
            #expect(!paragraph.contains("  ") && !paragraph.contains("\n") && !paragraph.contains("\t"))
            #expect(paragraph.first?.isWhitespace == false && paragraph.last?.isWhitespace == false)
        }
    }

    /// Seed 002 has one speech paragraph per line, each longer than a wrapped line: nothing may be joined.
    @Test func longLinesStayParagraphs() throws {
        let seed = try Seeds.bytes("002")
        let article = try #require(Parse.prepare(seed.bytes, fileName: seed.name).success).article
        #expect(article.paragraphs.contains("Let me be clear:"))
        #expect(article.paragraphs.contains { $0.hasPrefix("And they pose challenges for us.") })
    }
}
