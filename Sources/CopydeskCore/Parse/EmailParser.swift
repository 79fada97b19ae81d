/// Reads an RFC 5322 message with MIME, as a mail-to-file gateway stores a press release: `Subject` is the
/// headline, `From` the sender (byline when the text names no author, and source), `Date` the publication
/// time, `Message-ID` the item's id.
///
/// The body is the message's text: in `multipart/alternative` the `text/plain` part, unless only HTML has
/// text; in `multipart/mixed` the first text part. Quoted-printable and base64 are undone and each part is
/// decoded in its own `charset=` from the raw bytes. Attachments are listed in `metadata`, never parsed. A
/// signature after the `-- ` line is kept apart. A text part in a charset Copydesk cannot decode makes the
/// message `undecodable`, because a guessed decoding would store garbled text as if it were the release.
public struct EmailParser: ArticleParser {
    public var format: InputFormat { .email }

    /// Headers worth keeping in `metadata` (transport headers such as `Received` or `DKIM-Signature` are not).
    static let keptHeaders: Set<String> = [
        "to", "cc", "reply-to", "sender", "organization", "x-mailer", "user-agent", "in-reply-to", "references",
        "list-id", "x-priority", "importance", "priority", "x-original-from", "resent-from",
    ]

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        parseForCleaning(input).map(\.article)
    }

    public func parseForCleaning(_ input: ParserInput) -> Result<ParsedArticle, RejectReason> {
        let message = MIMEEntity.parse(input.bytes[...])
        guard !message.headers.isEmpty else {
            return .failure(RejectReason(.unparsable, "no mail headers before the first blank line"))
        }
        var attachments: [String] = []
        let body: Body
        switch Self.body(of: message, depth: 0, attachments: &attachments) {
        case .success(let found): body = found
        case .failure(let reason): return .failure(reason)
        }

        let subject = message.header("Subject").map {
            MIMEEntity.decodeEncodedWords($0).withoutControlCharacters.collapsingSpaces
        }
        let headline =
            subject?.nonEmpty
            ?? body.paragraphs.first.map { PlainTextParser.cut($0, near: PlainTextParser.headlineCut) }
        guard let headline else { return .failure(RejectReason(.unparsable, "a mail with no subject and no text")) }

        var article = Article(headline: headline, paragraphs: body.paragraphs).withoutControlCharacters()
        TextMetadata.read(body.paragraphs).fill(&article)
        if let from = message.header("From").map({ MIMEEntity.decodeEncodedWords($0).collapsingSpaces }) {
            article.source = from
            if article.byline == nil { article.byline = Self.displayName(from) }
        }
        article.published = message.header("Date").flatMap(DateText.rfc5322)
        article.itemID = message.header("Message-ID")?.trimming("<> ").nonEmpty
        article.language = message.header("Content-Language")?.split(separator: ",").first?.trimmingSpaces.nonEmpty
        if let keywords = message.header("Keywords").map(MIMEEntity.decodeEncodedWords) {
            let list = keywords.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            if !list.isEmpty { article.keywords = list }
        }
        if let priority = message.header("X-Priority")?.trimmingSpaces.first?.wholeNumberValue {
            article.priority = priority
        }

        var metadata = article.metadata ?? [:]
        for (name, value) in message.headers where Self.keptHeaders.contains(name.lowercased()) {
            let key = name.lowercased()
            if metadata[key] == nil { metadata[key] = MIMEEntity.decodeEncodedWords(value).collapsingSpaces }
        }
        if !attachments.isEmpty { metadata["attachments"] = attachments.joined(separator: "; ") }
        if let signature = body.signature { metadata["signature"] = signature }
        metadata["bodyType"] = body.type
        article.metadata = metadata
        let blocks = article.paragraphs.count == body.blocks.count ? body.blocks : []
        return .success(
            ParsedArticle(
                article: article.withoutControlCharacters(), layout: Clean.Layout(origin: .page, blocks: blocks)))
    }

    /// The text a message carries.
    struct Body {
        var type: String
        var paragraphs: [String]
        /// For an HTML body: what the markup said of each paragraph.
        var blocks: [Clean.Block] = []
        var signature: String?
    }

    /// The body of `entity`: its own text, or the preferred text among its parts; other parts are listed in
    /// `attachments`.
    static func body(of entity: MIMEEntity, depth: Int, attachments: inout [String]) -> Result<Body, RejectReason> {
        let type = entity.contentType.type
        let isAttachment = entity.disposition?.kind == "attachment"
        if type.hasPrefix("multipart/") {
            let parts = entity.parts
            guard depth < MIMEEntity.maxDepth, !parts.isEmpty else {
                return .success(Body(type: type, paragraphs: []))
            }
            // multipart/alternative lists the same text richest last: take plain text if it has any.
            var order = Array(parts.indices)
            if type == "multipart/alternative" {
                order.sort { rank(parts[$0]) < rank(parts[$1]) }
            }
            var chosen: Body?
            for index in order {
                let part = parts[index]
                if chosen == nil {
                    var inner: [String] = []
                    let found = body(of: part, depth: depth + 1, attachments: &inner)
                    switch found {
                    case .failure(let reason): return .failure(reason)
                    case .success(let text) where !text.paragraphs.isEmpty:
                        chosen = text
                        attachments += inner
                        continue
                    case .success:
                        attachments += inner
                    }
                }
                if type != "multipart/alternative" || part.fileName != nil {
                    if let description = describe(part) { attachments.append(description) }
                }
            }
            return .success(chosen ?? Body(type: type, paragraphs: []))
        }
        guard !isAttachment, type == "text/plain" || type == "text/html" || type == "text/enriched" else {
            if let description = describe(entity) { attachments.append(description) }
            return .success(Body(type: type, paragraphs: []))
        }
        let text: String
        switch decodeText(entity) {
        case .success(let decoded): text = decoded
        case .failure(let reason): return .failure(reason)
        }
        if type == "text/html" {
            let page = HTMLPage.parse(text)
            return .success(
                Body(
                    type: type, paragraphs: page.paragraphs.map(\.text),
                    blocks: page.paragraphs.map { Clean.Block(linkShare: $0.linkShare, links: $0.links, role: $0.role) }
                ))
        }
        return .success(plainBody(text, type: type))
    }

    /// Plain text before HTML, HTML before anything else.
    static func rank(_ part: MIMEEntity) -> Int {
        switch part.contentType.type {
        case "text/plain": 0
        case "multipart/related", "multipart/alternative", "multipart/mixed": 1
        case "text/html": 2
        default: 3
        }
    }

    /// `report.pdf (application/pdf, 12345 bytes)`.
    static func describe(_ part: MIMEEntity) -> String? {
        let type = part.contentType.type
        let name = part.fileName.map(MIMEEntity.decodeEncodedWords)
        guard name != nil || !type.hasPrefix("text/") && !type.hasPrefix("multipart/") else { return nil }
        return "\(name ?? "unnamed") (\(type), \(part.decodedBody.count) bytes)"
    }

    /// The part's bytes, transfer encoding undone, decoded in its charset (UTF-8 when it names none that
    /// fits).
    static func decodeText(_ entity: MIMEEntity) -> Result<String, RejectReason> {
        let bytes = entity.decodedBody
        let label = entity.contentType.parameters["charset"]
        if let label, let charset = TextDecoding.Charset(label: label) {
            switch TextDecoding.decode(bytes, as: charset) {
            case .success(let decoded): return .success(decoded.text)
            case .failure(let reason):
                // A part labelled UTF-8 that is not: Windows-1252 is what such mailers really wrote.
                if charset == .utf8, case .success(let decoded) = TextDecoding.decode(bytes, as: .windows1252) {
                    return .success(decoded.text)
                }
                return .failure(reason)
            }
        }
        if let text = String(validating: bytes, as: UTF8.self) { return .success(text) }
        if let label {
            return .failure(
                RejectReason(.undecodable, "a text part in charset \(label), which Copydesk does not decode"))
        }
        // No charset named and not UTF-8: RFC 2045 says US-ASCII; 8-bit bytes are Windows-1252 in practice.
        if case .success(let decoded) = TextDecoding.decode(bytes, as: .windows1252) { return .success(decoded.text) }
        return .failure(RejectReason(.undecodable, "a text part that is not valid in any charset Copydesk decodes"))
    }

    /// Paragraphs of a plain-text part; the signature after a `-- ` line is set apart.
    static func plainBody(_ text: String, type: String) -> Body {
        var lines = PlainTextParser.normalizedLines(text)
        var signature: String?
        if let delimiter = lines.firstIndex(where: { $0 == "--" || $0 == "-- " }) {
            let rest = lines[(delimiter + 1)...].map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            if !rest.isEmpty { signature = rest.joined(separator: " / ") }
            lines = Array(lines[..<delimiter])
        }
        var paragraphs: [String] = []
        for block in PlainTextParser.blocks(lines[...]) { paragraphs += PlainTextParser.paragraphs(of: block) }
        return Body(type: type, paragraphs: PlainTextParser.joiningBrokenSentences(paragraphs), signature: signature)
    }

    /// `"A Sender" <a@b.example>` → `A Sender`; `a@b.example (A Sender)` → `A Sender`; a bare address → nil.
    static func displayName(_ from: String) -> String? {
        if let open = from.firstIndex(of: "<") {
            let name = String(from[..<open]).trimming(" \"'")
            return name.isEmpty ? nil : name
        }
        if let open = from.firstIndex(of: "("), let close = from.lastIndex(of: ")"), open < close {
            let name = String(from[from.index(after: open)..<close]).trimmingSpaces
            return name.isEmpty ? nil : name
        }
        return nil
    }
}
