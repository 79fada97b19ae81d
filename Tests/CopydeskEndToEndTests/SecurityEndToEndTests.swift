import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// What producers and local users cannot make the daemon do: follow a symlink out of the spool, open a FIFO, device or
/// socket dropped into the inbox, or answer a control-socket client that is neither root, the owner nor in the group.
///
/// Device nodes and other users need root (CAP_MKNOD, CAP_SETUID through `setpriv`); elsewhere those tests are
/// skipped with a message.
@Suite(.serialized) struct SecurityEndToEndTests {
    static let isRoot = geteuid() == 0
    static let setpriv: String? = ["/usr/bin/setpriv", "/bin/setpriv"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let canSwitchUsers = isRoot && setpriv != nil
    static let nobody: uid_t = 65534

    /// JSON from the CLI without its pretty-printing whitespace.
    static func compact(_ json: String) -> String {
        json.filter { $0 != " " && $0 != "\n" }
    }

    static func reason(_ root: URL, _ name: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent("rejected/\(name).reason"), encoding: .utf8)) ?? ""
    }

    static func stored(_ root: URL) throws -> Int {
        let result = try copydesk(["--root", root.path, "list", "--limit", "1000", "--json"])
        let data = Data(result.stdout.utf8)
        return ((try? JSONSerialization.jsonObject(with: data)) as? [Any])?.count ?? -1
    }

    /// A FIFO, a socket and (as root) a character device in the inbox are rejected without being opened, and the
    /// regular files sorted after them are stored: nothing blocks on them.
    @Test func specialFilesAreRejectedUnopenedAndDoNotBlockTheFilesBehindThem() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-special")
        defer { root.remove() }
        let inbox = root.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        #expect(mkfifo(inbox.appendingPathComponent("a-fifo").path, 0o660) == 0)
        // A writer that never writes: were the FIFO opened for reading without O_NONBLOCK, it would wait forever.
        let socketPath = inbox.appendingPathComponent("b-socket").path
        let listener = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(socketPath.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        // /dev/zero (major 1, minor 5, encoded as glibc's makedev does for small numbers): a device that, once opened
        // and read, never ends.
        let device = Self.isRoot && mknod(inbox.appendingPathComponent("c-zero").path, S_IFCHR | 0o660, dev_t(0x105)) == 0
        if !device { print("SecurityEndToEndTests: no device node in the inbox (needs root/CAP_MKNOD)") }
        for name in ["d-story.txt", "e-story.txt"] {
            try Data("Headline \(name)\n\nA regular story delivered after the special files.\n".utf8)
                .write(to: inbox.appendingPathComponent(name))
        }

        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let rejected = device ? 3 : 2
        #expect(
            await notify.waitFor(timeout: .seconds(20)) { $0.contains(" 2 stored") && $0.contains(" \(rejected) rejected") }
                != nil, "\(notify.messages.suffix(3)) \(daemon.log)"
        )
        #expect(Self.reason(root.url, "a-fifo").contains("a FIFO (named pipe), not a regular file: not opened"))
        #expect(Self.reason(root.url, "b-socket").contains("a socket, not a regular file"))
        if device {
            #expect(Self.reason(root.url, "c-zero").contains("a character device, not a regular file: not opened"))
        }
        #expect(listing(inbox).isEmpty)
        #expect(listing(root.url.appendingPathComponent("work")).isEmpty)
        #expect(try Self.stored(root.url) == 2 + rejected)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    /// A symlink in the inbox is moved, never followed: its target outside the spool is neither read, stored nor
    /// moved. A channel folder that is a symlink is treated the same way, so no file behind it is claimed.
    @Test func symlinksAreNotFollowedOutOfTheSpool() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-symlink")
        let outside = try TemporaryDirectory(prefix: "copydesk-outside")
        defer { root.remove(); outside.remove() }
        let secret = outside.url.appendingPathComponent("secret.txt")
        try Data("Secret headline\n\nNot for the journal.\n".utf8).write(to: secret)
        try FileManager.default.createDirectory(at: outside.url.appendingPathComponent("folder"), withIntermediateDirectories: true)
        let behind = outside.url.appendingPathComponent("folder/behind.txt")
        try Data("Behind a linked channel\n\nMust stay where it is.\n".utf8).write(to: behind)

        // In place before the start: the start-up scan meets them (inotify reports a new symlink only as IN_CREATE,
        // which is not a finished upload, so a link made later waits for the periodic rescan).
        let inbox = root.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: inbox.appendingPathComponent("link.txt"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(
            at: inbox.appendingPathComponent("linked-channel"), withDestinationURL: outside.url.appendingPathComponent("folder")
        )
        try Data("A real story\n\nDelivered beside the links.\n".utf8).write(to: inbox.appendingPathComponent("real.txt"))

        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        #expect(
            await notify.waitFor(timeout: .seconds(20)) { $0.contains(" 1 stored") && $0.contains(" 2 rejected") } != nil,
            "\(notify.messages.suffix(3)) \(daemon.log)"
        )
        #expect(Self.reason(root.url, "link.txt").contains("symbolic link"))
        #expect(Self.reason(root.url, "linked-channel").contains("symbolic link"))
        #expect(FileManager.default.fileExists(atPath: secret.path))
        #expect(FileManager.default.fileExists(atPath: behind.path))
        #expect((try? Data(contentsOf: secret)) == Data("Secret headline\n\nNot for the journal.\n".utf8))
        // The stored document is the real one; the secret is in no record.
        let journal = try copydesk(["--root", root.url.path, "list", "--limit", "10", "--json"])
        #expect(!journal.stdout.contains("Secret headline"))
        #expect(journal.stdout.contains("A real story"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }

    /// A file the daemon's user may not read goes to rejected/ with a reason that says so, and the daemon carries on.
    @Test(.enabled(if: canSwitchUsers, "needs root and setpriv to run copydeskd as another user"))
    func aFileTheDaemonMayNotReadIsRejectedWithTheReason() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-unreadable")
        defer { root.remove() }
        let inbox = root.url.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try Data("Private\n\nOnly root may read this.\n".utf8).write(to: inbox.appendingPathComponent("a-private.txt"))
        #expect(chmod(inbox.appendingPathComponent("a-private.txt").path, 0o600) == 0)
        try Data("Public\n\nAnyone may read this.\n".utf8).write(to: inbox.appendingPathComponent("b-public.txt"))
        #expect(chmod(inbox.appendingPathComponent("b-public.txt").path, 0o644) == 0)
        // The daemon's user owns its root (as copydesk owns /var/spool/copydesk); the files stay root's.
        for path in [root.path, inbox.path] { #expect(chown(path, Self.nobody, Self.nobody) == 0) }
        #expect(chmod(root.path, 0o755) == 0)

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: try #require(Self.setpriv))
        daemon.arguments = [
            "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", Binaries.daemon.path, "--root", root.path,
        ]
        let log = Pipe()
        daemon.standardError = log
        daemon.standardOutput = log
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC"] { environment.removeValue(forKey: key) }
        daemon.environment = environment
        try daemon.run()
        defer {
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
            daemon.waitUntilExit()
        }
        let rejected = root.url.appendingPathComponent("rejected/a-private.txt")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: rejected.path) })
        let reason = Self.reason(root.url, "a-private.txt")
        #expect(reason.contains("reason: unreadable"), "\(reason)")
        #expect(reason.contains("permission denied"), "\(reason)")
        #expect(reason.contains("mode 600"), "\(reason)")
        #expect(eventually(timeout: 20) { listing(inbox).isEmpty })
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        let journal = try copydesk(["--root", root.path, "list", "--limit", "10", "--json"])
        #expect(journal.stdout.contains("Anyone may read this") || journal.stdout.contains("Public"), "\(journal.stdout)")
    }

    /// The control socket answers root, its owner and its group, and closes on anyone else with a logged reason,
    /// even when its mode lets everyone connect.
    @Test(.enabled(if: canSwitchUsers, "needs root and setpriv to connect as another user"))
    func theControlSocketAnswersOnlyItsOwnerRootAndItsGroup() async throws {
        let root = try TemporaryDirectory(prefix: "copydesk-peercred")
        defer { root.remove() }
        #expect(chmod(root.path, 0o755) == 0)
        let notify = try NotifyListener()
        let daemon = try DaemonProcess(root: root.url, notify: notify)
        try #require(await notify.waitFor(timeout: .seconds(30)) { $0.contains("READY=1") } != nil, "\(daemon.log)")
        let socketPath = root.appending("control.sock")
        // A group no test user has, and a mode that no longer keeps anybody out at connect().
        let group: gid_t = 54_321
        #expect(chown(socketPath, 0, group) == 0)
        #expect(chmod(socketPath, 0o666) == 0)

        func status(_ identity: [String]) throws -> CommandResult {
            try run(URL(fileURLWithPath: try #require(Self.setpriv)),
                    identity + [Binaries.cli.path, "--root", root.path, "status", "--json"])
        }

        let stranger = try status(["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups"])
        #expect(stranger.status == 3, "\(stranger.stdout) \(stranger.stderr)")
        #expect(Self.compact(stranger.stdout).contains("\"running\":false"), "\(stranger.stdout)")
        #expect(eventually { daemon.log.contains("control socket: refused a client") }, "\(daemon.log)")
        #expect(daemon.log.contains("peer.uid=\(Self.nobody)") || daemon.log.contains("\(Self.nobody)"))

        let member = try status(["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--groups=\(group)"])
        #expect(member.status == 0, "supplementary group: \(member.stdout) \(member.stderr)")
        #expect(Self.compact(member.stdout).contains("\"running\":true"))

        let primary = try status(["--reuid=\(Self.nobody)", "--regid=\(group)", "--clear-groups"])
        #expect(primary.status == 0, "primary group: \(primary.stdout) \(primary.stderr)")

        let owner = try copydesk(["--root", root.path, "status", "--json"])
        #expect(owner.status == 0, "root, the owner: \(owner.stdout) \(owner.stderr)")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit() == 0)
    }
}
