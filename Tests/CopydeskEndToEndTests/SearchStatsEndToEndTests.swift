import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// `copydesk search` and `copydesk stats` on the five seeds, stored by the built daemon.
@Suite(.serialized) struct SearchStatsEndToEndTests {
    struct Hit: Decodable {
        var record: RecordView
        var snippet: String?
    }
    struct Stats: Decodable {
        var records: Int
        var byVerdict: [String: Int]
        var bySource: [String: Int]
        var byDay: [String: Int]
    }

    @Test func searchFindsByWordsAndFiltersAndStatsCounts() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-search")
        defer { root.remove() }
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let inbox = root.url.appendingPathComponent("inbox")
        for seed in try Binaries.seedFiles() {
            try Drop.writeThenRename(try Data(contentsOf: seed), as: seed.lastPathComponent, into: inbox)
        }
        #expect(await waitForStored(notify, 5, from: 0, timeout: 60), "\(daemon.log.suffix(2000))")

        // Every word must appear, in any case.
        var result = try copydesk(["search", "--root", root.path, "--json", "REFUGEE", "crisis"])
        #expect(result.status == 0, "\(result.stderr)")
        var hits = try JSONDecoder().decode([Hit].self, from: Data(result.stdout.utf8))
        #expect(Set(hits.map(\.record.file)) == ["000_789fb7d204d3364c.txt", "001_83f9978277001918.txt",
                                                   "002_40597e4f3ef359c7.txt"], "\(hits.map(\.record.file))")
        #expect(hits.map(\.record.sequence) == hits.map(\.record.sequence).sorted(by: >))  // newest first
        #expect(hits.first?.snippet?.lowercased().contains("refugee") == true)
        // A filter narrows the words' matches.
        result = try copydesk(["search", "--root", root.path, "--json", "coalition"])
        hits = try JSONDecoder().decode([Hit].self, from: Data(result.stdout.utf8))
        #expect(hits.count == 3, "\(hits.map(\.record.file))")
        result = try copydesk(["search", "--root", root.path, "--json", "--source", "sputnik", "coalition"])
        hits = try JSONDecoder().decode([Hit].self, from: Data(result.stdout.utf8))
        #expect(hits.map(\.record.file) == ["004_c97abf626ab402a2.txt"], "\(hits.map(\.record.file))")
        result = try copydesk(["search", "--root", root.path, "no-such-word-anywhere"])
        #expect(result.status == 1 && result.stdout.contains("No stored document matches"))

        result = try copydesk(["stats", "--root", root.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try JSONDecoder().decode(Stats.self, from: Data(result.stdout.utf8))
        #expect(stats.records == 5 && stats.byVerdict == ["stored": 5])
        #expect(stats.bySource["NATO"] == 3 && stats.bySource["Xinhua"] == 1 && stats.bySource["Sputnik"] == 1,
                "\(stats.bySource)")
        #expect(stats.byDay.values.reduce(0, +) == 5)
        result = try copydesk(["stats", "--root", root.path])
        #expect(result.stdout.contains("By source") && result.stdout.contains("Xinhua"), "\(result.stdout)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}
