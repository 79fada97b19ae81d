/// Makes an ``Article`` of decoded text in one format. One small protocol, so each format (NITF, NewsML-G2,
/// ninjs, ANPA-1312, …) is one type in one file that can be tested on its own and registered in a
/// ``ParserRegistry``.
///
/// A parser gets text that has passed ``Screening`` and ``TextDecoding`` (and the raw bytes, for formats such
/// as MIME e-mail whose parts carry their own charsets); it reports input it cannot make an article of as a
/// `RejectReason` (usually `.unparsable`) and never traps.
public protocol ArticleParser: Sendable {
    /// The format this parser reads; it is what the document is recorded as.
    var format: InputFormat { get }
    func parse(_ input: ParserInput) -> Result<Article, RejectReason>
    /// The article and what the parser knew of its layout, for ``Clean``. Parsers of agency formats need not
    /// implement it: the default says "agency copy", which Clean leaves alone.
    func parseForCleaning(_ input: ParserInput) -> Result<ParsedArticle, RejectReason>
}

/// An article with the layout its parser saw (which lines were links or navigation, whether the headline
/// was only the first line), so ``Clean`` can judge boilerplate by structure the ``Article`` does not keep.
public struct ParsedArticle: Sendable, Equatable {
    public var article: Article
    public var layout: Clean.Layout

    public init(article: Article, layout: Clean.Layout) {
        self.article = article
        self.layout = layout
    }
}

/// What a parser reads: the file's bytes and their decoded text.
public struct ParserInput: Sendable {
    /// The file exactly as delivered.
    public var bytes: [UInt8]
    /// `bytes` decoded with `charset`.
    public var text: String
    public var charset: String
    public var fileName: String

    public init(bytes: [UInt8], text: String, charset: String, fileName: String) {
        self.bytes = bytes
        self.text = text
        self.charset = charset
        self.fileName = fileName
    }

    /// Input made of text alone (tests, and formats that only need the text), as UTF-8.
    public init(text: String, fileName: String = "") {
        self.init(bytes: Array(text.utf8), text: text, charset: "utf-8", fileName: fileName)
    }
}

extension ArticleParser {
    public func parseForCleaning(_ input: ParserInput) -> Result<ParsedArticle, RejectReason> {
        parse(input).map { ParsedArticle(article: $0, layout: .agencyCopy) }
    }

    /// Parses text alone, as if it had arrived as a UTF-8 file.
    public func parse(_ text: String) -> Result<Article, RejectReason> {
        parse(ParserInput(text: text))
    }
}

/// Which parser reads which format.
///
/// A format without a parser is read by the fallback (plain text), and the document is recorded with the
/// fallback's format (`text`), not the sniffed one: the record says how the article was actually made, so
/// no file is rejected or lost just because its parser comes in a later release, and the raw bytes kept in
/// the journal can be parsed again properly once it does.
public struct ParserRegistry: Sendable {
    private var parsers: [InputFormat: any ArticleParser]
    /// Reads every format that has no parser of its own.
    public let fallback: any ArticleParser

    public init(_ parsers: [any ArticleParser] = [], fallback: any ArticleParser = PlainTextParser()) {
        self.parsers = [:]
        self.fallback = fallback
        for parser in parsers { register(parser) }
    }

    /// The parsers Copydesk ships.
    public static let standard = ParserRegistry([
        PlainTextParser(),
        NinjsParser(),
        ANPA1312Parser(),
        IPTC7901Parser(),
        EmailParser(),
        HTMLParser(),
        NITFParser(),
        NewsMLG2Parser(),
        NewsML12Parser(),
        GenericXMLParser(),
    ])

    /// Adds `parser` for its format, replacing any earlier one.
    public mutating func register(_ parser: any ArticleParser) {
        parsers[parser.format] = parser
    }

    /// The formats that have a parser of their own.
    public var formats: Set<InputFormat> { Set(parsers.keys) }

    /// The parser for `format`, or the fallback.
    public func parser(for format: InputFormat) -> any ArticleParser {
        parsers[format] ?? fallback
    }
}
