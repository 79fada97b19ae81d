@testable import CopydeskDaemon
import CopydeskTestSupport
import Foundation
import Synchronization
import Testing

/// The watcher against real inotify.
@Suite struct InboxWatcherTests {
    final class Collected: Sendable {
        let events = Mutex<[InboxWatcher.Event]>([])
        func wait(for predicate: ([InboxWatcher.Event]) -> Bool) -> Bool {
            for _ in 0..<250 {
                if events.withLock({ predicate($0) }) { return true }
                usleep(20_000)
            }
            return false
        }
    }

    @Test func reportsRenamedAndClosedFilesAndNewChannelsButNotUploadsInFlight() throws {
        let root = try TemporaryDirectory(prefix: "copydesk-watcher")
        defer { root.remove() }
        let inbox = root.appending("inbox")
        try FileManager.default.createDirectory(atPath: inbox + "/afp", withIntermediateDirectories: true)
        let collected = Collected()
        let watcher = try InboxWatcher(inbox: inbox, channels: ["afp"]) { event in
            collected.events.withLock { $0.append(event) }
        }
        defer { watcher.stop() }

        try Data("x".utf8).write(to: URL(fileURLWithPath: inbox + "/.story.part"))
        try FileManager.default.moveItem(atPath: inbox + "/.story.part", toPath: inbox + "/story.txt")
        _ = FileManager.default.createFile(atPath: inbox + "/afp/wire.xml", contents: Data("y".utf8))
        _ = FileManager.default.createFile(atPath: inbox + "/upload.tmp", contents: Data("z".utf8))
        try FileManager.default.createDirectory(atPath: inbox + "/xinhua", withIntermediateDirectories: false)

        #expect(collected.wait { events in
            events.contains(.arrived(InboxEntry(channel: nil, name: "story.txt")))
                && events.contains(.arrived(InboxEntry(channel: "afp", name: "wire.xml")))
                && events.contains(.channelAdded("xinhua"))
        })
        // The new channel is watched from now on.
        _ = FileManager.default.createFile(atPath: inbox + "/xinhua/x.txt", contents: Data("w".utf8))
        #expect(collected.wait { $0.contains(.arrived(InboxEntry(channel: "xinhua", name: "x.txt"))) })
        let names = collected.events.withLock { $0 }.compactMap { event -> String? in
            if case .arrived(let entry) = event { return entry.name } else { return nil }
        }
        #expect(!names.contains(".story.part"))
        #expect(!names.contains("upload.tmp"))
    }

    @Test func removingTheInboxIsReported() throws {
        let root = try TemporaryDirectory(prefix: "copydesk-watcher-gone")
        defer { root.remove() }
        let inbox = root.appending("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let collected = Collected()
        let watcher = try InboxWatcher(inbox: inbox, channels: []) { event in
            collected.events.withLock { $0.append(event) }
        }
        defer { watcher.stop() }
        try FileManager.default.removeItem(atPath: inbox)
        #expect(collected.wait { $0.contains(.inboxGone) })
    }
}
