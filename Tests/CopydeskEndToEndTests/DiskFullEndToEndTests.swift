import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// The journal's file system fills up for real: a size-limited tmpfs mounted by the test holds the journal
/// (`state = …`), a filler file takes the last bytes, files keep arriving. Nothing may be lost or half-written,
/// the daemon must say so, and it must resume by itself once space is freed.
///
/// Mounting needs root (or CAP_SYS_ADMIN); elsewhere the test is skipped with a message.
@Suite(.serialized) struct DiskFullEndToEndTests {
    /// Writes zeros into `path` until the file system says ENOSPC; returns the bytes written.
    static func fill(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create the filler")
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            total += written
        }
        // tmpfs may still take a partial page: take it too.
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, 1) }) == 1 { total += 1 }
        return total
    }

    @Test func aFullJournalDiskHoldsTheFilesAndResumesWhenSpaceReturns() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-diskfull")
        defer { root.remove() }
        let mountPoint = root.url.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        if let reason = SmallFileSystem.mount(at: mountPoint.path, size: "1m") {
            print("DiskFullEndToEndTests: SKIPPED, a tmpfs cannot be mounted here: \(reason)")
            try Test.cancel("disk-full test skipped: \(reason)")
        }
        defer { SmallFileSystem.unmount(mountPoint.path) }
        try "state = \"\(mountPoint.path)/journal\"\n".write(
            to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8
        )
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let inbox = root.url.appendingPathComponent("inbox")
        let work = root.url.appendingPathComponent("work")
        for n in 0..<5 { try Drop.writeThenRename(story(n), as: "before-\(n).txt", into: inbox) }
        try #require(await waitForStored(notify, 5, from: 0), "\(daemon.log)")

        let filler = mountPoint.appendingPathComponent("filler").path
        let filled = Self.fill(filler)
        #expect(filled > 0)
        var mark = notify.messages.count
        for n in 0..<20 { try Drop.writeThenRename(story(100 + n), as: "during-\(n).txt", into: inbox) }
        let full = await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("STATUS=Disk full: holding ") }
        try #require(full != nil, "no disk-full status: \(notify.messages[mark...])\n\(daemon.log)")
        #expect(full?.contains(", retrying") == true)
        #expect(!daemon.logLines(containing: "journal disk full").isEmpty, "\(daemon.log)")
        // Held, not lost: every file not in the journal is still in the spool (the last page of the segment may
        // have had room for a record or two before the disk was full), and the journal reads whole to its end.
        try await Task.sleep(for: .seconds(2))
        let spooled = listing(inbox).count + listing(work).count
        let journal = try records(root.url)
        #expect(spooled > 0)
        #expect(spooled + journal.count == 25, "inbox \(listing(inbox)) work \(listing(work)), \(journal.count) records")
        #expect(journal.first?.sequence == UInt64(journal.count))
        let status = try daemonStatus(root.url)
        #expect(status?.problem == "Disk full: holding \(spooled) files, retrying", "\(String(describing: status))")
        #expect(status?.counts.stored == journal.count)

        mark = notify.messages.count
        try FileManager.default.removeItem(atPath: filler)
        #expect(await waitForStored(notify, 25, from: mark, timeout: 60), "\(notify.messages[mark...])\n\(daemon.log)")
        #expect(eventually(timeout: 30) { listing(inbox).isEmpty && listing(work).isEmpty }, "\(daemon.log)")
        #expect(!daemon.logLines(containing: "disk space is back: resumed").isEmpty, "\(daemon.log)")
        #expect(try daemonStatus(root.url)?.problem == nil)
        let after = try records(root.url)
        #expect(after.count == 25)
        #expect(Set(after.map(\.file)) == Set((0..<5).map { "before-\($0).txt" } + (0..<20).map { "during-\($0).txt" }))
        #expect(after.allSatisfy { $0.verdict == "stored" })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0, "\(daemon.log)")
    }
}
