import CopydeskCore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// The life of the seeds through the real `copydeskd` and `copydesk` binaries on a temporary root.
@Suite(.serialized) struct SeedsEndToEndTests {
    @Test func seedsBecomeDocumentsDuplicatesAndRejectsAreRecordedAndRestartStoresNothingAgain() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-e2e")
        defer { root.remove() }
        let inbox = root.url.appendingPathComponent("inbox")
        let notify = try NotifyListener()
        var mark = 0
        let seeds = try Binaries.seedFiles()
        try #require(seeds.count == 5)

        var daemon: DaemonProcess? = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil, "no READY=1; log:\n\(daemon!.log)")

        // The first seed alone, so it is record 1; then the rest, some renamed in, some written in place.
        try Drop.writeThenRename(Data(contentsOf: seeds[0]), as: seeds[0].lastPathComponent, into: inbox)
        #expect(await notify.waitFor(timeout: .seconds(20), from: mark) { $0.contains("STATUS=") && $0.contains(" 1 stored") } != nil)
        for (index, seed) in seeds.enumerated().dropFirst() {
            let data = try Data(contentsOf: seed)
            if index % 2 == 0 {
                try Drop.copy(data, as: seed.lastPathComponent, into: inbox)
            } else {
                try Drop.writeThenRename(data, as: seed.lastPathComponent, into: inbox)
            }
        }
        #expect(await notify.waitFor(timeout: .seconds(20), from: mark) { $0.contains("STATUS=") && $0.contains(" 5 stored") } != nil,
                "log:\n\(daemon!.log)")
        #expect(eventually { listing(inbox).isEmpty && listing(root.url.appendingPathComponent("work")).isEmpty })

        // The same seed again: a duplicate record pointing at the first, no sixth document.
        try Drop.writeThenRename(Data(contentsOf: seeds[0]), as: "again-" + seeds[0].lastPathComponent, into: inbox)
        #expect(await notify.waitFor(timeout: .seconds(20), from: mark) { $0.contains(" 1 duplicates") } != nil)

        // An empty file and a binary one land in rejected/ with reasons.
        try Drop.writeThenRename(Data(), as: "empty.txt", into: inbox)
        try Drop.writeThenRename(Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), as: "photo.txt", into: inbox)
        #expect(await notify.waitFor(timeout: .seconds(20), from: mark) { $0.contains(" 2 rejected") } != nil)
        let rejected = root.url.appendingPathComponent("rejected")
        #expect(eventually { listing(rejected) == ["empty.txt", "empty.txt.reason", "photo.txt", "photo.txt.reason"] })
        let emptyReason = try String(contentsOf: rejected.appendingPathComponent("empty.txt.reason"), encoding: .utf8)
        #expect(emptyReason.contains("reason: empty"))
        let binaryReason = try String(contentsOf: rejected.appendingPathComponent("photo.txt.reason"), encoding: .utf8)
        #expect(binaryReason.contains("reason: binary"))
        #expect(eventually { listing(inbox).isEmpty && listing(root.url.appendingPathComponent("work")).isEmpty })

        // The CLI asks the running daemon.
        let status = try copydesk(["status", "--root", root.url.path, "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(status.stdout.utf8))
        #expect(report.running)
        #expect(report.daemon?.counts == StatusSnapshot.Counts(stored: 5, duplicates: 1, rejected: 2))
        let show = try copydesk(["show", "1", "--root", root.url.path])
        #expect(show.status == 0)
        #expect(show.stdout.contains("NATO Defence Ministers Agree on NATO support to assist with the Refugee and Migrant Crisis"))
        let raw = try copydesk(["show", "1", "--raw", "--root", root.url.path])
        #expect(Data(raw.stdout.utf8) == (try Data(contentsOf: seeds[0])))
        let list = try copydesk(["list", "--root", root.url.path, "--json", "--limit", "3"])
        let views = try JSONDecoder().decode([RecordView].self, from: Data(list.stdout.utf8))
        #expect(views.map(\.sequence) == [8, 7, 6])
        #expect(views.last?.verdict == "duplicate" && views.last?.duplicateOf == 1)

        // SIGTERM: STOPPING=1 and a clean exit.
        daemon!.signal(SIGTERM)
        #expect(await notify.waitFor(timeout: .seconds(10), from: mark) { $0.contains("STOPPING=1") } != nil)
        #expect(daemon!.waitForExit() == 0, "log:\n\(daemon!.log)")
        daemon = nil

        // Down: status exits 3 and still says what the journal holds.
        let down = try copydesk(["status", "--root", root.url.path, "--json"])
        #expect(down.status == 3)
        let downReport = try JSONDecoder().decode(StatusReport.self, from: Data(down.stdout.utf8))
        #expect(!downReport.running)
        #expect(downReport.journal?.counts == StatusSnapshot.Counts(stored: 5, duplicates: 1, rejected: 2))
        #expect(downReport.journal?.lastSequence == 8)

        // A restart on the same root stores nothing again.
        mark = notify.messages.count
        let restarted = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30), from: mark) { $0.contains("READY=1") } != nil, "log:\n\(restarted.log)")
        usleep(300_000)
        let again = try JSONDecoder().decode(
            StatusReport.self, from: Data(try copydesk(["status", "--root", root.url.path, "--json"]).stdout.utf8)
        )
        #expect(again.daemon?.counts == StatusSnapshot.Counts(stored: 5, duplicates: 1, rejected: 2))
        #expect(again.daemon?.lastSequence == 8)
        restarted.signal(SIGTERM)
        #expect(restarted.waitForExit() == 0)
    }
}
