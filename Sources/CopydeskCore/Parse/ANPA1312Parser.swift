/// Reads ANPA-1312 wire copy as the AP sends it:
///
/// ```
/// SYN SYN SOH W2607 US asian                                  service id, selector
/// r a DC3 DC1 BC-US--Ethanol-LosingGra 1stLd-Writethru 11-13 1693   priority, category, keyword, version, date, words
/// STX ^BC-US--Ethanol-Losing Grassland, 1st Ld-Writethru,1140<     keyword line
/// ^Prairies vanish in the US push for green energy<                headline
/// ^AP Photo SDDD101<  ^Eds: …<  ^EDITOR'S NOTE _ …<  ^<summary><    notes before the text
/// ^By CHET BROKAW and JACK GILLUM=  ^Associated Press=             byline and its title
/// TAB   ROSCOE, South Dakota (AP) _ Robert Malsam …               paragraphs, tab-indented
/// BS Baltimore;23;13;.639 DLE                                      table rows (sports agate)
/// ETX AP-WF-11-13-13 0745GMT<  FF EOT                              trailer: transmission time
/// ```
///
/// Lines end in LF or CRLF. `^` lines after the byline are subheads of the text; `<` and `=` at the end of a
/// line are ANPA's end-of-line quad marks, not text. The slugline is the header keyword without the `BC-`
/// circuit prefix (`BBO--BaseballExpanded`), the version field is the take key (`1stLd-Writethru`).
public struct ANPA1312Parser: ArticleParser {
    public var format: InputFormat { .anpa1312 }

    public init() {}

    /// ANPA priority letters: flash, bulletin, urgent, routine, deferred; advances (weekday, weekend) last.
    static let priorities: [Character: Int] = ["f": 1, "b": 2, "u": 3, "r": 4, "d": 5, "w": 6, "a": 6]

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        // The framing codes are ASCII, so they are found, and lines split, on the UTF-8 bytes: building the
        // text scalar by scalar cost most of the time of this reader.
        let bytes = Array(input.text.utf8)
        guard let soh = bytes.firstIndex(of: Self.soh) else {
            return .failure(RejectReason(.unparsable, "ANPA-1312 without SOH"))
        }
        let stx = bytes[soh...].firstIndex(of: Self.stx)
        let headerEnd = stx ?? bytes.endIndex
        let header = Self.lines(bytes[(soh + 1)..<headerEnd])
        var metadata: [String: String] = [:]
        var article = Article(headline: "", paragraphs: [])

        // Header: service line, then the priority line (the last line before STX).
        if header.filter({ !$0.trimmingSpaces.isEmpty }).count >= 2, let service = header.first {
            let parts = service.split(separator: "\u{1F}", maxSplits: 1)
            if let id = parts.first?.trimmingSpaces.nonEmpty { metadata["service"] = id }
            if parts.count > 1, let selector = parts[1].trimmingSpaces.nonEmpty { metadata["selector"] = selector }
        }
        var keyword: String?
        if let line = header.last(where: { !$0.trimmingSpaces.isEmpty }), header.count >= 2 || stx != nil {
            keyword = readPriorityLine(line, into: &article, metadata: &metadata)
        }

        // Text between STX and ETX; the trailer after ETX.
        guard let stx else { return .failure(RejectReason(.unparsable, "ANPA-1312 without STX (no text)")) }
        let etx = bytes[stx...].firstIndex(of: Self.etx) ?? bytes.endIndex
        if etx < bytes.endIndex {
            let trailerEnd = bytes[etx...].firstIndex { $0 == 0x0A || $0 == 0x0C || $0 == 0x04 } ?? bytes.endIndex
            let trailer = String(decoding: bytes[(etx + 1)..<trailerEnd], as: UTF8.self).trimmingSpaces
            readTrailer(trailer, into: &article, metadata: &metadata)
        }
        readText(Self.lines(bytes[(stx + 1)..<etx]), keyword: keyword, into: &article, metadata: &metadata)

