import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// Dedup through the real `copydeskd` and `copydesk`: redelivery, re-wrapped copies, an update chain, a story
/// across sources, and a restart with and without the index checkpoint deciding the same way.
@Suite(.serialized) struct DedupEndToEndTests {
    /// A daemon on `root` with the CLI pointed at it.
    final class Desk {
        let root: URL
        let notify: NotifyListener
        var daemon: DaemonProcess?

        init(root: URL) throws {
            self.root = root
            notify = try NotifyListener()
        }

        var inbox: URL { root.appendingPathComponent("inbox") }

        func start() async throws {
            let mark = notify.messages.count
            daemon = try DaemonProcess(root: root, notify: notify)
            let ready = await notify.waitFor(timeout: .seconds(60), from: mark) { $0.contains("READY=1") }
            try #require(ready != nil, "no READY=1; log:\n\(daemon!.log)")
        }

        func stop() {
            daemon?.signal(SIGTERM)
            #expect(daemon?.waitForExit(timeout: 30) == 0, "log:\n\(daemon?.log ?? "")")
        }

        /// Drops `data` as `name` and waits for record `sequence`.
        func deliver(_ data: Data, as name: String, expecting sequence: UInt64) throws -> RecordView {
            try Drop.writeThenRename(data, as: name, into: inbox)
            var view: RecordView?
            _ = try eventually(timeout: 30) {
                let shown = try copydesk(["show", "\(sequence)", "--json", "--root", root.path])
                guard shown.status == 0 else { return false }
                view = try JSONDecoder().decode(RecordView.self, from: Data(shown.stdout.utf8))
                return true
            }
            return try #require(view, "record \(sequence) never came; log:\n\(daemon?.log ?? "")")
        }

        func cli(_ arguments: [String]) throws -> CommandResult {
            try copydesk(arguments + ["--root", root.path])
        }
    }

