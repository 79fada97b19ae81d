import Foundation

/// A fresh directory under the system's temporary directory for one test, so tests that touch files can run in
/// parallel without seeing each other's files.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates the directory; `inMemory` puts it on `/dev/shm` when there is one, for tests that rebuild a journal
    /// thousands of times and would otherwise spend their time in `fsync`.
    public init(prefix: String = "copydesk-test", inMemory: Bool = false) throws {
        let shm = "/dev/shm"
        let base =
            inMemory && FileManager.default.isWritableFile(atPath: shm)
            ? shm : FileManager.default.temporaryDirectory.path
        path = base + "/" + prefix + "-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path/name`.
    public func appending(_ name: String) -> String { path + "/" + name }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs `body` with a new temporary directory and removes it afterwards, whether `body` throws or not.
    public static func with<R>(
        prefix: String = "copydesk-test", inMemory: Bool = false, _ body: (TemporaryDirectory) throws -> R
    ) throws -> R {
        let directory = try TemporaryDirectory(prefix: prefix, inMemory: inMemory)
        defer { directory.remove() }
        return try body(directory)
    }
}
