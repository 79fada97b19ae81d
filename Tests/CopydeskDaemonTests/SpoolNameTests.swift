import CopydeskCore
@testable import CopydeskDaemon
import Testing

@Suite struct SpoolNameTests {
    @Test(arguments: [".hidden", ".x.part", "story.tmp", "story.part", "story.filepart", "story.crdownload", "story~"])
    func inFlightNamesAreIgnored(_ name: String) {
        #expect(SpoolName.isInFlight(name))
    }

    @Test(arguments: ["story.txt", "tag_reuters.com_2016_newsml_L1N1", "part", "tmp.xml", "a~b"])
    func finishedNamesAreTaken(_ name: String) {
        #expect(!SpoolName.isInFlight(name))
    }

    @Test func claimNamesRoundTrip() {
        let cases: [(String?, String)] = [
            (nil, "story.txt"), ("xinhua", "a_b_c.xml"), ("odd_%channel", "x"), ("reuters.com", "ünïcode name.txt"),
        ]
        for (channel, file) in cases {
            let name = SpoolName.claimName(id: 0xabc, channel: channel, file: file)
            #expect(name.hasPrefix("0000000000000abc_"))
            let parsed = SpoolName.parseClaim(name)
            #expect(parsed?.channel == channel)
            #expect(parsed?.file == file)
        }
    }

    @Test func claimIdsMakeNamesUnique() {
        #expect(SpoolName.claimName(id: 1, channel: nil, file: "a") != SpoolName.claimName(id: 2, channel: nil, file: "a"))
    }

    @Test(arguments: ["story.txt", "0000000000000abc", "0000000000000abcX_x", "000000000000zzzz__x", "0000000000000abc__"])
    func foreignNamesAreNotClaims(_ name: String) {
        #expect(SpoolName.parseClaim(name) == nil)
    }
}

@Suite struct WorkQueueTests {
    @Test func coalescesRepeatedEventsAndKeepsOrder() {
        let queue = WorkQueue()
        let a = InboxEntry(channel: nil, name: "a"), b = InboxEntry(channel: "x", name: "b")
        queue.add(a)
        queue.add(b)
        queue.add(a)
        let taken = queue.take()
        #expect(taken.entries == [a, b])
        #expect(!taken.rescan)
        #expect(queue.take().entries.isEmpty)
    }

    @Test func rescanFlagIsTakenOnce() {
        let queue = WorkQueue()
        queue.requestRescan()
        #expect(queue.take().rescan)
        #expect(!queue.take().rescan)
    }

    @Test func stopEndsTheWakeStream() async {
        let queue = WorkQueue()
        queue.wake()
        queue.stop()
        var wakes = 0
        for await _ in queue.wakes { wakes += 1 }
        #expect(wakes <= 1)
        #expect(queue.isStopped)
    }
}

@Suite struct StatusThrottleTests {
    @Test func sendsChangesAtMostEveryInterval() {
        var throttle = StatusThrottle(interval: 0.25)
        #expect(throttle.line("a", at: 0) == "a")
        #expect(throttle.line("a", at: 1) == nil)  // unchanged
        #expect(throttle.line("b", at: 1.1) == "b")
        #expect(throttle.line("c", at: 1.2) == nil)  // too soon
        #expect(throttle.line("c", at: 1.2, force: true) == "c")
        #expect(throttle.line("d", at: 1.5) == "d")
    }
}
