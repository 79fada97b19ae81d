import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Glibc
import Logging
import Testing

/// A story unique to `n`, about 1 KiB, as a wire would deliver it.
func story(_ n: Int) -> Data {
    Data(("Story number \(n)\n\nFirst paragraph of story \(n) from the wires.\n\n"
        + String(repeating: "More text for story \(n). ", count: 30) + "\n").utf8)
}

/// The daemon's own snapshot, asked over the control socket.
func daemonStatus(_ root: URL) throws -> StatusSnapshot? {
    let result = try copydesk(["status", "--root", root.path, "--json"])
    return try JSONDecoder().decode(StatusReport.self, from: Data(result.stdout.utf8)).daemon
}

/// Every record of the journal under `root`, newest first.
func records(_ root: URL) throws -> [RecordView] {
    let list = try copydesk(["list", "--root", root.path, "--json", "--limit", "1000000"])
    guard list.status == 0 else { throw CommandError(list.stderr) }
    return try JSONDecoder().decode([RecordView].self, from: Data(list.stdout.utf8))
}

struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Waits for a `STATUS=` line with at least `count` stored.
func waitForStored(_ notify: NotifyListener, _ count: Int, from mark: Int, timeout: Int = 60) async -> Bool {
    await notify.waitFor(timeout: .seconds(timeout), from: mark) { (storedCount(in: $0) ?? -1) >= count } != nil
}

extension DaemonProcess {
    /// The log lines (stderr) that contain every one of `parts`.
    func logLines(containing parts: String...) -> [Substring] {
        log.split(separator: "\n").filter { line in parts.allSatisfy { line.contains($0) } }
    }
}

/// Files that arrive together share one `fdatasync`, within the configured bounds.
@Suite(.serialized) struct GroupCommitEndToEndTests {
    @Test func aBurstOfFilesSharesCommits() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-group")
        defer { root.remove() }
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify, extraArguments: ["--log-level", "debug"])
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        // Staged first, then renamed in at once, as a wire gateway flushing its queue does.
        let staging = root.url.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let count = 300
        for n in 0..<count { try story(n).write(to: staging.appendingPathComponent("s\(n).txt")) }
        let inbox = root.url.appendingPathComponent("inbox")
        for n in 0..<count {
            rename(staging.appendingPathComponent("s\(n).txt").path, inbox.appendingPathComponent("s\(n).txt").path)
        }
        #expect(await waitForStored(notify, count, from: 0, timeout: 120), "\(daemon.log.suffix(3000))")
        #expect(eventually(timeout: 30) { listing(inbox).isEmpty && listing(root.url.appendingPathComponent("work")).isEmpty })
        let status = try #require(try daemonStatus(root.url))
        let commits = try #require(status.commits)
        #expect(status.committedRecords == count)
        // Each commit is one fdatasync: far fewer of them than files.
        #expect(commits * 2 <= count, "\(commits) commits for \(count) files")
        let batches = daemon.logLines(containing: "journal commit").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("batch.records=") }.flatMap { Int($0.dropFirst(14)) }
        }
        #expect(batches.count == commits && batches.reduce(0, +) == count)
        #expect((batches.max() ?? 0) > 1)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    /// `batch_max = 1`: one fdatasync per file, the old behaviour, proving the bound is applied.
    @Test func batchMaxOneCommitsEveryFileAlone() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-group1")
        defer { root.remove() }
        try "[ingest]\nbatch_max = 1\n".write(to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8)
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let inbox = root.url.appendingPathComponent("inbox")
        for n in 0..<20 { try Drop.writeThenRename(story(n), as: "s\(n).txt", into: inbox) }
        #expect(await waitForStored(notify, 20, from: 0))
        let status = try #require(try daemonStatus(root.url))
        #expect(status.commits == 20)
        #expect(status.committedRecords == 20)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}

