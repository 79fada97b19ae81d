/// What agencies put on a story to say it replaces an earlier one.
///
/// Reuters prefixes headlines (`UPDATE 2-`, `REFILE-`, `CORRECTED-`, `RPT-`, `WRAPUP 1-`) and opens the body with
/// a parenthesised note (`(Adds quotes, paragraphs 5-7)`, `(Recasts)`); Reuters 1987 wrote `(RPT)` and
/// `CORRECTED - `; AP marks takes `1st Ld-Writethru` and editors' notes `Eds: UPDATES with ...`; many wires put
/// `URGENT` or `FLASH` on the first take. ``UpdateMarkers/strip(_:)`` removes them from a headline so the
/// versions of one story compare equal, and reports which were there.
public enum UpdateMarker: Sendable, Hashable, Codable {
    /// `UPDATE 1`, `UPDATED`, `(Updates with …)`, `WRAPUP 2`; the number when one is given.
    case update(Int?)
    /// `CORRECTED`, `CORRECTION`, `(Corrects …)`.
    case correction
    /// `REFILE`, `REFILED`: the same story sent again, usually with a fix in the wrapper.
    case refile
    /// `RPT`, `REPEAT`, `(RPT)`: sent again unchanged for other subscribers.
    case `repeat`
    /// `(RECASTS)`, `RECASTS`: rewritten with a new lead.
    case recast
    /// `(Adds …)`: more paragraphs.
    case adds
    /// `1st Ld-Writethru`, `Writethru`: AP's numbered rewrites.
    case writethru(Int?)
    /// `URGENT`, `FLASH`, `BULLETIN`, `ALERT`, `BREAKING`: priority labels on a first take. Stripped for
    /// comparison but not, on their own, evidence of a later version.
    case priority

    /// Whether the marker says "this replaces an earlier transmission".
    public var marksNewVersion: Bool { self != .priority }
}

