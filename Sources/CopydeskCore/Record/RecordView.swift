/// A record as `copydesk list` / `show` present it: the same value rendered as text or encoded as JSON,
/// so the two never disagree. Raw bytes are left out (`show --raw` prints them as they are).
public struct RecordView: Codable, Sendable, Equatable {
    public var sequence: UInt64
    public var recordedAt: String
    public var verdict: String
    public var file: String
    public var channel: String?
    public var receivedAt: String
    public var size: Int64
    public var sha256: String?
    public var previousHash: String
    public var format: String?
    public var charset: String?
    public var article: Article?
    /// Kind, source, topics, language, entities, urgency (documents stored since classification is recorded).
    public var classification: Classification?
    public var duplicateOf: UInt64?
    public var match: String?
    public var reason: RejectReason?
    public var rejectedAs: String?
    /// `near-duplicate of N` / `version of N` (documents).
    public var link: DedupLink?
    /// The story the document belongs to (its first document's sequence).
    public var story: UInt64?
    /// A dropped near-duplicate's similarity, in thousandths.
    public var similarityPermille: Int?

    public init(_ record: JournalRecord) {
        let arrival = record.body.arrival
        sequence = record.sequence
        recordedAt = record.recordedAt.iso8601
        verdict = record.body.verdict
        file = arrival.file
        channel = arrival.channel
        receivedAt = arrival.receivedAt.iso8601
        size = arrival.size
        sha256 = arrival.sha256?.hex
        previousHash = record.previousHash.hex
        switch record.body {
        case .document(let document):
            format = document.format
            charset = document.charset
            article = document.article
            classification = document.classification
            link = document.link
            story = document.story
        case .duplicate(let duplicate):
            duplicateOf = duplicate.duplicateOf
            match = duplicate.match
            similarityPermille = duplicate.similarityPermille
        case .rejected(let rejected):
            reason = rejected.reason
            rejectedAs = rejected.rejectedAs
        }
    }

    /// One line for `copydesk list`: sequence, time, verdict, file, and the headline or what it points at.
    public var summaryLine: String {
        let what: String
        if let article {
            what = article.headline + (link.map { " [\($0.relation.rawValue) of #\($0.of)]" } ?? "")
        } else if let duplicateOf {
            what = "duplicate of #\(duplicateOf) (\(duplicateMatchText))"
        } else if let reason {
            what = "\(reason.code): \(reason.message)"
        } else {
            what = ""
        }
        let place = channel.map { "\($0)/\(file)" } ?? file
        return "#\(sequence)\t\(receivedAt)\t\(verdict)\t\(place)\t\(what)"
    }

    /// `exact`, `normalized`, `near-duplicate, similarity 0.91`.
    var duplicateMatchText: String {
        let name = match ?? "exact"
        guard let similarityPermille else { return name }
        return name + ", similarity " + DedupLink.format(Double(similarityPermille) / 1000)
    }

    /// The full text of `copydesk show N`: metadata, verdict, then the article.
    public var detailText: String {
        var lines = ["Record #\(sequence) · \(verdict)"]
        func field(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append(name.padding(13) + value) }
        }
        field("File:", channel.map { "\($0)/\(file)" } ?? file)
        field("Received:", receivedAt)
        field("Recorded:", recordedAt)
        field("Size:", "\(size) bytes")
        field("SHA-256:", sha256)
        field("Format:", format.map { "\($0) (\(charset ?? "?"))" })
        field("Duplicate of:", duplicateOf.map { "#\($0) (\(duplicateMatchText))" })
        field("Link:", link.map(\.text))
        field("Story:", story.map { "#\($0)" })
        field("Reason:", reason.map { "\($0.code): \($0.message)" })
        field("Rejected as:", rejectedAs.map { "rejected/\($0)" })
        if let article {
            field("Byline:", article.byline)
            field("Dateline:", article.dateline)
            field("Published:", article.published)
            field("Source:", article.source)
            field("Language:", article.language)
            if let classification { lines += classification.summaryLines }
            lines.append("")
            lines.append(article.headline)
            if let subheadline = article.subheadline { lines.append(subheadline) }
            lines.append(String(repeating: "─", count: min(72, max(8, article.headline.count))))
            lines.append(article.bodyText)
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
