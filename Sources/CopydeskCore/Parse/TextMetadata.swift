/// What the first lines of a text say about the story, read the way an editor reads a page saved as text or
/// a press release in a mail: a `By …` line is the byline, `Xinhua, March 11, 2016` names the source and the
/// date, `11 Feb. 2016 - | Last updated: 11 Feb. 2016 13:14` dates it, `(As delivered)` is a note to editors,
/// `Abstract: …` labels a summary, and the first paragraph may open with a dateline.
///
/// It only reads: the lines stay in the text, and ``Clean`` takes out those that merely repeat what was read
/// (so `copydesk inspect` shows them as removed, with the reason).
struct TextMetadata: Equatable {
    var byline: String?
    var published: String?
    var versionCreated: String?
    var source: String?
    var editorNote: String?
    var summary: String?
    var slugline: String?
    var keywords: [String]?
    var dateline: Dateline?
    var datelineDate: String?
    /// The place of a date line such as `AUSTIN, Texas, Feb. 1, 2017 /PRNewswire/ --`.
    var datelinePlace: String?
    /// `Headline: …`, `Title: …` and other labels with no field of their own, by label.
    var labelled: [String: String] = [:]
    /// Dates of the date-stamp lines, in order: the first is when it was published, a later one an update.
    private var stamps: [String] = []

    /// How many words of a paragraph are split off for the tests here.
    static let wordLimit = Dateline.wordLimit

    /// How many leading paragraphs are searched for metadata lines and datelines.
    static let headLimit = 10

    /// Reads `paragraphs` (the headline line, if the text has one, first).
    static func read(_ paragraphs: [String]) -> TextMetadata {
        var found = TextMetadata()
        var sawProse = false
        // Whether `found.dateline` is set, asked without copying it out (and releasing its strings) per paragraph.
        var hasDateline = false
        for paragraph in paragraphs.prefix(headLimit) {
            // Once the text has begun only the dateline is still looked for, and only where one could stand.
            if sawProse {
                if hasDateline { break }
                if !mayOpenWithDateline(paragraph) { continue }
            }
            // The first words are all any test here looks at (counts are compared with at most 13).
            let words = HeadWords(paragraph)
            if !sawProse, found.readLine(paragraph, words: words) { continue }
            // Before the text too, a paragraph that cannot open with a dateline is not searched for one.
            if !hasDateline, words.count >= 6, sawProse || mayOpenWithDateline(paragraph),
                words.mayHoldDateline, let dateline = Dateline.find(words: words.all)
            {
                found.dateline = dateline
                hasDateline = true
            }
            if isProse(wordCount: words.count, paragraph) {
                if !sawProse, found.published == nil, found.datelineDate == nil {
                    // A page without a date line often dates the story in its lead: "on Tuesday (16 November 2021)".
                    found.datelineDate = DateText.firstDate(in: paragraph)?.iso.prefix(10).description
                }
                sawProse = true
            }
        }
        return found
    }

    /// False when ``Dateline/find(words:)`` cannot find a dateline in `paragraph`: its first twelve words (split
    /// at spaces) are ASCII and hold no `(` (a bracketed agency opens a word) and no dash byte (`-`, `_`, `=`; the
    /// other dashes are not ASCII). True when that cannot be told so.
    static func mayOpenWithDateline(_ paragraph: String) -> Bool {
        TextScan.withUTF8(paragraph) { bytes in
            var words = 0
            var inWord = false
            var index = 0
            let count = bytes.count
            while index < count {
                // Eight bytes at a time while the twelfth word is not passed: any byte beyond ASCII, `(`, `-`, `_`
                // or `=` among them answers (none is a space, so each stands in one of the first twelve words).
                if index &+ 8 <= count {
                    let chunk = TextScan.eightBytes(at: index, in: bytes)
                    let spaces = TextScan.lanes(chunk, equalTo: 0x20)
                    let starts = ~spaces & (spaces << 8 | (inWord ? 0 : 0x80)) & 0x8080_8080_8080_8080
                    let started = Int(truncatingIfNeeded: ((starts >> 7) &* 0x0101_0101_0101_0101) >> 56)
                    if words &+ started <= 12 {
                        let flagged = chunk & 0x8080_8080_8080_8080 | TextScan.lanes(chunk, equalTo: UInt8(ascii: "("))
                            | TextScan.lanes(chunk, equalTo: UInt8(ascii: "-"))
                            | TextScan.lanes(chunk, equalTo: UInt8(ascii: "_"))
                            | TextScan.lanes(chunk, equalTo: UInt8(ascii: "="))
                        if flagged != 0 { return true }
                        words &+= started
                        inWord = spaces >> 63 == 0
                        index &+= 8
                        continue
                    }
                }
                let byte = bytes[index]
                index &+= 1
                if byte == 0x20 {
                    inWord = false
                    continue
                }
                if !inWord {
                    if words == 12 { return false }
                    words += 1
                    inWord = true
                }
                switch byte {
                case 0x80..., UInt8(ascii: "("), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="): return true
                default: continue
                }
            }
            return false
        }
    }

