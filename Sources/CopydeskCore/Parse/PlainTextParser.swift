#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
        if TextScan.hasCharacters(firstLine[...], atLeast: Self.headlineLimit + 1) {
            // A "headline" this long is the first paragraph of a text without a headline: keep all of it.
            headline = Self.cut(firstLine, near: Self.headlineCut)
            paragraphs.append(firstLine)
        }
        // Block by block as ``blocks(_:)`` cuts them, without an array per block: most blocks are one line.
        var block: [Substring] = []
        func flush() {
            if block.count == 1 {
                let paragraph = Self.collapse(block[0])
                if !paragraph.isEmpty { paragraphs.append(paragraph) }
            } else if !block.isEmpty {
                paragraphs += Self.paragraphs(of: block)
            }
            block.removeAll(keepingCapacity: true)
        }
        for line in lines[(first + 1)...] {
            if Self.isBlank(line) {
                flush()
            } else {
                block.append(line)
            }
        }
        flush()
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
            let joins =
                joined.last.map { previous in
                    !endsSentence(previous[...]) && TextScan.hasCharacters(previous[...], atLeast: 40)
                } ?? false
            if joins, paragraph.first?.isLowercase == true {
                // Appended in place (no copy of `previous` alive): `previous + " " + paragraph` copied the growing
                // paragraph once per line joined, quadratic on a long run of lowercase lines.
                joined[joined.count - 1] += " "
                joined[joined.count - 1] += paragraph
            } else {
                joined.append(paragraph)
            }
        }
        return joined
    }

    // MARK: Lines

    /// The text's lines with CRLF/CR/NEL/LS as LF, controls as spaces, and trailing whitespace removed.
    static func normalizedLines(_ text: String) -> [Substring] {
        // Byte by byte: this runs over every file that is read as text, and scalar-by-scalar String building
        // cost more than the rest of the parser. Most texts have nothing to normalise (LF endings, no controls):
        // those are split as they are, without a copy.
        let normalized = TextScan.withUTF8(text, isNormalized) ? text : TextScan.withUTF8(text, normalizing)
        let utf8 = normalized.utf8
        func slice(_ start: Int, _ end: Int) -> Substring {
            Substring(utf8[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)])
        }
        var lines: [Substring] = []
        TextScan.withUTF8(normalized) { bytes in
            // Room for the lines of a typical story at once (growing the array line by line reallocated it five
            // times a document); a long file still grows it as it must.
            lines.reserveCapacity(min(bytes.count / 64 + 8, 1024))
            var start = 0
            while true {
                // The next LF by memchr, or the end.
                var index = bytes.count
                if start < bytes.count, let base = bytes.baseAddress,
                    let found = memchr(base + start, 0x0A, bytes.count - start)
                {
                    index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                }
                if let end = trailingWhitespaceStart(bytes, start..<index) {
                    lines.append(slice(start, end))
                } else {
                    lines.append(trimmingTrailing(slice(start, index)))
                }
                if index == bytes.count { break }
                start = index + 1
            }
        }
        return lines
    }

    /// `bytes` (valid UTF-8) with CRLF/CR/NEL/LS/VT as LF, FF and PS as two LFs, other controls as spaces.
    static func normalizing(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var position = 0
            var index = 0
            var afterCR = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    defer { afterCR = byte == 0x0D }
                    index += 1
                    switch byte {
                    case 0x0A where afterCR:
                        continue
                    case 0x0A, 0x0B, 0x0D:
                        out[position] = 0x0A
                        position += 1
                    case 0x0C:
                        out[position] = 0x0A
                        out[position + 1] = 0x0A
                        position += 2
                    case 0x09, 0x20..<0x7F:
                        out[position] = byte
                        position += 1
                    default:
                        out[position] = 0x20
                        position += 1
                    }
                    continue
                }
                afterCR = false
                let (value, length) = TextScan.scalar(at: index, in: bytes)
                switch value {
                case 0x85, 0x2028:
                    out[position] = 0x0A
                    position += 1
                case 0x2029:
                    out[position] = 0x0A
                    out[position + 1] = 0x0A
                    position += 2
                case 0x80..<0xA0:
                    out[position] = 0x20
                    position += 1
                default:
                    for offset in 0..<length { out[position + offset] = bytes[index + offset] }
                    position += length
                }
                index += length
            }
            return position
        }
    }

    /// Whether ``normalizing(_:)`` would leave `bytes` as they are: no controls but LF and tab, no DEL, no C1
    /// control (NEL among them), no line or paragraph separator.
    static func isNormalized(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            // Sixteen, then eight, printable bytes at a time (most text is).
            if index &+ 16 <= count,
                TextScan.isPrintableASCII(TextScan.eightBytes(at: index, in: bytes)),
                TextScan.isPrintableASCII(TextScan.eightBytes(at: index &+ 8, in: bytes))
            {
                index &+= 16
                continue
            }
            if index &+ 8 <= count, TextScan.isPrintableASCII(TextScan.eightBytes(at: index, in: bytes)) {
                index &+= 8
                continue
            }
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7F {
                index += 1
                continue
            }
            switch byte {
            case 0x0A, 0x09:
                index += 1
            case 0xC2:
                // U+0080–U+009F are C2 80 – C2 9F.
                guard index + 1 < count, bytes[index + 1] >= 0xA0 else { return false }
                index += 2
            case 0xE2:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                guard index + 2 < count,
                    !(bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9))
                else { return false }
                index += 3
            case 0x80...:
                index += 1
            default:
                return false
            }
        }
        return true
    }

    /// Where the trailing whitespace of the line at `range` starts, or nil when a combining mark at its end
    /// might belong to a whitespace `Character` (the caller then trims by `Character`).
    private static func trailingWhitespaceStart(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var end = range.upperBound
        while end > range.lowerBound {
            let byte = bytes[end - 1]
            if byte < 0x80 {
                guard byte == 0x20 || byte == 0x09 else { return end }
                end -= 1
                continue
            }
            var start = end - 1
            while start > range.lowerBound, bytes[start] & 0xC0 == 0x80 { start -= 1 }
            let value = TextScan.scalar(at: start, in: bytes).0
            if TextScan.isWhitespace(value) {
                end = start
                continue
            }
            if let scalar = Unicode.Scalar(value), TextScan.mayJoin(scalar) { return nil }
            return end
        }
        return end
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
        let wrapped = body.filter { line in
            // A character takes one to four bytes (nor does a CR LF make more characters than bytes): lines too
            // short or too long in bytes are not counted.
            let bytes = line.utf8.count
            guard bytes >= wrappedLineLengths.lowerBound, bytes <= 4 * wrappedLineLengths.upperBound else {
                return false
            }
            return wrappedLineLengths.contains(TextScan.characterCount(line)) && !endsSentence(line)
        }.count
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
                let shortEnd =
                    !TextScan.hasCharacters(previous, atLeast: wrappedLineLengths.lowerBound) && endsSentence(previous)
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
        TextScan.withUTF8(line, endsSentenceByBytes) ?? endsSentenceByCharacters(line)
    }

    /// ``endsSentence(_:)`` `Character` by `Character`: where the bytes cannot decide, and what they must agree with.
    static func endsSentenceByCharacters(_ line: Substring) -> Bool {
        var end = line.endIndex
        while end > line.startIndex {
            let character = line[line.index(before: end)]
            if character.isWhitespace || sentenceClosers.contains(character) {
                end = line.index(before: end)
                continue
            }
            return sentenceEnds.contains(character)
        }
        return false
    }

    /// ``endsSentence(_:)`` from the scalars at the end of the bytes, or nil where `Character`s must decide: a
    /// scalar that may join the one before it (then a whitespace or closing `Character` may be longer than its
    /// scalar), or a prepended mark before the sentence end (which would make the two one `Character`).
    static func endsSentenceByBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        var end = bytes.count
        while end > 0 {
            let byte = bytes[end - 1]
            if byte < 0x80 {
                switch byte {
                case 0x20, 0x09...0x0D, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ")"), UInt8(ascii: "]"),
                    UInt8(ascii: "*"), UInt8(ascii: "_"):
                    end -= 1
                    continue
                case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                    return TextScan.prependPrecedes(end - 1, in: bytes) ? nil : true
                default:
                    return false
                }
            }
            var start = end - 1
            while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
            let value = TextScan.scalar(at: start, in: bytes).0
            switch value {
            case 0xBB, 0x2019, 0x201D:
                end = start
                continue
            case 0x2026:
                return TextScan.prependPrecedes(start, in: bytes) ? nil : true
            default:
                if TextScan.isWhitespace(value) {
                    end = start
                    continue
                }
                // A scalar that joins nothing before it is a `Character` of its own (or ends one that began with a
                // prepended mark): neither whitespace, a closer nor a sentence end.
                if value < 0x300 { return false }
                guard let scalar = Unicode.Scalar(value), !TextScan.mayJoin(scalar) else { return nil }
                return false
            }
        }
        return false
    }

    private static let sentenceClosers: Set<Character> = ["\"", "'", "”", "’", "»", ")", "]", "*", "_"]
    private static let sentenceEnds: Set<Character> = [".", "!", "?", "…", ":"]

    /// The first `limit` characters or so, cut at the last space before `limit` (if not too far back), else at
    /// the first space after it, else hard; with trailing separators (`, ; : -`) removed.
    static func cut(_ line: String, near limit: Int) -> String {
        // Nothing past `limit * 3 / 2` characters is looked at; where every scalar is a character of its own
        // (nearly always), those are taken as scalars from the bytes, sparing grapheme breaking of the whole line
        // and an array of `Character`s.
        if TextScan.hasSingleScalarCharacters(line) {
            let end = TextScan.withUTF8(line) { cutEnd($0, near: limit) }
            guard let end else { return line }
            return String(Substring(line.utf8.prefix(end)))
        }
        return cutByCharacters(line, near: limit)
    }

    /// ``cut(_:near:)`` on `Character`s: for text with characters of several scalars, and what ``cutEnd(_:near:)``
    /// must agree with.
    static func cutByCharacters(_ line: String, near limit: Int) -> String {
        let characters = Array(line)
        guard characters.count > limit else { return line }
        let backward = stride(from: limit, through: limit * 3 / 5, by: -1).first { characters[$0].isWhitespace }
        let forward = (limit..<min(characters.count, limit * 3 / 2)).first { characters[$0].isWhitespace }
        var end = backward ?? forward ?? limit
        while end > 0, characters[end - 1].isWhitespace || cutSeparators.contains(characters[end - 1]) { end -= 1 }
        return String(characters[..<(end > 0 ? end : limit)])
    }

    private static let cutSeparators: Set<Character> = [",", ";", ":", "-", "–", "—"]

    /// ``cut(_:near:)`` for text whose scalars are characters of their own: the byte offset where the cut text
    /// ends, or nil when the text is not longer than `limit` (it is kept whole).
    static func cutEnd(_ bytes: UnsafeBufferPointer<UInt8>, near limit: Int) -> Int? {
        // The start offset of each of the first `limit * 3 / 2 + 1` scalars, and their values.
        let wanted = limit * 3 / 2 + 1
        var offsets: [Int] = []
        var values: [UInt32] = []
        offsets.reserveCapacity(wanted + 1)
        values.reserveCapacity(wanted)
        var index = 0
        while index < bytes.count, values.count < wanted {
            let (value, length) = TextScan.scalar(at: index, in: bytes)
            offsets.append(index)
            values.append(value)
            index += length
        }
        offsets.append(index)
        guard values.count > limit else { return nil }
        // A one-scalar `Character` is whitespace when its scalar is, and equal to a separator when the scalar is
        // one or canonically equivalent to one (U+037E, GREEK QUESTION MARK, is `;`).
        func isWhitespace(_ at: Int) -> Bool { TextScan.isWhitespace(values[at]) }
        func isSeparator(_ at: Int) -> Bool {
            switch values[at] {
            case 0x2C, 0x3B, 0x3A, 0x2D, 0x2013, 0x2014, 0x37E: true
            default: false
            }
        }
        let backward = stride(from: limit, through: limit * 3 / 5, by: -1).first { isWhitespace($0) }
        let forward = (limit..<min(values.count, limit * 3 / 2)).first { isWhitespace($0) }
        var end = backward ?? forward ?? limit
        while end > 0, isWhitespace(end - 1) || isSeparator(end - 1) { end -= 1 }
        return offsets[end > 0 ? end : limit]
    }

    static func collapse(_ text: Substring) -> String {
        TextScan.collapse(text)
    }

    static func isBlank(_ line: Substring) -> Bool {
        TextScan.isBlank(line)
    }

    private static func trimmingTrailing(_ line: Substring) -> Substring {
        var end = line.endIndex
        while end > line.startIndex, line[line.index(before: end)].isWhitespace { end = line.index(before: end) }
        return line[..<end]
    }
}
