import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation
import Glibc

extension Copydesk {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every frame, checksum, payload, sequence number, chain link and trailer of the journal.",
            discussion: """
                Reads the journal without locking it, so it works while copydeskd runs. Exit status: 0 when the \
                journal is whole, 1 when it is damaged (the first bad record is named: segment file, byte offset, \
                sequence number, reason), 2 when it could not be read. Progress goes to stderr when it is a terminal.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        func run() async throws {
            let journal = try location.configuration().journal
            let progress = isatty(STDERR_FILENO) == 1 ? ProgressLine(label: "Verifying") : nil
            let report: VerificationReport
            do {
                report = try JournalVerifier.verify(directory: journal) { step in
                    progress?.show(records: step.records, done: step.bytesDone, total: step.totalBytes)
                }
            } catch {
                progress?.clear()
                printError("cannot verify the journal: \(error)")
                throw ExitCode(2)
            }
            progress?.clear()
            if output.json {
                try printJSON(report)
            } else {
                print(report.text)
            }
            if !report.whole { throw ExitCode.failure }
        }
    }
}

/// One self-overwriting line on stderr for long operations (only when stderr is a terminal).
final class ProgressLine {
    private let label: String
    private var shown = false

    private var lastShown = 0.0

    init(label: String) { self.label = label }

    /// A progress line on stderr when it is a terminal, nil otherwise (scripts and pipes get none).
    static func onTerminal(_ label: String) -> ProgressLine? {
        isatty(STDERR_FILENO) == 1 ? ProgressLine(label: label) : nil
    }

    /// `label: text`, at most five times a second.
    func show(_ text: String) {
        let now = Date().timeIntervalSince1970
        guard now - lastShown >= 0.2 else { return }
        lastShown = now
        FileHandle.standardError.write(Data(("\r\u{1B}[K\(label): " + text).utf8))
        shown = true
    }

    func show(records: UInt64, done: Int64, total: Int64) {
        let percent = total > 0 ? Int(done * 100 / total) : 100
        let megabytes = { (bytes: Int64) in StatusSnapshot.grouped(Int(bytes >> 20)) }
        let text =
            "\(label): \(StatusSnapshot.grouped(Int(records))) records · \(megabytes(done)) of "
            + "\(megabytes(total)) MiB (\(percent) %)"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    func clear() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}

/// `copydesk: MESSAGE` on stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("copydesk: \(message)\n".utf8))
}
