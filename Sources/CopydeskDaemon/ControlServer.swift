import CopydeskCore
import Foundation
import Glibc
import Logging
import Synchronization
import CopydeskStore
import SystemPackage

/// Answers `copydesk status` on a Unix stream socket: one JSON request line in, one JSON response line out.
///
/// Runs on its own thread with blocking `accept`, so a slow client never stalls the pipeline, and a client
/// that sends nothing is dropped after a short receive timeout. Only root, the socket's owner and members of the
/// socket's group are answered (``ControlPeerPolicy``), whatever the socket file's mode says.
final class ControlServer: Sendable {
    private let path: String
    private let listener: CInt
    private let board: StatusBoard
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let finished = Mutex<Bool>(false)

    /// Binds the socket (mode 0660). Call only while holding the journal lock: any socket already at `path`
    /// is then a stale leftover of a crashed daemon and is replaced.
    init(path: String, board: StatusBoard, logger: Logger) throws(Errno) {
        self.path = path
        self.board = board
        self.logger = logger
        let fd = try valueOrErrno { socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0) }
        do {
            var address = try Self.address(path)
            unlink(path)
            try valueOrErrno {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            try valueOrErrno { chmod(path, 0o660) }
            try valueOrErrno { listen(fd, 16) }
        } catch {
            close(fd)
            throw error
        }
        listener = fd
    }

    static func address(_ path: String) throws(Errno) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw Errno.fileNameTooLong }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    func start() {
        let thread = Thread { [self] in
            serve()
            finished.withLock { $0 = true }
        }
        thread.name = "copydesk.control"
        thread.start()
    }

    /// Stops accepting, waits for the serving thread, removes the socket file.
    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        shutdown(listener, CInt(SHUT_RDWR))
        for _ in 0..<200 where !finished.withLock({ $0 }) {
            usleep(5000)
        }
        close(listener)
        unlink(path)
    }

    private func serve() {
        while !stopped.load(ordering: .sequentiallyConsistent) {
            let client: CInt
            do {
                client = try valueOrErrno { accept(listener, nil, nil) }
            } catch {
                if stopped.load(ordering: .sequentiallyConsistent) { return }
                logger.warning("control socket accept failed", metadata: ["error": "\(error)"])
                usleep(100_000)
                continue
            }
            if admit(client) { handle(client) }
            close(client)
        }
    }

    /// Checks the connecting process's credentials from the kernel (`SO_PEERCRED`, `SO_PEERGROUPS`) against the
    /// socket file's owner and group as they are now, so an operator's `chgrp` of the socket takes effect at once.
    /// The mode 0660 already keeps others out at `connect`; this holds even when the mode or the directory's
    /// permissions were loosened by hand or by another umask.
    private func admit(_ client: CInt) -> Bool {
        guard let peer = PeerCredentials(socket: client) else {
            logger.warning("control socket: refused a client whose credentials cannot be read", metadata: [
                "error": "\(Errno(rawValue: errno))",
            ])
            return false
        }
        var info = stat()
        let policy = stat(path, &info) == 0
            ? ControlPeerPolicy(owner: info.st_uid, group: info.st_gid)
            : ControlPeerPolicy(owner: geteuid(), group: getegid())
        if let refusal = policy.refusal(of: peer) {
            logger.warning("control socket: refused a client", metadata: [
                "peer.pid": "\(peer.pid)", "peer.uid": "\(peer.uid)", "peer.gid": "\(peer.gid)", "reason": "\(refusal)",
            ])
            return false
        }
        return true
    }

    private func handle(_ client: CInt) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.contains(UInt8(ascii: "\n")) && request.count < 65_536 {
            let count = (try? valueOrErrno { chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) } }) ?? 0
            if count <= 0 { break }
            request += chunk[0..<count]
        }
        let line = request.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? []
        let response = respond(to: Array(line))
        var bytes = (try? JSONEncoder.control.encode(response)).map { [UInt8]($0) } ?? []
        bytes.append(UInt8(ascii: "\n"))
        var sent = 0
        while sent < bytes.count {
            let count = (try? valueOrErrno {
                bytes.withUnsafeBytes { send(client, $0.baseAddress! + sent, $0.count - sent, CInt(MSG_NOSIGNAL)) }
            }) ?? -1
            if count <= 0 { break }
            sent += count
        }
    }

    private func respond(to line: [UInt8]) -> ControlResponse {
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) else {
            return ControlResponse(error: "bad request: expected one JSON line such as {\"version\":1,\"command\":\"status\"}")
        }
        switch request.command {
        case .status: return ControlResponse(status: board.snapshot)
        }
    }
}

