import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write records as NDJSON, one JSON object per line, oldest first.",
            discussion: """
                Each line has the fields of `copydesk show --json` plus `kind`, the exact `arrival`, \
                `recordedAtMicroseconds` and, with --raw, the delivered bytes in base64 (`raw`). An export made \
                with --raw can be loaded into an empty store with `copydesk import`. Works while copydeskd runs.
                """
        )

        @OptionGroup var location: Location

        @Option(
            name: .long, help: ArgumentHelp("Only records written at or after this time (ISO 8601).", valueName: "TIME")
        )
        var since: String?

        @Option(name: .long, help: ArgumentHelp("Only these sequence numbers: A-B, A- or A.", valueName: "A-B"))
        var seq: String?

        @Flag(name: .long, help: "Include each document's delivered bytes (base64); needed for import.")
        var raw = false

        @Option(name: .long, help: ArgumentHelp("Write to FILE instead of stdout.", valueName: "FILE"))
        var output: String?

        func validate() throws {
            if let since, Timestamp(iso8601: since) == nil {
                throw ValidationError("--since: \(since) is not an ISO 8601 date or time (2026-01-02T03:04:05Z)")
            }
            if let seq, Self.range(seq) == nil {
                throw ValidationError("--seq: \(seq) is not a range such as 100-200, 100- or 100")
            }
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            let selection = ExportSelection(
                sequences: seq.flatMap(Self.range), since: since.flatMap { Timestamp(iso8601: $0) }, includeRaw: raw
            )
            let sink: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil) else {
                    printError("cannot create \(output)")
                    throw ExitCode.failure
                }
                guard let handle = FileHandle(forWritingAtPath: output) else {
                    printError("cannot open \(output)")
                    throw ExitCode.failure
                }
                sink = handle
            } else {
                sink = FileHandle.standardOutput
            }
            var buffer: [UInt8] = []
            let count: UInt64
            // Only when the export goes to a file: on stdout the terminal is the output.
            let progress = output != nil ? ProgressLine.onTerminal("Exporting") : nil
            let total = reader.lastSequence - min(reader.lastSequence, (reader.firstSequence ?? 1) - 1)
            var written: UInt64 = 0
            defer { progress?.clear() }
            do {
                count = try JournalExport.export(from: reader, selection: selection) { line in
                    written += 1
                    progress?.show("\(StatusSnapshot.grouped(Int(written))) records (of at most \(StatusSnapshot.grouped(Int(total))))")
                    buffer += line
                    if buffer.count >= 1 << 20 {
                        try sink.write(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                progress?.clear()
                try sink.write(contentsOf: buffer)
                if output != nil {
                    try sink.synchronize()
                    try sink.close()
                }
            } catch {
                progress?.clear()
                printError("export stopped: \(error)")
                throw ExitCode.failure
            }
            if let damage = reader.damage {
                printError("the journal is damaged; exported the \(count) records before the damage: \(damage)")
                throw ExitCode.failure
            }
            if let output { printError("exported \(count) records to \(output)") }
        }

        /// `A-B`, `A-` (to the end) or `A`.
        static func range(_ text: String) -> ClosedRange<UInt64>? {
            let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = UInt64(parts[0]), first > 0 else { return nil }
            if parts.count == 1 { return first...first }
            if parts[1].isEmpty { return first...UInt64.max }
            guard let last = UInt64(parts[1]), last >= first else { return nil }
            return first...last
        }
    }
}