/// The index checkpoint makes a restart read only what it does not cover; a bad one is rebuilt, never trusted.
@Suite(.serialized) struct CheckpointEndToEndTests {
    /// Runs a daemon on `root` until `count` more files (numbered from `first`) are stored, then stops it with
    /// `signal`; returns its log.
    static func ingest(
        _ root: URL, _ range: Range<Int>, expectStored total: Int, notify: NotifyListener, stopWith signal: Int32 = SIGTERM
    ) async throws -> DaemonProcess {
        let mark = notify.messages.count
        let daemon = try DaemonProcess(root: root, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(60), from: mark) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        for n in range { try Drop.writeThenRename(story(n), as: String(format: "story-%03d.txt", n), into: root.appendingPathComponent("inbox")) }
        try #require(await waitForStored(notify, total, from: mark), "\(daemon.log)")
        daemon.signal(signal)
        let code = daemon.waitForExit()
        if signal == SIGTERM { #expect(code == 0, "\(daemon.log)") }
        return daemon
    }

    /// Redelivers story `n` and checks that it is recognised as a duplicate of its first record.
    static func redeliveryIsRecognised(_ root: URL, _ n: Int, notify: NotifyListener, daemon: DaemonProcess) async throws {
        let original = try #require(try records(root).first { $0.file == String(format: "story-%03d.txt", n) })
        try Drop.writeThenRename(story(n), as: "again-\(n).txt", into: root.appendingPathComponent("inbox"))
        #expect(eventually(timeout: 30) { (try? records(root).first { $0.file == "again-\(n).txt" }) != nil }, "\(daemon.log)")
        let again = try #require(try records(root).first { $0.file == "again-\(n).txt" })
        #expect(again.verdict == "duplicate")
        #expect(again.duplicateOf == original.sequence)
    }

    @Test func aCleanStopWritesACheckpointThatTheNextStartLoads() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-ckpt-use")
        defer { root.remove() }
        let notify = try NotifyListener()
        let first = try await Self.ingest(root.url, 0..<30, expectStored: 30, notify: notify)
        #expect(!first.logLines(containing: "index checkpoint written", "checkpoint.sequence=30").isEmpty, "\(first.log)")
        let checkpoint = root.url.appendingPathComponent("journal/\(IndexCheckpointFile.fileName)")
        #expect(FileManager.default.fileExists(atPath: checkpoint.path))

        let mark = notify.messages.count
        let second = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        #expect(!second.logLines(containing: "index checkpoint loaded", "checkpoint.sequence=30", "rebuild.records=0").isEmpty,
                "\(second.log)")
        #expect(second.logLines(containing: "index rebuilt").isEmpty)
        #expect(try daemonStatus(root.url)?.counts == StatusSnapshot.Counts(stored: 30, duplicates: 0, rejected: 0))
        try await Self.redeliveryIsRecognised(root.url, 17, notify: notify, daemon: second)
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0)
    }

    @Test func aCorruptCheckpointIsIgnoredAndTheIndexRebuilt() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-ckpt-bad")
        defer { root.remove() }
        let notify = try NotifyListener()
        _ = try await Self.ingest(root.url, 0..<30, expectStored: 30, notify: notify)
        let path = root.url.appendingPathComponent("journal/\(IndexCheckpointFile.fileName)")
        var bytes = [UInt8](try Data(contentsOf: path))
        bytes[128 + 45] ^= 0x04  // inside the second index entry
        try Data(bytes).write(to: path)

        var mark = notify.messages.count
        let second = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        #expect(!second.logLines(containing: "ignoring the index checkpoint", "body checksum mismatch").isEmpty, "\(second.log)")
        #expect(!second.logLines(containing: "index rebuilt from the journal", "rebuild.records=30").isEmpty)
        #expect(try daemonStatus(root.url)?.counts == StatusSnapshot.Counts(stored: 30, duplicates: 0, rejected: 0))
        try await Self.redeliveryIsRecognised(root.url, 3, notify: notify, daemon: second)
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0)
        // The stop wrote a good checkpoint again.
        #expect(!second.logLines(containing: "index checkpoint written", "checkpoint.sequence=31").isEmpty, "\(second.log)")
        mark = notify.messages.count
        let third = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        #expect(!third.logLines(containing: "index checkpoint loaded", "checkpoint.sequence=31").isEmpty, "\(third.log)")
        #expect(try daemonStatus(root.url)?.counts == StatusSnapshot.Counts(stored: 30, duplicates: 1, rejected: 0))
        third.signal(SIGTERM)
        #expect(third.waitForExit() == 0)
    }

    @Test func aCheckpointOfAnotherJournalIsIgnored() async throws {
        let rootA = try TemporaryDirectory(prefix: "copydesk-ckpt-a")
        let rootB = try TemporaryDirectory(prefix: "copydesk-ckpt-b")
        defer {
            rootA.remove()
            rootB.remove()
        }
        let notify = try NotifyListener()
        _ = try await Self.ingest(rootA.url, 0..<10, expectStored: 10, notify: notify)
        _ = try await Self.ingest(rootB.url, 100..<110, expectStored: 10, notify: notify)
        // Same length, other records: only the chain hash can tell.
        let name = "journal/\(IndexCheckpointFile.fileName)"
        try FileManager.default.removeItem(at: rootB.url.appendingPathComponent(name))
        try FileManager.default.copyItem(at: rootA.url.appendingPathComponent(name), to: rootB.url.appendingPathComponent(name))

        let mark = notify.messages.count
        let daemon = try DaemonProcess(root: rootB.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        #expect(!daemon.logLines(containing: "ignoring the index checkpoint", "chain hash at record 10 is not the journal").isEmpty,
                "\(daemon.log)")
        #expect(!daemon.logLines(containing: "index rebuilt from the journal", "rebuild.records=10").isEmpty)
        try await Self.redeliveryIsRecognised(rootB.url, 105, notify: notify, daemon: daemon)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    /// A crash after the checkpoint: the restart loads it and reads only the records after it; the counts are
    /// the same as a full rebuild's.
    @Test func afterACrashOnlyTheRecordsAfterTheCheckpointAreRead() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-ckpt-crash")
        defer { root.remove() }
        try "[journal]\ncheckpoint_records = 20\n".write(
            to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8
        )
        let notify = try NotifyListener()
        var mark = notify.messages.count
        let first = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        let inbox = root.url.appendingPathComponent("inbox")
        for n in 0..<20 { try Drop.writeThenRename(story(n), as: String(format: "story-%03d.txt", n), into: inbox) }
        try #require(await waitForStored(notify, 20, from: mark))
        #expect(eventually(timeout: 30) { !first.logLines(containing: "index checkpoint written").isEmpty }, "\(first.log)")
        let covered = try #require(first.logLines(containing: "index checkpoint written").last.flatMap { line in
            line.split(separator: " ").first { $0.hasPrefix("checkpoint.sequence=") }.flatMap { Int($0.dropFirst(20)) }
        })
        for n in 20..<32 { try Drop.writeThenRename(story(n), as: String(format: "story-%03d.txt", n), into: inbox) }
        try #require(await waitForStored(notify, 32, from: mark))
        first.signal(SIGKILL)
        _ = first.waitForExit()

        mark = notify.messages.count
        let second = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil)
        #expect(!second.logLines(
            containing: "index checkpoint loaded", "checkpoint.sequence=\(covered)", "rebuild.records=\(32 - covered)"
        ).isEmpty, "\(second.log)")
        #expect(try daemonStatus(root.url)?.counts == StatusSnapshot.Counts(stored: 32, duplicates: 0, rejected: 0))
        try await Self.redeliveryIsRecognised(root.url, 25, notify: notify, daemon: second)
        try await Self.redeliveryIsRecognised(root.url, 5, notify: notify, daemon: second)
        second.signal(SIGTERM)
        #expect(second.waitForExit() == 0)
        #expect(try records(root.url).filter { $0.verdict == "stored" }.count == 32)
    }
}

