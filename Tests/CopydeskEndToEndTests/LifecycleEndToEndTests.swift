import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// The systemd side of the daemon, against the real binary and our own NOTIFY_SOCKET.
@Suite(.serialized) struct LifecycleEndToEndTests {
    @Test func watchdogPingsComeFromTheRunningPipeline() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-watchdog")
        defer { root.remove() }
        let notify = try NotifyListener()
        // 400 ms: the pipeline's idle tick is a quarter of it, so pings must keep coming.
        let daemon = try DaemonProcess(root: root.url, notify: notify, environment: ["WATCHDOG_USEC": "400000"])
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let start = notify.messages.count
        try await Task.sleep(for: .milliseconds(1200))
        let pings = notify.messages[start...].filter { $0 == "WATCHDOG=1" }.count
        #expect(pings >= 3, "only \(pings) WATCHDOG=1 in 1.2 s")

        // A stopped (wedged) daemon sends none.
        daemon.signal(SIGSTOP)
        try await Task.sleep(for: .milliseconds(100))
        let frozen = notify.messages.count
        try await Task.sleep(for: .milliseconds(600))
        #expect(notify.messages[frozen...].filter { $0 == "WATCHDOG=1" }.isEmpty)
        daemon.signal(SIGCONT)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func noWatchdogPingsWithoutWatchdogUsec() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-nowatchdog")
        defer { root.remove() }
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        try await Task.sleep(for: .milliseconds(1200))
        #expect(!notify.messages.contains("WATCHDOG=1"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func sighupReloadsTheConfigurationAndReportsReady() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-reload")
        defer { root.remove() }
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")

        // Lower the size limit, reload, and a file over it is now rejected.
        try "[ingest]\nmax_file_size = 100\n".write(
            to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8
        )
        let mark = notify.messages.count
        daemon.signal(SIGHUP)
        let reloading = await notify.waitFor(timeout: .seconds(10), from: mark) { $0.contains("RELOADING=1") }
        #expect(reloading?.contains("MONOTONIC_USEC=") == true)
        #expect(await notify.waitFor(timeout: .seconds(10), from: mark) { $0.contains("READY=1") } != nil)
        try Drop.writeThenRename(
            Data(("Big story\n\n" + String(repeating: "word ", count: 100)).utf8), as: "big.txt",
            into: root.url.appendingPathComponent("inbox")
        )
        #expect(await notify.waitFor(timeout: .seconds(10), from: mark) { $0.contains(" 1 rejected") } != nil)
        let reason = root.url.appendingPathComponent("rejected/big.txt.reason")
        #expect(eventually { FileManager.default.fileExists(atPath: reason.path) })
        #expect((try? String(contentsOf: reason, encoding: .utf8))?.contains("reason: too-large") == true)

        // A broken file on reload keeps the running configuration and the daemon running.
        try "[ingest]\nmax_file_sise = 1\n".write(
            to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8
        )
        daemon.signal(SIGHUP)
        #expect(eventually { daemon.log.contains("reload failed") })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    @Test func aBadConfigurationFileStopsTheStartWithExit78() throws {
        let root = try TemporaryDirectory(prefix: "copydesk-badconfig")
        defer { root.remove() }
        try "spool = 3\n".write(to: root.url.appendingPathComponent("copydesk.toml"), atomically: true, encoding: .utf8)
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        #expect(daemon.waitForExit() == 78)
        #expect(daemon.log.contains("spool must be a string"))
    }

    @Test func aSecondDaemonOnTheSameRootRefusesToStart() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-twice")
        defer { root.remove() }
        let notify = try NotifyListener()
        let first = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(first.log)")
        let second = try DaemonProcess(root: root.url, notify: try NotifyListener())
        #expect(second.waitForExit() == 1)
        #expect(second.log.lowercased().contains("lock"), "\(second.log)")
        // The first one still answers.
        #expect(try copydesk(["status", "--root", root.url.path]).status == 0)
        first.signal(SIGTERM)
        #expect(first.waitForExit() == 0)
    }
}
