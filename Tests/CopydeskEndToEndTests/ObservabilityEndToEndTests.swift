import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// Channels, the quiet-feed warning and the Prometheus metrics, from the built daemon and CLI.
@Suite(.serialized) struct ObservabilityEndToEndTests {
    @Test func channelsAreCountedAndAQuietFeedIsFlagged() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-channels")
        defer { root.remove() }
        let textfile = root.appending("copydesk.prom")
        try """
            [metrics]
            textfile = "\(textfile)"
            interval = "1s"
            [channels]
            quiet_factor = 2
            quiet_minimum = "4s"
            """.write(to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8)
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let wire = root.url.appendingPathComponent("inbox/wire")
        try FileManager.default.createDirectory(at: wire, withIntermediateDirectories: true)
        // A feed delivering every ~1.1 s, then stopping; and one file straight into the inbox. The 4 s minimum keeps
        // a slow delivery under load (a debug daemon beside a build) from counting as a silence mid-feed.
        for n in 0..<6 {
            try Drop.writeThenRename(story(n), as: "w\(n).txt", into: wire)
            #expect(await waitForStored(notify, n + 1, from: 0, timeout: 30))
            try await Task.sleep(for: .milliseconds(1100))
        }
        try Drop.writeThenRename(Data(), as: "empty.txt", into: root.url.appendingPathComponent("inbox"))
        let quiet = await notify.waitFor(timeout: .seconds(20)) { $0.contains("quiet: wire") }
        #expect(quiet != nil, "\(notify.messages.suffix(3))\n\(daemon.log.suffix(2000))")
        #expect(daemon.logLines(containing: "channel wire silent", "event=channel-quiet").count == 1, "\(daemon.log)")

        let status = try #require(try daemonStatus(root.url))
        let channels = try #require(status.channels)
        let byName = Dictionary(uniqueKeysWithValues: channels.map { ($0.name, $0) })
        #expect(byName["wire"]?.stored == 6 && byName["wire"]?.quiet == true)
        #expect(byName[ChannelTracker.inboxName]?.rejected == 1)
        let text = try copydesk(["status", "--root", root.path])
        #expect(text.stdout.contains("Warning: channel wire silent"), "\(text.stdout)")

        let metrics = try copydesk(["metrics", "--root", root.path])
        #expect(metrics.status == 0)
        let lines = Set(metrics.stdout.split(separator: "\n").map(String.init))
        #expect(lines.contains("copydesk_up 1"))
        #expect(lines.contains("copydesk_documents_stored_total 6"), "\(metrics.stdout)")
        #expect(lines.contains("copydesk_rejected_total 1"))
        #expect(lines.contains("copydesk_ingest_latency_seconds_count 7"), "\(metrics.stdout)")
        #expect(lines.contains("copydesk_channel_quiet{channel=\"wire\"} 1"))
        #expect(lines.contains { $0.hasPrefix("copydesk_journal_bytes ") })
        // The textfile for node_exporter, rewritten every second.
        #expect(eventually(timeout: 10) {
            ((try? String(contentsOfFile: textfile, encoding: .utf8)) ?? "").contains("copydesk_channel_quiet{channel=\"wire\"} 1")
        })
        #expect(!FileManager.default.fileExists(atPath: textfile + ".tmp"))

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let down = try copydesk(["metrics", "--root", root.path])
        #expect(down.status == 3 && down.stdout.contains("copydesk_up 0"))
    }
}
