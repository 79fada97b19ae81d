import Foundation
import Glibc
import Synchronization
import CopydeskCore
import CopydeskStore
import SystemPackage

/// Watches the inbox and its channel sub-folders with inotify, on a thread of its own that waits in `poll(2)`.
///
/// The thread is woken by the kernel itself when a file arrives. A Dispatch read source took two hand-offs for the
/// same (the manager thread's epoll, then a worker for the source's queue), each paying an idle vCPU's wake-up on
/// this kind of VM: a tenth of a millisecond of a lone file's latency apiece.
///
/// Events are hints: the pipeline treats the directory as the truth, rescans on overflow and periodically,
/// and ignores in-flight names. Nothing outside this type sees a queue or a file descriptor.
final class InboxWatcher: Sendable {
    enum Event: Sendable, Equatable {
        /// A file was closed after writing or renamed in.
        case arrived(InboxEntry)
        /// The kernel queue overflowed (`IN_Q_OVERFLOW`): events were lost, rescan.
        case overflowed
        /// A channel folder appeared; it is now watched and should be scanned.
        case channelAdded(String)
        /// The inbox folder itself was deleted or moved away.
        case inboxGone
    }

    private struct State {
        var channelsByWatch: [CInt: String?] = [:]
        var stopped = false
    }

    private let inbox: String
    private let fd: CInt
    /// A pipe: ``stop()`` writes a byte to `stopFD` to end the thread's `poll` on `stopReadFD`.
    private let stopFD: CInt
    private let stopReadFD: CInt
    private let state = Mutex(State())

    private static let fileMask = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)
    private static let inboxMask = fileMask | UInt32(IN_CREATE) | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)
        | UInt32(IN_ONLYDIR)

    /// Starts watching `inbox` and each of `channels`; `onEvent` is called on the watcher's own thread. Call
    /// ``stop()`` when done: the thread holds the watcher until then.
    init(inbox: String, channels: [String], onEvent: @escaping @Sendable (Event) -> Void) throws(Errno) {
        self.inbox = inbox
        fd = try valueOrErrno { inotify_init1(CInt(IN_NONBLOCK | IN_CLOEXEC)) }
        var ends: [CInt] = [-1, -1]
        // pipe2 and eventfd are not imported into Swift here; the daemon starts no processes to leak these to
        // between the calls, and close-on-exec is set all the same.
        guard pipe(&ends) == 0, fcntl(ends[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(ends[1], F_SETFD, FD_CLOEXEC) == 0
        else {
            let error = Errno(rawValue: errno)
            for end in ends where end >= 0 { close(end) }
            close(fd)
            throw error
        }
        stopReadFD = ends[0]
        stopFD = ends[1]
        do {
            let wd = try valueOrErrno { inotify_add_watch(fd, inbox, Self.inboxMask) }
            state.withLock { $0.channelsByWatch[wd] = .some(nil) }
            for channel in channels { try watchChannel(channel) }
        } catch {
            close(fd)
            close(stopFD)
            close(stopReadFD)
            throw error
        }
        let thread = Thread { [self] in run(onEvent) }
        thread.name = "copydesk.inbox-watcher"
        thread.start()
    }

    /// Ends the thread (which closes the inotify descriptor); no event is reported after its current batch.
    func stop() {
        guard state.withLock({ state in
            defer { state.stopped = true }
            return !state.stopped
        }) else { return }
        var byte: UInt8 = 1
        _ = write(stopFD, &byte, 1)
    }

    deinit {
        close(stopReadFD)
        close(stopFD)  // here, not on the thread: a late stop() must never write to a descriptor reused since
    }

    private func run(_ onEvent: @Sendable (Event) -> Void) {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: stopReadFD, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break  // EFAULT/EINVAL/ENOMEM: nothing this loop can wait on any more; the periodic rescan remains
            }
            if fds[1].revents != 0 { break }
            if fds[0].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { break }  // never for inotify; no spin
            if fds[0].revents != 0 {
                for event in drain() { onEvent(event) }
            }
        }
        close(fd)
    }

    /// `IN_DONT_FOLLOW`: a channel folder swapped for a symbolic link between listing and watching must not make
    /// the daemon watch (and report files from) wherever the link points.
    private func watchChannel(_ channel: String) throws(Errno) {
        let mask = Self.fileMask | UInt32(IN_ONLYDIR) | UInt32(IN_DELETE_SELF) | UInt32(IN_DONT_FOLLOW)
        let wd = try valueOrErrno { inotify_add_watch(fd, inbox + "/" + channel, mask) }
        state.withLock { $0.channelsByWatch[wd] = .some(channel) }
    }

    /// Reads every queued inotify record until `EAGAIN` and turns them into events.
    private func drain() -> [Event] {
        var events = [Event]()
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try valueOrErrno { Glibc.read(fd, buffer.baseAddress, capacity) }
            } catch {
                break  // EAGAIN: drained (other errors: nothing more to read now)
            }
            if count <= 0 { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let wd = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                guard offset + header + length <= count else { break }
                let nameBytes = UnsafeRawBufferPointer(rebasing: buffer[(offset + header)..<(offset + header + length)])
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += header + length
                if let event = interpret(wd: wd, mask: mask, name: name) { events.append(event) }
            }
        }
        return events
    }

    private func interpret(wd: CInt, mask: UInt32, name: String) -> Event? {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { return .overflowed }
        let watched = state.withLock { $0.channelsByWatch[wd] }
        guard let channel = watched else { return nil }
        if mask & UInt32(IN_IGNORED) != 0 {
            // The watch is gone (after DELETE_SELF/MOVE_SELF, which already reported it, or an unmount).
            state.withLock { _ = $0.channelsByWatch.removeValue(forKey: wd) }
            return nil
        }
        if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)) != 0 {
            return channel == nil ? .inboxGone : nil
        }
        if mask & UInt32(IN_ISDIR) != 0 {
            guard channel == nil, !name.hasPrefix("."),
                  mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 else { return nil }
            do {
                try watchChannel(name)
            } catch {
                return .overflowed  // cannot watch it: let the periodic scan carry it
            }
            return .channelAdded(name)
        }
        guard mask & Self.fileMask != 0, !name.isEmpty, !SpoolName.isInFlight(name) else { return nil }
        return .arrived(InboxEntry(channel: channel, name: name))
    }
}
