import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Follow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print records as they are appended, like journalctl -f (Ctrl-C to stop).",
            discussion: "Starts with the last --lines records, oldest first; --json prints one JSON object per line."
        )

        @OptionGroup var location: Location

        @Flag(name: .long, help: "One JSON object per record per line (NDJSON).")
        var json = false

        @Option(name: [.short, .long], help: "How many past records to print first.")
        var lines = 10

        @Option(name: .long, help: ArgumentHelp("Stop after this many new records.", valueName: "N"))
        var count: Int?

        @Option(name: .long, help: ArgumentHelp("How often to look for new records, in milliseconds.", valueName: "MS"))
        var interval = 250

        func validate() throws {
            guard lines >= 0 else { throw ValidationError("--lines must be 0 or more") }
            guard interval >= 10 else { throw ValidationError("--interval must be at least 10 ms") }
            if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            let encoder = RecordCodec.encoder()
            func emit(_ record: JournalRecord) throws {
                let view = RecordView(record)
                if json {
                    FileHandle.standardOutput.write(try encoder.encode(view) + Data("\n".utf8))
                } else {
                    FileHandle.standardOutput.write(Data((view.summaryLine + "\n").utf8))
                }
            }
            for record in try reader.recent(limit: lines).reversed() { try emit(record) }
            var next = reader.lastSequence + 1
            var printed = 0
            while count.map({ printed < $0 }) ?? true {
                try reader.forEach(from: next) { record in
                    guard count.map({ printed < $0 }) ?? true else { return }
                    try emit(record)
                    next = record.sequence + 1
                    printed += 1
                }
                if count.map({ printed >= $0 }) ?? false { break }
                try await Task.sleep(for: .milliseconds(interval))
            }
        }
    }
}
