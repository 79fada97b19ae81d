import CopydeskCore
import Testing

/// What a reader must get from each seed after parsing and cleaning: the headline, the source and date the
/// page states, the first sentence of the story, and none of the page's furniture.
struct SeedCleaning: Sendable, CustomTestStringConvertible {
    var number: String
    var headline: String
    /// Nil where the page does not name its source in its text: NATO's own pages (000, 002, 003) say nothing
    /// like "Xinhua," or "(Sputnik)"; the channel (inbox folder) supplies it there, not the parser.
    var source: String?
    /// The date the page gives, and the field it was read into.
    var date: String?
    var dateField: DateField

    enum DateField: Sendable {
        case published, datelineDate

        func value(_ article: Article) -> String? {
            switch self {
            case .published: article.published
            case .datelineDate: article.datelineDate
            }
        }
    }
    var firstSentence: String
    /// Lines of the saved page that are furniture, as they appear in the file (whitespace collapsed).
    var boilerplate: [String]

    var testDescription: String { "seed \(number)" }
}

@Suite("Clean: seeds")
struct SeedCleaningTests {
    static let seeds: [SeedCleaning] = [
        SeedCleaning(
            number: "000",
            headline: "NATO Defence Ministers Agree on NATO support to assist with the Refugee and Migrant Crisis",
            source: nil, date: "2016-02-11", dateField: .published,
            firstSentence: "NATO Defence Ministers agreed that NATO will provide support to assist with the refugee "
                + "and migrant crisis on Thursday (11 February 2016).",
            boilerplate: ["11 Feb. 2016 - | Last updated: 11 Feb. 2016 13:14"]
        ),
        SeedCleaning(
            number: "001",
            headline: "NATO, EU highlight cooperation to tackle refugee crisis",
            source: "Xinhua", date: "2016-03-11", dateField: .published,
            firstSentence: "NATO Secretary General Jens Stoltenberg and European Commission President Jean-Claude "
                + "Juncker on Thursday stressed the vital importance of the relationship between two "
                + "organizations, especially cooperation in addressing the refugee crisis during their meeting.",
            boilerplate: [
                "Off the wire", "You are here: Home", "Xinhua, March 11, 2016 Adjust font size:", "Endit",
                "Azerbaijani president calls for less dependence on oil and gas • Slovenia declares to relocate 567 "
                    + "refugees from Italy, Greece",
            ]
        ),
        SeedCleaning(
            number: "002",
            headline: "Press conference",
            source: nil, date: "2020-02-12", dateField: .published,
            firstSentence: "Good evening.",
            boilerplate: [
                "by NATO Secretary General Jens Stoltenberg", "• 12 Feb. 2020 -", "• |",
                "• Mis à jour le: 12 Feb. 2020 19:31", "(As delivered)",
            ]
        ),
        SeedCleaning(
            number: "003",
            headline: "NATO Secretary General meets with European Union Defence Ministers",
            source: nil, date: "2021-11-16", dateField: .datelineDate,
            firstSentence: "NATO Secretary General Jens Stoltenberg joined EU Defence Ministers on Tuesday "
                + "(16 November 2021) to address issues including Belarus, Ukraine, Russia and NATO-EU cooperation.",
            boilerplate: []
        ),
        SeedCleaning(
            number: "004",
            headline: "NATO to Join Anti-Daesh Coalition, Though Avoid Combat Operations - Stoltenberg",
            source: "Sputnik", date: nil, dateField: .published,
            firstSentence: "The North Atlantic Treaty Organization's (NATO) decision to join the US-led coalition "
                + "against the Daesh jihadist group does not envision the alliance taking part in combat "
                + "operations, NATO Secretary General Jens Stoltenberg said Thursday.",
            boilerplate: [
                "© REUTERS / Francois LenoirNATO Secretary-General Jens Stoltenberg delivers a speech on European "
                    + "defence and transatlantic security at the German Marshall Fund think-tank in Brussels, "
                    + "Belgium, November 18, 2016.",
                "NATO Secretary-General Jens Stoltenberg delivers a speech on European defence and transatlantic "
                    + "security at the German Marshall Fund think-tank in Brussels, Belgium, November 18, 2016. - "
                    + "Sputnik International",
                "Subscribe",
                "A masked Belgian police officer takes part in police operations in Schaerbeek following Tuesday's "
                    + "bomb attacks in Brussels, Belgium, March 25, 2016 - Sputnik International",
                "Brussels Not Boosting Police for Trump’s Visit, Security Already at High Level",
                "NATO member states' flags outside the European headquarters of the North Atlantic Treaty "
                    + "Organization in Brussels. (File) - Sputnik International",
                "NATO Chief Expects Allies to Expand Support to International Coalition",
                "Newsfeed", "0", "To participate in the discussion", "log in or register", "loader", "Chats",
                "Заголовок открываемого материала",
            ]
        ),
    ]

