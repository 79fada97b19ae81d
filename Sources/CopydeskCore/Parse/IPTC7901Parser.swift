/// Reads IPTC 7901 wire copy (dpa, ATS/SDA and others):
///
/// ```
/// SOH eca062 4 i 211 ccccb   dpa 061          source+number, priority, category, word count, …, sender
/// Germany-politics/                           keyword line (slash-separated; a leading slash: a keyword list)
/// STX 2ND LEAD                                take key lines (optional)
/// Germany Social Democrats: … could fail =    headline, ended by " ="
/// By Helen Maguire, dpa =                     byline (optional)
///    Berlin (dpa) - Negotiations between …    text, hard-wrapped, paragraphs at blank lines or indents
/// # dpa NOTEBOOK … * * * *                     notes for editors (not text)
/// dpa wsz jln npr                             sign-off
/// ETX 131137 GMT Nov 13                       DDHHMM [GMT] Mon YY
/// ```
///
/// Also read: files whose control characters were stripped on the way (then the first line is the header
/// and the title block ends at the first blank line), and files that start with DEL padding. The headline's
/// closing ` =` is IPTC 7901's end-of-headline mark and is not kept.
public struct IPTC7901Parser: ArticleParser {
    public var format: InputFormat { .iptc7901 }

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        let scalars = Array(input.text.unicodeScalars)
        var metadata: [String: String] = [:]
        var article = Article(headline: "", paragraphs: [])

        // The header line: after SOH, or the first non-blank line when the controls were stripped.
        let stx = scalars.firstIndex(of: "\u{02}")
        // An SOH after the STX is stray (damaged or concatenated copy), not the start of this header: taking it
        // made the header range run backwards (found by scripts/fuzz).
        let soh = scalars.firstIndex(of: "\u{01}").flatMap { soh in stx.map { soh < $0 } ?? true ? soh : nil }
        let etx = stx.flatMap { start in scalars[start...].firstIndex(of: "\u{03}") }
        let lineStart = soh.map { $0 + 1 } ?? 0
        let textEnd = etx ?? scalars.endIndex
        var lines = Self.lines(scalars[lineStart..<(stx ?? textEnd)])
        while let first = lines.first, first.trimmingSpaces.isEmpty { lines.removeFirst() }
        guard !lines.isEmpty || stx != nil else { return .failure(RejectReason(.unparsable, "IPTC 7901 with no text")) }
        if let header = lines.first, soh != nil || Self.isHeader(header) {
            readHeader(header, into: &article, metadata: &metadata)
            lines.removeFirst()
        }

        // Before the title: the keyword line and any other top lines.
        var index = 0
        // Joined once at the end: joining each line onto the metadata value was quadratic in their number.
        var topLines: [String] = []
        while index < lines.count {
            let line = lines[index].trimmingSpaces
            if line.isEmpty {
                index += 1
                continue
            }
            if line.hasSuffix("/") {
                readKeywordLine(line, into: &article)
                index += 1
                continue
            }
            if stx != nil {
                topLines.append(line)
                index += 1
                continue
            }
            break
        }
        if !topLines.isEmpty { metadata["topLine"] = topLines.joined(separator: " ") }
        // The title block runs to the first blank line: take key lines, the headline, the byline.
        var rest: [String] = stx == nil ? Array(lines[index...]) : []
        if let stx { rest = Self.lines(scalars[(stx + 1)..<textEnd]) }
        while let first = rest.first, first.trimmingSpaces.isEmpty { rest.removeFirst() }
        let titleEnd = rest.firstIndex { $0.trimmingSpaces.isEmpty } ?? rest.endIndex
        readTitleBlock(rest[..<titleEnd].map { $0.trimmingSpaces }, into: &article)
        var body = Array(rest[titleEnd...])

        // The trailer: after ETX, or a stamp on the last line when there is no ETX.
        if let etx {
            let trailer = Self.lines(scalars[(etx + 1)...]).map { $0.trimmingSpaces }.first { !$0.isEmpty }
            if let trailer { readTrailer(trailer, into: &article, metadata: &metadata) }
        } else if let last = body.lastIndex(where: { !$0.trimmingSpaces.isEmpty }),
            DateText.wireStamp(body[last].trimmingSpaces) != nil
        {
            readTrailer(body[last].trimmingSpaces, into: &article, metadata: &metadata)
            body.removeSubrange(last...)
        }
        readBody(body, into: &article, metadata: &metadata)

