/// Text out of markup: whitespace collapsed, and a body element cut into paragraphs the way a reader sees them.
public enum MarkupText {
    /// Runs of Unicode whitespace (including no-break and thin spaces, and line breaks) become one space; the ends
    /// are trimmed. Works on scalars with an ASCII fast path, because it runs over every byte of every body.
    public static func collapse(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var started = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let isSpace =
                value < 0x80 ? (value == 0x20 || (0x09...0x0D).contains(value)) : scalar.properties.isWhitespace
            if isSpace {
                pendingSpace = started
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(scalar)
            started = true
        }
        return String(out)
    }

    /// Elements whose text runs on inside the surrounding paragraph: HTML's phrase elements and NITF's inline
    /// entity tags (`person`, `org`, `location`, `chron`, `money`, …). An element in neither this set nor
    /// ``blockElements`` (an agency's own tag, STT's `<Company>`, TT's `<CITAT>`) is inline when it stands in
    /// running text — its parent has text of its own beside it, which block structure never has — and a block
    /// otherwise.
    static let inlineElements: Set<String> = [
        "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
        "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
        "var", "wbr", "nobr",
        // NITF inline elements.
        "person", "org", "location", "chron", "money", "num", "event", "function", "object.title", "virtloc",
        "classifier", "copyrite", "pronounce", "alt-code", "lang", "frac", "frac-num", "frac-sep", "frac-den",
        "sub-num", "city", "state", "region", "country", "postaddr", "addressee", "care.of", "delivery.point",
        "postcode", "delivery.office", "name.given", "name.family",
    ]

    /// Elements that always start a paragraph: HTML's block elements and NITF's.
    static let blockElements: Set<String> = [
        "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "h1",
        "h2", "h3", "h4", "h5", "h6", "table", "tr", "thead", "tbody", "tfoot", "caption", "address", "hr",
        "fieldset", "details", "summary", "center", "body", "html", "hl1", "hl2", "block", "body.content", "bq",
        "fn", "note", "tagline", "nitf-table", "nitf-table-summary", "hedline", "abstract", "dateline", "byline",
    ]

    /// Table cells: inline within their row, separated by " | ", so a row reads as one paragraph.
    static let cellElements: Set<String> = ["td", "th"]

    /// Elements whose text is not body text: scripts and styles, embedded media and their captions, and the
    /// head of an HTML document, and an XHTML body's `header`, `footer`, `nav` and `aside`, which in agency XHTML
    /// hold the item's own metadata (dpa repeats its dateline time, subjects and headline there). Picture captions
    /// belong to the picture, not the story.
    public static let skippedElements: Set<String> = [
        "script", "style", "head", "noscript", "template", "media", "media-reference", "media-caption",
        "media-producer", "media-metadata", "img", "figure", "object", "embed", "iframe", "video", "audio", "svg",
        "math", "BILD", "form", "button", "select", "input", "header", "footer", "nav", "aside",
    ]

    /// The paragraphs of a body element: `p`, `hl2`, `li`, headings and every other block each give one (or more,
    /// when blocks nest); inline elements and line breaks run on; whitespace is collapsed; empty paragraphs go.
    public static func paragraphs(of element: MarkupElement, skipping skipped: Set<String> = skippedElements)
        -> [String]
    {
        var collector = ParagraphCollector(skipped: skipped)
        collector.walk(element)
        collector.flush()
        return collector.paragraphs
    }

    private struct ParagraphCollector {
        let skipped: Set<String>
        var paragraphs: [String] = []
        var current = ""

        mutating func walk(_ element: MarkupElement) {
            let mixed = element.children.contains { child in
                if case .text(let text) = child {
                    !text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
                } else {
                    false
                }
            }
            for child in element.children {
                switch child {
                case .text(let text):
                    current += text
                case .element(let element):
                    let name = element.name
                    let lower = name.utf8.contains { (0x41...0x5A).contains($0) } ? name.lowercased() : name
                    if skipped.contains(name) || skipped.contains(lower) { continue }
                    if lower == "br" {
                        current += " "
                    } else if MarkupText.inlineElements.contains(lower)
                        || (mixed && !MarkupText.blockElements.contains(lower))
                    {
                        walk(element)
                    } else if MarkupText.cellElements.contains(lower) {
                        if current.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) { current += " | " }
                        walk(element)
                    } else {
                        flush()
                        walk(element)
                        flush()
                    }
                }
            }
        }

        mutating func flush() {
            guard !current.isEmpty else { return }
            let paragraph = MarkupText.collapse(current)
            if !paragraph.isEmpty && paragraph != "|" { paragraphs.append(paragraph) }
            current = ""
        }
    }
}
