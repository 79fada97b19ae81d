/// Dates as news text writes them (`11 Feb. 2016`, `March 11, 2016`, `Thu, 19 Feb 2015 17:18:40 +1100`,
/// `131137 GMT Nov 13`), turned into ISO 8601 strings.
///
/// ``Article`` keeps times as ISO 8601 text, with a zone only when the source gave one: a date without a
/// zone stays `2016-03-11`, a local time stays `2016-02-11T13:14`. Nothing is guessed, so nothing the
/// agency said is bent. Calendar arithmetic is not needed: nothing here converts between zones.
public enum DateText {
    /// A date found in running text.
    public struct Found: Sendable, Equatable {
        /// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM` when a time follows the date.
        public var iso: String
        /// Where the date (and its time) stood in the text, in `Character` offsets.
        public var range: Range<Int>
    }

    /// Month names and abbreviations (English, French, German, Spanish, Italian, Dutch, Portuguese), lowercased
    /// and without a trailing dot. Wire copy and saved pages in these languages are what the inboxes hold.
    static let months: [String: Int] = {
        let names: [[String]] = [
            [
                "jan", "january", "janvier", "janv", "januar", "jän", "enero", "ene", "gennaio", "gen", "januari",
                "janeiro",
            ],
            [
                "feb", "february", "février", "fevrier", "févr", "fevr", "februar", "febrero", "febbraio", "februari",
                "fevereiro", "fev", "fév",
            ],
            ["mar", "march", "mars", "märz", "maerz", "mär", "mrz", "marzo", "maart", "março", "marco"],
            ["apr", "april", "avril", "avr", "abril", "abr", "aprile"],
            ["may", "mai", "mayo", "maggio", "mag", "mei", "maio"],
            ["jun", "june", "juin", "juni", "junio", "giugno", "giu", "junho"],
            ["jul", "july", "juillet", "juil", "juli", "julio", "luglio", "lug", "julho"],
            ["aug", "august", "août", "aout", "agosto", "ago", "augustus"],
            ["sep", "sept", "september", "septembre", "septiembre", "settembre", "set", "setembro"],
            ["oct", "october", "octobre", "okt", "oktober", "octubre", "ottobre", "ott", "outubro", "out"],
            ["nov", "november", "novembre", "noviembre", "novembro"],
            [
                "dec", "december", "décembre", "decembre", "déc", "dez", "dezember", "diciembre", "dic", "dicembre",
                "dezembro",
            ],
        ]
        var table: [String: Int] = [:]
        for (index, words) in names.enumerated() {
            for word in words { table[word] = index + 1 }
        }
        return table
    }()

    /// The month a word names (`Feb.`, `février`, `Dez`), or nil.
    static func month(_ word: Substring) -> Int? {
        var key = word.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        return months[key]
    }

    // MARK: Dates in running text

    /// The first full date (day, month name, year) in `text`: `11 Feb. 2016`, `11 February 2016`,
    /// `March 11, 2016`, `Feb 11 2016`, or numeric `2016-03-11`; a following `13:14` is kept as the time.
    public static func firstDate(in text: String) -> Found? {
        allDates(in: text, limit: 1).first
    }

    /// Every full date in `text`, in order (at most `limit`).
    public static func allDates(in text: String, limit: Int = .max) -> [Found] {
        // Every date has a year of four ASCII digits (1800–2200): text without four digits in a row has none.
        guard hasFourDigits(text) else { return [] }
        if let spans = Token.spans(text) {
            // A `Substring` only for the tokens a date is tried at: making one per word of a long lead paragraph
            // cost more than the search.
            let utf8 = text.utf8
            let base = utf8.startIndex
            return dates(count: spans.count, limit: limit, yearLike: { spans[$0].yearLike }) { number in
                let span = spans[number]
                let bytes = utf8.index(base, offsetBy: span.bytes.lowerBound)..<utf8.index(base, offsetBy: span.bytes.upperBound)
                return Token(text: Substring(utf8[bytes]), range: span.characters)
            }
        }
        let tokens = Token.splitByCharacters(text)
        let yearLike = tokens.map { startsWithFourDigits($0.text) }
        return dates(count: tokens.count, limit: limit, yearLike: { yearLike[$0] }) { tokens[$0] }
    }

