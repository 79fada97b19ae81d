import CopydeskCore
import Testing

/// What an editor says about each seed, as today's plain-text parse delivers it (seed 001 still has the web
/// page's "Off the wire" navigation on top and a wrong headline: the classifier must see through it).
struct SeedClassification: Sendable, CustomTestStringConvertible {
    var number: String
    var kind: DocumentKind
    var detail: String?
    var source: String
    var isAgency: Bool
    /// At least one of these topics must be reported (conflict/terrorism or migration, as the text is about).
    var anyTopic: Set<String>

    var testDescription: String { "seed \(number)" }
}

@Suite("Classify: seeds")
struct ClassifySeedTests {
    static let conflictOrTerror: Set<String> = ["medtop:16000000", "medtop:20000053", "medtop:20000056"]
    static let migration: Set<String> = ["medtop:20000634", "medtop:20000645"]

    static let expectations: [SeedClassification] = [
        SeedClassification(
            number: "000", kind: .pressRelease, source: "NATO", isAgency: false,
            anyTopic: migration
        ),
        SeedClassification(
            number: "001", kind: .agencyStory, source: "Xinhua", isAgency: true, anyTopic: migration
        ),
        SeedClassification(
            number: "002", kind: .transcript, detail: "press-conference", source: "NATO", isAgency: false,
            anyTopic: conflictOrTerror
        ),
        SeedClassification(
            number: "003", kind: .statement, detail: "doorstep", source: "NATO", isAgency: false,
            anyTopic: migration.union(conflictOrTerror)
        ),
        SeedClassification(
            number: "004", kind: .agencyStory, source: "Sputnik", isAgency: true, anyTopic: conflictOrTerror
        ),
    ]

    static func classify(_ number: String, channel: String? = nil) throws -> Classification {
        let seed = try Seeds.bytes(number)
        let document = try #require(Parse.prepare(seed.bytes, fileName: seed.name).success)
        return Classifier().classify(document.article, channel: channel)
    }

    @Test(arguments: expectations)
    func kindSourceLanguageAndTopics(_ expected: SeedClassification) throws {
        let result = try Self.classify(expected.number)
        #expect(result.kind.kind == expected.kind)
        #expect(result.kind.detail == expected.detail)
        #expect(result.source?.name == expected.source)
        #expect(result.source?.isAgency == expected.isAgency)
        #expect(result.language.code == "en")
        let codes = Set(result.topics.map(\.code))
        #expect(!codes.isDisjoint(with: expected.anyTopic), "topics: \(result.topics.map(\.label))")
    }

    /// Every decision carries the evidence behind it, pointing into the rules file where a rule made it.
    @Test(arguments: expectations)
    func decisionsAreExplained(_ expected: SeedClassification) throws {
        let result = try Self.classify(expected.number)
        #expect(!result.kind.cues.isEmpty)
        #expect(result.source?.cues.isEmpty == false)
        // A rule's cue names its rules-file line; a source the parser read from the article's own source field
        // (seed 001's "Xinhua, March 11, 2016" line, lifted out of the body by Clean) is evidence by itself.
        #expect(result.source?.cues.allSatisfy { $0.line != nil || $0.field == "source" } == true)
        #expect(!result.language.cues.isEmpty)
        for topic in result.topics {
            #expect(!topic.cues.isEmpty)
            #expect((0...1).contains(topic.score))
            #expect(MediaTopics.byCode[topic.code]?.label == topic.label)
        }
    }

    /// Seed 001's "Xinhua, March 11, 2016" line sits under the site navigation; cleaning lifts it into the
    /// article's source field, which decides.
    @Test func xinhuaIsFoundBelowTheBoilerplate() throws {
        let result = try Self.classify("001")
        #expect(result.source?.name == "Xinhua")
        let cues = try #require(result.source?.cues)
        #expect(cues.contains { $0.field == "source" && $0.text.lowercased().contains("xinhua") })
    }

    /// A photo credit ("© REUTERS / …") is not a Reuters dateline: the Sputnik dateline decides.
    @Test func photoCreditIsNotTheSource() throws {
        let result = try Self.classify("004")
        #expect(result.source?.name == "Sputnik")
        #expect(!(result.source?.cues.contains { $0.text.contains("reuters") } ?? true))
    }

    @Test func peopleOrganisationsAndPlacesAreCounted() throws {
        let result = try Self.classify("004")
        let stoltenberg = try #require(result.entities.first { $0.name == "Jens Stoltenberg" })
        #expect(stoltenberg.type == .person)
        #expect(stoltenberg.count >= 10)  // "Stoltenberg" alone counts for the full name
        #expect(result.entities.first { $0.name == "NATO" }?.type == .organisation)
        #expect(result.entities.first { $0.name == "Brussels" }?.type == .place)
        #expect(result.entities.first { $0.name == "Donald Trump" }?.type == .person)
    }

    /// The Russian footer of seed 004 and the French "Mis à jour le" of seed 002 do not change the language.
    @Test func mixedPagesStayEnglish() throws {
        for number in ["002", "004"] {
            let result = try Self.classify(number)
            #expect(result.language.code == "en")
            #expect(result.language.score > 0.9)
        }
    }

    @Test func theChannelNamesTheSource() {
        let article = Article(headline: "Talks resume", paragraphs: ["Negotiators met again on Monday."])
        let result = Classifier().classify(article, channel: "xinhua")
        #expect(result.source?.name == "Xinhua")
        #expect(result.source?.cues.first?.field == "channel")
        #expect(result.kind.kind == .agencyStory)  // no kind cue: an agency's story
        #expect(Classifier().classify(article, channel: "misc").source == nil)
    }

    @Test func declaredSourceAndUrgencyMetadataAreUsed() {
        var article = Article(headline: "Quake hits coast", source: "AFP", paragraphs: ["An earthquake struck."])
        article.urgency = 2
        let result = Classifier().classify(article)
        #expect(result.source?.name == "AFP")
        #expect(result.urgency?.level == 2)
        #expect(result.urgency?.marker == "metadata")
    }

    @Test func urgencyMarkersAreCaseSensitive() {
        let flash = Classifier().classify(Article(headline: "FLASH Blast in city centre", paragraphs: ["More soon."]))
        #expect(flash.urgency?.level == 1)
        #expect(flash.urgency?.marker == "flash")
        let floods = Classifier().classify(Article(headline: "Flash floods close roads", paragraphs: ["Rain."]))
        #expect(floods.urgency == nil)
    }
}
