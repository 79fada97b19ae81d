import Glibc  // Linux only, as the daemon is: fdatasync and flock semantics are Linux's here.
import SystemPackage

// The system calls SystemPackage has no wrapper for (fsync, fdatasync, flock, mkdir, rename, unlink, readdir).
// This file is the only code in CopydeskStore that reads errno.

/// Runs `body` until it does not fail with EINTR; a failure (as `failed` judges the result) throws the errno.
private func retryingInterrupts<T>(_ body: () -> T, failed: (T) -> Bool) throws(Errno) -> T {
    while true {
        errno = 0
        let result = body()
        guard failed(result) else { return result }
        let error = Errno(rawValue: errno)
        if error == .interrupted { continue }
        throw error
    }
}

/// The funnel for calls that return -1 and set errno on failure; the daemon's calls (inotify, sockets, rename)
/// go through it too, so the package has one place that reads errno.
@discardableResult
package func valueOrErrno<Result: FixedWidthInteger>(_ body: () -> Result) throws(Errno) -> Result {
    try retryingInterrupts(body) { $0 == -1 }
}

package enum Syscall {
    static func fsync(_ fd: FileDescriptor) throws(Errno) {
        try valueOrErrno { Glibc.fsync(fd.rawValue) }
    }

    static func fdatasync(_ fd: FileDescriptor) throws(Errno) {
        try valueOrErrno { Glibc.fdatasync(fd.rawValue) }
    }

    /// `flock(LOCK_EX | LOCK_NB)`: throws `Errno.wouldBlock` when another open file description holds it.
    static func lockExclusive(_ fd: FileDescriptor) throws(Errno) {
        try valueOrErrno { flock(fd.rawValue, LOCK_EX | LOCK_NB) }
    }

    /// Creates `path` and any missing parents (`mkdir -p`).
    package static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws(Errno) {
        do {
            try valueOrErrno { mkdir(path, mode) }
        } catch .fileExists {
            return
        } catch .noSuchFileOrDirectory {
            let parent = parentDirectory(of: path)
            guard parent != path, !parent.isEmpty else { throw .noSuchFileOrDirectory }
            try makeDirectories(parent, mode: mode)
            do { try valueOrErrno { mkdir(path, mode) } } catch .fileExists { return }
        }
    }

    static func rename(_ from: String, _ to: String) throws(Errno) {
        try valueOrErrno { Glibc.rename(from, to) }
    }

    /// A second name for a file (`link(2)`): how `repair` keeps a damaged segment while replacing it.
    static func link(_ existing: String, _ new: String) throws(Errno) {
        try valueOrErrno { Glibc.link(existing, new) }
    }

    static func unlink(_ path: String) throws(Errno) {
        try valueOrErrno { Glibc.unlink(path) }
    }

    /// True when something exists at `path` (a dangling symlink counts).
    static func exists(_ path: String) throws(Errno) -> Bool {
        var info = stat()
        do {
            try valueOrErrno { lstat(path, &info) }
            return true
        } catch .noSuchFileOrDirectory {
            return false
        }
    }

    /// The names in a directory, without `.` and `..`, in no particular order.
    static func listDirectory(_ path: String) throws(Errno) -> [String] {
        let handle = try retryingInterrupts({ opendir(path) }, failed: { $0 == nil })
        guard let handle else { throw .noSuchFileOrDirectory }
        defer { closedir(handle) }
        var names: [String] = []
        while true {
            // readdir returns nil both at the end (errno untouched, so 0) and on error (errno set).
            let entry = try retryingInterrupts({ readdir(handle) }, failed: { $0 == nil && errno != 0 })
            guard let entry else { return names }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    private static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}

extension FileDescriptor {
    /// SystemPackage's untyped-throwing calls throw only `Errno`; this restores the type for the caller.
    static func typed<R>(_ body: () throws -> R) throws(Errno) -> R {
        do {
            return try body()
        } catch let error as Errno {
            throw error
        } catch {
            throw .ioError  // unreachable today: SystemPackage throws nothing but Errno
        }
    }
}