    /// The dates among `count` tokens (`token(i)` makes the i-th; `yearLike(i)` says whether it starts with four
    /// digits), at most `limit`.
    private static func dates(
        count: Int, limit: Int, yearLike: (Int) -> Bool, token: (Int) -> Token
    ) -> [Found] {
        var found: [Found] = []
        var index = 0
        // Every date has a token of four ASCII digits, its year: first (`2016-03-11`) or third (`11 Feb. 2016`,
        // `March 11, 2016`). Only tokens with such a token there are tried, sparing the others the month lookup.
        while index < count, found.count < limit {
            guard yearLike(index) || index + 2 < count && yearLike(index + 2) else {
                index += 1
                continue
            }
            if let (date, used) = date(at: index, count: count, token) {
                var end = token(index + used - 1).range.upperBound
                var iso = date
                if index + used < count {
                    let next = token(index + used)
                    if let time = time(next.text) {
                        iso += "T" + time
                        end = next.range.upperBound
                    }
                }
                found.append(Found(iso: iso, range: token(index).range.lowerBound..<end))
                index += used
            } else {
                index += 1
            }
        }
        return found
    }

    /// Whether `word`'s first four bytes are ASCII digits: what a year (`2016`, `2016,`) and a numeric date
    /// (`2016-03-11`) start with.
    private static func startsWithFourDigits(_ word: Substring) -> Bool {
        var digits = 0
        for byte in word.utf8 {
            guard (0x30...0x39).contains(byte) else { return false }
            digits += 1
            if digits == 4 { return true }
        }
        return false
    }

    private static func hasFourDigits(_ text: String) -> Bool {
        TextScan.withUTF8(text) { bytes in
            var run = 0
            var index = 0
            let count = bytes.count
            while index < count {
                // Eight bytes at a time where none is a digit (most of prose): they break any run.
                if index &+ 8 <= count {
                    let chunk = TextScan.eightBytes(at: index, in: bytes)
                    if TextScan.lanes(chunk, below: 0x3A) & ~TextScan.lanes(chunk, below: 0x30) == 0 {
                        run = 0
                        index &+= 8
                        continue
                    }
                }
                if bytes[index] &- 0x30 < 10 {
                    run &+= 1
                    if run == 4 { return true }
                } else {
                    run = 0
                }
                index &+= 1
            }
            return false
        }
    }

    /// A word with its character range, punctuation kept attached (`11,` `Feb.`).
    struct Token {
        var text: Substring
        var range: Range<Int>

        /// The tokens of `text`: words between whitespace and brackets.
        static func split(_ text: String) -> [Token] {
            guard let spans = spans(text) else { return splitByCharacters(text) }
            let utf8 = text.utf8
            let base = utf8.startIndex
            return spans.map { span in
                let bytes = utf8.index(base, offsetBy: span.bytes.lowerBound)..<utf8.index(base, offsetBy: span.bytes.upperBound)
                return Token(text: Substring(utf8[bytes]), range: span.characters)
            }
        }

        /// Where a token stands: its bytes and its characters, and whether it starts with four ASCII digits.
        struct Span {
            var bytes: Range<Int>
            var characters: Range<Int>
            var yearLike: Bool
        }

        /// The tokens of ``split(_:)`` as spans, from the bytes, where every scalar of `text` is a `Character` of
        /// its own (``TextScan/standsAlone(_:)``, no CR: then character offsets are scalar offsets, and a
        /// `Character` is whitespace exactly when its scalar is). Nil for other text, which is split `Character` by
        /// `Character`.
        static func spans(_ text: String) -> [Span]? {
            TextScan.withUTF8(text) { bytes -> [Span]? in
                var spans: [Span] = []
                var start = -1
                var startOffset = 0
                var offset = 0
                var index = 0
                func close(_ end: Int) {
                    var digits = 0
                    while digits < 4, start &+ digits < end, bytes[start &+ digits] &- 0x30 < 10 { digits &+= 1 }
                    spans.append(Span(bytes: start..<end, characters: startOffset..<offset, yearLike: digits == 4))
                }
                while index < bytes.count {
                    let (value, length) = TextScan.scalar(at: index, in: bytes)
                    if value == 0x0D { return nil }
                    if value >= 0x300 {
                        guard let scalar = Unicode.Scalar(value), TextScan.standsAlone(scalar) else { return nil }
                    }
                    let isSpace = TextScan.isWhitespace(value) || value == 0x28 || value == 0x29
                    if isSpace, start >= 0 {
                        close(index)
                        start = -1
                    } else if !isSpace && start < 0 {
                        start = index
                        startOffset = offset
                    }
                    index &+= length
                    offset &+= 1
                }
                if start >= 0 { close(bytes.count) }
                return spans
            }
        }

