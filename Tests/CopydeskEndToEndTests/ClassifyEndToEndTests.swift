import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// Classification through the real `copydeskd` and `copydesk` binaries: stored with each document, filtered by
/// `list`, a model trained by `copydesk train` taken up on SIGHUP, and a bad rules file refused.
@Suite(.serialized) struct ClassifyEndToEndTests {
    /// kind, detail, source, language per seed (the list).
    static let expected: [String: (kind: String, detail: String?, source: String)] = [
        "000": ("press-release", nil, "NATO"),
        "001": ("agency-story", nil, "Xinhua"),
        "002": ("transcript", "press-conference", "NATO"),
        "003": ("statement", "doorstep", "NATO"),
        "004": ("agency-story", nil, "Sputnik"),
    ]

    static func views(_ root: URL, _ filters: [String] = []) throws -> [RecordView] {
        let result = try copydesk(["list", "--root", root.path, "--json", "--limit", "50"] + filters)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode([RecordView].self, from: Data(result.stdout.utf8))
    }

    static func seedNumbers(_ views: [RecordView]) -> Set<String> {
        Set(views.map { String($0.file.prefix(3)) })
    }

    @Test func seedsAreStoredClassifiedAndListFilters() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-e2e-classify")
        defer { root.remove() }
        let inbox = root.url.appendingPathComponent("inbox")
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: 0) { $0.contains("READY=1") } != nil,
                     "no READY=1; log:\n\(daemon.log)")
        for seed in try Binaries.seedFiles() {
            try Drop.writeThenRename(Data(contentsOf: seed), as: seed.lastPathComponent, into: inbox)
        }
        #expect(await notify.waitFor(timeout: .seconds(30), from: 0) { $0.contains(" 5 stored") } != nil,
                "log:\n\(daemon.log)")

        let all = try Self.views(root.url)
        #expect(all.count == 5)
        for view in all {
            let number = String(view.file.prefix(3))
            let want = try #require(Self.expected[number])
            let classification = try #require(view.classification, "seed \(number) stored without classification")
            #expect(classification.kind.kind.rawValue == want.kind, "seed \(number)")
            #expect(classification.kind.detail == want.detail, "seed \(number)")
            #expect(classification.source?.name == want.source, "seed \(number)")
            #expect(classification.language.code == "en", "seed \(number)")
            #expect(!classification.topics.isEmpty, "seed \(number)")
        }

        #expect(Self.seedNumbers(try Self.views(root.url, ["--kind", "agency-story"])) == ["001", "004"])
        #expect(Self.seedNumbers(try Self.views(root.url, ["--source", "nato"])) == ["000", "002", "003"])
        #expect(Self.seedNumbers(try Self.views(root.url, ["--kind", "transcript", "--source", "NATO"])) == ["002"])
        #expect(Self.seedNumbers(try Self.views(root.url, ["--lang", "en"])).count == 5)
        #expect(try Self.views(root.url, ["--lang", "fr"]).isEmpty)
        let sputnik = try #require(all.first { $0.file.hasPrefix("004") })
        let topic = try #require(sputnik.classification?.topics.first)
        #expect(Self.seedNumbers(try Self.views(root.url, ["--topic", topic.code])).contains("004"))
        #expect(Self.seedNumbers(try Self.views(root.url, ["--topic", topic.label])).contains("004"))
        let none = try copydesk(["list", "--root", root.url.path, "--lang", "fr"])
        #expect(none.stdout.contains("No stored document matches."))

        let show = try copydesk(["show", "\(sputnik.sequence)", "--root", root.url.path])
        #expect(show.status == 0)
        #expect(show.stdout.contains("Kind:") && show.stdout.contains("agency-story"))
        #expect(show.stdout.contains("Issued by:") && show.stdout.contains("Sputnik (agency)"))
        #expect(show.stdout.contains(topic.code))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    /// Two labels, three short stories each, words repeated across stories (the model keeps words seen in two).
    static func writeLabelledFolder(_ folder: URL) throws {
        let stories = [
            "sport": [
                "Football: the striker scored twice as the team won the league match and the cup final beckons.",
                "The goalkeeper saved a penalty, the striker scored late and the team climbed the league table.",
                "Tennis and football fans cheered as the team won the match; the coach praised the striker.",
            ],
            "markets": [
                "Shares fell on the stock exchange as investors sold bonds and the central bank raised rates.",
                "Investors bought bonds while shares slid; the central bank kept interest rates on hold.",
                "The stock exchange closed higher as investors returned to shares after the bank cut rates.",
            ],
        ]
        for (label, texts) in stories {
            let directory = folder.appendingPathComponent(label)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (index, text) in texts.enumerated() {
                try Data("Story \(index) of \(label)\n\n\(text)\n".utf8)
                    .write(to: directory.appendingPathComponent("\(index).txt"))
            }
        }
    }

    @Test func trainedModelIsTakenUpOnReloadAndBadRulesKeepTheOldOnes() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-e2e-train")
        defer { root.remove() }
        let inbox = root.url.appendingPathComponent("inbox")
        // Rules file: the built-in rules plus one of ours, so "old rules kept" is visible in a source.
        let rules = root.url.appendingPathComponent("rules.conf")
        let custom = "\nsource Testwire 6 any \"zanzibar ledger\"\n"
        try Data((ClassificationRules.defaultText + custom).utf8).write(to: rules)
        try Data("[classify]\nrules = \"\(rules.path)\"\n".utf8).write(to: root.url.appendingPathComponent("copydesk.toml"))
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: 0) { $0.contains("READY=1") } != nil,
                     "no READY=1; log:\n\(daemon.log)")

        // Train; the daemon does not use the model before it is told to reload.
        let labelled = root.url.appendingPathComponent("labelled")
        try Self.writeLabelledFolder(labelled)
        let train = try copydesk(["train", labelled.path, "--root", root.url.path])
        #expect(train.status == 0, "\(train.stdout)\(train.stderr)")
        #expect(train.stdout.contains("Saved to"))
        let modelFile = root.url.appendingPathComponent("journal/model.cdm")
        #expect(FileManager.default.fileExists(atPath: modelFile.path))
        // inspect checks the model before the daemon uses it.
        let sportText = "Match report\n\nThe striker scored and the team won the league match in front of the fans.\n"
        let probe = root.url.appendingPathComponent("probe.txt")
        try Data(sportText.utf8).write(to: probe)
        let inspect = try copydesk(["inspect", probe.path, "--root", root.url.path])
        #expect(inspect.stdout.contains("Model:     labelled: sport"), "\(inspect.stdout)")

        try Drop.writeThenRename(Data(sportText.utf8), as: "before.txt", into: inbox)
        #expect(await notify.waitFor(timeout: .seconds(20), from: 0) { $0.contains(" 1 stored") } != nil)
        #expect(try Self.views(root.url).first?.classification?.model == nil)

        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("classification reloaded") }, "log:\n\(daemon.log)")
        try Drop.writeThenRename(Data(("After reload\n\n" + sportText).utf8), as: "after.txt", into: inbox)
        #expect(await notify.waitFor(timeout: .seconds(20), from: 0) { $0.contains(" 2 stored") } != nil)
        let after = try #require(try Self.views(root.url).first { $0.file == "after.txt" })
        #expect(after.classification?.model?.label == "sport")
        #expect(after.classification?.model?.modelName == "labelled")

        // A broken rules file on reload: logged with its line, the running rules (with ours) stay.
        try Data((ClassificationRules.defaultText + custom + "kind memo 3 body \"x\"\n").utf8).write(to: rules)
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("classification reload failed") }, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("unknown kind memo"))
        try Drop.writeThenRename(
            Data("Ledger\n\nThe zanzibar ledger reports that the striker scored for the team.\n".utf8),
            as: "ledger.txt", into: inbox
        )
        #expect(await notify.waitFor(timeout: .seconds(20), from: 0) { $0.contains(" 3 stored") } != nil)
        let ledger = try #require(try Self.views(root.url).first { $0.file == "ledger.txt" })
        #expect(ledger.classification?.source?.name == "Testwire")
        #expect(ledger.classification?.model?.label == "sport")  // the model stayed too
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        // At start, the same broken rules are a configuration error: exit 78, the file named.
        let refused = try DaemonProcess(root: root.url, notify: notify)
        #expect(refused.waitForExit() == 78)
        #expect(refused.log.contains("rules.conf") && refused.log.contains("memo"), "\(refused.log)")
    }
}
