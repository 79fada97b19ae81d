import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// `copydesk trace | retry | follow | doctor` against a running daemon.
@Suite(.serialized) struct OperatorCommandsEndToEndTests {
    struct Step: Decodable {
        var place: String
        var verdict: String?
        var sequence: UInt64?
        var channel: String?
        var detail: String
    }
    struct Trace: Decodable {
        var name: String
        var found: Bool
        var steps: [Step]
    }
    struct Check: Decodable {
        var name: String
        var status: String
    }

    @Test func traceRetryFollowAndDoctor() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-operator")
        defer { root.remove() }
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")

        // follow, started before anything arrives: prints the next two records and exits.
        let follow = Process()
        follow.executableURL = Binaries.cli
        follow.arguments = ["follow", "--root", root.path, "--json", "--lines", "0", "--count", "2", "--interval", "50"]
        let followOut = Pipe()
        follow.standardOutput = followOut
        try follow.run()
        try await Task.sleep(for: .milliseconds(500))

        let wire = root.url.appendingPathComponent("inbox/wire")
        try FileManager.default.createDirectory(at: wire, withIntermediateDirectories: true)
        try Drop.writeThenRename(story(1), as: "good.txt", into: wire)
        #expect(await waitForStored(notify, 1, from: 0))
        try Drop.writeThenRename(Data(), as: "bad.txt", into: wire)
        #expect(eventually(timeout: 20) { listing(root.url.appendingPathComponent("rejected")).contains("bad.txt.reason") })

        let followed = followOut.fileHandleForReading.readDataToEndOfFile()
        follow.waitUntilExit()
        #expect(follow.terminationStatus == 0)
        let views = try String(decoding: followed, as: UTF8.self).split(separator: "\n")
            .map { try JSONDecoder().decode(RecordView.self, from: Data($0.utf8)) }
        #expect(views.map(\.file) == ["good.txt", "bad.txt"])
        #expect(views.map(\.verdict) == ["stored", "rejected"])

        // trace: stored in the journal; rejected, with the file in rejected/ and its record.
        var result = try copydesk(["trace", "--root", root.path, "good.txt", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        var trace = try JSONDecoder().decode(Trace.self, from: Data(result.stdout.utf8))
        #expect(trace.steps.map(\.place) == ["journal"])
        #expect(trace.steps.first?.verdict == "stored" && trace.steps.first?.channel == "wire")
        result = try copydesk(["trace", "--root", root.path, "bad.txt", "--json"])
        trace = try JSONDecoder().decode(Trace.self, from: Data(result.stdout.utf8))
        #expect(Set(trace.steps.map(\.place)) == ["journal", "rejected"], "\(result.stdout)")
        #expect(trace.steps.first { $0.place == "rejected" }?.detail.contains("empty") == true)
        result = try copydesk(["trace", "--root", root.path, "bad.txt"])
        #expect(result.stdout.contains("copydesk retry bad.txt"), "\(result.stdout)")
        result = try copydesk(["trace", "--root", root.path, "never-sent.txt"])
        #expect(result.status == 1 && result.stdout.contains("not in the inbox"))

        // retry: the cause fixed (the producer re-sent content), the file goes back to its channel and is stored.
        #expect(try copydesk(["retry", "--root", root.path]).status != 0)  // a name or --all is required
        try story(2).write(to: root.url.appendingPathComponent("rejected/bad.txt"))
        let mark = notify.messages.count
        result = try copydesk(["retry", "--root", root.path, "bad.txt"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("inbox/wire/bad.txt"))
        #expect(await waitForStored(notify, 2, from: mark))
        let history = listing(root.url.appendingPathComponent("rejected/history"))
        #expect(history.count == 1 && history[0].hasPrefix("bad.txt.reason.retried-"), "\(history)")
        #expect(!listing(root.url.appendingPathComponent("rejected")).contains("bad.txt"))
        result = try copydesk(["trace", "--root", root.path, "bad.txt", "--json"])
        trace = try JSONDecoder().decode(Trace.self, from: Data(result.stdout.utf8))
        #expect(trace.steps.compactMap(\.verdict) == ["rejected", "stored"], "\(result.stdout)")
        result = try copydesk(["retry", "--root", root.path, "bad.txt"])
        #expect(result.status == 1 && result.stdout.contains("not moved"))

        // doctor: healthy while the daemon runs; the daemon down is a warning, not a failure.
        result = try copydesk(["doctor", "--root", root.path, "--json"])
        #expect(result.status == 0, "\(result.stdout)")
        var checks = try JSONDecoder().decode([Check].self, from: Data(result.stdout.utf8))
        #expect(checks.first { $0.name == "daemon" }?.status == "ok")
        #expect(checks.first { $0.name == "journal" }?.status == "ok")
        #expect(checks.first { $0.name == "inbox folder" }?.status == "ok")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        result = try copydesk(["doctor", "--root", root.path, "--json"])
        checks = try JSONDecoder().decode([Check].self, from: Data(result.stdout.utf8))
        #expect(result.status == 0)
        #expect(checks.first { $0.name == "daemon" }?.status == "warn")
        try "spool = 3\n".write(to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8)
        result = try copydesk(["doctor", "--root", root.path])
        #expect(result.status == 1 && result.stdout.contains("FAIL  configuration"), "\(result.stdout)")
    }
}
