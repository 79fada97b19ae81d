import ArgumentParser
import CopydeskCore
import CopydeskStore

extension Copydesk {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recent records, newest first.",
            discussion: """
                The classification filters keep stored documents whose classification matches, all given filters \
                together: --kind press-release (or a finer kind such as press-conference), --source NATO, \
                --topic medtop:16000000 (or 16000000, or the label "conflict, war and peace"), --lang en. \
                Case does not matter. Documents stored before classification was recorded match no filter. \
                --since TIME keeps records written at or after TIME (ISO 8601), of every verdict unless a \
                classification filter is given.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Option(name: .long, help: "How many records to show.")
        var limit = 20

        @OptionGroup var filter: ClassificationFilter

        var filtered: Bool { filter.classifies || filter.since != nil }

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            let records = filtered ? try matching(reader) : try reader.recent(limit: limit)
            let views = records.map(RecordView.init)
            if output.json {
                try printJSON(views)
            } else if views.isEmpty {
                print(filtered ? "No stored document matches." : "The journal is empty.")
            } else {
                for view in views { print(view.summaryLine) }
            }
        }

        /// Walks back from the newest record until `limit` documents match (or the journal's start).
        func matching(_ reader: JournalReader) throws -> [JournalRecord] {
            var found: [JournalRecord] = []
            var sequence = reader.lastSequence
            let first = reader.firstSequence ?? 1
            while sequence >= first, sequence > 0, found.count < limit {
                defer { sequence -= 1 }
                guard let record = try reader.record(sequence) else { continue }
                if let since = filter.sinceTime, record.recordedAt < since { break }  // older from here on
                if !filter.classifies || filter.document(record) != nil { found.append(record) }
            }
            return found
        }
    }
}
