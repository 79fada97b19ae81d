import CopydeskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct NotifyListenerTests {
    /// Sends one datagram to `path` the way sd_notify does, without touching the environment.
    func send(_ text: String, to path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let sent = text.withCString { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes, strlen(bytes), 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        try #require(sent == strlen(text))
    }

    @Test func collectsDatagramsInOrder() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        #expect(listener.socketPath.hasPrefix("/"))
        for text in ["READY=1", "STATUS=a\nb", "WATCHDOG=1"] { try send(text, to: listener.socketPath) }
        #expect(await listener.waitFor(from: 2) { _ in true } == "WATCHDOG=1")
        #expect(listener.messages == ["READY=1", "STATUS=a\nb", "WATCHDOG=1"])
        #expect(await listener.waitFor { $0.hasPrefix("STATUS=") } == "STATUS=a\nb")
    }

    @Test func waitForTimesOutWithNil() async throws {
        let listener = try NotifyListener()
        defer { listener.close() }
        try send("READY=1", to: listener.socketPath)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await listener.waitFor(timeout: .milliseconds(100)) { $0 == "STOPPING=1" } == nil)
        #expect(clock.now - start >= .milliseconds(100))
        #expect(await listener.waitFor(timeout: .milliseconds(100), from: 1) { $0 == "READY=1" } == nil)
    }

    @Test func closeRemovesTheSocketAndKeepsTheMessages() async throws {
        let listener = try NotifyListener()
        try send("READY=1", to: listener.socketPath)
        _ = await listener.waitFor { _ in true }
        listener.close()
        listener.close()
        #expect(access(listener.socketPath, F_OK) != 0)
        #expect(listener.messages == ["READY=1"])
    }

    @Test func listenersDoNotShareSockets() throws {
        let first = try NotifyListener()
        let second = try NotifyListener()
        #expect(first.socketPath != second.socketPath)
    }
}
