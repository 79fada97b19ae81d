import CopydeskCore
import Foundation
import Testing

@Suite("Classify: rules")
struct ClassifyRulesTests {
    struct BadRules: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var message: String

        var testDescription: String { message }
    }

    static let bad: [BadRules] = [
        BadRules(text: "# fine\nfrobnicate x", line: 2, message: "unknown directive frobnicate"),
        BadRules(text: "kind memo 3 lead \"x\"", line: 1, message: "unknown kind memo"),
        BadRules(text: "\n\ntopic medtop:99999999 1 body war", line: 3, message: "unknown IPTC media topic"),
        BadRules(text: "source AP heavy lead \"(ap)\"", line: 1, message: "weight must be a number"),
        BadRules(text: "source AP 3 footer \"(ap)\"", line: 1, message: "unknown field footer"),
        BadRules(text: "source AP 3 lead \"(ap)", line: 1, message: "unterminated quote"),
        BadRules(text: "kind advisory 3 lead /(unclosed/", line: 1, message: "does not compile"),
        BadRules(text: "kind advisory 3 lead /unterminated", line: 1, message: "unterminated regex"),
        BadRules(text: "source AP 3 lead", line: 1, message: "needs a label, a weight, fields and at least one"),
        BadRules(text: "set topic-treshold 3", line: 1, message: "unknown setting topic-treshold"),
        BadRules(text: "set max-topics many", line: 1, message: "max-topics must be a whole number"),
        BadRules(text: "urgency flash 12 headline /^FLASH/", line: 1, message: "urgency level must be 1…9"),
        BadRules(text: "model-topic sport medtop:1500000", line: 1, message: "unknown IPTC media topic"),
        BadRules(text: "kind statement 3 lead =\"x\"$", line: 1, message: "anchored at one end"),
    ]

    @Test(arguments: bad)
    func errorsNameTheLine(_ bad: BadRules) {
        #expect {
            _ = try ClassificationRules.parse(bad.text)
        } throws: { error in
            guard let error = error as? RulesError else { return false }
            return error.line == bad.line && error.message.contains(bad.message)
        }
    }

    @Test func theDefaultRulesParse() throws {
        let rules = try ClassificationRules.parse(ClassificationRules.defaultText)
        #expect(rules.rules.count > 50)
        #expect(rules.agencies.contains("Xinhua"))
        #expect(rules.aliases["associated press"] == "AP")
        #expect(rules.modelTopics["sport"] == "medtop:15000000")
        #expect(rules.settings.topicThreshold == 4)
    }

    /// `deploy/rules.conf` is what users start editing from; it must be the rules Copydesk actually uses.
    @Test func theDeployedExampleIsTheDefault() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/rules.conf")
        let text = try String(contentsOf: path, encoding: .utf8)
        #expect(
            text == ClassificationRules.defaultText + "\n",
            "regenerate with: .build/debug/bench-classify default-rules > deploy/rules.conf"
        )
    }

    static let anchored = """
        kind statement 5 lead ="statement"
        kind advisory 5 lead ^"media advisory"
        kind agency-story 5 tail "endit"$
        topic medtop:20000056 2 body war
        source "Press Office" 5 lead "press office"
        set topic-threshold 1
        """

    func classify(_ paragraphs: [String], headline: String = "Headline") throws -> Classification {
        Classifier(rules: try ClassificationRules.parse(Self.anchored))
            .classify(Article(headline: headline, paragraphs: paragraphs))
    }

    @Test func wholeParagraphPrefixAndSuffixAnchors() throws {
        #expect(try classify(["Statement"]).kind.kind == .statement)
        #expect(try classify(["A statement was read out."]).kind.kind == .other)
        #expect(try classify(["MEDIA ADVISORY: briefing at noon"]).kind.kind == .advisory)
        #expect(try classify(["There is no media advisory today."]).kind.kind == .other)
        #expect(try classify(["The talks ended. Endit."]).kind.kind == .agencyStory)
        #expect(try classify(["Endit was not the last word here."]).kind.kind == .other)
    }

    /// Equal-weight cues came out in the hash order of a dictionary keyed by pattern (another order in every
    /// process); now in the order the rules file writes them, and broader topics' "via" cues in topic order.
    @Test func equalWeightCuesFollowTheRulesFile() throws {
        let rules = try ClassificationRules.parse("""
            topic medtop:20000056 2 body zulu yankee xray whisky victor uniform tango sierra romeo quebec
            topic medtop:20000053 10 body papa oscar
            set topic-threshold 1
            """)
        let words = ["zulu", "yankee", "xray", "whisky", "victor", "uniform", "tango", "sierra", "romeo", "quebec"]
        // Written in reverse and shuffled in the text: the cues follow the rules, not the text.
        let text = (words.reversed() + ["oscar", "papa"]).joined(separator: " ") + "."
        let topics = Classifier(rules: rules).classify(Article(headline: "Report", paragraphs: [text])).topics
        let armed = try #require(topics.first { $0.code == "medtop:20000056" })
        #expect(armed.cues.map(\.text) == Array(words.prefix(8)))
        let terror = try #require(topics.first { $0.code == "medtop:20000053" })
        #expect(terror.cues.map(\.text) == ["papa", "oscar"])
        let conflict = try #require(topics.first { $0.code == "medtop:16000000" })
        // Equal shares (20 × 0.6 each): the narrower topics in MediaTopics order.
        #expect(conflict.cues.map(\.text) == ["via act of terror", "via armed conflict"])
    }

    @Test func phrasesMatchWholeWordsOnly() throws {
        #expect(try classify(["The war went on."]).topics.contains { $0.code == "medtop:20000056" })
        #expect(try classify(["Software awards were handed out in warm weather."]).topics.isEmpty)
        // Non-ASCII punctuation ends a word as ASCII punctuation does.
        #expect(try classify(["It was war… again."]).topics.contains { $0.code == "medtop:20000056" })
    }

    @Test func quotedNamesAndCommentsAreRead() throws {
        let result = try classify(["The press office said so."])
        #expect(result.source?.name == "Press Office")
        let rules = try ClassificationRules.parse("source \"A # B\" 4 lead \"x # y\" # a comment")
        #expect(rules.rules.first?.label == "A # B")
        #expect(rules.rules.first?.patterns.first?.display == "x # y")
    }

    @Test func narrowerTopicsLendEvidenceToBroaderOnes() throws {
        let result = try classify(["War, war and more war."])
        let armedConflict = try #require(result.topics.first { $0.code == "medtop:20000056" })
        let conflict = try #require(result.topics.first { $0.code == "medtop:16000000" })
        #expect(conflict.score < armedConflict.score)
        #expect(conflict.cues.first?.text == "via armed conflict")
    }
}
