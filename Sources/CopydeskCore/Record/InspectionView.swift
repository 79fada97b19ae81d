/// What `copydesk inspect` shows for one file: what Copydesk would store for it — the format it was read as,
/// the charset, the article after cleaning and what cleaning took out — or why it would be rejected. The
/// same value is rendered as text or encoded as one JSON line, so the two never disagree; its field names
/// are those of the stored record (``RecordView``): `format`, `charset`, `article`, `reason`.
public struct InspectionView: Codable, Sendable, Equatable {
    public var file: String
    public var size: Int
    /// `document` or `rejected`, as the journal would record it.
    public var verdict: String
    /// The format the content looks like. It differs from `format` when that format has no parser yet and
    /// the file is read as plain text.
    public var detected: String?
    public var format: String?
    public var charset: String?
    public var article: Article?
    /// What cleaning took out, with the signal that took each line.
    public var removed: [Clean.Removal]?
    /// What the daemon would store as the document's classification, with every cue.
    public var classification: Classification?
    public var reason: RejectReason?

    public init(file: String, size: Int, detected: String?, result: Result<PreparedDocument, RejectReason>) {
        self.file = file
        self.size = size
        self.detected = detected
        switch result {
        case .success(let document):
            verdict = "document"
            format = document.format
            charset = document.charset
            article = document.article
            removed = document.removals
            classification = document.classification
        case .failure(let reason):
            verdict = "rejected"
            self.reason = reason
        }
    }

    /// Inspects `bytes` as the pipeline would: ``Parse/prepare(_:fileName:)`` and, given a classifier, the
    /// Classify stage (`channel` as the inbox sub-folder would give it); nothing stored.
    public static func inspect(
        _ bytes: [UInt8], file: String, classifier: Classifier? = nil, channel: String? = nil
    ) -> InspectionView {
        let detected = Screening.screen(bytes) == nil ? FormatSniffer.sniff(bytes, fileName: file).rawValue : nil
        var result = Parse.prepare(bytes, fileName: file)
        if let classifier, case .success(var document) = result {
            document.classification = classifier.classify(document.article, channel: channel)
            result = .success(document)
        }
        return InspectionView(file: file, size: bytes.count, detected: detected, result: result)
    }

    /// The text `copydesk inspect` prints: every field the article has, the cleaned body, what was removed.
    public var text: String {
        var lines = ["== \(file) (\(size) bytes)"]
        func field(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append(name.padding(16) + value) }
        }
        if let reason {
            field("Verdict:", "rejected")
            field("Reason:", "\(reason.code): \(reason.message)")
            return lines.joined(separator: "\n")
        }
        var formatText = format ?? "?"
        if let detected, detected != format { formatText += " (looks like \(detected); no parser for it yet)" }
        field("Format:", formatText)
        field("Charset:", charset)
        guard let article else { return lines.joined(separator: "\n") }
        field("Headline:", article.headline)
        field("Subheadline:", article.subheadline)
        field("Byline:", article.byline)
        field("Dateline:", article.dateline)
        field("Dateline place:", article.datelinePlace)
        field("Dateline date:", article.datelineDate)
        field("Created:", article.created)
        field("Version time:", article.versionCreated)
        field("Published:", article.published)
        field("Source:", article.source)
        field("Slugline:", article.slugline)
        field("Keywords:", article.keywords?.joined(separator: ", "))
        field("Priority:", article.priority.map(String.init))
        field("Urgency:", article.urgency.map(String.init))
        field("Item ID:", article.itemID)
        field("Version:", article.version)
        field("Take key:", article.takeKey)
        field("Language:", article.language)
        field("Genre:", article.genre)
        field("Subjects:", article.subjects?.joined(separator: ", "))
        field("Summary:", article.summary)
        field("Editor's note:", article.editorNote)
        for (key, value) in (article.metadata ?? [:]).sorted(by: { $0.key < $1.key }) {
            field("Metadata:", "\(key): \(value)")
        }
        lines.append("")
        lines.append("Body (\(article.paragraphs.count) paragraphs):")
        lines += article.paragraphs.map { "  " + $0 }
        if let removed, !removed.isEmpty {
            lines.append("")
            lines.append("Removed by cleaning (\(removed.count)):")
            lines += removed.map { "  [\($0.reason)] \($0.text)" }
        }
        if let classification {
            lines.append("")
            lines += classification.explanationLines
        }
        return lines.joined(separator: "\n")
    }
}
