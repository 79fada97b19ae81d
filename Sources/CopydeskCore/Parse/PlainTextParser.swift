/// Reads plain text the way a person skims it: the first line that says something is the headline, blank
/// lines separate paragraphs. It is also the fallback for every format that has no parser yet, so it must
/// make something of any text and may assume nothing about its layout.
///
/// Layout is normalised, wording is not: line endings become LF, trailing spaces go, runs of whitespace
/// become one space, hard-wrapped lines are joined. Control characters are not text (wire framing, stray
/// escapes) and become spaces; a form feed or U+2029 separates paragraphs. Boilerplate such as navigation
/// or "Subscribe" lines stays; removing it is the Clean stage's job. What the first lines say about the story
/// (a `By …` line, a date line, `Xinhua, March 11, 2016`, a dateline opening the text) is read into the
/// article's fields by ``TextMetadata``.
public struct PlainTextParser: ArticleParser {
    /// A first line longer than this is a paragraph, not a headline.
    public static let headlineLimit = 300
    /// Where such a line is cut (at a word boundary nearby) to make the headline.
    public static let headlineCut = 200
    /// Line lengths typical of text hard-wrapped by a mailer or an editor.
    public static let wrappedLineLengths = 55...80

    public var format: InputFormat { .text }

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        let text = input.text
        let lines = Self.normalizedLines(text)
        guard let first = lines.firstIndex(where: { !Self.isBlank($0) }) else {
            return .failure(RejectReason(.unparsable, "no line of text"))
        }
        let firstLine = Self.collapse(lines[first])
        var headline = firstLine
        var paragraphs: [String] = []
        if firstLine.count > Self.headlineLimit {
            // A "headline" this long is the first paragraph of a text without a headline: keep all of it.
            headline = Self.cut(firstLine, near: Self.headlineCut)
            paragraphs.append(firstLine)
        }
        for block in Self.blocks(lines[(first + 1)...]) {
            paragraphs += Self.paragraphs(of: block)
        }
        paragraphs = Self.joiningBrokenSentences(paragraphs)
        var article = Article(headline: headline, paragraphs: paragraphs)
        TextMetadata.read([headline] + paragraphs).fill(&article)
        return .success(article)
    }

    /// A page saved as text: its first line may be furniture, which ``Clean`` may replace as the headline.
    public func parseForCleaning(_ input: ParserInput) -> Result<ParsedArticle, RejectReason> {
        parse(input).map { ParsedArticle(article: $0, layout: .text) }
    }

    /// Joins a paragraph that stops mid-sentence to the next when that one starts in lower case: pages
    /// saved as text break paragraphs where the page had a line break (`… help counter human*` /
    /// `trafficking and criminal networks."`).
    static func joiningBrokenSentences(_ paragraphs: [String]) -> [String] {
        var joined: [String] = []
        for paragraph in paragraphs {
            if let previous = joined.last, !endsSentence(previous[...]), previous.count >= 40,
               paragraph.first?.isLowercase == true {
                joined[joined.count - 1] = previous + " " + paragraph
            } else {
                joined.append(paragraph)
            }
        }
        return joined
    }

    // MARK: Lines

    /// The text's lines with CRLF/CR/NEL/LS as LF, controls as spaces, and trailing whitespace removed.
    static func normalizedLines(_ text: String) -> [Substring] {
        var normalized = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            defer { afterCR = value == 0x0D }
            switch value {
            case 0x0A where afterCR:
                continue
            case 0x0A, 0x0B, 0x0D, 0x85, 0x2028:
                normalized.append("\n")
            case 0x0C, 0x2029:
                normalized.append(contentsOf: "\n\n".unicodeScalars)
            case 0x09:
                normalized.append(scalar)
            case 0x00..<0x20, 0x7F..<0xA0:
                normalized.append(" ")
            default:
                normalized.append(scalar)
            }
        }
        return String(normalized).split(separator: "\n", omittingEmptySubsequences: false).map(trimmingTrailing)
    }

    /// Runs of lines between blank lines.
    static func blocks(_ lines: ArraySlice<Substring>) -> [[Substring]] {
        var blocks: [[Substring]] = []
        var current: [Substring] = []
        for line in lines {
            if isBlank(line) {
                if !current.isEmpty { blocks.append(current) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks
    }

    // MARK: Paragraphs

    /// One block's paragraphs: a hard-wrapped block is joined into running text, any other block has one
    /// paragraph per line (web pages saved as text put each paragraph on one long line).
    static func paragraphs(of block: [Substring]) -> [String] {
        let paragraphs: [String]
        if block.count > 1 && looksHardWrapped(block) {
            paragraphs = joinWrapped(block)
        } else {
            paragraphs = block.map(collapse)
        }
        return paragraphs.filter { !$0.isEmpty }
    }

    /// Most lines but the last are of wrap length and do not end a sentence. The last line is left out
    /// because the last line of a wrapped paragraph is usually short.
    static func looksHardWrapped(_ block: [Substring]) -> Bool {
        let body = block.dropLast()
        let wrapped = body.filter { wrappedLineLengths.contains($0.count) && !endsSentence($0) }.count
        return wrapped * 2 > body.count
    }

    /// Joins a wrapped block's lines with spaces. A short line that ends a sentence, or an indented line after
    /// an unindented one, still starts a new paragraph: the two ways wrapped text marks paragraphs without
    /// blank lines.
    static func joinWrapped(_ block: [Substring]) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in block {
            if let previous = current.last {
                let indented = line.first?.isWhitespace == true && previous.first?.isWhitespace == false
                let shortEnd = previous.count < wrappedLineLengths.lowerBound && endsSentence(previous)
                if indented || shortEnd {
                    paragraphs.append(collapse(current.joined(separator: " ")[...]))
                    current = []
                }
            }
            current.append(line)
        }
        if !current.isEmpty { paragraphs.append(collapse(current.joined(separator: " ")[...])) }
        return paragraphs
    }

    // MARK: Helpers

    /// Ends in `. ! ? … :`, possibly followed by closing quotes, brackets or emphasis marks.
    static func endsSentence(_ line: Substring) -> Bool {
        let closers: Set<Character> = ["\"", "'", "”", "’", "»", ")", "]", "*", "_"]
        var end = line.endIndex
        while end > line.startIndex {
            let character = line[line.index(before: end)]
            if character.isWhitespace || closers.contains(character) {
                end = line.index(before: end)
                continue
            }
            return [".", "!", "?", "…", ":"].contains(character)
        }
        return false
    }

    /// The first `limit` characters or so, cut at the last space before `limit` (if not too far back), else at
    /// the first space after it, else hard; with trailing separators (`, ; : -`) removed.
    static func cut(_ line: String, near limit: Int) -> String {
        let characters = Array(line)
        guard characters.count > limit else { return line }
        let backward = stride(from: limit, through: limit * 3 / 5, by: -1).first { characters[$0].isWhitespace }
        let forward = (limit..<min(characters.count, limit * 3 / 2)).first { characters[$0].isWhitespace }
        var end = backward ?? forward ?? limit
        let separators: Set<Character> = [",", ";", ":", "-", "–", "—"]
        while end > 0, characters[end - 1].isWhitespace || separators.contains(characters[end - 1]) { end -= 1 }
        return String(characters[..<(end > 0 ? end : limit)])
    }

    static func collapse(_ text: Substring) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy(\.isWhitespace)
    }

    private static func trimmingTrailing(_ line: Substring) -> Substring {
        var end = line.endIndex
        while end > line.startIndex, line[line.index(before: end)].isWhitespace { end = line.index(before: end) }
        return line[..<end]
    }
}