public enum UpdateMarkers {
    /// The headline without its leading, trailing and parenthesised markers (whitespace trimmed), and the markers
    /// found, left to right.
    public static func strip(_ headline: String) -> (headline: String, markers: [UpdateMarker]) {
        // Most headlines hold no "(" and no separator (a separator character holds one of these bytes): then no
        // marker can be found and stripping is trimming, which an ASCII headline does on its bytes. One look at
        // the bytes decides; ``stripByCharacters(_:mayHaveSeparator:)`` is the definition.
        var ascii = true, parenthesis = false, separator = false, carriageReturn = false
        // On the contiguous bytes: iterating `utf8` cost ~60 instructions a byte.
        var text = headline
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case 0x28: parenthesis = true
                case 0x2D, 0x3A, 0x7C: separator = true
                case 0x0D: carriageReturn = true
                case 0xE2: separator = true; ascii = false
                case 0x80...: ascii = false
                default: break
                }
            }
        }
        if !parenthesis && !separator {
            return (ascii ? trimmedASCII(headline) : String(trimmed(Substring(headline))), [])
        }
        // Half the headlines of a news feed hold a hyphen or a colon; comparing `Character`s for them was most of
        // `VersionInfo`. In ASCII every `Character` is one byte except "\r\n", hence the carriage-return test.
        if ascii && !carriageReturn { return stripASCII(headline, mayHaveSeparator: separator) }
        return stripByCharacters(headline, mayHaveSeparator: separator)
    }

    /// ``stripByCharacters(_:mayHaveSeparator:)`` of an ASCII headline without a carriage return, step for step
    /// on byte offsets: there a byte is a `Character`, so `prefix(40)` is 40 bytes and the trim is
    /// ``isASCIIWhitespace(_:)``.
    static func stripASCII(_ headline: String, mayHaveSeparator: Bool) -> (headline: String, markers: [UpdateMarker]) {
        let utf8 = headline.utf8
        let bytes = Array(utf8)
        func slice(_ from: Int, _ to: Int) -> Substring {
            headline[utf8.index(utf8.startIndex, offsetBy: from)..<utf8.index(utf8.startIndex, offsetBy: to)]
        }
        var start = 0, end = bytes.count
        func trim() {
            while start < end, isASCIIWhitespace(bytes[start]) { start += 1 }
            while end > start, isASCIIWhitespace(bytes[end - 1]) { end -= 1 }
        }
        var markers: [UpdateMarker] = []
        var changed = true
        while changed {
            changed = false
            trim()
            if start < end, bytes[start] == 0x28, let close = bytes[start..<end].firstIndex(of: 0x29),
               let marker = parse(slice(start + 1, close)) {
                markers.append(marker)
                start = close + 1
                changed = true
                continue
            }
            if mayHaveSeparator,
               let separator = bytes[start..<min(end, start + 40)].firstIndex(where: { $0 == 0x2D || $0 == 0x3A || $0 == 0x7C }),
               let marker = parse(slice(start, separator)) {
                markers.append(marker)
                start = separator + 1
                changed = true
            }
        }
        changed = true
        while changed {
            changed = false
            trim()
            if start < end, bytes[end - 1] == 0x29, let open = bytes[start..<end].lastIndex(of: 0x28),
               let marker = parse(slice(open + 1, end - 1)) {
                markers.append(marker)
                end = open
                changed = true
            }
        }
        trim()
        return (String(slice(start, end)), markers)
    }

    /// ``strip(_:)`` on `Character`s; `mayHaveSeparator` false skips the search for a phrase before a separator
    /// (none of the separators' bytes is in the headline).
    static func stripByCharacters(_ headline: String, mayHaveSeparator: Bool = true)
        -> (headline: String, markers: [UpdateMarker]) {
        var rest = Substring(headline)
        var markers: [UpdateMarker] = []
        var changed = true
        while changed {
            changed = false
            rest = trimmed(rest)
            // A parenthesised group at the start: "(RPT) U.S. SAYS …", "(Corrects name) …".
            if rest.first == "(", let close = rest.firstIndex(of: ")"),
               let marker = parse(rest[rest.index(after: rest.startIndex)..<close]) {
                markers.append(marker)
                rest = rest[rest.index(after: close)...]
                changed = true
                continue
            }
            // A marker phrase before a separator: "UPDATE 2-…", "CORRECTED - …", "Urgent: …".
            if mayHaveSeparator, let separator = rest.prefix(40).firstIndex(where: isSeparator),
               let marker = parse(rest[..<separator]) {
                markers.append(marker)
                rest = rest[rest.index(after: separator)...]
                changed = true
            }
        }
        // Parenthesised groups at the end: "… (UPDATE 1)", "… (corrected)".
        changed = true
        while changed {
            changed = false
            rest = trimmed(rest)
            if rest.last == ")", let open = rest.lastIndex(of: "("),
               let marker = parse(rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]) {
                markers.append(marker)
                rest = rest[..<open]
                changed = true
            }
        }
        return (String(trimmed(rest)), markers)
    }

    /// Markers anywhere an agency puts them: the headline, the take key (`1st Ld-Writethru`), the editor's note
    /// (`Eds: UPDATES with …`) and a parenthesised first paragraph (`(Adds quotes)`).
    public static func markers(in article: Article) -> [UpdateMarker] {
        markers(in: article, headlineMarkers: strip(article.headline).markers)
    }

    /// ``markers(in:)`` with the headline's markers already read (``strip(_:)``; ``VersionInfo`` strips it anyway).
    static func markers(in article: Article, headlineMarkers: [UpdateMarker]) -> [UpdateMarker] {
        var found = headlineMarkers
        if let takeKey = article.takeKey {
            found += strip(takeKey).markers
            if let marker = parse(Substring(takeKey)) { found.append(marker) }
        }
        if let note = article.editorNote {
            var text = Substring(note)
            if text.uppercased().hasPrefix("EDS:") { text = text.dropFirst(4) }
            if let marker = parse(text.prefix(while: { $0 != "." && $0 != ";" })) { found.append(marker) }
        }
        // A first paragraph that opens with an ASCII byte other than whitespace and "(" cannot be a parenthesised
        // note: its first character is not "(" and is not trimmed. Most paragraphs; no walk over the text then.
        if let first = article.paragraphs.first, !opensWithoutParenthesis(first) {
            let text = trimmed(Substring(first))
            if text.first == "(", text.last == ")", let marker = parse(text.dropFirst().dropLast()) {
                found.append(marker)
            }
        }
        return found
    }

    @inline(__always)
    static func opensWithoutParenthesis(_ text: String) -> Bool {
        guard let byte = text.utf8.first else { return false }
        return byte < 0x80 && byte != 0x28 && !isASCIIWhitespace(byte)
    }

    static let separators: Set<Character> = ["-", ":", "–", "—", "|"]

    /// `separators.contains(c)` without hashing a `Character` (a string hash) per headline character.
    @inline(__always)
    static func isSeparator(_ c: Character) -> Bool {
        c == "-" || c == ":" || c == "–" || c == "—" || c == "|"
    }

    /// ``trimmed(_:)`` of an all-ASCII text, on its bytes: the ASCII characters that are whitespace are
    /// tab, line feed, vertical tab, form feed, carriage return (alone or in "\r\n") and space.
    static func trimmedASCII(_ text: String) -> String {
        let utf8 = text.utf8
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, isASCIIWhitespace(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isASCIIWhitespace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        if start == utf8.startIndex && end == utf8.endIndex { return text }
        return String(text[start..<end])
    }

    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }

    /// Reads a marker phrase (`UPDATE 2`, `1st Ld-Writethru`, `Adds quotes, background`), case-insensitively.
    /// Returns nil for anything else, so an ordinary headline prefix ("U.S.-Japan") is never taken for one.
    static func parse(_ phrase: Substring) -> UpdateMarker? {
        if rulesOutMarker(phrase) { return nil }
        return parseWords(phrase)
    }

    /// The words a marker phrase can open with (``parseWords(_:)``'s first `switch`).
    static let openingWords: Set<String> = [
        "UPDATE", "WRAPUP", "UPDATED", "UPDATES", "CORRECTED", "CORRECTION", "CORRECTS", "CORRECTING", "REFILE",
        "REFILED", "REFILES", "RPT", "REPEAT", "REPEATS", "REPEATING", "RECASTS", "RECAST", "RECASTING", "ADDS",
        "ADDING", "WRITETHRU", "WRITETHROUGH", "URGENT", "FLASH", "BULLETIN", "ALERT", "BREAKING",
    ]

    /// Whether an ASCII phrase cannot be a marker: its first word opens none, and it has more than four words or
    /// none of them is `LD`, `WRITETHRU`, `WRITETHROUGH`. Most phrases before a headline's first hyphen are
    /// ordinary words, and ``parseWords(_:)`` uppercases and splits the whole phrase into strings to say so.
    /// False (ask ``parseWords(_:)``) for a phrase with a non-ASCII byte, whose uppercasing is Unicode's.
    static func rulesOutMarker(_ phrase: Substring) -> Bool {
        var phrase = phrase
        return phrase.withUTF8 { bytes in
            @inline(__always) func splits(_ c: UInt8) -> Bool { c == 0x20 || c == 0x2D || c == 0x2C || c == 0x5F }
            let n = bytes.count
            var words = 0, i = 0, writethru = false
            while i < n {
                if bytes[i] >= 0x80 { return false }
                if splits(bytes[i]) {
                    i += 1
                    continue
                }
                var j = i
                while j < n, bytes[j] < 0x80, !splits(bytes[j]) { j += 1 }
                if j < n, bytes[j] >= 0x80 { return false }
                let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<j]), as: UTF8.self).uppercased()
                words += 1
                if words == 1 && openingWords.contains(word) { return false }
                if words > 4 { return true }
                if word == "LD" || word == "WRITETHRU" || word == "WRITETHROUGH" { writethru = true }
                i = j
            }
            return !writethru
        }
    }

    /// ``parse(_:)`` without the byte-level shortcut: the definition ``rulesOutMarker(_:)`` is tested against.
    static func parseWords(_ phrase: Substring) -> UpdateMarker? {
        let words = phrase.uppercased().split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "," || $0 == "_" })
            .map(String.init)
        guard let first = words.first else { return nil }
        let number = words.count > 1 ? Int(words[1]) : nil
        // Single-word markers must stand alone (or with a number), so "Update on talks" is not a marker phrase
        // before a separator: parenthesised notes ("Adds …", "Updates with …") may go on.
        switch first {
        case "UPDATE", "WRAPUP":
            return words.count == 1 || (words.count == 2 && number != nil) ? .update(number) : nil
        case "UPDATED":
            return words.count == 1 ? .update(nil) : nil
        case "UPDATES":
            return .update(nil)
        case "CORRECTED", "CORRECTION", "CORRECTS", "CORRECTING":
            return words.count == 1 || first == "CORRECTS" || first == "CORRECTING" ? .correction : nil
        case "REFILE", "REFILED", "REFILES":
            return words.count == 1 ? .refile : nil
        case "RPT", "REPEAT", "REPEATS", "REPEATING":
            return words.count == 1 ? .repeat : nil
        case "RECASTS", "RECAST", "RECASTING":
            return .recast
        case "ADDS", "ADDING":
            return words.count > 1 ? .adds : nil
        case "WRITETHRU", "WRITETHROUGH":
            return words.count <= 2 ? .writethru(number) : nil
        case "URGENT", "FLASH", "BULLETIN", "ALERT", "BREAKING":
            return words.count == 1 ? .priority : nil
        default:
            break
        }
        // "1st Ld-Writethru", "2nd Ld", "3RD LD WRITETHRU", "Writethru 2", "LD WRITETHRU".
        if words.contains(where: { $0 == "WRITETHRU" || $0 == "LD" || $0 == "WRITETHROUGH" }), words.count <= 4 {
            let ordinal = words.first.flatMap(ordinalValue)
            if ordinal != nil || first == "LD" { return .writethru(ordinal) }
        }
        return nil
    }

    static func ordinalValue(_ word: String) -> Int? {
        let named = ["FIRST": 1, "SECOND": 2, "THIRD": 3, "FOURTH": 4, "FIFTH": 5]
        if let value = named[word] { return value }
        for suffix in ["ST", "ND", "RD", "TH"] where word.hasSuffix(suffix) {
            return Int(word.dropLast(2))
        }
        return nil
    }
}

