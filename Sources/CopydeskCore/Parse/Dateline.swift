/// The dateline that opens a wire story's first paragraph: `BRUSSELS/MOSCOW (Sputnik) —`, `Berlin (dpa) -`,
/// `ROSCOE, South Dakota (AP) _`, `BRUSSELS, Feb 11 (Reuters) -`, `LOS ANGELES, March 10 AAP –`,
/// `Paris (ats afp)`.
///
/// Shared by every text-based parser (ANPA-1312, IPTC 7901, e-mail, plain text) because agencies write it
/// the same way whatever the framing. It is recognised by shape — a short place, an optional date, an agency
/// in brackets or a capitalised agency before a dash — never by a list of places or agencies.
public struct Dateline: Sendable, Equatable {
    /// As printed, including the dash (`Berlin (dpa) -`).
    public var printed: String
    /// `Berlin`, `ROSCOE, South Dakota`, `BRUSSELS/MOSCOW`.
    public var place: String
    /// The agency named in it (`dpa`, `AP`, `Sputnik`), if any.
    public var source: String?
    /// The date in it (`Feb 11`), as written; no year, so not ISO.
    public var dateText: String?

    /// Longest place name considered (characters); a longer "place" is the start of a sentence.
    static let placeLimit = 60
    static let dashes: Set<String> = ["-", "--", "–", "—", "_", "="]
    private static let placePunctuation: Set<Character> = [".", "!", "?", ":", ";", "\"", "“", "”", "'", "’"]