    /// A sentence of twelve words or more, not a list and not a photo credit.
    static func isProse(_ words: [Substring], _ paragraph: String) -> Bool {
        isProse(wordCount: words.count, paragraph)
    }

    static func isProse(wordCount: Int, _ paragraph: String) -> Bool {
        wordCount >= 12 && PlainTextParser.endsSentence(paragraph[...]) && !TextScan.contains(paragraph, " • ")
            && !TextScan.startsWithCopyright(paragraph)
    }

    /// The field a label names (`Abstract:` → summary), if any.
    private static func field(labelled label: String) -> WritableKeyPath<TextMetadata, String?>? {
        switch label {
        case "abstract", "summary", "standfirst": \.summary
        case "byline", "by", "author": \.byline
        case "slug", "slugline": \.slugline
        case "source": \.source
        case "note", "ednote", "editor's note", "eds": \.editorNote
        default: nil
        }
    }

    /// Reads one line before the text; true when it was a labelled or bracketed field line (such a line is
    /// never the story's first paragraph, however long).
    private mutating func readLine(_ line: String, words: HeadWords) -> Bool {
        guard let first = words.first else { return false }
        // By NAME: at most twelve words, not a sentence.
        if byline == nil, Self.isBy(first), (2...13).contains(words.count), line.last != "." {
            byline = words.all.dropFirst().joined(separator: " ")
            return true
        }
        // (As delivered), (Check against delivery): a short note in brackets, without figures (a bracketed
        // "(after extra-time - score at 90 mins 1-1)" is part of a results story).
        if editorNote == nil, line.hasPrefix("("), line.hasSuffix(")"), words.count <= 5,
            !line.contains(where: \.isNumber)
        {
            editorNote = String(line.dropFirst().dropLast()).trimmingSpaces
            return true
        }
        // Label: value (the first colon, within the first 17 characters)
        if let colon = Self.labelColon(line) {
            let label = line[..<colon].lowercased().trimmingSpaces
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            if !value.isEmpty, label.allSatisfy({ $0.isLetter || $0 == " " || $0 == "'" }) {
                if label == "keywords" {
                    keywords = value.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingSpaces }
                    return true
                }
                if let field = Self.field(labelled: label) {
                    if self[keyPath: field] == nil { self[keyPath: field] = value }
                    return true
                }
                if ["headline", "title", "subject", "kicker"].contains(label) {
                    labelled[label] = value
                    return true
                }
            }
        }
        readDateStamp(line)
        return false
    }

    /// `line.prefix(17).firstIndex(of: ":")`: the first colon among the first 17 characters. In bytes where those
    /// are ASCII without CR and the byte after them is ASCII too (then each is a `Character` of its own, and a
    /// colon is the `Character` ":" exactly when it is the byte).
    static func labelColon(_ line: String) -> String.Index? {
        let offset: Int?? = TextScan.withUTF8(line) { bytes -> Int?? in
            let end = min(bytes.count, 17)
            for index in 0..<min(bytes.count, 18) where bytes[index] >= 0x80 || bytes[index] == 0x0D { return nil }
            for index in 0..<end where bytes[index] == UInt8(ascii: ":") { return .some(index) }
            return .some(nil)
        }
        guard let offset else { return line.prefix(17).firstIndex(of: ":") }
        return offset.map { line.utf8.index(line.utf8.startIndex, offsetBy: $0) }
    }

    /// A line that is mostly a date: `11 Feb. 2016 - | Last updated: 11 Feb. 2016 13:14` (published, then
    /// updated), `Xinhua, March 11, 2016 Adjust font size:` (a source before the date).
    private mutating func readDateStamp(_ line: String) {
        guard !TextScan.hasCharacters(line[...], atLeast: 101) else { return }
        let dates = DateText.allDates(in: line)
        guard let first = dates.first else { return }
        let characters = Array(line)
        var rest = characters
        for date in dates.reversed() where date.range.upperBound <= rest.count { rest.removeSubrange(date.range) }
        let others = String(rest).split(whereSeparator: \.isWhitespace).filter { $0.contains(where: \.isLetter) }
        let fullStop = line.last.map { ".!?".contains($0) } ?? false
        guard others.count <= 2 || others.count <= 5 && !fullStop else { return }
        stamps += dates.map(\.iso)
        published = stamps.first
        versionCreated = stamps.count > 1 ? stamps.last : nil
        // Text before the date that is a name and a comma: `Xinhua, March 11, 2016`. A place in capitals or
        // with a region (`AUSTIN, Texas, Feb. 1, 2017`) is a dateline, not a source.
        let before = String(characters[..<first.range.lowerBound]).trimmingSpaces
        if before.hasSuffix(",") {
            let name = String(before.dropLast()).trimmingSpaces
            let nameWords = name.split(separator: " ")
            let capitalised =
                (1...3).contains(nameWords.count) && nameWords.allSatisfy { $0.first?.isUppercase == true }
            let isPlace = name.contains(",") || name.first.map { _ in name == name.uppercased() } == true
            if capitalised && !isPlace && source == nil {
                source = name
            } else if isPlace, datelinePlace == nil, name.count <= Dateline.placeLimit {
                datelinePlace = name
            }
        }
    }

    /// A paragraph's first ``wordLimit`` words split at spaces (``TextScan/spaceSeparated(_:limit:)-(String,_)``),
    /// made into `Substring`s only when a test needs more than their count: most paragraphs are only counted.
    struct HeadWords {
        let paragraph: String
        let count: Int
        private let ranges: [Range<Int>]?
        private let split: [Substring]?

        init(_ paragraph: String) {
            self.paragraph = paragraph
            let ranges = TextScan.withUTF8(paragraph) {
                TextScan.wordRanges($0, spacesOnly: true, limit: TextMetadata.wordLimit)
            }
            self.ranges = ranges
            split = ranges == nil ? TextScan.spaceSeparated(paragraph, limit: TextMetadata.wordLimit) : nil
            count = ranges?.count ?? split?.count ?? 0
        }

        var first: Substring? {
            if let split { return split.first }
            guard let range = ranges?.first else { return nil }
            return TextScan.substrings(of: paragraph[...], [range])[0]
        }

        var all: [Substring] {
            if let split { return split }
            return TextScan.substrings(of: paragraph[...], ranges ?? [])
        }

        /// False when ``Dateline/find(words:)`` of ``all`` is nil for certain, told from the word ranges: its two
        /// shapes start from a word among the first twelve that opens with `(` or one among the first ten that is
        /// a dash (``Dateline/isDash(_:)``), and most paragraphs have neither (making their `Substring`s and
        /// trying both shapes was most of the metadata reader's cost).
        var mayHoldDateline: Bool {
            guard let ranges else { return true }
            return TextScan.withUTF8(paragraph) { bytes in
                for (number, range) in ranges.prefix(12).enumerated() {
                    if bytes[range.lowerBound] == UInt8(ascii: "(") { return true }
                    if number < 10, Dateline.isDash(bytes, range) { return true }
                }
                return false
            }
        }
    }

    /// `word.lowercased() == "by"`, in bytes: no scalar but `B`, `b`, `Y` and `y` lowercases to either letter, and
    /// nothing else is canonically equivalent to them.
    static func isBy(_ word: Substring) -> Bool {
        let utf8 = word.utf8
        guard utf8.count == 2 else { return false }
        return utf8.first! | 0x20 == UInt8(ascii: "b") && utf8.last! | 0x20 == UInt8(ascii: "y")
    }

    /// Writes what was found into `article`, never overwriting a field the format itself filled.
    func fill(_ article: inout Article) {
        if article.byline == nil { article.byline = byline }
        if article.published == nil { article.published = published }
        if article.versionCreated == nil { article.versionCreated = versionCreated }
        if article.editorNote == nil { article.editorNote = editorNote }
        if article.summary == nil { article.summary = summary }
        if article.slugline == nil { article.slugline = slugline }
        if article.keywords == nil { article.keywords = keywords }
        if let dateline, article.dateline == nil {
            article.dateline = dateline.printed
            article.datelinePlace = dateline.place
        }
        if article.datelinePlace == nil { article.datelinePlace = datelinePlace }
        if article.source == nil { article.source = source ?? dateline?.source }
        if article.datelineDate == nil { article.datelineDate = datelineDate }
        if !labelled.isEmpty {
            var metadata = article.metadata ?? [:]
            for (label, value) in labelled where metadata[label] == nil { metadata[label] = value }
            article.metadata = metadata
        }
    }
}