    /// The cleaned article of a seed, as the daemon would store it.
    static func article(ofSeed index: Int) throws -> Article {
        let url = try Binaries.seedFiles()[index]
        let bytes = [UInt8](try Data(contentsOf: url))
        return try Parse.prepare(bytes, fileName: url.lastPathComponent).get().article
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The same story re-wrapped three ways: an HTML page, a NITF document, plain text broken at 60 columns.
    static func rewrapped(_ article: Article) -> [(name: String, data: Data)] {
        let paragraphs = article.paragraphs
        let html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\(escaped(article.headline))</title>"
            + "</head><body><article><h1>\(escaped(article.headline))</h1>"
            + paragraphs.map { "<p>\(escaped($0))</p>" }.joined(separator: "\n") + "</article></body></html>\n"
        let nitf = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nitf><head><title>\(escaped(article.headline))</title>"
            + "</head><body><body.head><hedline><hl1>\(escaped(article.headline))</hl1></hedline></body.head>"
            + "<body.content>" + paragraphs.map { "<p>\(escaped($0))</p>" }.joined(separator: "\n")
            + "</body.content></body></nitf>\n"
        func wrap(_ text: String) -> String {
            var lines: [String] = [], line = ""
            for word in text.split(separator: " ") {
                if !line.isEmpty, line.count + word.count + 1 > 60 {
                    lines.append(line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            if !line.isEmpty { lines.append(line) }
            return lines.joined(separator: "\r\n")
        }
        let text = article.headline + "\r\n\r\n" + paragraphs.map(wrap).joined(separator: "\r\n\r\n") + "\r\n"
        return [("story.html", Data(html.utf8)), ("story.xml", Data(nitf.utf8)), ("story-wrapped.txt", Data(text.utf8))]
    }

    /// A Reuters story (Reuters-21578, the Bahia cocoa review) and its update and correction, as plain text files.
    static func updateChain() -> [Data] {
        let headline = "Bahia cocoa review"
        var body = TextFixtures.bahiaCocoa
        body[0] = "SALVADOR, Feb 26 (Reuters) - " + body[0]
        body.append("With total Bahia crop estimates around 6.4 mln bags and sales standing at almost 6.2 mln there are a "
            + "few hundred thousand bags still in the hands of farmers, middlemen, exporters and processors.")
        let original = [headline] + body
        let update = ["UPDATE 1-" + headline] + body
            + ["Bahia exporters said shipments would resume next week after the rains, with the first cargo due in "
                + "Ilheus on Monday, traders said."]
        var corrected = update
        corrected[0] = "CORRECTED-UPDATE 1-" + headline
        corrected[2] = corrected[2].replacingOccurrences(of: "155,221", with: "155,212")
        return [original, update, corrected].map { Data(($0.joined(separator: "\n\n") + "\n").utf8) }
    }

    @Test func redeliveryRewrapsUpdatesStoriesAndRestarts() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-dedup")
        defer { root.remove() }
        let desk = try Desk(root: root.url)
        try await desk.start()
        let seeds = try Binaries.seedFiles()

        // 1: the NATO ministers seed; 2: the same bytes again → exact duplicate of 1.
        let first = try desk.deliver(Data(contentsOf: seeds[0]), as: seeds[0].lastPathComponent, expecting: 1)
        #expect(first.verdict == "stored" && first.link == nil && first.story == 1)
        let again = try desk.deliver(Data(contentsOf: seeds[0]), as: "again.txt", expecting: 2)
        #expect(again.verdict == "duplicate" && again.duplicateOf == 1 && again.match == "exact")

        // 3–5: the same story re-wrapped as HTML, NITF and plain text: no new unlinked story.
        var sequence: UInt64 = 3
        for copy in Self.rewrapped(try Self.article(ofSeed: 0)) {
            let view = try desk.deliver(copy.data, as: copy.name, expecting: sequence)
            let normalized = view.verdict == "duplicate" && view.match == "normalized" && view.duplicateOf == 1
            let near = view.verdict == "stored" && view.link?.relation == .nearDuplicate && view.link?.of == 1
                && (view.link?.similarityPermille ?? 0) >= 800
            #expect(normalized || near, "\(copy.name) became \(view.verdict) \(String(describing: view.link))")
            sequence += 1
        }

        // The update chain: original, UPDATE 1, CORRECTED-UPDATE 1.
        let chain = Self.updateChain()
        let original = try desk.deliver(chain[0], as: "cocoa.txt", expecting: sequence)
        #expect(original.verdict == "stored" && original.link == nil)
        // Another event: a story of its own, not the NATO one.
        #expect(original.story == original.sequence)
        let update = try desk.deliver(chain[1], as: "cocoa-update1.txt", expecting: sequence + 1)
        #expect(update.link?.relation == .version && update.link?.of == original.sequence, "\(String(describing: update.link))")
        let correction = try desk.deliver(chain[2], as: "cocoa-corrected.txt", expecting: sequence + 2)
        #expect(correction.link?.relation == .version && correction.link?.of == update.sequence)
        for member in [original.sequence, correction.sequence] {
            let shown = try desk.cli(["show", "\(member)"])
            #expect(shown.status == 0)
            let lines = shown.stdout.split(separator: "\n").map(String.init)
            let start = try #require(lines.firstIndex(of: "Versions (newest first):"), "\(shown.stdout)")
            let listed = lines[(start + 1)...].prefix(3).map { $0.dropFirst(2).split(separator: "\t").first.map(String.init) }
            #expect(listed == ["#\(correction.sequence)", "#\(update.sequence)", "#\(original.sequence)"], "\(shown.stdout)")
        }
        sequence += 3
        let list = try desk.cli(["list", "--limit", "3"])
        #expect(list.stdout.contains("[version of #\(update.sequence)]"), "\(list.stdout)")

        // NATO's press conference and Sputnik's report on the anti-Daesh coalition (seeds 002, 004) join the NATO
        // story of record 1; the cocoa chain stays out of it.
        let press = try desk.deliver(Data(contentsOf: seeds[2]), as: seeds[2].lastPathComponent, expecting: sequence)
        let sputnik = try desk.deliver(Data(contentsOf: seeds[4]), as: seeds[4].lastPathComponent, expecting: sequence + 1)
        #expect(press.story == 1 && sputnik.story == 1, "\(String(describing: press.story)) \(String(describing: sputnik.story))")
        #expect(update.story == original.sequence && correction.story == original.sequence)
        let stories = try desk.cli(["stories", "--json"])
        #expect(stories.status == 0, "\(stories.stderr)")
        struct Listed: Decodable {
            struct Member: Decodable { var sequence: UInt64 }
            var story: UInt64
            var members: [Member]
        }
        let listed = try JSONDecoder().decode([Listed].self, from: Data(stories.stdout.utf8))
        let nato = try #require(listed.first { $0.story == 1 }, "\(stories.stdout)")
        #expect(Set(nato.members.map(\.sequence)).isSuperset(of: [1, press.sequence, sputnik.sequence]))
        #expect(!nato.members.contains { $0.sequence == original.sequence })
        let text = try desk.cli(["stories"])
        #expect(text.stdout.contains("Story #1 ·") && text.stdout.contains("Sputnik"), "\(text.stdout)")
        sequence += 2
        desk.stop()

        // Restart with the checkpoint written at the stop, and a copy restarted without it: the same verdicts.
        let copy = try TemporaryDirectory(prefix: "copydesk-dedup-nockpt")
        defer { copy.remove() }
        try FileManager.default.removeItem(atPath: copy.path)
        try FileManager.default.copyItem(at: root.url, to: copy.url)
        try FileManager.default.removeItem(at: copy.url.appendingPathComponent("journal/index.cdx"))
        try? FileManager.default.removeItem(at: copy.url.appendingPathComponent("control.sock"))
        #expect(FileManager.default.fileExists(atPath: root.url.appendingPathComponent("journal/index.cdx").path))

        let probes: [(String, Data)] = [
            ("redelivered.txt", try Data(contentsOf: seeds[4])),
            ("update2.txt", Data(String(decoding: chain[1], as: UTF8.self)
                .replacingOccurrences(of: "UPDATE 1-", with: "UPDATE 2-").replacingOccurrences(
                    of: "traders said.", with: "traders said. Prices eased in London, dealers added.").utf8)),
            ("wrapped-again.txt", Self.rewrapped(try Self.article(ofSeed: 0))[2].data + Data("\r\n".utf8)),
            ("fresh.txt", try Data(contentsOf: seeds[1])),
        ]
        var outcomes: [[String]] = []
        for (index, desk) in [desk, try Desk(root: copy.url)].enumerated() {
            try await desk.start()
            let log = desk.daemon!.log
            if index == 0 {
                #expect(eventually { desk.daemon!.log.contains("index checkpoint loaded") }, "\(log)")
            } else {
                #expect(eventually { desk.daemon!.log.contains("no index checkpoint") }, "\(log)")
            }
            var outcome: [String] = []
            for (offset, probe) in probes.enumerated() {
                let view = try desk.deliver(probe.1, as: probe.0, expecting: sequence + UInt64(offset))
                outcome.append("\(view.verdict) \(view.match ?? "") \(view.duplicateOf.map(String.init) ?? "") "
                    + "\(view.link?.text ?? "") story \(view.story.map(String.init) ?? "-")")
            }
            outcomes.append(outcome)
            desk.stop()
        }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0][0].hasPrefix("duplicate exact \(sputnik.sequence)"), "\(outcomes[0])")
        #expect(outcomes[0][1].contains("version of #\(correction.sequence)"), "\(outcomes[0])")
        #expect(outcomes[0][3].hasPrefix("stored"), "\(outcomes[0])")
    }
}
