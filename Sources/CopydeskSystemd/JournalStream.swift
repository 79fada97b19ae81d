#if canImport(Glibc)
import Glibc
#endif

/// Decides whether stderr is connected to journald, and so whether to log natively to the journal.
///
/// systemd sets `JOURNAL_STREAM=DEV:INODE` for the stdout/stderr stream it hands a service. The variable is
/// inherited by children and survives redirections, so its presence alone proves nothing: only when stderr's own
/// `fstat(2)` device and inode match is stderr still that stream (see systemd.exec(5), "JOURNAL_STREAM").
/// The return value of `sd_journal_sendv` cannot be used instead: it is 0 even when no journald listens.
public enum JournalStream {
    /// True when `JOURNAL_STREAM` in this process's environment matches stderr.
    public static func stderrIsJournal() -> Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        return matches(String(cString: value), fileDescriptor: STDERR_FILENO)
    }

    /// True when `environment["JOURNAL_STREAM"]` matches the device and inode of this process's stderr.
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        return matches(value, fileDescriptor: STDERR_FILENO)
    }

    /// True when `value` is `DEV:INODE` (decimal) and equals `fstat(fd)`'s `st_dev:st_ino`.
    static func matches(_ value: String, fileDescriptor fd: CInt) -> Bool {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
