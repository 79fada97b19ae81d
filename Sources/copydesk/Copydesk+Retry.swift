import ArgumentParser
import CopydeskCore
import Foundation
import Glibc

extension Copydesk {
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move rejected files back into the inbox once the cause is fixed.",
            discussion: """
                Each file goes back under its delivered name into the channel folder it came through (from its \
                reason file), by rename, so the daemon sees a whole file. Its reason file moves to \
                rejected/history/ with the time of the retry appended, and the journal keeps the rejected record: \
                the history stays. A file whose name is taken in the inbox is left where it is. Exit 0 when every \
                file named was moved, 1 otherwise.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Argument(help: "Names in rejected/ (as `copydesk trace` or the reason file shows them).")
        var names: [String] = []

        @Flag(name: .long, help: "Retry every file in rejected/.")
        var all = false

        @Flag(name: .long, help: "Say what would be moved, move nothing.")
        var dryRun = false

        func validate() throws {
            guard all != !names.isEmpty else { throw ValidationError("name the files to retry, or give --all") }
        }

        func run() async throws {
            let configuration = try location.configuration()
            let rejected = configuration.rejected
            let candidates = all
                ? ((try? FileManager.default.contentsOfDirectory(atPath: rejected)) ?? []).filter { entry in
                    !entry.hasPrefix(".") && !entry.hasSuffix(".reason") && entry != "history"
                }.sorted()
                : names
            var results: [RetryResult] = []
            for name in candidates { results.append(retry(name, configuration)) }
            if output.json {
                try printJSON(results)
            } else if results.isEmpty {
                print("Nothing in rejected/ to retry.")
            } else {
                for result in results { print(result.line(dryRun: dryRun)) }
            }
            if results.contains(where: { !$0.moved }) { throw ExitCode.failure }
        }

        private func retry(_ name: String, _ configuration: Configuration) -> RetryResult {
            let files = FileManager.default
            let source = configuration.rejected + "/" + name
            guard !name.contains("/"), files.fileExists(atPath: source) else {
                return RetryResult(name: name, moved: false, problem: "not in \(configuration.rejected)")
            }
            let reasonPath = source + ".reason"
            let fields = (try? String(contentsOfFile: reasonPath, encoding: .utf8)).map(Decide.reasonFields) ?? [:]
            let delivered = fields["file"].flatMap { $0.isEmpty || $0.contains("/") ? nil : $0 } ?? name
            var folder = configuration.inbox
            if let channel = fields["channel"], !channel.isEmpty, !channel.contains("/"), channel != ".", channel != ".." {
                folder += "/" + channel
            }
            let target = folder + "/" + delivered
            var result = RetryResult(name: name, moved: false, to: target, reason: fields["reason"])
            guard !files.fileExists(atPath: target) else {
                result.problem = "\(target) exists; move it by hand under another name"
                return result
            }
            if dryRun {
                result.moved = true
                return result
            }
            do {
                try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
                // The file first: a crash between the two leaves a reason file without its file (harmless), never
                // a rejected file without its reason.
                guard rename(source, target) == 0 else { throw RetryError(String(cString: strerror(errno))) }
                if files.fileExists(atPath: reasonPath) {
                    let history = configuration.rejected + "/history"
                    try files.createDirectory(atPath: history, withIntermediateDirectories: true)
                    let stamp = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1e6)).iso8601
                    let kept = history + "/" + name + ".reason.retried-" + stamp
                    guard rename(reasonPath, kept) == 0 else { throw RetryError(String(cString: strerror(errno))) }
                    result.history = kept
                }
                result.moved = true
            } catch {
                result.problem = "\(error)"
            }
            return result
        }
    }
}

struct RetryError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One file of `copydesk retry --json`.
struct RetryResult: Codable {
    var name: String
    var moved: Bool
    var to: String?
    /// The reason code it was rejected for.
    var reason: String?
    /// Where its reason file now lives.
    var history: String?
    var problem: String?

    func line(dryRun: Bool) -> String {
        if let problem { return "\(name): not moved — \(problem)" }
        return "\(name) → \(to ?? "?")" + (dryRun ? " (dry run)" : "") + (reason.map { " (was rejected: \($0))" } ?? "")
    }
}
