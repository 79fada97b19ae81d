/// What the Parse stage made of one file's bytes.
public struct PreparedDocument: Sendable, Equatable {
    /// The format of the parser that made the article (an ``InputFormat`` raw value). A sniffed format that has
    /// no parser yet is read as plain text and recorded as `text` (see ``ParserRegistry``).
    public var format: String
    /// The charset the bytes were decoded from.
    public var charset: String
    /// The article after cleaning (boilerplate out).
    public var article: Article
    /// What cleaning took out, paragraph by paragraph, and why, for `copydesk inspect`.
    public var removals: [Clean.Removal]
    /// Set by the Classify stage when it has run (the daemon classifies while preparing, on every core).
    public var classification: Classification?
    /// What dedup needs of the article, computed beside parsing on any core (the daemon fills it; nil elsewhere).
    public var fingerprint: DedupFingerprint?

    /// The texts cleaning took out.
    public var removed: [String] { removals.map(\.text) }

    public init(format: String, charset: String, article: Article, removals: [Clean.Removal] = []) {
        self.format = format
        self.charset = charset
        self.article = article
        self.removals = removals
    }
}

/// The Parse stage: one file's bytes in, a ``PreparedDocument`` or the reason it was refused out.
///
/// Bad input is a value, not an exception: every file ends as a document or a `RejectReason`, and no
/// input, however malformed, makes this trap. The steps, in order:
/// 1. ``Screening``: empty, binary (magic numbers, NUL, too many control bytes).
/// 2. ``TextDecoding``: byte-order mark, declared charset (XML declaration, HTML meta), strict UTF-8,
///    Windows-1252; the charset used is recorded.
/// 3. ``FormatSniffer``: the format, by content, the file name breaking ties.
/// 4. The ``ParserRegistry``'s parser for that format (plain text for formats without one yet).
/// 5. ``Clean``: boilerplate out of the body.
public enum Parse {
    public static func prepare(_ bytes: [UInt8], fileName: String) -> Result<PreparedDocument, RejectReason> {
        prepare(bytes, fileName: fileName, parsers: .standard)
    }

    /// ``prepare(_:fileName:)`` with a chosen set of parsers.
    public static func prepare(
        _ bytes: [UInt8], fileName: String, parsers: ParserRegistry
    ) -> Result<PreparedDocument, RejectReason> {
        if let reason = Screening.screen(bytes) { return .failure(reason) }
        let decoded: TextDecoding.Decoded
        switch TextDecoding.decode(bytes) {
        case .success(let value): decoded = value
        case .failure(let reason): return .failure(reason)
        }
        if let reason = Screening.screen(decoded.text) { return .failure(reason) }
        let parser = parsers.parser(for: FormatSniffer.sniff(decoded.text, fileName: fileName))
        let input = ParserInput(bytes: bytes, text: decoded.text, charset: decoded.charset.rawValue, fileName: fileName)
        return parser.parseForCleaning(input).map { parsed in
            let cleaned = Clean.clean(parsed.article, layout: parsed.layout)
            return PreparedDocument(
                format: parser.format.rawValue, charset: decoded.charset.rawValue, article: cleaned.article,
                removals: cleaned.removals
            )
        }
    }
}
