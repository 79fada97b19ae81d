import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// The built `copydeskd` and `copydesk` binaries: `swift test` puts them beside the test bundle.
enum Binaries {
    static let directory: URL = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent()
    }()

    static var daemon: URL { directory.appendingPathComponent("copydeskd") }
    static var cli: URL { directory.appendingPathComponent("copydesk") }

    static var seeds: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("seeds")
    }

    static func seedFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: seeds, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "txt" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// One `copydeskd --root ROOT` process with its own `NOTIFY_SOCKET`, as systemd would start it.
final class DaemonProcess {
    let root: URL
    let notify: NotifyListener
    let process = Process()
    let logURL: URL

    init(root: URL, notify: NotifyListener, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        self.root = root
        self.notify = notify
        logURL = root.appendingPathComponent("daemon-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = Binaries.daemon
        process.arguments = ["--root", root.path] + extraArguments
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = notify.socketPath
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.removeValue(forKey: "WATCHDOG_USEC")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let log = try FileHandle(forWritingTo: logURL)
        process.standardError = log
        process.standardOutput = log
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the process to end and returns its exit status (or 128+signal), nil on timeout.
    func waitForExit(timeout: Double = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `copydesk` CLI.
func copydesk(_ arguments: [String]) throws -> CommandResult {
    try run(Binaries.cli, arguments)
}

/// Runs `executable` to its end, capturing stdout and stderr.
func run(_ executable: URL, _ arguments: [String]) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self)
    )
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(20_000)
    } while Date() < deadline
    return try condition()
}

/// How producers deliver: FTP servers and careful scripts write a temporary name and rename it; people copy.
enum Drop {
    static func writeThenRename(_ data: Data, as name: String, into inbox: URL) throws {
        let temporary = inbox.appendingPathComponent(".\(name).part")
        try data.write(to: temporary)
        try FileManager.default.moveItem(at: temporary, to: inbox.appendingPathComponent(name))
    }

    static func copy(_ data: Data, as name: String, into inbox: URL) throws {
        // Written in place, in two writes, as `cp` does with a large file: only IN_CLOSE_WRITE may trigger.
        let path = inbox.appendingPathComponent(name).path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        let half = data.count / 2
        data.withUnsafeBytes { raw in
            _ = write(fd, raw.baseAddress, half)
            usleep(50_000)
            _ = write(fd, raw.baseAddress! + half, raw.count - half)
        }
        close(fd)
    }
}

func listing(_ directory: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
}

extension TemporaryDirectory {
    var url: URL { URL(fileURLWithPath: path) }
}

/// Blocks this thread (not a task) until a notification matches `predicate`, or `timeout` seconds pass.
///
/// For tests whose timing matters (kill the daemon mid-burst): an awaiting task can be starved of the test
/// runner's few pool threads by long CPU-bound tests running beside it and wake long after the moment.
func waitBlocking(
    _ notify: NotifyListener, timeout: Double, from start: Int = 0, _ predicate: (String) -> Bool
) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        let messages = notify.messages
        if start < messages.count, let found = messages[start...].first(where: predicate) { return found }
        usleep(2000)
    } while Date() < deadline
    return nil
}
