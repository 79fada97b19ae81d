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
/// that sends nothing is dropped after a short receive timeout.
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
            handle(client)
            close(client)
        }
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

extension JSONEncoder {
    /// Stable, compact output for the control protocol and `--json`.
    static var control: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
