import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    /// `copydesk stories`: documents grouped by the story the daemon filed them into at ingest.
    ///
    /// The story id is stored in each document record (the sequence of the story's first document), so listing
    /// is a read of the records, never a re-clustering: every reader sees the same stories the daemon decided.
    struct Stories: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List stories: documents from several sources about the same event, grouped at ingest.",
            discussion: "Clustering never hides a document: every stored document is in exactly one story."
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Option(name: .long, help: ArgumentHelp(
            "Stories with a document received since then: a duration back from now (30min, 6h, 2d) or an ISO 8601 time.",
            valueName: "WHEN"))
        var since = "24h"

        @Flag(name: .long, help: "Include stories of a single document.")
        var all = false

        func validate() throws {
            guard StoryListing.parseSince(since, now: Date()) != nil else {
                throw ValidationError("--since must be a duration such as 6h or an ISO 8601 time, not \(since)")
            }
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            let since = StoryListing.parseSince(self.since, now: Date())!
            let stories = try StoryListing.stories(reader, since: since, includeSingles: all)
            if output.json {
                try printJSON(stories)
            } else if stories.isEmpty {
                print("No stories since \(since.iso8601)\(all ? "" : " with more than one document").")
            } else {
                print(stories.map(\.text).joined(separator: "\n\n"))
            }
        }
    }
}

/// A story as `copydesk stories` shows it.
struct StoryView: Codable {
    struct Member: Codable {
        var sequence: UInt64
        var receivedAt: String
        var source: String?
        var headline: String
        var link: DedupLink?
    }

    var story: UInt64
    var documents: Int
    var sources: [String]
    var first: String
    var last: String
    var members: [Member]

    var text: String {
        var lines = [
            "Story #\(story) · \(documents) document\(documents == 1 ? "" : "s") · "
                + "\(sources.isEmpty ? "no source" : sources.joined(separator: ", ")) · \(first) … \(last)"
        ]
        for member in members {
            let link = member.link.map { "  [\($0.relation.rawValue) of #\($0.of)]" } ?? ""
            lines.append("  #\(member.sequence)\t\(member.receivedAt)\t\(member.source ?? "-")\t\(member.headline)\(link)")
        }
        return lines.joined(separator: "\n")
    }
}

enum StoryListing {
    /// `6h`, `30min`, `2d`, `90s` back from `now`, or an ISO 8601 time.
    static func parseSince(_ text: String, now: Date) -> Timestamp? {
        if let time = Timestamp(iso8601: text) { return time }
        let units: [(String, Double)] = [("min", 60), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0 else { return nil }
            return Timestamp(microseconds: Int64((now.timeIntervalSince1970 - number * factor) * 1_000_000))
        }
        return nil
    }

    /// The first sequence whose record arrived at or after `time` (arrivals are in journal order but for the
    /// few milliseconds a batch spans, so a binary search by sequence is close enough for a listing).
    static func firstSequence(_ reader: JournalReader, since time: Timestamp) throws -> UInt64 {
        guard var low = reader.firstSequence else { return 1 }
        var high = reader.lastSequence + 1
        while low < high {
            let mid = low + (high - low) / 2
            if let record = try reader.record(mid), record.body.arrival.receivedAt < time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    static func stories(_ reader: JournalReader, since: Timestamp, includeSingles: Bool) throws -> [StoryView] {
        let start = try firstSequence(reader, since: since)
        var groups: [UInt64: [(UInt64, DocumentRecord)]] = [:]
        var order: [UInt64] = []
        try reader.forEach(from: start) { record in
            guard case .document(let document) = record.body else { return }
            // Records from before dedup have no story: each is a story of its own.
            let story = document.story ?? record.sequence
            if groups[story] == nil {
                order.append(story)
                // A story opened before `since` shows its first document too, for context.
                if story < start, let first = try reader.record(story), case .document(let opener) = first.body {
                    groups[story] = [(story, opener)]
                } else {
                    groups[story] = []
                }
            }
            groups[story]!.append((record.sequence, document))
        }
        return order.compactMap { id in
            let members = groups[id]!
            guard includeSingles || members.count > 1 else { return nil }
            let sources = members.map { StoryListing.source(of: $0.1) }.compactMap { $0 }
            var distinct: [String] = []
            for source in sources where !distinct.contains(source) { distinct.append(source) }
            return StoryView(
                story: id, documents: members.count, sources: distinct,
                first: members.first!.1.arrival.receivedAt.iso8601, last: members.last!.1.arrival.receivedAt.iso8601,
                members: members.map { sequence, document in
                    StoryView.Member(
                        sequence: sequence, receivedAt: document.arrival.receivedAt.iso8601,
                        source: StoryListing.source(of: document), headline: document.article.headline,
                        link: document.link)
                })
        }
    }

    /// The article's source, else the inbox channel it came through.
    static func source(of document: DocumentRecord) -> String? {
        if let source = document.article.source, !source.isEmpty { return source }
        return document.arrival.channel
    }

    /// The documents linked to `sequence` by `version of`, both ways, newest first (`sequence` included); a
    /// single element when it has no versions. Later versions are searched for up to a week past the newest
    /// one found, so `show` does not read a whole journal for an old story.
    static func versionChain(_ reader: JournalReader, of sequence: UInt64) throws -> [JournalRecord] {
        guard let record = try reader.record(sequence), case .document(var document) = record.body else { return [] }
        var chain = [record]
        var members: Set<UInt64> = [sequence]
        // Back to the original.
        while let link = document.link, link.relation == .version, !members.contains(link.of),
              let earlier = try reader.record(link.of), case .document(let earlierDocument) = earlier.body {
            chain.append(earlier)
            members.insert(earlier.sequence)
            document = earlierDocument
        }
        // Forward: every later document whose version link points into the chain.
        let horizon: Int64 = 7 * 86_400 * 1_000_000
        var newest = chain.map(\.body.arrival.receivedAt.microseconds).max()!
        let origin = members.min()!
        try reader.forEach(from: origin + 1) { later in
            guard later.body.arrival.receivedAt.microseconds <= newest + horizon else { return }
            guard case .document(let laterDocument) = later.body, let link = laterDocument.link,
                  link.relation == .version, members.contains(link.of), !members.contains(later.sequence)
            else { return }
            chain.append(later)
            members.insert(later.sequence)
            newest = max(newest, later.body.arrival.receivedAt.microseconds)
        }
        return chain.sorted { $0.sequence > $1.sequence }
    }
}