/// What version detection needs to know about a stored document, small enough to keep for every recent one.
public struct VersionInfo: Sendable, Hashable, Codable {
    /// The issuing source, lowercased and trimmed (`reuters`).
    public var source: String?
    /// The item id without its revision (``VersionInfo/family(of:)``).
    public var itemFamily: String?
    /// The revision: the article's `version`, else the one read from the item id.
    public var version: Int?
    /// The headline with its markers stripped, normalized (``Normalize/text(_:)``).
    public var headlineBase: String
    public var markers: [UpdateMarker]

    public init(source: String?, itemFamily: String?, version: Int?, headlineBase: String, markers: [UpdateMarker]) {
        self.source = source
        self.itemFamily = itemFamily
        self.version = version
        self.headlineBase = headlineBase
        self.markers = markers
    }

    public init(_ article: Article) {
        let stripped = UpdateMarkers.strip(article.headline)
        let source = article.source.map { $0.lowercased().trimmingWhitespace }
        self.source = source?.isEmpty == false ? source : nil
        let id = article.itemID.flatMap { $0.isEmpty ? nil : $0 }
        let split = id.map(Self.family(of:))
        itemFamily = split?.family
        version = article.version.flatMap { Int($0) } ?? split?.revision
        headlineBase = Normalize.text(stripped.headline)
        markers = UpdateMarkers.markers(in: article, headlineMarkers: stripped.markers)
    }