    static func prepared(_ number: String) throws -> PreparedDocument {
        let seed = try Seeds.bytes(number)
        let result = Parse.prepare(seed.bytes, fileName: seed.name)
        return try #require(result.success, "rejected: \(String(describing: result.failure))")
    }

    @Test(arguments: seeds)
    func headlineSourceAndDate(_ expected: SeedCleaning) throws {
        let article = try Self.prepared(expected.number).article
        #expect(article.headline == expected.headline)
        #expect(article.source == expected.source)
        #expect(expected.dateField.value(article) == expected.date)
    }

    @Test(arguments: seeds)
    func bodyStartsWithTheStory(_ expected: SeedCleaning) throws {
        let article = try Self.prepared(expected.number).article
        let first = try #require(article.paragraphs.first)
        #expect(first.hasPrefix(expected.firstSentence), "first paragraph: \(first)")
    }

    @Test(arguments: seeds)
    func noBoilerplateSurvives(_ expected: SeedCleaning) throws {
        let document = try Self.prepared(expected.number)
        let body = document.article.paragraphs
        for line in expected.boilerplate {
            #expect(!body.contains { $0 == line || $0.hasPrefix(line) }, "survived: \(line)")
            #expect(document.removed.contains { $0 == line || $0.hasPrefix(line) }, "not reported removed: \(line)")
        }
        #expect(!body.contains { $0.hasSuffix("Endit") })
    }

    /// Cleaning must take out furniture only: every paragraph of running text in the page survives.
    @Test(arguments: seeds)
    func storyParagraphsSurvive(_ expected: SeedCleaning) throws {
        let seed = try Seeds.bytes(expected.number)
        let raw = String(decoding: seed.bytes, as: UTF8.self)
        let document = try Self.prepared(expected.number)
        let body = document.article.bodyText
        let furniture = Set(expected.boilerplate)
        for line in raw.split(separator: "\n") {
            let text = line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let words = text.split(separator: " ").count
            guard words >= 12, text.hasSuffix("."), !furniture.contains(text), !text.hasPrefix("©") else { continue }
            #expect(body.contains(text), "lost: \(text.prefix(80))")
        }
    }

    @Test func seed000RejoinsTheSentenceThePageBrokeInTwo() throws {
        let article = try Self.prepared("000").article
        #expect(article.paragraphs.contains { $0.contains("help counter human* trafficking and criminal networks.") })
        #expect(article.versionCreated == "2016-02-11T13:14")
    }

    @Test func seed002ReadsTheBylineAndTheNote() throws {
        let article = try Self.prepared("002").article
        #expect(article.byline == "NATO Secretary General Jens Stoltenberg")
        #expect(article.editorNote == "As delivered")
        #expect(article.versionCreated == "2020-02-12T19:31")
        #expect(article.paragraphs.contains("Let me be clear:"))
    }

    @Test func seed003KeepsItsSubheadAndShortParagraphs() throws {
        let document = try Self.prepared("003")
        #expect(document.removed.isEmpty, "\(document.removed)")
        #expect(document.article.paragraphs.contains("On Ukraine."))
        #expect(
            document.article.paragraphs.contains {
                $0.hasPrefix("Doorstep statement by NATO Secretary General Jens Stoltenberg")
            })
    }

    @Test func seed004ReadsTheDateline() throws {
        let article = try Self.prepared("004").article
        #expect(article.dateline == "BRUSSELS/MOSCOW (Sputnik) —")
        #expect(article.datelinePlace == "BRUSSELS/MOSCOW")
        #expect(
            article.paragraphs.last?.hasPrefix("The US President will unveil the 9/11 and Article 5 Memorial") == true)
    }
}
