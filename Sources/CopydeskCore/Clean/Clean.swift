/// The Clean stage: takes boilerplate (navigation, breadcrumbs, share and login prompts, photo credits and
/// captions, related-story teasers, site footers) out of an article's body and says what it took and why,
/// so `copydesk inspect` can show it.
///
/// Pure. It sees the parsed ``Article`` and, as a ``Layout``, what the parser knew of the page's structure
/// (which paragraphs were links, navigation or footers in the HTML, whether the headline was only the
/// text's first line). It decides by structure and statistics, never by strings taken from particular
/// pages: the shape of each line (length, sentence end, share of function words, separators, script), its
/// position (boilerplate gathers before and after the text), repetition (of the headline, of a field, of a
/// site name), and, for HTML, link density and the element it came from. See ``Signal`` for each signal.
///
/// Agency copy (ANPA, IPTC 7901, NITF, NewsML, ninjs) has no page furniture and is left as it is: an AP
/// sports table of short lines must not be mistaken for a navigation menu.
public enum Clean {
    /// One line taken out, and the signal that took it.
    public struct Removal: Sendable, Equatable, Codable {
        public var text: String
        public var reason: String

        public init(text: String, reason: String) {
            self.text = text
            self.reason = reason
        }
    }

    public struct Result: Sendable, Equatable {
        public var article: Article
        /// What was taken out, in document order.
        public var removals: [Removal]

        /// The texts taken out, in document order.
        public var removed: [String] { removals.map(\.text) }
    }

    /// What a parser knew of where the article's text came from, beyond the text itself.
    public struct Layout: Sendable, Equatable {
        public enum Origin: String, Sendable {
            /// Edited copy from an agency or a newsroom system: cleaned of nothing.
            case agencyCopy
            /// A web page, a page saved as text, a mail: may carry site furniture.
            case page
        }

        public var origin: Origin
        /// The headline is only the first line of the text (plain text), so it may itself be furniture
        /// ("Off the wire"); a headline a format names (HTML `og:title`, a mail's subject) is kept.
        public var headlineIsFirstLine: Bool
        /// Per paragraph, what the HTML said about it; ignored unless it has one entry per paragraph.
        public var blocks: [Block]

        public init(origin: Origin, headlineIsFirstLine: Bool = false, blocks: [Block] = []) {
            self.origin = origin
            self.headlineIsFirstLine = headlineIsFirstLine
            self.blocks = blocks
        }

        /// Agency copy: nothing is removed.
        public static let agencyCopy = Layout(origin: .agencyCopy)
        /// Plain text: a page saved as text whose first line was taken as the headline.
        public static let text = Layout(origin: .page, headlineIsFirstLine: true)
        /// A page or a mail whose headline came from a field.
        public static let page = Layout(origin: .page)
    }

    /// What the HTML said about one paragraph.
    public struct Block: Sendable, Equatable {
        /// Share of the paragraph's characters inside links (0…1).
        public var linkShare: Double
        /// How many links it holds.
        public var links: Int
        /// The page region it sits in, when the markup says so.
        public var role: Role?

        public init(linkShare: Double = 0, links: Int = 0, role: Role? = nil) {
            self.linkShare = linkShare
            self.links = links
            self.role = role
        }
    }

    /// Page regions that hold furniture, from HTML5 elements (`nav`, `footer`, `aside`, `form`, `figcaption`),
    /// ARIA roles, or class and id names of the same meaning.
    public enum Role: String, Sendable, Equatable {
        case navigation, header, footer, aside, form, caption, comments, share, related, advertisement
        /// Outside the page's `article`/`main` element when it has one.
        case outsideMain = "outside the main content"
    }

