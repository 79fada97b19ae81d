import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

/// The classification and time filters of `list`, `search` and `stats`.
struct ClassificationFilter: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Only documents of this kind (press-release, wire-story, transcript, …).", valueName: "KIND"))
    var kind: String?

    @Option(name: .long, help: ArgumentHelp("Only documents issued by this organisation or agency.", valueName: "NAME"))
    var source: String?

    @Option(name: .long, help: ArgumentHelp("Only documents with this IPTC Media Topic (code or label).", valueName: "TOPIC"))
    var topic: String?

    @Option(name: .long, help: ArgumentHelp("Only documents in this language (ISO 639-1).", valueName: "CODE"))
    var lang: String?

    @Option(name: .long, help: ArgumentHelp("Only records written at or after this time (ISO 8601).", valueName: "TIME"))
    var since: String?

    var sinceTime: Timestamp? { since.flatMap { Timestamp(iso8601: $0) } }

    var classifies: Bool { kind != nil || source != nil || topic != nil || lang != nil }

    func validate() throws {
        for (name, value) in [("--kind", kind), ("--source", source), ("--topic", topic), ("--lang", lang)] {
            if let value, value.isEmpty { throw ValidationError("\(name) needs a value") }
        }
        if let since, Timestamp(iso8601: since) == nil {
            throw ValidationError("--since: \(since) is not an ISO 8601 date or time (2026-01-02T03:04:05Z)")
        }
    }

    /// The document, when it passes every filter given.
    func document(_ record: JournalRecord) -> DocumentRecord? {
        guard case .document(let document) = record.body else { return nil }
        if let since = sinceTime, record.recordedAt < since { return nil }
        guard classifies else { return document }
        guard let classification = document.classification,
              classification.matches(kind: kind, source: source, topic: topic, language: lang) else { return nil }
        return document
    }
}

extension Copydesk {
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find stored documents by words in their headline and body, newest first.",
            discussion: """
                Every word of TEXT must appear (case and accents ignored), in the headline or the cleaned body; \
                "quoted phrase" keeps words together. Combine with --kind, --source, --topic, --lang and --since. \
                Exit 1 when nothing matches.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat
        @OptionGroup var filter: ClassificationFilter

        @Argument(help: "The words to look for.")
        var text: [String]

        @Option(name: .long, help: "How many documents to show at most.")
        var limit = 20

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
            guard !terms.isEmpty else { throw ValidationError("give the words to search for") }
        }

        var terms: [String] { text.map(Self.fold).filter { !$0.isEmpty } }

        static func fold(_ text: String) -> String {
            text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            let terms = self.terms
            var hits: [SearchHit] = []
            var sequence = reader.lastSequence
            let first = reader.firstSequence ?? 1
            while sequence >= first, sequence > 0, hits.count < limit {
                defer { sequence -= 1 }
                guard let record = try reader.record(sequence), let document = filter.document(record) else { continue }
                if let since = filter.sinceTime, record.recordedAt < since { break }  // older from here on
                let headline = Self.fold(document.article.headline)
                let body = Self.fold(document.article.bodyText)
                guard terms.allSatisfy({ headline.contains($0) || body.contains($0) }) else { continue }
                hits.append(SearchHit(record: RecordView(record), snippet: Self.snippet(document.article.bodyText, terms: terms)))
            }
            if output.json {
                try printJSON(hits)
            } else if hits.isEmpty {
                print("No stored document matches.")
            } else {
                for hit in hits {
                    print(hit.record.summaryLine)
                    if let snippet = hit.snippet { print("    …\(snippet)…") }
                }
            }
            if hits.isEmpty { throw ExitCode.failure }
        }

        /// About 120 characters of the body around the first term found in it.
        static func snippet(_ body: String, terms: [String]) -> String? {
            let folded = fold(body)
            guard folded.count == body.count,
                  let range = terms.lazy.compactMap({ folded.range(of: $0) }).first else { return nil }
            let offset = folded.distance(from: folded.startIndex, to: range.lowerBound)
            let start = body.index(body.startIndex, offsetBy: max(0, offset - 50))
            let end = body.index(start, offsetBy: min(120, body.distance(from: start, to: body.endIndex)))
            return body[start..<end].split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }
}

struct SearchHit: Codable {
    var record: RecordView
    var snippet: String?
}