    /// An item id split into family and revision: NewsML 1.2 URNs end in `:RevisionId` with an optional update
    /// letter (`urn:newsml:anp.nl:20181210:ANPX-101218-041:2`, `…:bsf153:1N`), as do tag URIs of AP
    /// (`tag:ap.org,2011:…-text:2`); other ids are a family of their own (their version comes separately, as
    /// NewsML-G2's `version` attribute does).
    public static func family(of itemID: String) -> (family: String, revision: Int?) {
        let parts = itemID.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 4, let last = parts.last, !last.isEmpty else { return (itemID, nil) }
        let digits = last.prefix(while: { $0.isASCII && $0.isNumber })
        let tail = last.dropFirst(digits.count)
        guard !digits.isEmpty, tail.count <= 1, tail.allSatisfy({ $0.isLetter }) else { return (itemID, nil) }
        return (parts.dropLast().joined(separator: ":"), Int(digits))
    }
}

/// Why a document is a version of an earlier one.
public enum VersionReason: Sendable, Hashable, Codable {
    /// Same item id family: the agency says so.
    case sameItem
    /// Same source, similar text, and an update marker on the newer one.
    case updateMarker
}

public enum VersionCheck {
    /// The similarity an update needs to its original when the link rests on a marker. Lower than the
    /// near-duplicate threshold on purpose: an `UPDATE 1` adds paragraphs, so its shingle Jaccard with the first
    /// take is often 0.5–0.8; the same source and an explicit marker are what make the lower bar safe.
    public static let defaultMinimumSimilarity = 0.5

