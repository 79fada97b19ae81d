/// One story as Copydesk understands it, whatever format it arrived in.
///
/// Every field but `headline` and `paragraphs` is optional because formats differ in what they carry;
/// parsers fill what the input has. New fields are added as optionals so older records still decode.
/// Times are ISO 8601 strings as the source gave them (with zone when known), not parsed dates, so nothing
/// the agency said is lost to a conversion.
public struct Article: Codable, Sendable, Equatable {
    public var headline: String
    public var subheadline: String?
    public var byline: String?
    /// The dateline as printed (e.g. `BRUSSELS, Feb 11 (Reuters) -`).
    public var dateline: String?
    /// The place of the dateline (`BRUSSELS`).
    public var datelinePlace: String?
    /// The date of the dateline, ISO 8601 when it could be read.
    public var datelineDate: String?
    /// When the item was first created, ISO 8601 with zone when known (NewsML `firstCreated`, NITF `date.issue`).
    public var created: String?
    /// When this version was created (NewsML `versionCreated`).
    public var versionCreated: String?
    /// When it was first published.
    public var published: String?
    /// The issuing agency or organisation as the file names it (`AAP`, `Reuters`, `Xinhua`).
    public var source: String?
    /// The slugline / keyword line (`BC-BAHIA-COCOA-REVIEW`).
    public var slugline: String?
    public var keywords: [String]?
    /// Priority as the format gives it (ANPA 1–5 letters mapped to numbers, NewsML-G2 `urgency` 1–9 …).
    public var priority: Int?
    public var urgency: Int?
    /// The item's own id (NewsML `guid`, NITF `doc-id`, ninjs `uri`) and version, for updates and corrections.
    public var itemID: String?
    public var version: String?
    /// ISO 639-1 (`en`) or a BCP 47 tag (`en-GB`) as the file declares it.
    public var language: String?
    /// Summary, abstract or description.
    public var summary: String?
    /// Editorial note to editors (`ednote`), not for publication.
    public var editorNote: String?
    /// The take or update key (`1stLd-Writethru`, `UPDATE 1`).
    public var takeKey: String?
    /// Subject codes as the file gives them (IPTC Subject NewsCodes `15000000`, `medtop:…`).
    public var subjects: [String]?
    public var genre: String?
    /// Body text, one element per paragraph, whitespace collapsed.
    public var paragraphs: [String]
    /// Metadata the parser found but did not map to a field above, by the file's own name for it.
    public var metadata: [String: String]?

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
