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
                Case does not matter. Documents stored before classification was recorded match no filter.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Option(name: .long, help: "How many records to show.")
        var limit = 20

        @Option(name: .long, help: ArgumentHelp(
            "Only documents of this kind: \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "KIND"))
        var kind: String?

        @Option(name: .long, help: ArgumentHelp("Only documents issued by this organisation or agency.", valueName: "NAME"))
        var source: String?

        @Option(name: .long, help: ArgumentHelp("Only documents with this IPTC Media Topic (code or label).", valueName: "TOPIC"))
        var topic: String?

        @Option(name: .long, help: ArgumentHelp("Only documents in this language (ISO 639-1).", valueName: "CODE"))
        var lang: String?

        var filtered: Bool { kind != nil || source != nil || topic != nil || lang != nil }

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
            for (name, value) in [("--kind", kind), ("--source", source), ("--topic", topic), ("--lang", lang)] {
                if let value, value.isEmpty { throw ValidationError("\(name) needs a value") }
            }
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
                if let record = try reader.record(sequence), case .document(let document) = record.body,
                    let classification = document.classification,
                    classification.matches(kind: kind, source: source, topic: topic, language: lang)
                {
                    found.append(record)
                }
                sequence -= 1
            }
            return found
        }
    }
}
