import CopydeskCore
import CopydeskStore
import Glibc
import SystemPackage

/// A file waiting in the inbox: its name and the sub-folder (channel) it was dropped into.
public struct InboxEntry: Hashable, Sendable {
    public var channel: String?
    public var name: String

    public init(channel: String?, name: String) {
        self.channel = channel
        self.name = name
    }

    var relativePath: String { channel.map { "\($0)/\(name)" } ?? name }
}

/// A file this daemon owns: renamed into `work/` under its claim name.
public struct ClaimedFile: Hashable, Sendable {
    public var claim: String
    public var channel: String?
    public var file: String
}

/// What reading a claimed file gave.
enum ReadOutcome {
    case bytes([UInt8])
    case tooLarge(Int64)
    case unreadable(String)
    case vanished
}

/// The spool folders (`inbox/`, `work/`, `rejected/`, `done/`) and every file operation on them.
///
/// Errors here are per file and become outcomes (a vanished file is skipped, an unreadable one rejected);
/// only a spool that cannot be used at all (missing, no permission on the folder) throws.
struct Spool: Sendable {
    let config: Configuration

    func createDirectories() throws(Errno) {
        for path in [config.spool, config.inbox, config.work, config.rejected] + (config.keepDone ? [config.done] : []) {
            try Syscall.makeDirectories(path, mode: 0o755)
        }
    }

    /// Every file in the inbox and its channel sub-folders that is not an upload in flight, oldest first by
    /// name (wire files usually carry a time or sequence in their names).
    func scanInbox() throws(Errno) -> [InboxEntry] {
        var entries = [InboxEntry]()
        for (name, isDirectory) in try list(config.inbox) {
            if isDirectory {
                guard !name.hasPrefix(".") else { continue }
                for (inner, innerIsDirectory) in (try? list(config.inbox + "/" + name)) ?? []
                where !innerIsDirectory && !SpoolName.isInFlight(inner) {
                    entries.append(InboxEntry(channel: name, name: inner))
                }
            } else if !SpoolName.isInFlight(name) {
                entries.append(InboxEntry(channel: nil, name: name))
            }
        }
        return entries.sorted { ($0.channel ?? "", $0.name) < ($1.channel ?? "", $1.name) }
    }

    /// Channel sub-folders of the inbox.
    func channels() throws(Errno) -> [String] {
        try list(config.inbox).filter { $0.1 && !$0.0.hasPrefix(".") }.map(\.0)
    }

    /// Names in `work/`: files claimed before a stop or crash.
    func workFiles() throws(Errno) -> [String] {
        try list(config.work).filter { !$0.1 }.map(\.0).sorted()
    }