    /// Cleans `article` as `layout` says it was laid out.
    public static func clean(_ article: Article, layout: Layout = .page) -> Result {
        guard layout.origin == .page else { return Result(article: article, removals: []) }
        var article = article
        var removals: [Removal] = []
        // An end mark first, so the last paragraph is judged as the sentence it is.
        if let last = article.paragraphs.last, let (kept, mark) = splitEndMark(last) {
            removals.append(Removal(text: mark, reason: Signal.endMark.description))
            if kept.isEmpty {
                article.paragraphs.removeLast()
            } else {
                article.paragraphs[article.paragraphs.count - 1] = kept
            }
        }
        let page = Page(article: article, layout: layout)
        var reasons = page.lines.indices.map { page.strongSignal($0)?.description }
        page.addContextSignals(&reasons)
        page.addZoneSignals(&reasons)

        var kept: [Int] = []
        var lineRemovals: [Removal] = []
        for (index, line) in page.lines.enumerated() {
            if let reason = reasons[index] {
                lineRemovals.append(Removal(text: line.text, reason: reason))
            } else if !line.text.isEmpty {
                kept.append(index)
            }
        }
        var paragraphs = kept.filter { !(layout.headlineIsFirstLine && $0 == 0) }.map { page.lines[$0].text }
        if layout.headlineIsFirstLine, reasons[0] != nil {
            // The first line was furniture: the real headline is the first line that survives, preferably one
            // shaped like a headline and standing before the text.
            let candidates = kept.filter { $0 > 0 }
            let firstProse = page.lines.indices.first { reasons[$0] == nil && page.isProse($0) }
            let before = firstProse.map { bound in candidates.filter { $0 < bound } } ?? candidates
            if let chosen = before.first(where: { page.lines[$0].isHeadlineShaped }) ?? candidates.first {
                let text = page.lines[chosen].text
                if page.lines[chosen].isHeadlineShaped {
                    article.headline = text
                    if let position = paragraphs.firstIndex(of: text) { paragraphs.remove(at: position) }
                } else {
                    article.headline = PlainTextParser.cut(text, near: PlainTextParser.headlineCut)
                }
            } else {
                // Nothing else to call the story: the first line stays its headline, and is not reported removed.
                lineRemovals.removeFirst()
            }
        }
        article.paragraphs = paragraphs
        return Result(article: article, removals: lineRemovals + removals)
    }

    /// `paragraph.lastIndex(of: " ")`: the last space byte, when it is a `Character` of its own (no prepended
    /// mark before it, nothing after it that could join it); otherwise the `Character` search decides.
    static func lastSpace(_ paragraph: String) -> String.Index? {
        let offset: Int?? = TextScan.withUTF8(paragraph) { bytes -> Int?? in
            var index = bytes.count - 1
            while index >= 0, bytes[index] != 0x20 { index -= 1 }
            guard index >= 0 else { return .some(nil) }
            if index + 1 < bytes.count, bytes[index + 1] >= 0x80 { return nil }
            if TextScan.prependPrecedes(index, in: bytes) { return nil }
            // A space after it would have been found instead; before it, only a prepended mark could join it.
            return .some(index)
        }
        guard let offset else { return paragraph.lastIndex(of: " ") }
        return offset.map { paragraph.utf8.index(paragraph.utf8.startIndex, offsetBy: $0) }
    }

    /// Splits an agency end mark off the last paragraph: `… cooperation. Endit` → (`… cooperation.`, `Endit`).
    static func splitEndMark(_ paragraph: String) -> (String, String)? {
        // Lowercasing never shortens a text in scalars, and no end mark has more than seven: a paragraph of
        // more than 28 bytes is not one, and is not lowercased whole.
        if paragraph.utf8.count <= 28, Vocabulary.endMarks.contains(paragraph.lowercased()) { return ("", paragraph) }
        guard let space = lastSpace(paragraph) else { return nil }
        let mark = paragraph[paragraph.index(after: space)...]
        guard Vocabulary.endMarks.contains(mark.lowercased()) else { return nil }
        let kept = String(paragraph[..<space])
        guard PlainTextParser.endsSentence(kept[...]), kept.last != ":" else { return nil }
        return (kept, String(mark))
    }
}
