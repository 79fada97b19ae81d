import CopydeskCore
@testable import CopydeskDaemon
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// The spool's file operations against hostile inbox contents, and the control socket's peer policy.
@Suite struct SpoolSecurityTests {
    func spool(_ root: TemporaryDirectory) throws -> Spool {
        let spool = Spool(config: .rooted(at: root.path))
        try spool.createDirectories()
        return spool
    }

    /// A producer swaps its channel folder for a symlink between the scan and the claim: the claim must not move the
    /// file behind the link (it could be the journal) into `work/`.
    @Test func aClaimDoesNotGoThroughASymlinkedChannelFolder() throws {
        let root = try TemporaryDirectory(prefix: "spool-channel-link")
        let outside = try TemporaryDirectory(prefix: "spool-outside")
        defer { root.remove(); outside.remove() }
        let spool = try spool(root)
        try Data("not yours\n".utf8).write(to: URL(fileURLWithPath: outside.appending("segment")))
        #expect(symlink(outside.path, root.appending("inbox/chan")) == 0)

        #expect(throws: (any Error).self) { try spool.claim(InboxEntry(channel: "chan", name: "segment"), id: 1) }
        #expect(FileManager.default.fileExists(atPath: outside.appending("segment")))
        #expect(try spool.workFiles().isEmpty)
    }

    @Test func aClaimFromARealChannelFolderWorks() throws {
        let root = try TemporaryDirectory(prefix: "spool-channel")
        defer { root.remove() }
        let spool = try spool(root)
        try FileManager.default.createDirectory(atPath: root.appending("inbox/chan"), withIntermediateDirectories: true)
        try Data("Headline\n\nBody.\n".utf8).write(to: URL(fileURLWithPath: root.appending("inbox/chan/story.txt")))
        let claimed = try #require(try spool.claim(InboxEntry(channel: "chan", name: "story.txt"), id: 7))
        #expect(claimed.channel == "chan")
        guard case .bytes(let bytes) = spool.read(claimed) else {
            Issue.record("a claimed regular file was not read")
            return
        }
        #expect(bytes == Array("Headline\n\nBody.\n".utf8))
        #expect(try spool.claim(InboxEntry(channel: "chan", name: "story.txt"), id: 8) == nil)
    }

    /// Reading a FIFO with no writer would block the pipeline forever; it must come back at once, unread.
    @Test func aFIFOIsNotOpened() throws {
        let root = try TemporaryDirectory(prefix: "spool-fifo")
        defer { root.remove() }
        let spool = try spool(root)
        #expect(mkfifo(root.appending("inbox/pipe"), 0o600) == 0)
        let claimed = try #require(try spool.claim(InboxEntry(channel: nil, name: "pipe"), id: 1))
        let start = Date()
        guard case .unreadable(let message) = spool.read(claimed) else {
            Issue.record("a FIFO was read")
            return
        }
        #expect(message.contains("a FIFO (named pipe)"))
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test func aSymlinkIsNotFollowed() throws {
        let root = try TemporaryDirectory(prefix: "spool-link")
        let outside = try TemporaryDirectory(prefix: "spool-link-target")
        defer { root.remove(); outside.remove() }
        let spool = try spool(root)
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: outside.appending("secret")))
        #expect(symlink(outside.appending("secret"), root.appending("inbox/story.txt")) == 0)
        let claimed = try #require(try spool.claim(InboxEntry(channel: nil, name: "story.txt"), id: 1))
        guard case .unreadable(let message) = spool.read(claimed) else {
            Issue.record("a symlink was followed")
            return
        }
        #expect(message.contains("symbolic link"))
        #expect(FileManager.default.fileExists(atPath: outside.appending("secret")))
    }

    @Test func fileTypesAreNamed() {
        #expect(Spool.notRegular(S_IFREG | 0o644) == nil)
        #expect(Spool.notRegular(S_IFCHR | 0o600) == "a character device")
        #expect(Spool.notRegular(S_IFBLK | 0o600) == "a block device")
        #expect(Spool.notRegular(S_IFSOCK | 0o600) == "a socket")
        #expect(Spool.notRegular(S_IFDIR | 0o755) == "a directory")
    }

    @Test func thePeerPolicyAdmitsRootTheOwnerAndTheGroup() {
        let policy = ControlPeerPolicy(owner: 990, group: 991)
        #expect(policy.refusal(of: PeerCredentials(pid: 1, uid: 0, gid: 0, groups: [])) == nil)
        #expect(policy.refusal(of: PeerCredentials(pid: 1, uid: 990, gid: 990, groups: [])) == nil)
        #expect(policy.refusal(of: PeerCredentials(pid: 1, uid: 1000, gid: 991, groups: [])) == nil)
        #expect(policy.refusal(of: PeerCredentials(pid: 1, uid: 1000, gid: 1000, groups: [27, 991])) == nil)
        let refusal = policy.refusal(of: PeerCredentials(pid: 1, uid: 1000, gid: 1000, groups: [27, 100]))
        #expect(refusal?.contains("uid 1000") == true)
        #expect(refusal?.contains("gid 991") == true)
    }

    /// Without SO_PEERGROUPS the groups come from /proc; a process that cannot be seen there is refused.
    @Test func withoutPeerGroupsAnInvisibleProcessIsRefused() {
        let policy = ControlPeerPolicy(owner: 990, group: 991)
        // No such process: pids are below 2^22 on Linux.
        #expect(policy.refusal(of: PeerCredentials(pid: 99_999_999, uid: 1000, gid: 1000, groups: nil)) != nil)
        let own = ControlPeerPolicy.procGroups(pid: getpid())
        #expect(own != nil)
    }

    /// The kernel's answer for a real connection: our own uid, gid and pid.
    @Test func peerCredentialsAreReadFromAConnectedSocket() throws {
        var pair: [CInt] = [0, 0]
        #expect(socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        let peer = try #require(PeerCredentials(socket: pair[0]))
        #expect(peer.pid == getpid())
        #expect(peer.uid == geteuid())
        #expect(peer.gid == getegid())
        var groups = [gid_t](repeating: 0, count: Int(getgroups(0, nil)))
        _ = getgroups(CInt(groups.count), &groups)
        #expect(peer.groups.map { Set($0) } == Set(groups))
    }
}