    /// One of ``dashes``.
    static func isDash(_ word: Substring) -> Bool {
        // Compared as bytes, without making a String of every short word: no other text is canonically
        // equivalent to any of these.
        let utf8 = word.utf8
        switch utf8.count {
        case 1:
            let byte = utf8.first!
            return byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "=")
        case 2: return utf8.first == UInt8(ascii: "-") && utf8.last == UInt8(ascii: "-")
        case 3:
            var bytes = utf8.makeIterator()
            guard bytes.next() == 0xE2, bytes.next() == 0x80, let last = bytes.next() else { return false }
            return last == 0x93 || last == 0x94
        default: return false
        }
    }

    /// ``isDash(_:)`` of the word at `range` of `bytes`.
    static func isDash(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let first = bytes[range.lowerBound]
        switch range.count {
        case 1: return first == UInt8(ascii: "-") || first == UInt8(ascii: "_") || first == UInt8(ascii: "=")
        case 2: return first == UInt8(ascii: "-") && bytes[range.lowerBound + 1] == UInt8(ascii: "-")
        case 3:
            let last = bytes[range.lowerBound + 2]
            return first == 0xE2 && bytes[range.lowerBound + 1] == 0x80 && (last == 0x93 || last == 0x94)
        default: return false
        }
    }

    /// The dateline at the start of `paragraph`, if it has one.
    public static func find(in paragraph: String) -> Dateline? {
        // A dateline is within the first 18 words (agency by the 12th, closed within 5, a dash after): 24 words
        // answer every test below as the whole paragraph would.
        find(words: TextScan.spaceSeparated(paragraph, limit: wordLimit))
    }

    /// How many words of a paragraph ``find(in:)`` needs.
    static let wordLimit = 24

    /// ``find(in:)`` for a paragraph already split at spaces (at least its first ``wordLimit`` words).
    static func find(words: [Substring]) -> Dateline? {
        guard words.count >= 3 else { return nil }
        if let bracketed = bracketed(words) { return bracketed }
        return dashed(words)
    }

    /// `PLACE[, DATE] (AGENCY) [DASH]`.
    private static func bracketed(_ words: [Substring]) -> Dateline? {
        guard let open = words.prefix(12).firstIndex(where: { $0.utf8.first == UInt8(ascii: "(") && $0.hasPrefix("(") }),
            open > 0,
            let close = words[open...].prefix(5).firstIndex(where: { $0.hasSuffix(")") || $0.hasSuffix("),") })
        else { return nil }
        let agencyWords = words[open...close]
        var agency = agencyWords.joined(separator: " ")
        agency.removeFirst()
        while let last = agency.last, last == ")" || last == "," { agency.removeLast() }
        guard isAgency(agency) else { return nil }
        let (place, date) = placeAndDate(words[..<open])
        guard let place,
            isPlace(place, dashFollows: close + 1 < words.count && isDash(words[close + 1]))
        else { return nil }
        var end = close + 1
        if end < words.count, isDash(words[end]) { end += 1 }
        guard end < words.count else { return nil }
        return Dateline(
            printed: words[..<end].joined(separator: " "), place: place, source: agency, dateText: date
        )
    }

    /// `PLACE, DATE AGENCY DASH` (AAP: `LOS ANGELES, March 10 AAP –`) or `PLACE DASH` (`WASHINGTON —`).
    private static func dashed(_ words: [Substring]) -> Dateline? {
        guard let dash = words.prefix(10).firstIndex(where: isDash), dash > 0,
            dash + 1 < words.count
        else { return nil }
        var head = words[..<dash]
        var agency: String?
        if let last = head.last, head.count >= 2, isAgency(String(last)), last.allSatisfy({ $0.isUppercase }),
            head[head.index(before: head.endIndex) - 1].last?.isNumber == true
        {
            agency = String(last)
            head = head.dropLast()
        }
        let (place, date) = placeAndDate(head)
        guard let place, isPlace(place, dashFollows: true) else { return nil }
        // A bare `PLACE —` must look like a dateline: capitals, as agencies print the place.
        if agency == nil && date == nil && place.contains(where: \.isLowercase) { return nil }
        return Dateline(printed: words[...dash].joined(separator: " "), place: place, source: agency, dateText: date)
    }

    /// Splits `BRUSSELS, Feb 11` into the place and the date text.
    private static func placeAndDate(_ words: ArraySlice<Substring>) -> (String?, String?) {
        guard !words.isEmpty else { return (nil, nil) }
        var placeWords = Array(words)
        var date: String?
        if placeWords.count >= 3, DateText.month(placeWords[placeWords.count - 2]) != nil,
            let last = placeWords.last, last.allSatisfy({ $0.isNumber }), last.count <= 2
        {
            date = placeWords.suffix(2).joined(separator: " ")
            placeWords.removeLast(2)
        }
        var place = placeWords.joined(separator: " ")
        while let last = place.last, last == "," { place.removeLast() }
        return (place.isEmpty ? nil : place, date)
    }

    /// A place: short, starts with a capital, no sentence punctuation, few words, and either in capitals
    /// (`ROSCOE, South Dakota`) or title case. Without a dash after the brackets only short title-case or
    /// capitalised names count, so `The North Atlantic Treaty Organization's (NATO) decision` is no dateline.
    private static func isPlace(_ place: String, dashFollows: Bool) -> Bool {
        if let answer = TextScan.withUTF8(place, { isASCIIPlace($0, dashFollows: dashFollows) }) { return answer }
        return isPlaceByCharacters(place, dashFollows: dashFollows)
    }

    /// ``isPlace(_:dashFollows:)`` on the bytes of a place of ASCII without CR (one `Character` per byte, and a
    /// byte is a letter, an uppercase or a lowercase `Character` exactly when it is one of A–Z and a–z), or nil
    /// for other text.
    static func isASCIIPlace(_ bytes: UnsafeBufferPointer<UInt8>, dashFollows: Bool) -> Bool? {
        for byte in bytes where byte >= 0x80 || byte == 0x0D { return nil }
        guard bytes.count <= placeLimit, let first = bytes.first, first &- 0x41 < 26 else { return false }
        var punctuation = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ";"),
                UInt8(ascii: "\""), UInt8(ascii: "'"):
                punctuation = true
            default: continue
            }
        }
        if punctuation && bytes.last != UInt8(ascii: ".") { return false }
        var words = 0
        var start = 0
        var index = 0
        while index <= bytes.count {
            if index < bytes.count, bytes[index] != 0x20, bytes[index] != UInt8(ascii: "/"),
                bytes[index] != UInt8(ascii: ",")
            {
                index += 1
                continue
            }
            if index > start {
                words += 1
                if words > (dashFollows ? 6 : 3) { return false }
                // A word in lower case must be a connector.
                if bytes[start] &- 0x61 < 26 {
                    let word = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    guard asciiConnectors.contains(where: { $0.elementsEqual(word) }) else { return false }
                }
            }
            index += 1
            start = index
        }
        return true
    }

    /// Lowercase words a place name may hold (`Stratford upon Avon`, `Frankfurt am Main`).
    static let connectors: Set<Substring> = [
        "de", "del", "la", "le", "am", "an", "der", "sur", "upon", "on", "of", "es",
    ]
    private static let asciiConnectors: [[UInt8]] = connectors.map { Array($0.utf8) }

    /// ``isPlace(_:dashFollows:)`` `Character` by `Character`: for text beyond ASCII, and what the bytes must
    /// agree with.
    static func isPlaceByCharacters(_ place: String, dashFollows: Bool) -> Bool {
        guard place.count <= placeLimit, let first = place.first, first.isUppercase else { return false }
        if place.contains(where: { placePunctuation.contains($0) }) && !place.hasSuffix(".") { return false }
        let words = place.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "," })
        guard words.count <= (dashFollows ? 6 : 3) else { return false }
        let lowercaseWords = words.filter { $0.first?.isLowercase == true }
        return lowercaseWords.allSatisfy { connectors.contains($0) }
    }

    /// An agency name: 1–4 words of letters (`AP`, `dpa`, `ats afp`, `Sputnik`, `AFP/Getty`), at most 30
    /// characters, no digits.
    private static func isAgency(_ text: String) -> Bool {
        if let answer = TextScan.withUTF8(text, isASCIIAgency) { return answer }
        return isAgencyByCharacters(text)
    }

    /// ``isAgency(_:)`` on the bytes of ASCII text without CR (one `Character` per byte, a letter exactly when it
    /// is one of A–Z and a–z), or nil for other text.
    static func isASCIIAgency(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        for byte in bytes where byte >= 0x80 || byte == 0x0D { return nil }
        guard bytes.count <= 30 else { return false }
        var words = 0
        var inWord = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "&"):
                inWord = false
            default:
                if !inWord {
                    words += 1
                    inWord = true
                }
                guard (byte | 0x20) &- 0x61 < 26 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "'") else {
                    return false
                }
            }
        }
        return (1...4).contains(words)
    }

    /// ``isAgency(_:)`` `Character` by `Character`: for text beyond ASCII, and what the bytes must agree with.
    static func isAgencyByCharacters(_ text: String) -> Bool {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "-" || $0 == "&" })
        guard (1...4).contains(words.count), text.count <= 30 else { return false }
        return words.allSatisfy { word in word.allSatisfy { $0.isLetter || $0 == "." || $0 == "'" } }
    }
}