/// A journal too long to rebuild in a blink: systemd is asked for more time and shown the progress.
@Suite(.serialized) struct RebuildProgressEndToEndTests {
    @Test func aLongRebuildExtendsTheStartTimeoutAndReportsProgress() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-rebuild")
        defer { root.remove() }
        let count = 12_000
        let writer = try JournalWriter.open(directory: root.appending("journal"), logger: Logger(label: "test"))
        for start in stride(from: 1, through: count, by: 1000) {
            _ = try writer.append(RecordFixtures.mixed(1000, startingAt: start), recordedAt: .epoch)
        }
        writer.close()

        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        let ready = await notify.waitFor(timeout: .seconds(240)) { $0.contains("READY=1") }
        try #require(ready != nil, "\(daemon.log)")
        let beforeReady = notify.messages.prefix { !$0.contains("READY=1") }
        #expect(beforeReady.contains { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }, "\(beforeReady)")
        #expect(beforeReady.contains("STATUS=Rebuilding index: 0 of 12,000 records"), "\(beforeReady)")
        #expect(!daemon.logLines(containing: "index rebuilt from the journal", "rebuild.records=12000").isEmpty)
        // A journal that long gets a checkpoint at once, so the next start is quick.
        #expect(eventually(timeout: 60) {
            !daemon.logLines(containing: "index checkpoint written", "checkpoint.sequence=12000").isEmpty
        }, "\(daemon.log)")
        #expect(try daemonStatus(root.url)?.counts == StatusSnapshot.Counts(stored: 4000, duplicates: 4000, rejected: 4000))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)

        let mark = notify.messages.count
        let again = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(60), from: mark) { $0.contains("READY=1") } != nil)
        #expect(!notify.messages[mark...].contains { $0.contains("Rebuilding index") })
        #expect(!again.logLines(containing: "index checkpoint loaded", "checkpoint.sequence=12000", "rebuild.records=0").isEmpty,
                "\(again.log)")
        again.signal(SIGTERM)
        #expect(again.waitForExit() == 0)
    }
}