/// The kernel's view of the process at the other end of a Unix socket, taken when it connected.
struct PeerCredentials: Sendable, Equatable {
    var pid: pid_t
    var uid: uid_t
    var gid: gid_t
    /// Supplementary groups; nil when the kernel does not report them (`SO_PEERGROUPS` is Linux 4.13+).
    var groups: [gid_t]?

    init(pid: pid_t, uid: uid_t, gid: gid_t, groups: [gid_t]?) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }

    /// Reads `SO_PEERCRED` and `SO_PEERGROUPS` of a connected socket; nil (with `errno` set) when the first fails.
    init?(socket: CInt) {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: Glibc hides it behind _GNU_SOURCE, so read three words.
        var raw = [UInt32](repeating: 0, count: 3)
        var length = socklen_t(MemoryLayout<UInt32>.size * 3)
        let status = raw.withUnsafeMutableBytes { getsockopt(socket, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &length) }
        guard status == 0, length == socklen_t(MemoryLayout<UInt32>.size * 3) else { return nil }
        pid = pid_t(bitPattern: raw[0])
        uid = raw[1]
        gid = raw[2]
        groups = Self.supplementaryGroups(socket)
    }

    private static func supplementaryGroups(_ socket: CInt) -> [gid_t]? {
        var capacity = 64
        while capacity <= 65_536 {
            var groups = [gid_t](repeating: 0, count: capacity)
            var length = socklen_t(capacity * MemoryLayout<gid_t>.size)
            let status = groups.withUnsafeMutableBytes {
                getsockopt(socket, SOL_SOCKET, SO_PEERGROUPS, $0.baseAddress, &length)
            }
            if status == 0 { return Array(groups.prefix(Int(length) / MemoryLayout<gid_t>.size)) }
            // ERANGE: the kernel wrote the size it needs into length.
            guard errno == ERANGE else { return nil }
            capacity = max(capacity * 2, Int(length) / MemoryLayout<gid_t>.size)
        }
        return nil
    }
}

/// Who may use the control socket: root, the socket's owner (the daemon's user), and members of the socket's group
/// (`copydesk` under systemd), by primary or supplementary group.
struct ControlPeerPolicy: Sendable {
    var owner: uid_t
    var group: gid_t

    /// Why `peer` is refused, or nil when it may connect.
    func refusal(of peer: PeerCredentials) -> String? {
        if peer.uid == 0 || peer.uid == owner || peer.gid == group { return nil }
        if let groups = peer.groups {
            return groups.contains(group)
                ? nil : "uid \(peer.uid) is not root, not the socket's owner (uid \(owner)) and not in its group (gid \(group))"
        }
        // Without SO_PEERGROUPS, /proc/PID/status lists the groups. Under the unit's ProtectProc=invisible another
        // user's process is not visible there, and then the client is refused rather than guessed about.
        guard let groups = Self.procGroups(pid: peer.pid) else {
            return "uid \(peer.uid) is not root or the socket's owner and its groups cannot be read"
        }
        return groups.contains(group)
            ? nil : "uid \(peer.uid) is not root, not the socket's owner (uid \(owner)) and not in its group (gid \(group))"
    }

    /// The `Groups:` line of /proc/PID/status.
    static func procGroups(pid: pid_t) -> [gid_t]? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") }) else { return nil }
        return line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap {
            gid_t($0)
        }
    }
}

extension JSONEncoder {
    /// Stable, compact output for the control protocol and `--json`.
    static var control: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
