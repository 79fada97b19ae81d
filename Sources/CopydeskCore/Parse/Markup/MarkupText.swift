/// Text out of markup: whitespace collapsed, and a body element cut into paragraphs the way a reader sees them.
public enum MarkupText {
    /// Runs of Unicode whitespace (including no-break and thin spaces, and line breaks) become one space; the ends
    /// are trimmed. Works on the UTF-8 bytes and returns the string itself when there is nothing to change, because
    /// it runs over every paragraph of every body, often twice.
    public static func collapse(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String? in
            let count = bytes.count
            // Already collapsed? No whitespace at the ends, none but single spaces inside.
            var clean = true
            var index = 0
            var previousSpace = true  // A space at the start counts as a change.
            while index < count {
                let width = whitespaceWidth(bytes, index)
                if width > 0 {
                    if previousSpace || width > 1 || bytes[index] != 0x20 {
                        clean = false
                        break
                    }
                    previousSpace = true
                    index += 1
                } else {
                    previousSpace = false
                    index += 1
                }
            }
            if clean && !(previousSpace && count > 0) { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(count)
            var pendingSpace = false
            index = 0
            while index < count {
                let width = whitespaceWidth(bytes, index)
                if width > 0 {
                    pendingSpace = !out.isEmpty
                    index += width
                    continue
                }
                if pendingSpace {
                    out.append(0x20)
                    pendingSpace = false
                }
                out.append(bytes[index])
                index += 1
            }
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    /// The length in bytes of the Unicode whitespace character (White_Space property) starting at `index`, or 0:
    /// U+0009–000D, U+0020, U+0085, U+00A0, U+1680, U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    @inline(__always)
    static func whitespaceWidth(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 { return byte == 0x20 || (0x09...0x0D).contains(byte) ? 1 : 0 }
        let count = bytes.count
        switch byte {
        case 0xC2:
            guard index + 1 < count else { return 0 }
            return bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0 ? 2 : 0
        case 0xE1:
            guard index + 2 < count else { return 0 }
            return bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80 ? 3 : 0
        case 0xE2:
            guard index + 2 < count else { return 0 }
            let second = bytes[index + 1]
            let third = bytes[index + 2]
            if second == 0x80 && (third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF) { return 3 }
            return second == 0x81 && third == 0x9F ? 3 : 0
        case 0xE3:
            guard index + 2 < count else { return 0 }
            return bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80 ? 3 : 0
        default:
            return 0
        }
    }

    /// Whether `text` has a character that is not whitespace.
    static func hasText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let width = whitespaceWidth(bytes, index)
                if width == 0 { return true }
                index += width
            }
            return false
        }
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
                    MarkupText.hasText(text)
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
                        if MarkupText.hasText(current) { current += " | " }
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