    /// Whether `new` is a version of `earlier`. `similarity` is the estimated Jaccard of their texts, when known.
    ///
    /// - Same item family (both ids present): a version, whatever the text says.
    /// - Same source, an update marker on `new` (priority labels do not count), and a similarity of at least
    ///   `minimumSimilarity` — or the same stripped headline with at least half that similarity, because a
    ///   headline the agency kept word for word is strong evidence on its own.
    /// - Anything else is not a version (the caller may still call it a near-duplicate).
    public static func reason(
        _ new: VersionInfo, of earlier: VersionInfo, similarity: Double?,
        minimumSimilarity: Double = defaultMinimumSimilarity
    ) -> VersionReason? {
        reason(VersionInfo.Key(new), of: VersionInfo.Key(earlier), similarity: similarity,
               minimumSimilarity: minimumSimilarity)
    }

    /// The same decision on the compact keys the dedup state keeps for recent documents.
    public static func reason(
        _ new: VersionInfo.Key, of earlier: VersionInfo.Key, similarity: Double?,
        minimumSimilarity: Double = defaultMinimumSimilarity
    ) -> VersionReason? {
        if new.family != 0, new.family == earlier.family {
            if let v = new.version, let w = earlier.version, v < w { return nil }
            return .sameItem
        }
        guard new.source != 0, new.source == earlier.source, new.hasUpdateMarker, let similarity else { return nil }
        if similarity >= minimumSimilarity { return .updateMarker }
        if new.headline != 0, new.headline == earlier.headline, similarity >= minimumSimilarity / 2 {
            return .updateMarker
        }
        return nil
    }
}

extension VersionInfo {
    /// What version checks need, in 32 bytes: hashes of the source, item family and stripped headline (0 when
    /// absent), the revision, and whether an update marker was present.
    public struct Key: Sendable, Hashable {
        public var source: UInt64
        public var family: UInt64
        public var headline: UInt64
        public var version: Int?
        public var hasUpdateMarker: Bool

        public init(_ info: VersionInfo) {
            source = info.source.map(Self.hash) ?? 0
            family = info.itemFamily.map(Self.hash) ?? 0
            headline = info.headlineBase.isEmpty ? 0 : Self.hash(info.headlineBase)
            version = info.version
            hasUpdateMarker = info.markers.contains(where: \.marksNewVersion)
        }

        static func hash(_ text: String) -> UInt64 {
            let h = Shingles.hashWord(text)
            return h == 0 ? 1 : h
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        String(UpdateMarkers.trimmed(Substring(self)))
    }
}