    /// Takes ownership of an inbox file by renaming it into `work/`. Returns nil when the file is gone
    /// (another claim, or the producer renamed it away).
    ///
    /// A channel folder is opened with `O_NOFOLLOW` and the file renamed relative to that descriptor: producers own
    /// their channel folders and could swap one for a symlink between the scan and the claim, and a plain
    /// `rename("inbox/chan/x")` would then move a file from wherever the link points (the journal directory, say)
    /// into `work/`. The file itself is never followed: `rename` moves a symlink, not its target.
    func claim(_ entry: InboxEntry, id: UInt64) throws(Errno) -> ClaimedFile? {
        let claim = SpoolName.claimName(id: id, channel: entry.channel, file: entry.name)
        let target = config.work + "/" + claim
        do {
            if let channel = entry.channel {
                let folder = try valueOrErrno {
                    open(config.inbox + "/" + channel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                defer { close(folder) }
                try valueOrErrno { renameat(folder, entry.name, AT_FDCWD, target) }
            } else {
                try valueOrErrno { rename(config.inbox + "/" + entry.name, target) }
            }
        } catch Errno.noSuchFileOrDirectory {
            return nil
        }
        return ClaimedFile(claim: claim, channel: entry.channel, file: entry.name)
    }

    /// Gives a file found in `work/` that is not a claim name (put there by hand) a claim name.
    func adopt(_ name: String, id: UInt64) throws(Errno) -> ClaimedFile {
        let claim = SpoolName.claimName(id: id, channel: nil, file: name)
        try valueOrErrno { rename(config.work + "/" + name, config.work + "/" + claim) }
        return ClaimedFile(claim: claim, channel: nil, file: name)
    }

    /// Reads a claimed file whole, refusing symlinks, non-regular files and files over the size limit
    /// without reading them.
    ///
    /// The type comes from `lstat` before anything is opened: opening a FIFO blocks until a writer appears, and
    /// opening a device can act on it (rewind a tape, wake a modem), so neither is ever opened. The open itself
    /// still says `O_NOFOLLOW | O_NONBLOCK` and `fstat` must show the same regular file, in case the name was
    /// replaced in between.
    func read(_ file: ClaimedFile) -> ReadOutcome {
        let path = config.work + "/" + file.claim
        var seen = stat()
        guard lstat(path, &seen) == 0 else {
            let error = Errno(rawValue: errno)
            return error == .noSuchFileOrDirectory ? .vanished : .unreadable("cannot stat: \(error)")
        }
        if let kind = Self.notRegular(seen.st_mode) {
            return .unreadable("\(kind), not a regular file: not opened")
        }
        let fd: CInt
        do {
            fd = try valueOrErrno { open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) }
        } catch Errno.noSuchFileOrDirectory {
            return .vanished
        } catch Errno.tooManySymbolicLinkLevels {
            return .unreadable("a symbolic link, not a file: links are not followed")
        } catch Errno.permissionDenied {
            return .unreadable(
                "permission denied: copydeskd (uid \(geteuid()), gid \(getegid())) may not read a file with mode "
                    + String(seen.st_mode & 0o7777, radix: 8) + ", owner uid \(seen.st_uid), group \(seen.st_gid)"
                    + " (producers: make it readable by group copydesk-producers, e.g. mode 0640)"
            )
        } catch {
            return .unreadable("cannot open: \(error)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .unreadable("cannot stat: \(Errno(rawValue: errno))") }
        if let kind = Self.notRegular(info.st_mode) { return .unreadable("\(kind), not a regular file") }
        guard info.st_dev == seen.st_dev, info.st_ino == seen.st_ino else {
            return .unreadable("replaced while being opened: not read")
        }
        let size = Int64(info.st_size)
        if size > config.maxFileSize { return .tooLarge(size) }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var filled = 0
        while true {
            if filled == bytes.count {
                // The producer may still be appending (it should not, after close/rename): read what is there
                // up to the limit, so the hash covers exactly the bytes stored.
                if Int64(bytes.count) >= config.maxFileSize + 1 { return .tooLarge(Int64(bytes.count)) }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2)))
            }
            let count: Int
            do {
                count = try valueOrErrno {
                    bytes.withUnsafeMutableBytes { buffer in
                        Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                    }
                }
            } catch {
                return .unreadable("read failed: \(error)")
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeSubrange(filled...)
        if Int64(filled) > config.maxFileSize { return .tooLarge(Int64(filled)) }
        return .bytes(bytes)
    }

    /// What a file that is not a regular file is, for the reason file; nil for a regular file.
    static func notRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: "a symbolic link (links are not followed)"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a directory"
        default: "an unknown file type"
        }
    }

    /// Lets go of a file whose record is durable: deleted, or moved to `done/` when configured.
    func finish(_ file: ClaimedFile) throws(Errno) {
        let path = config.work + "/" + file.claim
        do {
            if config.keepDone {
                let target = freeName(file.file, in: config.done)
                try valueOrErrno { rename(path, config.done + "/" + target) }
            } else {
                try valueOrErrno { unlink(path) }
            }
        } catch Errno.noSuchFileOrDirectory {
            return  // finished before a crash already
        }
    }

    /// A name in `rejected/` for `name` that neither a file nor a reason file uses yet.
    func rejectedName(for name: String) -> String {
        freeName(name, in: config.rejected, companion: ".reason")
    }

    /// Moves a claimed file to `rejected/NAME` with `NAME.reason` beside it; the reason file is written first
    /// so a rejected file is never without its reason.
    func reject(_ file: ClaimedFile, as name: String, reasonText: String) throws(Errno) {
        let reasonPath = config.rejected + "/" + name + ".reason"
        let temporary = config.rejected + "/." + name + ".reason.tmp"
        let fd = try valueOrErrno { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640) }
        let bytes = Array(reasonText.utf8)
        var written = 0
        defer { close(fd) }
        while written < bytes.count {
            let count = try valueOrErrno {
                bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            }
            written += count
        }
        try valueOrErrno { rename(temporary, reasonPath) }
        do {
            try valueOrErrno { rename(config.work + "/" + file.claim, config.rejected + "/" + name) }
        } catch Errno.noSuchFileOrDirectory {
            return
        }
    }

    private func freeName(_ name: String, in directory: String, companion: String = "") -> String {
        var candidate = name
        var counter = 1
        while exists(directory + "/" + candidate) || (!companion.isEmpty && exists(directory + "/" + candidate + companion)) {
            counter += 1
            candidate = "\(name).\(counter)"
        }
        return candidate
    }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Entries of a directory (name, is a directory), without `.` and `..`.
    private func list(_ path: String) throws(Errno) -> [(String, Bool)] {
        guard let directory = opendir(path) else { throw Errno(rawValue: errno) }
        defer { closedir(directory) }
        var out = [(String, Bool)]()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isDirectory = lstat(path + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            out.append((name, isDirectory))
        }
        return out
    }
}
