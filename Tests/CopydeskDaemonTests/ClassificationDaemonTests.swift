@testable import CopydeskDaemon
import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Logging
import Testing

/// The daemon's side of classification: the preparing step fills it in, the log entry carries it, reload swaps it.
@Suite struct ClassificationDaemonTests {
    static let agencyStory = Array("""
        Talks resume in Geneva

        GENEVA, March 3 (Reuters) - Negotiators resumed talks on Tuesday, diplomats said.

        (Reporting by A. Writer; Editing by B. Editor)
        """.utf8)

    @Test func preparingClassifiesWithTheChannelAsAHint() throws {
        let parsed = Parse.prepare(Self.agencyStory, fileName: "a.txt")
        let classified = Pipeline.classify(parsed, channel: "reuters", with: Classifier())
        let document = try #require(try? classified.get())
        let classification = try #require(document.classification)
        #expect(classification.kind.kind == .agencyStory)
        #expect(classification.source?.name == "Reuters")
        #expect(classification.source?.cues.contains { $0.field == "channel" } == true)
        // A rejected file stays rejected, unclassified.
        let rejected = Pipeline.classify(Parse.prepare([], fileName: "empty.txt"), channel: nil, with: Classifier())
        #expect((try? rejected.get()) == nil)
    }

    @Test func theStoredLogEntryCarriesKindSourceLanguageAndTopics() throws {
        var prepared = try #require(try? Parse.prepare(Self.agencyStory, fileName: "a.txt").get())
        prepared.classification = Classifier().classify(prepared.article, channel: nil)
        let document = DocumentRecord(
            arrival: RecordFixtures.arrival(1), format: prepared.format, charset: prepared.charset,
            article: prepared.article, raw: Self.agencyStory, classification: prepared.classification
        )
        let metadata = Pipeline.classificationMetadata(document)
        #expect(metadata["copydesk.kind"] == "agency-story")
        #expect(metadata["copydesk.source"] == "Reuters")
        #expect(metadata["copydesk.lang"] == "en")
        let topics = prepared.classification!.topics.map(\.code).joined(separator: ",")
        #expect(metadata["copydesk.topics"].map { "\($0)" } == (topics.isEmpty ? nil : topics))
        var unclassified = document
        unclassified.classification = nil
        #expect(Pipeline.classificationMetadata(unclassified).isEmpty)
    }

    @Test func aFailedReloadKeepsTheRunningClassifier() throws {
        let directory = try TemporaryDirectory(prefix: "copydesk-classifier-slot")
        defer { directory.remove() }
        let rules = directory.path + "/rules.conf"
        try Data((ClassificationRules.defaultText + "\nsource Testwire 6 any \"zanzibar ledger\"\n").utf8)
            .write(to: URL(fileURLWithPath: rules))
        var configuration = Configuration.rooted(at: directory.path)
        configuration.classifyRules = rules
        let slot = ClassifierSlot(.builtIn)
        let logger = Logger(label: "test")
        #expect(slot.reload(from: configuration, logger: logger))
        #expect(slot.current.rulesPath == rules)
        let custom = slot.current.classifier.rules.rules.count
        try Data("kind memo 3 body \"x\"\n".utf8).write(to: URL(fileURLWithPath: rules))
        #expect(!slot.reload(from: configuration, logger: logger))
        #expect(slot.current.classifier.rules.rules.count == custom)
        // A damaged model is refused the same way.
        try Data((ClassificationRules.defaultText).utf8).write(to: URL(fileURLWithPath: rules))
        try FileManager.default.createDirectory(atPath: configuration.journal, withIntermediateDirectories: true)
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: configuration.classifyModelPath))
        #expect(!slot.reload(from: configuration, logger: logger))
        #expect(slot.current.classifier.rules.rules.count == custom)
    }
}