        /// ``split(_:)`` `Character` by `Character`: what the scalar paths must agree with.
        static func splitByCharacters(_ text: String) -> [Token] {
            var tokens: [Token] = []
            var start: String.Index?
            var startOffset = 0
            var offset = 0
            var index = text.startIndex
            while index < text.endIndex {
                let isSpace = text[index].isWhitespace || text[index] == "(" || text[index] == ")"
                if isSpace, let begin = start {
                    tokens.append(Token(text: text[begin..<index], range: startOffset..<offset))
                    start = nil
                } else if !isSpace && start == nil {
                    start = index
                    startOffset = offset
                }
                index = text.index(after: index)
                offset += 1
            }
            if let begin = start { tokens.append(Token(text: text[begin...], range: startOffset..<offset)) }
            return tokens
        }
    }

    private static func digits(_ word: Substring, trimming: String = ",.") -> Int? {
        // One to four ASCII digits once trailing ASCII punctuation is gone, or nil: in bytes, since most words
        // are not figures.
        var utf8 = word.utf8[...]
        while let last = utf8.last, last < 0x80, trimming.utf8.contains(last) { utf8 = utf8.dropLast() }
        guard !utf8.isEmpty, utf8.count <= 4, utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        // Then the whole word is ASCII (the digits, then the trimmed bytes), one `Character` per byte: its
        // `Character`s trim to the same digits, and their value is read from the bytes.
        return utf8.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    private static func date(at index: Int, count: Int, _ token: (Int) -> Token) -> (String, Int)? {
        let first = token(index).text
        // Cheap test first: a date starts with a digit or with a month name (at least three letters). ASCII
        // punctuation, and words too short in bytes to be a month, are ruled out before any character is formed.
        if let byte = first.utf8.first, byte < 0x80,
            !((0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte))
                || ((0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)) && first.utf8.count < 3
        {
            return nil
        }
        guard let lead = first.first, lead.isNumber || (lead.isLetter && first.count >= 3 && first.count <= 10) else {
            return nil
        }
        // 2016-03-11 (possibly with a time: 2016-03-11T10:00:00Z is left to isoTimestamp).
        if let iso = numericDate(first) { return (iso, 1) }
        guard index + 2 < count else { return nil }
        let second = token(index + 1).text
        let third = token(index + 2).text
        // 11 Feb. 2016 / 11. Februar 2016 / 11 de febrero de 2016 is not handled (rare on the wire).
        if let day = digits(first, trimming: ".,"), let month = month(second), let year = digits(third) {
            return assemble(year, month, day).map { ($0, 3) }
        }
        // March 11, 2016 / Feb 11 2016 (the day first: a figure is cheaper to rule out than a month name)
        if let day = digits(second, trimming: ",."), let month = month(first), let year = digits(third) {
            return assemble(year, month, day).map { ($0, 3) }
        }
        return nil
    }

    private static func assemble(_ year: Int, _ month: Int, _ day: Int) -> String? {
        guard (1...31).contains(day), (1...12).contains(month), (1800...2200).contains(year) else { return nil }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    private static func numericDate(_ word: Substring) -> String? {
        // Four ASCII digits and a hyphen, or no date: most words fail here without splitting.
        let utf8 = word.utf8
        guard utf8.count >= 10, utf8.prefix(4).allSatisfy({ (0x30...0x39).contains($0) }),
            utf8[utf8.index(utf8.startIndex, offsetBy: 4)] == UInt8(ascii: "-")
        else { return nil }
        let core = word.prefix(10)
        let parts = core.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return assemble(year, month, day)
    }

    /// `13:14` or `13:14:05` (24-hour clock), possibly followed by punctuation.
    private static func time(_ word: Substring) -> String? {
        var core = word
        while let last = core.last, ",.;".contains(last) { core = core.dropLast() }
        let parts = core.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
        else { return nil }
        if parts.count == 3 {
            guard let second = Int(parts[2]), second < 61 else { return nil }
            return "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        }
        return "\(pad(hour, 2)):\(pad(minute, 2))"
    }

    // MARK: RFC 5322

    /// `Thu, 19 Feb 2015 17:18:40 +1100` → `2015-02-19T17:18:40+11:00`. The day of the week, seconds and
    /// comments are optional; obsolete zone names (`GMT`, `EST`, …) are read; two-digit years follow RFC 5322
    /// (< 50 → 20xx). Nil if it is not such a date.
    public static func rfc5322(_ value: String) -> String? {
        var words = value.split(whereSeparator: { $0.isWhitespace }).map { Substring($0) }
        if let comment = words.firstIndex(where: { $0.hasPrefix("(") }) { words = Array(words[..<comment]) }
        if let first = words.first,
            first.hasSuffix(",") || (first.count == 3 && month(first) == nil && Int(first) == nil)
        {
            words.removeFirst()
        }
        guard words.count >= 4, let day = digits(words[0]), let month = month(words[1]), var year = digits(words[2])
        else { return nil }
        if words[2].count == 2 { year += year < 50 ? 2000 : 1900 } else if words[2].count == 3 { year += 1900 }
        guard let date = assemble(year, month, day), let clock = time(words[3]) else { return nil }
        let time = clock.count == 5 ? clock + ":00" : clock
        guard words.count >= 5, let zone = zone(words[4]) else { return "\(date)T\(time)" }
        return "\(date)T\(time)\(zone)"
    }

    /// `+1100` → `+11:00`, `GMT`/`UT`/`Z` → `Z`, North American names by RFC 5322; nil for `-0000` (which
    /// RFC 5322 says means "zone unknown") and for anything unreadable.
    static func zone(_ word: Substring) -> String? {
        let named: [String: String] = [
            "GMT": "Z", "UT": "Z", "UTC": "Z", "Z": "Z", "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00",
            "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
        ]
        if let zone = named[word.uppercased()] { return zone }
        guard word.count == 5, let sign = word.first, sign == "+" || sign == "-",
            word.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        if word == "-0000" { return nil }
        if word == "+0000" { return "Z" }
        let digits = word.dropFirst()
        return "\(sign)\(digits.prefix(2)):\(digits.suffix(2))"
    }

    // MARK: ISO 8601 as feeds write it

    /// An ISO 8601 timestamp as a feed wrote it, with the zone offset in extended form (`+0000` → `+00:00`)
    /// so every stored time has one shape; anything else is returned unchanged.
    public static func normalizedISO(_ value: String) -> String {
        let trimmed = value.trimmingSpaces
        let scalars = Array(trimmed.unicodeScalars)
        guard scalars.count >= 5, scalars.count > 10, trimmed.contains("T") else { return trimmed }
        let tail = scalars.suffix(5)
        guard let sign = tail.first, sign == "+" || sign == "-",
            tail.dropFirst().allSatisfy({ $0.properties.numericType != nil && $0.isASCII })
        else { return trimmed }
        let head = String(String.UnicodeScalarView(scalars.dropLast(5)))
        let digits = String(String.UnicodeScalarView(tail.dropFirst()))
        return "\(head)\(sign)\(digits.prefix(2)):\(digits.suffix(2))"
    }

    // MARK: Wire trailers

    /// An IPTC 7901 / dpa-style trailer stamp `DDHHMM [GMT] Mon YY` (`131137 GMT Nov 13`, `091223 dec 18`)
    /// → `2013-11-13T11:37:00Z` (no zone when the stamp names none).
    static func wireStamp(_ text: String) -> String? {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count >= 3, words[0].count == 6, words[0].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        let stamp = Array(words[0])
        guard let day = Int(String(stamp[0...1])), let hour = Int(String(stamp[2...3])),
            let minute = Int(String(stamp[4...5])),
            hour < 24, minute < 60
        else { return nil }
        var rest = words.dropFirst()
        var zoneText: String?
        if let first = rest.first, first.uppercased() == "GMT" || first.uppercased() == "UTC" {
            zoneText = "Z"
            rest = rest.dropFirst()
        }
        guard rest.count >= 2, let month = month(rest[rest.startIndex]), let year2 = digits(rest[rest.startIndex + 1]),
            rest[rest.startIndex + 1].count == 2,
            let date = assemble(2000 + year2, month, day)
        else { return nil }
        return "\(date)T\(pad(hour, 2)):\(pad(minute, 2)):00\(zoneText ?? "")"
    }

    /// An AP trailer stamp `MM-DD-YY HHMMGMT` (`11-13-13 0745GMT`) → `2013-11-13T07:45:00Z`.
    static func apStamp(_ date: Substring, _ time: Substring) -> String? {
        let parts = date.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[0]), let day = Int(parts[1]), let year2 = Int(parts[2]),
            parts[2].count == 2, let iso = assemble(2000 + year2, month, day)
        else { return nil }
        var clock = time
        var zone = ""
        if clock.uppercased().hasSuffix("GMT") {
            clock = clock.dropLast(3)
            zone = "Z"
        }
        guard clock.count == 4, clock.allSatisfy({ $0.isASCII && $0.isNumber }),
            let hour = Int(clock.prefix(2)), let minute = Int(clock.suffix(2)), hour < 24, minute < 60
        else { return nil }
        return "\(iso)T\(pad(hour, 2)):\(pad(minute, 2)):00\(zone)"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
