import CopydeskTestSupport
import Dispatch
import Testing

@testable import CopydeskSystemd

#if canImport(Glibc)
import Glibc
#endif

/// Everything that changes `NOTIFY_SOCKET`, `WATCHDOG_*` or `JOURNAL_STREAM`: libsystemd reads them from the
/// process environment, which all tests share, so these run one at a time and restore what they changed.
@Suite(.serialized)
struct EnvironmentTests {
    let notifier = SystemdNotifier()

    @Test func everyNotificationArrivesVerbatimAndInOrder() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        try await withEnvironment(["NOTIFY_SOCKET": listener.socketPath]) { () throws in
            #expect(try notifier.ready())
            #expect(try notifier.status("Watching /var/spool/copydesk/inbox · 1,234 stored · queue 0"))
            #expect(try notifier.watchdog())
            #expect(try notifier.stopping())
            #expect(try notifier.reloading(monotonic: 123_456_789))
            #expect(try notifier.extendTimeout(microseconds: 90_000_000))
            #expect(try notifier.mainPID(4242))
            #expect(try notifier.send("ERRNO=5\nBUSERROR=x"))
        }
        let expected = [
            "READY=1",
            "STATUS=Watching /var/spool/copydesk/inbox · 1,234 stored · queue 0",
            "WATCHDOG=1",
            "STOPPING=1",
            "RELOADING=1\nMONOTONIC_USEC=123456789",
            "EXTEND_TIMEOUT_USEC=90000000",
            "MAINPID=4242",
            "ERRNO=5\nBUSERROR=x",
        ]
        _ = await listener.waitFor(from: expected.count - 1) { _ in true }
        #expect(listener.messages == expected)
    }

    @Test func statusIsKeptOnOneLine() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        try await withEnvironment(["NOTIFY_SOCKET": listener.socketPath]) {
            _ = try notifier.status("two\nlines\r\nREADY=1")
        }
        let message = await listener.waitFor { _ in true }
        #expect(message == "STATUS=two lines READY=1")  // "\r\n" is one Character, so one space
    }

    @Test func reloadingCarriesTheMonotonicClockOfNow() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        let before = SystemdNotifier.monotonicMicroseconds()
        try await withEnvironment(["NOTIFY_SOCKET": listener.socketPath]) {
            _ = try notifier.reloading()
        }
        let after = SystemdNotifier.monotonicMicroseconds()
        let message = try #require(await listener.waitFor { $0.hasPrefix("RELOADING=1\n") })
        let lines = message.split(separator: "\n")
        #expect(lines.count == 2)
        let stamp = try #require(lines.last.flatMap { $0.split(separator: "=").last }.flatMap { UInt64($0) })
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        #expect(before <= stamp && stamp <= after)
        // Independent source: Dispatch reads CLOCK_MONOTONIC on Linux.
        let dispatchNow = DispatchTime.now().uptimeNanoseconds / 1_000
        #expect(dispatchNow >= stamp && dispatchNow - stamp < 5_000_000)
    }

    @Test func withoutNotifySocketNothingIsSentAndNothingThrows() async throws {
        try await withEnvironment(["NOTIFY_SOCKET": nil]) { () throws in
            #expect(try notifier.send("READY=1") == false)
            #expect(try notifier.ready() == false)
            #expect(try notifier.watchdog() == false)
        }
    }

    @Test func aMissingSocketThrowsWithItsErrno() async throws {
        let path = "/tmp/copydesk-no-such-dir-\(getpid())/notify.sock"
        let error = await withEnvironment(["NOTIFY_SOCKET": path]) {
            #expect(throws: SystemdError.self) { try notifier.ready() }
        }
        #expect(error?.function == "sd_notify")
        #expect(error?.errno == ENOENT)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test func aRelativeNotifySocketIsRejected() async throws {
        let error = await withEnvironment(["NOTIFY_SOCKET": "relative/notify.sock"]) {
            #expect(throws: SystemdError.self) { try notifier.status("x") }
        }
        #expect(error?.errno == EINVAL)
    }

    @Test func watchdogIntervalFollowsWatchdogUsecForThisProcess() async throws {
        let interval = try await withEnvironment(["WATCHDOG_USEC": "2500000", "WATCHDOG_PID": "\(getpid())"]) {
            try notifier.watchdogInterval
        }
        #expect(interval == .microseconds(2_500_000))
    }

    @Test func watchdogIntervalAppliesToAnyProcessWithoutWatchdogPid() async throws {
        let interval = try await withEnvironment(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": nil]) {
            try notifier.watchdogInterval
        }
        #expect(interval == .seconds(30))
    }

    @Test func watchdogIntervalIgnoresAnotherProcesssWatchdog() async throws {
        let interval = try await withEnvironment(["WATCHDOG_USEC": "2500000", "WATCHDOG_PID": "\(getppid())"]) {
            try notifier.watchdogInterval
        }
        #expect(interval == nil)
    }

    @Test func noWatchdogUsecMeansNoWatchdog() async throws {
        let interval = try await withEnvironment(["WATCHDOG_USEC": nil, "WATCHDOG_PID": "\(getpid())"]) {
            try notifier.watchdogInterval
        }
        #expect(interval == nil)
    }

    @Test func aMalformedWatchdogUsecThrows() async throws {
        let error = await withEnvironment(["WATCHDOG_USEC": "soon", "WATCHDOG_PID": "\(getpid())"]) {
            #expect(throws: SystemdError.self) { try notifier.watchdogInterval }
        }
        #expect(error?.function == "sd_watchdog_enabled")
        #expect(error?.errno == EINVAL)
    }

    @Test func stderrIsJournalReadsJournalStreamFromTheProcess() async throws {
        let stream = try stderrDeviceAndInode()
        #expect(await withEnvironment(["JOURNAL_STREAM": stream]) { JournalStream.stderrIsJournal() })
        #expect(await withEnvironment(["JOURNAL_STREAM": nil]) { JournalStream.stderrIsJournal() } == false)
        #expect(await withEnvironment(["JOURNAL_STREAM": "1:1"]) { JournalStream.stderrIsJournal() } == false)
    }
}

/// `DEV:INODE` of this process's stderr, as systemd would put it in `JOURNAL_STREAM`.
func stderrDeviceAndInode() throws -> String {
    var info = stat()
    try #require(fstat(STDERR_FILENO, &info) == 0)
    return "\(info.st_dev):\(info.st_ino)"
}
