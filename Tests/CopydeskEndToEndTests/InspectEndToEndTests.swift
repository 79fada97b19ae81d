import CopydeskCore
import CopydeskTestSupport
import Foundation
import Testing

/// `copydesk inspect` through the built binary: what would be stored, as text and as JSON lines, a rejected
/// file making the exit status 1, and nothing written anywhere.
@Suite struct InspectEndToEndTests {
    @Test func inspectShowsSeedsAndRejectsABinaryWithoutStoringAnything() throws {
        let root = try TemporaryDirectory(prefix: "copydesk-inspect")
        defer { root.remove() }
        let seeds = try Binaries.seedFiles()
        try #require(seeds.count == 5)
        let xinhua = seeds[1].path
        let sputnik = seeds[4].path
        let picture = root.url.appendingPathComponent("photo.txt")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]).write(to: picture)
        let inbox = root.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)

        // Text: every field, the cleaned body, what was removed and why.
        let text = try copydesk(["inspect", "--root", root.url.path, xinhua, sputnik])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Headline:       NATO, EU highlight cooperation to tackle refugee crisis"))
        #expect(text.stdout.contains("Source:         Xinhua"))
        #expect(text.stdout.contains("Published:      2016-03-11"))
        #expect(text.stdout.contains("[breadcrumb] You are here: Home"))
        #expect(text.stdout.contains("Source:         Sputnik"))
        #expect(text.stdout.contains("[interface prompt] Subscribe"))

        // JSON: one object per file per line, the stored record's field names; the picture is rejected.
        let json = try copydesk(["inspect", "--json", xinhua, sputnik, picture.path])
        #expect(json.status == 1, "a rejected file makes the exit status 1")
        let lines = json.stdout.split(separator: "\n")
        try #require(lines.count == 3, "\(json.stdout)")
        let views = try lines.map { try JSONDecoder().decode(InspectionView.self, from: Data($0.utf8)) }
        #expect(views.map(\.verdict) == ["document", "document", "rejected"])
        #expect(views[0].format == "text" && views[0].charset == "utf-8")
        #expect(views[0].article?.headline == "NATO, EU highlight cooperation to tackle refugee crisis")
        #expect(views[0].removed?.contains { $0.text == "Off the wire" } == true)
        #expect(
            views[1].article?.headline
                == "NATO to Join Anti-Daesh Coalition, Though Avoid Combat Operations - Stoltenberg")
        #expect(views[1].article?.paragraphs.contains("Subscribe") == false)
        #expect(views[2].reason?.code == .binary)
        let object = try #require(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["file", "verdict", "format", "charset", "article", "removed"]))

        // A file that is not there is reported as the daemon would record it.
        let missing = try copydesk(["inspect", root.url.appendingPathComponent("nope.txt").path])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("unreadable"))

        // Nothing was stored: no journal, nothing taken from or added to any folder.
        #expect(listing(root.url) == ["inbox", "photo.txt"])
        #expect(listing(inbox).isEmpty)
    }
}
