import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for systemd's notification socket, so tests can see exactly what a process sends with `sd_notify`.
///
/// It binds an `AF_UNIX` datagram socket in a fresh directory under `/tmp`; put ``socketPath`` in `NOTIFY_SOCKET` (of
/// this process, or of a launched `copydeskd`) and every datagram is collected, in arrival order, by a background
/// thread. Closing (or releasing) the listener stops the thread and removes the socket and its directory.
///
/// ```swift
/// let listener = try NotifyListener()
/// process.environment = ["NOTIFY_SOCKET": listener.socketPath]
/// try process.run()
/// let ready = await listener.waitFor { $0.contains("READY=1") }
/// ```
public final class NotifyListener: Sendable {
    /// The value for `NOTIFY_SOCKET`: an absolute path, short enough for `sun_path`.
    public let socketPath: String

    private let state: State
    private let directory: String

    /// Binds the socket and starts collecting.
    /// - Throws: ``NotifyListenerError`` when the directory or socket cannot be created.
    public init() throws(NotifyListenerError) {
        // Always /tmp, not $TMPDIR: sun_path holds only 108 bytes, and tests that set environment variables
        // concurrently make getenv unsafe.
        var template = Array("/tmp/copydesk-notify.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw NotifyListenerError(operation: "mkdtemp", errno: errno)
        }
        directory = String(cString: made)
        socketPath = directory + "/notify.sock"

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            rmdir(directory)
            throw NotifyListenerError(operation: "socket", errno: code)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes.prefix(raw.count - 1))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            rmdir(directory)
            throw NotifyListenerError(operation: "bind", errno: code)
        }
        state = State(fd: fd)
        let state = self.state
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<State>.fromOpaque(raw!).takeRetainedValue().receiveLoop()
            return nil
        }, Unmanaged.passRetained(state).toOpaque())
        guard started == 0 else {
            state.finish()
            unlink(socketPath)
            rmdir(directory)
            throw NotifyListenerError(operation: "pthread_create", errno: started)
        }
        pthread_detach(thread)
    }

    deinit {
        close()
    }

    /// Every datagram received so far, oldest first.
    public var messages: [String] {
        state.storage.withLock { $0.messages }
    }

    /// The first message, at index `start` or later, that satisfies `predicate`, waiting up to `timeout` for it.
    ///
    /// Already received messages count, so a message sent before the call is found too; pass `start` (e.g. an
    /// earlier `messages.count`) to look only at newer ones. Polls every few milliseconds, which keeps it free of
    /// blocking waits that would tie up a thread of the cooperative pool.
    /// - Returns: the message, or nil on timeout.
    public func waitFor(
        timeout: Duration = .seconds(5), from start: Int = 0, _ predicate: (String) -> Bool
    ) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var checked = start
        while true {
            let snapshot = messages
            if checked < snapshot.count {
                if let found = snapshot[checked...].first(where: predicate) { return found }
                checked = snapshot.count
            }
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Stops collecting and removes the socket and its directory. Idempotent; ``messages`` stays readable.
    public func close() {
        guard state.finish() else { return }
        unlink(socketPath)
        rmdir(directory)
    }

    /// The socket and the collected messages, shared with the receiving thread (which holds its own reference, so
    /// the listener can be released while the thread runs).
    private final class State: Sendable {
        struct Storage {
            var messages: [String] = []
            var stopped = false
        }

        let fd: CInt
        let storage = Mutex(Storage())

        init(fd: CInt) {
            self.fd = fd
        }

        /// Marks the state stopped and wakes the thread; returns false if it was already stopped.
        /// The thread owns the descriptor and closes it, so it is never closed while `recv` still uses it.
        @discardableResult
        func finish() -> Bool {
            let first = storage.withLock { storage in
                defer { storage.stopped = true }
                return !storage.stopped
            }
            if first {
                shutdown(fd, CInt(SHUT_RDWR))
            }
            return first
        }

        func receiveLoop() {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            defer { Glibc.close(fd) }
            while !storage.withLock({ $0.stopped }) {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 100)  // the timeout re-checks `stopped` should a wake-up be missed
                if ready < 0 && errno != EINTR { return }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, CInt(MSG_DONTWAIT)) }
                if count > 0 {
                    let text = String(decoding: buffer[0..<count], as: UTF8.self)
                    storage.withLock { $0.messages.append(text) }
                } else if count < 0 && errno != EAGAIN && errno != EINTR {
                    return
                }
            }
        }
    }
}

/// A listener could not be set up; `operation` names the failing call.
public struct NotifyListenerError: Error, Equatable, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    public var description: String {
        "NotifyListener: \(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
