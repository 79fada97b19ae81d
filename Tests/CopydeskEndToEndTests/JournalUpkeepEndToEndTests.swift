import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// The daemon facing a damaged journal, and applying a retention policy.
@Suite(.serialized) struct JournalUpkeepEndToEndTests {
    /// Damage before the tail: the daemon stays up and says so, ingests nothing, and resumes after `repair`.
    @Test func aDamagedJournalIsReportedAndNotWrittenPast() async throws {
        let directory = try TemporaryDirectory(prefix: "copydesk-damage")
        defer { directory.remove() }
        let (root, _) = try JournalCommandsEndToEndTests().makeRoot(directory, "r")
        let paths = try JournalCommandsEndToEndTests().segments(root)
        // A flipped bit in a record of the last sealed segment, which opening the journal walks.
        let damaged = paths[paths.count - 2]
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: damaged)))
        bytes[SegmentHeader.size + Frame.headerSize + 33] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        let sizeBefore = try paths.map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }

        let rootURL = URL(fileURLWithPath: root)
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: rootURL, notify: notify)
        let ready = await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") }
        #expect(ready?.contains("STATUS=Journal damaged") == true, "\(ready ?? "no READY")\n\(daemon.log)")
        #expect(ready?.contains(damaged) == true)
        #expect(daemon.logLines(containing: "journal is damaged", "event=journal-damaged").count == 1,
                "\(daemon.log)")

        // It answers status, names the problem, and leaves new files alone.
        let status = try copydesk(["status", "--root", root])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("Journal damaged"), "\(status.stdout)")
        let inbox = rootURL.appendingPathComponent("inbox")
        try Drop.writeThenRename(story(9001), as: "waiting.txt", into: inbox)
        try await Task.sleep(for: .seconds(1))
        #expect(listing(inbox) == ["waiting.txt"])
        let sizeDuring = try paths.map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int }
        #expect(sizeDuring == sizeBefore, "the damaged journal was written to")

        // Repair (the daemon does not hold the lock meanwhile), then SIGHUP: it picks the journal up again.
        let repair = try copydesk(["--root", root, "repair"])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        let mark = notify.messages.count
        daemon.signal(SIGHUP)
        #expect(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") && $0.contains("Watching") } != nil,
                "\(notify.messages.suffix(5))\n\(daemon.log.suffix(3000))")
        #expect(eventually(timeout: 30) { listing(inbox).isEmpty }, "\(daemon.log.suffix(2000))")
        let stored = try records(rootURL)
        #expect(stored.first?.file == "waiting.txt")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
        let verify = try copydesk(["--root", root, "verify"])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    /// A size limit removes whole old segments once the index checkpoint covers them; the journal left verifies,
    /// and an old story delivered again is still recognised.
    @Test func retentionRemovesOldSegmentsAndRemembersTheirDocuments() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-retention")
        defer { root.remove() }
        try """
            [ingest]
            batch_max = 1
            [journal]
            segment_size = "4KiB"
            checkpoint_records = 1
            retention_max_size = "16KiB"
            """.write(to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8)
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let inbox = root.url.appendingPathComponent("inbox")
        let count = 40
        for n in 0..<count {
            try Drop.writeThenRename(story(n), as: "s\(n).txt", into: inbox)
            #expect(await waitForStored(notify, n + 1, from: 0, timeout: 30), "\(daemon.log.suffix(2000))")
        }
        let journal = root.url.appendingPathComponent("journal")
        func segmentSizes() -> [Int] {
            listing(journal).filter { $0.hasSuffix(".cdj") }.compactMap {
                (try? FileManager.default.attributesOfItem(atPath: journal.appendingPathComponent($0).path))?[.size] as? Int
            }
        }
        // 40 KiB of stories were written; the sealed segments kept fit the limit (the open one is never removed).
        #expect(eventually(timeout: 20) { segmentSizes().dropLast().reduce(0, +) <= 16 * 1024 }, "\(segmentSizes())")
        #expect(daemon.logLines(containing: "journal retention: removed a segment").count >= 2, "\(daemon.log.suffix(2000))")
        let kept = try records(root.url)
        let oldest = try #require(kept.last?.sequence)
        #expect(oldest > 1 && kept.first?.sequence == UInt64(count))

        // The first story again: its record is gone, its hash is remembered.
        try Drop.writeThenRename(story(0), as: "again.txt", into: inbox)
        #expect(eventually(timeout: 30) { (try? records(root.url).first?.file) == "again.txt" })
        let again = try #require(try records(root.url).first)
        #expect(again.verdict == "duplicate", "\(again)")
        #expect(again.duplicateOf == 1)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        // After a restart too: the memory comes back from the index checkpoint, not from the records left.
        let mark = notify.messages.count
        let restarted = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        try Drop.writeThenRename(story(1), as: "again2.txt", into: inbox)
        #expect(eventually(timeout: 30) { (try? records(root.url).first?.file) == "again2.txt" })
        #expect(try records(root.url).first?.duplicateOf == 2)
        restarted.signal(SIGTERM)
        #expect(restarted.waitForExit() == 0)
        let verify = try copydesk(["--root", root.path, "verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}
