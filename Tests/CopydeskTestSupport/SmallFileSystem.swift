import Foundation
import Glibc

/// A size-limited tmpfs for the tests that fill a disk for real. Mounting needs root (or CAP_SYS_ADMIN);
/// ``mount(at:size:)`` says why it could not, so the caller can skip with a message.
public enum SmallFileSystem {
    /// Mounts a tmpfs of `size` (`256k`, `1m`) at `directory`; nil, or why this process may not mount.
    public static func mount(at directory: String, size: String) -> String? {
        run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", directory])
    }

    public static func unmount(_ directory: String) { _ = run("/bin/umount", ["-l", directory]) }

    /// Fills the file system holding `path` until about `leaving` bytes are free.
    public static func fill(_ path: String, leaving: Int) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create the filler")
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var info = statvfs()
        while statvfs(path, &info) == 0, Int(info.f_bavail) * Int(info.f_frsize) > leaving + chunk.count {
            guard chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == chunk.count else { break }
        }
    }

    /// Runs a tool; nil, or why it failed.
    static func run(_ tool: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            return "cannot run \(tool): \(error)"
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return "\(tool) failed (\(process.terminationStatus)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }
}
