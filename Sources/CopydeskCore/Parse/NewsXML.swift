/// What the XML news parsers (NITF, NewsML-G2, NewsML 1.2, generic XML) share: reading a document safely, body
/// text from whatever markup an agency wraps it in, and the last pass that makes a draft an ``Article``.
enum NewsXML {
    /// Parses the input's text as XML, or says why not, naming the format so the reason reads well in `rejected/`.
    static func root(_ input: ParserInput, format: String) -> Result<MarkupElement, RejectReason> {
        MarkupReader.parseXML(input.text).mapError { RejectReason($0.code, "\(format): \($0.message)") }
    }

    /// The first of `values` that has text once whitespace is collapsed.
    static func first(_ values: String?...) -> String? {
        for case let value? in values {
            let collapsed = MarkupText.collapse(value)
            if !collapsed.isEmpty { return collapsed }
        }
        return nil
    }

    /// A whole number in `text` (`"4"`, `" 04 "`), or nil.
    static func integer(_ text: String?) -> Int? {
        guard let text else { return nil }
        return Int(MarkupText.collapse(text))
    }

    // MARK: Body text

    /// Paragraphs of a story body in any of the forms agencies use: an element tree (NITF `body.content`, XHTML
    /// `body`, TT's own tags), or text that is itself markup (escaped or CDATA HTML), or plain text.
    static func paragraphs(of element: MarkupElement) -> [String] {
        if element.elements.isEmpty, let text = element.text {
            return paragraphs(ofText: element.rawText, collapsed: text)
        }
        return MarkupText.paragraphs(of: element)
    }

    /// Paragraphs of text that may be HTML (`<p>…</p>` escaped inside an XML element, or CDATA) or plain text.
    static func paragraphs(ofText raw: String, collapsed: String? = nil) -> [String] {
        if looksLikeHTML(raw), case .success(let html) = MarkupReader.parseHTML(raw) {
            return MarkupText.paragraphs(of: html.first("body") ?? html)
        }
        let lines = PlainTextParser.normalizedLines(raw)
        return PlainTextParser.blocks(lines[...]).flatMap { PlainTextParser.paragraphs(of: $0) }
    }

    /// Whether text carries HTML tags (`<p>`, `<br/>`, `</div>` …) rather than a stray `<`.
    static func looksLikeHTML(_ text: String) -> Bool {
        var sawOpen = false
        var previous: Unicode.Scalar = " "
        for scalar in text.unicodeScalars.prefix(4096) {
            if previous == "<" && (scalar == "/" || scalar == "!" || scalar.properties.isAlphabetic) { sawOpen = true }
            if sawOpen && scalar == ">" { return true }
            previous = scalar
        }
        return false
    }

    /// The paragraphs of a body carried inline in a NewsML envelope (G2 `inlineXML`, 1.2 `DataContent`): a NITF
    /// document's `body.content`, an XHTML page's `body`, or any other element's text by blocks.
    static func inlineParagraphs(_ content: MarkupElement) -> [String] {
        switch content.name {
        case "nitf":
            if let body = content.first("body.content") { return MarkupText.paragraphs(of: body) }
            return content.first("body").map { MarkupText.paragraphs(of: $0) } ?? []
        case "html":
            return MarkupText.paragraphs(of: content.child("body") ?? content)
        default:
            return paragraphs(of: content)
        }
    }

    // MARK: Finishing

    /// Longest headline made from the body when a file has none (see ``finish(_:format:)``).
    static let derivedHeadlineLimit = 200
    /// At most this many metadata entries are kept, each value cut to `metadataValueLimit` characters: metadata is
    /// for people debugging a feed, and a hostile file must not bloat the journal through it.
    static let metadataLimit = 200
    static let metadataValueLimit = 1000

