/// One story as Copydesk understands it, whatever format it arrived in.
///
/// Every field but `headline` and `paragraphs` is optional because formats differ in what they carry;
/// parsers fill what the input has. New fields are added as optionals so older records still decode.
public struct Article: Codable, Sendable, Equatable {
    public var headline: String
    public var subheadline: String?
    public var byline: String?
    /// The dateline as printed (e.g. `BRUSSELS, Feb 11 (Reuters)`).
    public var dateline: String?
    /// Publication time as given by the source, ISO 8601 with zone when known.
    public var published: String?
    public var source: String?
    public var language: String?
    /// Body text, one element per paragraph, whitespace collapsed.
    public var paragraphs: [String]

    public init(
        headline: String,
        subheadline: String? = nil,
        byline: String? = nil,
        dateline: String? = nil,
        published: String? = nil,
        source: String? = nil,
        language: String? = nil,
        paragraphs: [String]
    ) {
        self.headline = headline
        self.subheadline = subheadline
        self.byline = byline
        self.dateline = dateline
        self.published = published
        self.source = source
        self.language = language
        self.paragraphs = paragraphs
    }

    /// The body as plain text, paragraphs separated by blank lines.
    public var bodyText: String { paragraphs.joined(separator: "\n\n") }
}