        if article.headline.isEmpty {
            // A bulletin (APNewsAlert) has no headline line: its one sentence, without the dateline, is it.
            article.headline =
                article.paragraphs.first.map { Self.withoutDateline($0) }
                .map { PlainTextParser.cut($0, near: PlainTextParser.headlineCut) } ?? article.slugline ?? ""
        }
        guard !article.headline.isEmpty else { return .failure(RejectReason(.unparsable, "ANPA-1312 with no text")) }
        if let first = article.paragraphs.first, let dateline = Dateline.find(in: first) {
            article.dateline = dateline.printed
            article.datelinePlace = dateline.place
            if article.source == nil { article.source = dateline.source }
        }
        if !metadata.isEmpty { article.metadata = metadata }
        return .success(article.withoutControlCharacters())
    }

    private static let soh: UInt8 = 0x01
    private static let stx: UInt8 = 0x02
    private static let etx: UInt8 = 0x03

    /// `r a DC3 DC1 BC-US--Ethanol-LosingGra 1stLd-Writethru   11-13 1693`; returns the keyword.
    private func readPriorityLine(_ line: String, into article: inout Article, metadata: inout [String: String])
        -> String?
    {
        var tokens = line.unicodeScalars.map { $0.value < 0x20 ? " " : Character($0) }
            .split(separator: " ").map { String($0) }
        guard tokens.count >= 2 else { return nil }
        let priority = tokens.removeFirst()
        if priority.count == 1, let letter = priority.first {
            article.priority = Self.priorities[Character(letter.lowercased())]
            metadata["priority"] = priority
        }
        if let category = tokens.first, category.count <= 2, category.allSatisfy(\.isLetter) {
            metadata["category"] = category
            tokens.removeFirst()
        }
        if let last = tokens.last, last.count == 4, last.allSatisfy(\.isNumber) {
            metadata["words"] = last
            tokens.removeLast()
        }
        if let last = tokens.last, last.count == 5, last.dropFirst(2).first == "-",
            last.filter(\.isNumber).count == 4
        {
            metadata["date"] = last
            tokens.removeLast()
        }
        guard !tokens.isEmpty else { return nil }
        let keyword = tokens.removeFirst()
        metadata["keyword"] = keyword
        article.slugline = keyword.hasPrefix("BC-") ? String(keyword.dropFirst(3)) : keyword
        if !tokens.isEmpty { article.takeKey = tokens.joined(separator: " ") }
        return keyword
    }

    /// `AP-WF-11-13-13 0745GMT<`: the sender and the transmission time.
    private func readTrailer(_ trailer: String, into article: inout Article, metadata: inout [String: String]) {
        let text = trailer.trimming("<= ")
        guard !text.isEmpty else { return }
        metadata["trailer"] = text
        let words = text.split(separator: " ")
        guard words.count >= 2 else { return }
        let parts = words[0].split(separator: "-")
        guard parts.count >= 5, let time = DateText.apStamp(parts.suffix(3).joined(separator: "-")[...], words[1])
        else {
            return
        }
        article.versionCreated = time
        article.published = time
        if article.source == nil, let sender = parts.first, sender.allSatisfy(\.isLetter) {
            article.source = String(sender)
        }
    }

    private enum Phase { case keyword, headline, notes, bylineTitle, text }

    private func readText(
        _ lines: [String], keyword: String?, into article: inout Article, metadata: inout [String: String]
    ) {
        var phase = Phase.keyword
        var paragraphs: [String] = []
        var photos: [String] = []
        var eds: String?
        var continuing = false
        let keywordStem = keyword.flatMap { $0.components(separatedByString: "--").first.map { $0 + "--" } }
        for raw in lines {
            // BS and tab are controls, each a character of its own whatever follows.
            let isTable = raw.utf8.first == 0x08
            let isIndented = raw.utf8.first == 0x09
            let line = Self.visible(raw)
            let isCaret = line.hasPrefix("^")
            let content = Self.stripMarks(isCaret ? String(line.dropFirst()) : line)
            if content.isEmpty || Self.isRule(content) {
                continuing = false
                continue
            }
            if isCaret && phase != .text {
                switch phase {
                case .keyword:
                    let keywordLine =
                        keywordStem.map { content.hasPrefix($0) } == true
                        || content.endsWithCommaAndDigits
                    if keywordLine {
                        metadata["keywordLine"] = content
                        phase = .headline
                        continue
                    }
                    article.headline = content
                    phase = .notes
                case .headline:
                    article.headline = content
                    phase = .notes
                case .notes, .bylineTitle:
                    if phase == .bylineTitle, content.split(separator: " ").count <= 5,
                        content.contains(where: \.isLowercase)
                    {
                        metadata["bylineTitle"] = content
                        phase = .text
                    } else if content.lowercased().hasPrefix("by ") {
                        article.byline = String(content.dropFirst(3)).trimmingSpaces
                        phase = .bylineTitle
                    } else if phase == .bylineTitle {
                        phase = .text
                        paragraphs.append(content)
                    } else if content.hasPrefix("AP Photo") || content.hasPrefix("AP Video")
                        || content.hasPrefix("AP Graphic")
                    {
                        photos.append(content)
                    } else if content.uppercased().hasPrefix("EDITOR'S NOTE") {
                        article.editorNote = String(content.dropFirst("EDITOR'S NOTE".count)).trimming(" _-:")
                    } else if content.hasPrefix("Eds:") {
                        eds = String(content.dropFirst(4)).trimmingSpaces
                    } else if article.summary == nil, content.split(separator: " ").count >= 12 {
                        article.summary = content
                    } else if article.subheadline == nil {
                        article.subheadline = content
                    } else {
                        paragraphs.append(content)
                    }
                case .text:
                    break
                }
                continuing = false
                continue
            }
            // Text: a tab starts a paragraph, a table row is one, an unindented line continues the last one.
            if phase != .text { phase = .text }
            if continuing && !isIndented && !isTable && !isCaret, !paragraphs.isEmpty {
                // In place: `last + " " + content` copied the whole paragraph for each of its lines.
                paragraphs[paragraphs.count - 1] += " "
                paragraphs[paragraphs.count - 1] += content
            } else {
                paragraphs.append(content)
            }
            continuing = !isTable && !isCaret
        }
        if article.editorNote == nil { article.editorNote = eds } else if let eds { metadata["eds"] = eds }
        if !photos.isEmpty { metadata["photos"] = photos.joined(separator: "; ") }
        article.paragraphs = paragraphs
    }

    /// `HONOLULU (AP) _ Hawaii files …` → `Hawaii files …`.
    static func withoutDateline(_ paragraph: String) -> String {
        guard let dateline = Dateline.find(in: paragraph), paragraph.hasPrefix(dateline.printed) else {
            return paragraph
        }
        return String(paragraph.dropFirst(dateline.printed.count)).trimmingSpaces
    }

    /// Lines of a byte range of UTF-8, split at LF (CR dropped).
    static func lines(_ bytes: ArraySlice<UInt8>) -> [String] {
        var lines: [String] = []
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let line = bytes[start..<end]
            lines.append(
                line.contains(0x0D)
                    ? String(decoding: line.filter { $0 != 0x0D }, as: UTF8.self)
                    : String(decoding: line, as: UTF8.self))
            guard end < bytes.endIndex else { return lines }
            start = end + 1
        }
    }

    /// Lines of a scalar range, split at LF (CR dropped).
    static func lines(_ scalars: ArraySlice<Unicode.Scalar>) -> [String] {
        scalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(String.UnicodeScalarView(line.filter { $0 != "\r" }))
        }
    }

    /// The line with ANPA's in-line controls made text: DLE (a fixed space marker) dropped, other controls
    /// (tab, BS, US, RS column separators) as spaces; leading spaces trimmed.
    static func visible(_ line: String) -> String {
        // The controls are single bytes in UTF-8 and no other scalar's bytes include them.
        var out: [UInt8] = []
        out.reserveCapacity(line.utf8.count)
        for byte in line.utf8 {
            switch byte {
            case 0x10: continue
            case 0x00..<0x20, 0x7F: out.append(0x20)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self).trimmingSpaces
    }

    /// A line of only `_ - = *` and spaces: a rule between parts of the text. (All ASCII, so the bytes
    /// answer for the characters.)
    static func isRule(_ line: String) -> Bool {
        line.utf8.allSatisfy { $0 == 0x5F || $0 == 0x2D || $0 == 0x3D || $0 == 0x2A || $0 == 0x20 }
    }

    /// Without the end-of-line quad marks `<` and `=` and surrounding spaces, whitespace collapsed.
    static func stripMarks(_ line: String) -> String {
        var text = line.collapsingSpaces
        while let last = text.last, last == "<" || last == "=" || last == " " { text.removeLast() }
        return text
    }
}

extension String {
    /// Ends in `,` and digits (`…Writethru,1140`): the AP keyword line's word count.
    var endsWithCommaAndDigits: Bool {
        guard let comma = lastIndex(of: ",") else { return false }
        let tail = self[index(after: comma)...]
        return !tail.isEmpty && tail.allSatisfy(\.isNumber)
    }
}
