import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// Pulling the plug in the middle of a burst loses nothing and stores nothing twice.
@Suite(.serialized) struct CrashEndToEndTests {
    @Test func sigkillMidBurstThenRestartStoresEveryFileExactlyOnce() throws {
        let root = try TemporaryDirectory(prefix: "copydesk-crash")
        defer { root.remove() }
        let inbox = root.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let count = 2000  // enough that the burst outlasts a busy test runner's scheduling delays
        var expected = Set<String>()
        for index in 0..<count {
            let text = "Story number \(index)\n\nParagraph one of story \(index) about the wires.\n\n"
                + String(repeating: "Filler text \(index). ", count: 40) + "\n"
            let data = Data(text.utf8)
            expected.insert(SHA256.hash([UInt8](data)).hex)
            try Drop.writeThenRename(data, as: String(format: "story-%04d.txt", index), into: inbox)
        }
        let notify = try NotifyListener()
        var mark = 0
        var kills = 0
        // Small batches so the kills land between and inside batches, not after the whole burst.
        try "[ingest]\nbatch_max = 8\n".write(to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8)
        var storedBefore = 0
        for round in 0..<3 {
            mark = notify.messages.count
            let daemon = try DaemonProcess(root: root.url, notify: notify)
            try #require(waitBlocking(notify, timeout: 30, from: mark) { $0.contains("READY=1") } != nil, "log:\n\(daemon.log)")
            // Kill as soon as the daemon reports progress past the last round: mid-burst, with batches in flight.
            let progress = waitBlocking(notify, timeout: 30, from: mark) { message in
                (storedCount(in: message) ?? 0) > storedBefore
            }
            daemon.signal(SIGKILL)
            _ = daemon.waitForExit()
            kills += 1
            storedBefore = progress.flatMap(storedCount(in:)) ?? storedBefore
            let left = listing(inbox).count + listing(root.url.appendingPathComponent("work")).count
            if round == 0 {
                // The first kill must land mid-burst, or this test would prove nothing.
                #expect(left > 0, "the daemon finished the burst before the first kill: \(notify.messages)\n\(daemon.log)")
            }
        }
        mark = notify.messages.count
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(waitBlocking(notify, timeout: 30, from: mark) { $0.contains("READY=1") } != nil)
        #expect(eventually(timeout: 60) {
            listing(inbox).isEmpty && listing(root.url.appendingPathComponent("work")).isEmpty
        }, "log:\n\(daemon.log)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        let list = try copydesk(["list", "--root", root.url.path, "--json", "--limit", "100000"])
        #expect(list.status == 0, "\(list.stderr)")
        let views = try JSONDecoder().decode([RecordView].self, from: Data(list.stdout.utf8))
        let documents = views.filter { $0.verdict == "stored" }
        #expect(kills == 3)
        #expect(documents.count == count, "documents \(documents.count) of \(count)")
        #expect(Set(documents.compactMap(\.sha256)) == expected)
        #expect(views.filter { $0.verdict != "stored" }.isEmpty, "a crash must not produce duplicate or rejected records")
        #expect(Set(views.map(\.sequence)).count == views.count)
    }
}

/// The stored count in a `STATUS=` line (`… · 1,234 stored · …`).
func storedCount(in message: String) -> Int? {
    guard message.hasPrefix("STATUS=") || message.contains("\nSTATUS="),
          let range = message.range(of: " stored") else { return nil }
    let digits = message[..<range.lowerBound].reversed().prefix { $0.isNumber || $0 == "," }
    return Int(String(digits.reversed()).replacingOccurrences(of: ",", with: ""))
}
