/// An article laid out for the rules: every field as a segment of one lowercased byte buffer, each segment tagged
/// with the rule fields it belongs to, so one automaton pass finds every phrase and each hit knows where it was.
struct DocumentView {
    struct Segment {
        /// Byte range in `lowered`.
        var start: Int
        var end: Int
        /// The range without surrounding spaces, bullets and closing punctuation: what anchors compare against.
        var trimmedStart: Int
        var trimmedEnd: Int
        var fields: ClassificationRules.Fields
        /// The text as written (regexes are case-sensitive and run on it).
        var text: String
    }

    private(set) var lowered: [UInt8] = []
    private(set) var segments: [Segment] = []

    init(_ article: Article, channel: String?, settings: ClassificationRules.Settings) {
        lowered.reserveCapacity(article.paragraphs.reduce(article.headline.utf8.count) { $0 + $1.utf8.count + 1 } + 64)
        // Room for every field up front: growing by doubling reallocated and copied the segments four times a story.
        segments.reserveCapacity(article.paragraphs.count + 8)
        add(article.headline, [.headline, .lead, .body])
        if let subheadline = article.subheadline { add(subheadline, [.lead, .body]) }
        if let byline = article.byline { add(byline, [.byline, .lead]) }
        if let dateline = article.dateline { add(dateline, [.dateline, .lead]) }
        var characters = 0
        let count = article.paragraphs.count
        for (index, paragraph) in article.paragraphs.enumerated() {
            var fields: ClassificationRules.Fields = .body
            if index < settings.leadParagraphs && characters < settings.leadCharacters { fields.insert(.lead) }
            if index >= count - 3 { fields.insert(.tail) }
            add(paragraph, fields)
            characters += paragraph.utf8.count
        }
        if let source = article.source { add(source, .source) }
        if let channel { add(channel, .channel) }
        for value in Self.metadataValues(article) { add(value, .meta) }
    }

    /// Keywords, subjects, genre, slugline, editor's note and the parser's other metadata values.
    static func metadataValues(_ article: Article) -> [String] {
        var values: [String] = []
        values += article.keywords ?? []
        values += article.subjects ?? []
        if let genre = article.genre { values.append(genre) }
        if let slugline = article.slugline { values.append(slugline) }
        if let note = article.editorNote { values.append(note) }
        if let metadata = article.metadata {
            for key in metadata.keys.sorted() { values.append(metadata[key]!) }
        }
        return values
    }

    private mutating func add(_ text: String, _ fields: ClassificationRules.Fields) {
        let start = lowered.count
        TextBytes.lowercasedUTF8(text, into: &lowered)
        let end = lowered.count
        var trimmedStart = start
        while trimmedStart < end, Self.isLeadingJunk(lowered, at: trimmedStart) {
            trimmedStart += Self.scalarLength(lowered[trimmedStart])
        }
        var trimmedEnd = end
        while trimmedEnd > trimmedStart, Self.isTrailingJunk(lowered[trimmedEnd - 1]) { trimmedEnd -= 1 }
        segments.append(
            Segment(start: start, end: end, trimmedStart: trimmedStart, trimmedEnd: trimmedEnd, fields: fields,
                    text: text)
        )
        lowered.append(0x0A)
    }

    /// Spaces, and bullets or emphasis marks that web pages put before a paragraph (`•`, `*`, `-`, `>`, `#`).
    private static func isLeadingJunk(_ bytes: [UInt8], at index: Int) -> Bool {
        switch bytes[index] {
        case 0x20, 0x09, 0x2A, 0x2D, 0x3E, 0x23: return true
        case 0xE2 where index + 2 < bytes.count:
            // • U+2022 (E2 80 A2), – U+2013 (E2 80 93), — U+2014 (E2 80 94)
            return bytes[index + 1] == 0x80 && [0xA2, 0x93, 0x94].contains(bytes[index + 2])
        case 0xC2 where index + 1 < bytes.count:
            return bytes[index + 1] == 0xA0 || bytes[index + 1] == 0xB7  // no-break space, middle dot
        default: return false
        }
    }

    /// Spaces and closing punctuation that do not change what a paragraph says (`Endit.` is `Endit`).
    private static func isTrailingJunk(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x2A: return true
        default: return false
        }
    }

    private static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
    }

    /// The segment holding byte `offset` (segments are in buffer order).
    func segment(containing offset: Int) -> Int {
        var low = 0
        var high = segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].start <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
