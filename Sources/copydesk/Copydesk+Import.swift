import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load an export (made with --raw) into an EMPTY store, with the same sequence numbers.",
            discussion: """
                Only while copydeskd is stopped (it takes the journal's lock) and only into a journal without \
                records. Times, arrivals, articles and raw bytes are kept; the hash chain is computed again by the \
                writer and, for an unaltered export, comes out the same, which the report says. FILE - reads stdin. \
                Exit status: 0 on success, 1 on a bad line or write failure (records before it stay imported), 2 \
                when copydeskd is running or the store is not empty.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Argument(help: ArgumentHelp("The NDJSON export to load (- for stdin).", valueName: "FILE"))
        var file: String

        func run() async throws {
            let configuration = try location.configuration()
            guard let input = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
                printError("cannot open \(file)")
                throw ExitCode.failure
            }
            let importer: JournalImport
            do {
                importer = try JournalImport.begin(
                    directory: configuration.journal, options: JournalOptions(segmentSize: configuration.segmentSize)
                )
            } catch {
                if error.code == .locked {
                    printError(
                        "copydeskd is running (it holds \(configuration.journal)/LOCK); stop it before importing.")
                } else if error.code == .notEmpty {
                    printError(
                        "the store at \(configuration.journal) already holds records; import needs an empty one.")
                } else {
                    printError("cannot import: \(error)")
                    throw ExitCode.failure
                }
                throw ExitCode(2)
            }
            var lineNumber = 0
            let progress = ProgressLine.onTerminal("Importing")
            defer { progress?.clear() }
            do {
                var lines = LineReader(input)
                while let line = try lines.next() {
                    lineNumber += 1
                    progress?.show("\(StatusSnapshot.grouped(lineNumber)) records")
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                    try importer.add(try ExportedRecord(line: line))
                }
                progress?.clear()
                let report = try importer.finish()
                if output.json {
                    try printJSON(report)
                } else {
                    print(report.text)
                }
            } catch {
                progress?.clear()
                let done =
                    (try? importer.finish()).map { report in
                        report.lastSequence.map { "records up to #\($0) were imported" } ?? "nothing was imported"
                    } ?? "the journal may hold part of the import"
                printError("\(file):\(lineNumber): \(error); \(done)")
                throw ExitCode.failure
            }
        }
    }
}

/// Reads a file line by line in 1 MiB chunks, so an export of any size is never held whole.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(_ handle: FileHandle) { self.handle = handle }

    /// The next line without its newline, or nil at the end.
    mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                return buffer[start..<newline]
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return buffer[start...]
            }
            buffer.removeFirst(start)
            start = 0
            if let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                buffer += chunk
            } else {
                atEnd = true
            }
        }
    }
}
