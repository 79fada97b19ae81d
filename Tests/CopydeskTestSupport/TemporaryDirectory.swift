import Foundation

/// A fresh directory under the system's temporary directory for one test, so tests that touch files can run in
/// parallel without seeing each other's files.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates the directory.
    public init(prefix: String = "copydesk-test") throws {
        let base = FileManager.default.temporaryDirectory.path
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
    public static func with<R>(prefix: String = "copydesk-test", _ body: (TemporaryDirectory) throws -> R) throws -> R {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try body(directory)
    }
}