    /// Tidies a draft and makes it an article: every text field collapsed and dropped when empty; a byline found
    /// as the first short "By …" paragraph moved out of the body; a missing headline taken from the subheadline,
    /// the slugline or the body's first sentence. A draft with neither headline nor body is refused.
    static func finish(_ draft: Article, format: String) -> Result<Article, RejectReason> {
        var article = draft
        article.paragraphs = article.paragraphs.map(MarkupText.collapse).filter { !$0.isEmpty }
        article.subheadline = first(article.subheadline)
        article.byline = first(article.byline)
        article.dateline = first(article.dateline)
        article.datelinePlace = first(article.datelinePlace)
        article.source = first(article.source)
        article.slugline = first(article.slugline)
        article.language = first(article.language)
        article.summary = first(article.summary)
        article.editorNote = first(article.editorNote)
        article.takeKey = first(article.takeKey)
        article.genre = first(article.genre)
        article.itemID = first(article.itemID)
        article.version = first(article.version)
        article.keywords = nonEmpty(article.keywords)
        article.subjects = nonEmpty(article.subjects)
        if article.datelinePlace == nil, let dateline = article.dateline {
            article.datelinePlace = datelinePlace(dateline)
        }
        if article.byline == nil { moveBylineOutOfBody(&article) }
        var headline = MarkupText.collapse(article.headline)
        dropRepeats(of: [headline, article.byline], from: &article.paragraphs)
        if headline.isEmpty {
            // A slugline is a filing label ("Burkina-Faso"); the lede says what happened, so it comes first.
            if let subheadline = article.subheadline {
                headline = subheadline
            } else if let firstParagraph = article.paragraphs.first {
                headline = firstSentence(firstParagraph)
            } else if let summary = article.summary {
                headline = firstSentence(summary)
            } else if let slugline = article.slugline {
                headline = slugline
            }
        }
        guard !headline.isEmpty else {
            return .failure(RejectReason(.unparsable, "\(format): no headline and no body text"))
        }
        article.headline = headline
        if let metadata = article.metadata {
            var kept: [String: String] = [:]
            for key in metadata.keys.sorted().prefix(metadataLimit) {
                guard let value = metadata[key] else { continue }
                let collapsed = MarkupText.collapse(value)
                if !collapsed.isEmpty { kept[key] = String(collapsed.prefix(metadataValueLimit)) }
            }
            article.metadata = kept.isEmpty ? nil : kept
        }
        return .success(article)
    }

    private static func nonEmpty(_ values: [String]?) -> [String]? {
        guard let values else { return nil }
        var seen: Set<String> = []
        let kept = values.map(MarkupText.collapse).filter { !$0.isEmpty && seen.insert($0).inserted }
        return kept.isEmpty ? nil : kept
    }

    /// Takes out of the first paragraphs any that only repeat the headline or the byline (XHTML bodies often
    /// start with both): the article has them in their own fields.
    static func dropRepeats(of values: [String?], from paragraphs: inout [String]) {
        let repeats = Set(values.compactMap { $0?.lowercased() }.filter { !$0.isEmpty })
        guard !repeats.isEmpty else { return }
        var index = 0
        while index < min(paragraphs.count, 3) {
            if repeats.contains(paragraphs[index].lowercased()) {
                paragraphs.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    /// The first sentence of `text`, or its first `derivedHeadlineLimit` characters cut at a word.
    static func firstSentence(_ text: String) -> String {
        var end = text.startIndex
        var count = 0
        while end < text.endIndex, count < derivedHeadlineLimit {
            let character = text[end]
            end = text.index(after: end)
            count += 1
            if ".!?".contains(character), end == text.endIndex || text[end] == " ", count > 20 {
                return String(text[..<end])
            }
        }
        return end == text.endIndex ? text : PlainTextParser.cut(text, near: derivedHeadlineLimit)
    }

    /// Wires that put the byline in the body write it as the first or second paragraph, alone: "By Joseph Ax".
    /// Such a paragraph (a "By" and two to six name-like words, no sentence punctuation) becomes the byline.
    static func moveBylineOutOfBody(_ article: inout Article) {
        for index in article.paragraphs.indices.prefix(3) {
            let paragraph = article.paragraphs[index]
            let words = paragraph.split(separator: " ")
            guard words.count >= 3, words.count <= 8, words[0] == "By" || words[0] == "BY" || words[0] == "by",
                !paragraph.contains(where: { "!?:;\"“”".contains($0) }), !paragraph.hasSuffix("."),
                words.dropFirst().allSatisfy({ word in
                    guard let first = word.first else { return false }
                    return first.isUppercase
                        || ["and", "und", "et", "y", "og", "och", "de", "van", "von", "in"].contains(word)
                })
            else { continue }
            article.byline = paragraph
            article.paragraphs.remove(at: index)
            return
        }
    }

    /// The place a printed dateline starts with: `BRUSSELS, Feb 11 (Reuters) -` → `BRUSSELS`; `Oslo` → `Oslo`;
    /// `Athen (dpa) -` → `Athen`. Nil when the dateline starts with a date or a digit.
    static func datelinePlace(_ dateline: String) -> String? {
        var place = Substring(dateline)
        if let cut = place.firstIndex(where: { ",(–—".contains($0) }) { place = place[..<cut] }
        if let dash = place.firstRange(of: " - ") { place = place[..<dash.lowerBound] }
        let words = place.split(separator: " ")
        var kept: [Substring] = []
        for word in words {
            if monthNames.contains(word.lowercased().trimmingSuffix(".")) || word.first?.isNumber == true { break }
            kept.append(word)
        }
        let result = kept.joined(separator: " ").trimmingCharacters(in: " -")
        return result.isEmpty ? nil : result
    }

    private static let monthNames: Set<String> = [
        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
        "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
    ]
}

extension StringProtocol {
    /// Without trailing `suffix` characters.
    fileprivate func trimmingSuffix(_ suffix: Character) -> String {
        var text = String(self)
        while text.last == suffix { text.removeLast() }
        return text
    }

    /// Without leading and trailing characters from `set`.
    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}