        article = article.withoutControlCharacters()
        if article.headline.isEmpty {
            article.headline =
                article.paragraphs.first.map { PlainTextParser.cut($0, near: PlainTextParser.headlineCut) }
                ?? article.slugline?.withoutControlCharacters ?? ""
        }
        guard !article.headline.isEmpty else { return .failure(RejectReason(.unparsable, "IPTC 7901 with no text")) }
        if let first = article.paragraphs.first, let dateline = Dateline.find(in: first) {
            article.dateline = dateline.printed
            article.datelinePlace = dateline.place
            if let agency = dateline.source { article.source = agency }
        }
        if article.source == nil { article.source = metadata["sender"] }
        if !metadata.isEmpty { article.metadata = metadata }
        return .success(article)
    }

    /// `eca062 4 i 211 ccccb   dpa 061`: letters and digits, a one-character priority, a category, a word
    /// count.
    static func isHeader(_ line: String) -> Bool {
        let tokens = line.split(separator: " ")
        guard tokens.count >= 4, let first = tokens.first, first.first?.isLetter == true,
            first.last?.isNumber == true, tokens[1].count == 1, tokens[2].count <= 2,
            tokens[3].allSatisfy(\.isNumber)
        else { return false }
        return true
    }

    private func readHeader(_ line: String, into article: inout Article, metadata: inout [String: String]) {
        let tokens = line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }
            .split(separator: " ").map { String($0) }
        guard let first = tokens.first else { return }
        let service = first.prefix { $0.isLetter }
        if !service.isEmpty { metadata["service"] = String(service) }
        let number = first.dropFirst(service.count)
        if !number.isEmpty { metadata["number"] = String(number) }
        if tokens.count > 1, let priority = Int(tokens[1]) { article.priority = priority }
        if tokens.count > 2 { metadata["category"] = tokens[2] }
        if tokens.count > 3, tokens[3].allSatisfy(\.isNumber) { metadata["words"] = tokens[3] }
        // The sender: a word of letters followed by a number at the end (`dpa 061`).
        if tokens.count >= 6, let last = tokens.last, last.allSatisfy(\.isNumber),
            tokens[tokens.count - 2].allSatisfy(\.isLetter)
        {
            metadata["sender"] = tokens[tokens.count - 2]
            if tokens.count > 6 { metadata["header"] = tokens[4..<(tokens.count - 2)].joined(separator: " ") }
        }
    }

    /// `Germany-politics/` is a slugline; `/politics/Britain/EU/` (leading slash) is a list of keywords.
    private func readKeywordLine(_ line: String, into article: inout Article) {
        let parts = line.split(separator: "/").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        if line.hasPrefix("/") {
            if !parts.isEmpty { article.keywords = parts }
        } else {
            article.slugline = String(line.dropLast()).trimmingSpaces.nonEmpty
            if parts.count > 1 { article.keywords = parts }
        }
    }

    private func readTitleBlock(_ block: [String], into article: inout Article) {
        var lines = block.filter { !$0.isEmpty }
        if let by = lines.lastIndex(where: { $0.lowercased().hasPrefix("by ") }) {
            article.byline = String(lines[by].dropFirst(3)).trimming(" =")
            lines.remove(at: by)
        }
        guard !lines.isEmpty else { return }
        let headline = lines.lastIndex { $0.hasSuffix("=") } ?? lines.count - 1
        article.headline = lines[headline].trimming(" =").collapsingSpaces
        let before = lines[..<headline].joined(separator: " ").collapsingSpaces
        if !before.isEmpty { article.takeKey = before }
        let after = lines[(headline + 1)...].joined(separator: " ").collapsingSpaces
        if !after.isEmpty { article.subheadline = after }
    }

    private func readTrailer(_ trailer: String, into article: inout Article, metadata: inout [String: String]) {
        metadata["trailer"] = trailer
        if let time = DateText.wireStamp(trailer) {
            article.versionCreated = time
            article.published = time
        }
    }

    /// The text up to the editors' notebook (`# Notebook`, `* * * *`), a sign-off line (`dpa wsz jln`,
    /// `(SDA\/sj)`) kept in metadata.
    private func readBody(_ lines: [String], into article: inout Article, metadata: inout [String: String]) {
        var text = lines
        while let last = text.last, last.trimmingSpaces.isEmpty { text.removeLast() }
        if let last = text.last?.trimmingSpaces, Self.isSignOff(last) {
            metadata["signoff"] = last
            text.removeLast()
        }
        if let notebook = text.firstIndex(where: { line in
            let trimmed = line.trimmingSpaces
            return trimmed.hasPrefix("# ") || trimmed.hasPrefix("* * *")
        }) {
            let notes = text[notebook...].map { $0.trimmingSpaces }.filter { !$0.isEmpty }
            metadata["notebook"] = notes.joined(separator: " / ")
            if let heading = notes.firstIndex(where: { $0.lowercased().hasPrefix("## note to editors") }) {
                let items = notes[(heading + 1)...].prefix { !$0.hasPrefix("#") && !$0.hasPrefix("*") }
                    .map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
                if !items.isEmpty { article.editorNote = items.joined(separator: " ") }
            }
            text = Array(text[..<notebook])
        }
        while let last = text.last, last.trimmingSpaces.isEmpty { text.removeLast() }
        if metadata["signoff"] == nil, let last = text.last?.trimmingSpaces, Self.isSignOff(last) {
            metadata["signoff"] = last
            text.removeLast()
        }
        let visible = text.map { line in
            Substring(
                String(
                    String.UnicodeScalarView(
                        line.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F ? " " : $0 })))
        }
        var paragraphs: [String] = []
        for block in PlainTextParser.blocks(visible[...].map { Substring(Self.trimTrailing($0)) }[...]) {
            paragraphs += PlainTextParser.joinWrapped(block).filter { !$0.isEmpty }
        }
        article.paragraphs = paragraphs
    }

    /// `dpa wsz jln npr`, `(SDA\/sj)`, `AP ab/`: an agency and lowercase initials.
    static func isSignOff(_ line: String) -> Bool {
        let words = line.trimming("()").split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "\\" })
        guard (2...6).contains(words.count), line.count <= 40, !line.hasSuffix(".") else { return false }
        return words.dropFirst().allSatisfy { $0.count <= 4 && $0.allSatisfy { $0.isLowercase } }
    }

    private static func trimTrailing(_ line: Substring) -> String {
        var text = String(line)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    /// Lines of a scalar range, split at LF (CR dropped).
    static func lines(_ scalars: ArraySlice<Unicode.Scalar>) -> [String] {
        ANPA1312Parser.lines(scalars)
    }
}
