#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fast paths for the character-by-character work of the text parsers and of ``Clean``: splitting on
/// whitespace, collapsing runs of it, lowercasing words, counting characters.
///
/// The readers were written with Swift `Character`s, whose grapheme breaking costs tens of nanoseconds per
/// character, several times over per document. These functions do the same on UTF-8 bytes. They agree with the
/// `Character` versions whenever whitespace characters are single scalars, which is all real text: a
/// `Character` is whitespace when its first scalar is, and a whitespace scalar heads a longer `Character` only
/// when a combining mark, a joiner or an emoji modifier follows it (`" \u{301}"`), or follows a prepended
/// concatenation mark. Where they meet such a pair, the functions answer nil and the caller takes the
/// `Character` path, so the results never depend on which path ran.
enum TextScan {
    /// Unicode's `White_Space` property (a fixed list): what `Unicode.Scalar.Properties.isWhitespace` and
    /// `Character.isWhitespace` test.
    @inline(__always)
    static func isWhitespace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// Whitespace that grapheme breaking treats as a control (a cluster of its own): tab, line breaks, NEL,
    /// the line and paragraph separators. Other whitespace (space, no-break space) can carry a combining mark.
    @inline(__always)
    static func isControlWhitespace(_ value: UInt32) -> Bool {
        (0x09...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }

    /// Could `scalar` join the cluster before it (grapheme `Extend`, `ZWJ`, `SpacingMark`), or head one that
    /// absorbs what follows (`Prepend`)? Errs towards yes: a yes only sends the caller to the slow path.
    static func mayJoin(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value >= 0x300 else { return false }
        let properties = scalar.properties
        // Thai and Lao SARA AM are letters that grapheme breaking counts as spacing marks.
        if scalar.value == 0xE33 || scalar.value == 0xEB3 { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .format: return true
        default: return properties.isGraphemeExtend || properties.isEmojiModifier
        }
    }

    /// The bytes of `bytes[from...]` (valid UTF-8) without leading and trailing Unicode whitespace; empty (at the
    /// end) when nothing else is there.
    static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Range<Int> {
        var start = from
        while start < bytes.count {
            let (value, length) = scalar(at: start, in: bytes)
            if !isWhitespace(value) { break }
            start += length
        }
        var end = bytes.count
        while end > start {
            var lead = end - 1
            while bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
            if !isWhitespace(scalar(at: lead, in: bytes).0) { break }
            end = lead
        }
        return start..<end
    }

    /// Decodes the scalar whose lead byte is at `index` of valid UTF-8, returning it and its length.
    @inline(__always)
    static func scalar(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (UInt32, Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
        }
        let value = (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
            | UInt32(bytes[index + 3] & 0x3F)
        return (value, 4)
    }

    // MARK: Eight bytes at a time

    /// The eight bytes of `bytes` from `index` (at least eight remain), the first in the low byte.
    @inline(__always)
    static func eightBytes(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
    }

    /// Per byte of `word`, 0x80 where it equals `byte`, 0 elsewhere (exact: no carry crosses bytes).
    @inline(__always)
    static func lanes(_ word: UInt64, equalTo byte: UInt8) -> UInt64 {
        let difference = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return ~(((difference & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | difference)
            & 0x8080_8080_8080_8080
    }

    /// Per byte of `word`, 0x80 where it is below `limit` (at most 0x80), 0 elsewhere (exact).
    @inline(__always)
    static func lanes(_ word: UInt64, below limit: UInt8) -> UInt64 {
        let sum = (word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x0101_0101_0101_0101 &* UInt64(0x80 - limit)
        return ~(sum | word) & 0x8080_8080_8080_8080
    }

    /// Whether all eight bytes of `word` are printable ASCII or spaces (0x20–0x7E).
    @inline(__always)
    static func isPrintableASCII(_ word: UInt64) -> Bool {
        // Per lane, with the top bit cleared: adding 0x60 sets it from 0x20 up, adding 0x01 sets it only for 0x7F
        // (no carry leaves a lane). Half the operations of testing below 0x20 and equal to 0x7F apart.
        let low = word & 0x7F7F_7F7F_7F7F_7F7F
        return (word | ~(low &+ 0x6060_6060_6060_6060) | (low &+ 0x0101_0101_0101_0101)) & 0x8080_8080_8080_8080 == 0
    }

    /// Per byte of `word`, 0x80 where it is a C0 control or DEL (below 0x20, or 0x7F), 0 elsewhere (exact):
    /// `lanes(word, below: 0x20) | lanes(word, equalTo: 0x7F)` in fewer operations.
    @inline(__always)
    static func controlLanes(_ word: UInt64) -> UInt64 {
        let low = word & 0x7F7F_7F7F_7F7F_7F7F
        return (~(low &+ 0x6060_6060_6060_6060) | (low &+ 0x0101_0101_0101_0101)) & ~word & 0x8080_8080_8080_8080
    }

    /// Runs `body` on the UTF-8 bytes of `text` (contiguous for native strings; copied otherwise).
    @inline(__always)
    static func withUTF8<R>(_ text: Substring, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    @inline(__always)
    static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// The byte ranges of the whitespace-separated words of `bytes` (`split(whereSeparator: \.isWhitespace)`),
    /// or nil where a whitespace scalar may head a longer `Character` or a prepended mark precedes one.
    /// With `spacesOnly`, only U+0020 separates (`split(separator: " ")`).
    static func wordRanges(
        _ bytes: UnsafeBufferPointer<UInt8>, spacesOnly: Bool = false, limit: Int = .max
    ) -> [Range<Int>]? {
        if spacesOnly, let ranges = asciiSpaceRanges(bytes, limit: limit) { return ranges }
        return wordRangesByScalars(bytes, spacesOnly: spacesOnly, limit: limit)
    }

    /// ``wordRanges(_:spacesOnly:limit:)`` with `spacesOnly` where every byte it reads is ASCII (then U+0020 alone
    /// separates, and nothing can join a space): the next space found eight bytes at a time. Nil at the first byte
    /// beyond ASCII, where the scalar walk decides.
    static func asciiSpaceRanges(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(min(limit, bytes.count / 5 + 1))
        let count = bytes.count
        var index = 0
        while true {
            while index < count, bytes[index] == 0x20 { index &+= 1 }
            if index >= count { break }
            // The scalar walk refuses a scalar that could join the space before it even past the limit: one beyond
            // ASCII here is left to it.
            if ranges.count == limit { return bytes[index] < 0x80 ? ranges : nil }
            let start = index
            var ended = false
            while index &+ 8 <= count {
                let chunk = eightBytes(at: index, in: bytes)
                let spaces = lanes(chunk, equalTo: 0x20)
                let high = chunk & 0x8080_8080_8080_8080
                // A byte beyond ASCII before the next space (or with none in sight) is left to the scalar walk.
                if high != 0 && (spaces == 0 || high & (0 &- high) < spaces & (0 &- spaces)) { return nil }
                if spaces != 0 {
                    index &+= spaces.trailingZeroBitCount >> 3
                    ended = true
                    break
                }
                index &+= 8
            }
            if !ended {
                while index < count, bytes[index] != 0x20 {
                    if bytes[index] >= 0x80 { return nil }
                    index &+= 1
                }
            }
            ranges.append(start..<index)
        }
        return ranges
    }

    /// ``wordRanges(_:spacesOnly:limit:)`` scalar by scalar: for any text, and what ``asciiSpaceRanges(_:limit:)``
    /// must agree with.
    static func wordRangesByScalars(
        _ bytes: UnsafeBufferPointer<UInt8>, spacesOnly: Bool = false, limit: Int = .max
    ) -> [Range<Int>]? {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(min(limit, bytes.count / 5 + 1))
        var index = 0
        var wordStart = -1
        var previous: UInt32 = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            // Inside a word of printable ASCII, the usual case, there is nothing to decide.
            if byte > 0x20 && byte < 0x7F && wordStart >= 0 {
                previous = UInt32(byte)
                index += 1
                continue
            }
            let value: UInt32
            let length: Int
            if byte < 0x80 {
                value = UInt32(byte)
                length = 1
            } else {
                (value, length) = scalar(at: index, in: bytes)
                if previous == 0x20
                    || (!spacesOnly && previous >= 0x80 && isWhitespace(previous) && !isControlWhitespace(previous)),
                    let scalar = Unicode.Scalar(value), mayJoin(scalar)
                {
                    return nil
                }
            }
            if spacesOnly ? value == 0x20 : isWhitespace(value) {
                if previous >= 0x600 && isPrepend(previous) { return nil }
                if wordStart >= 0 {
                    ranges.append(wordStart..<index)
                    wordStart = -1
                }
            } else if wordStart < 0 {
                // Only once the next word starts is the last one known to have ended (a combining mark after
                // the space would have made the space part of a longer character).
                if ranges.count == limit { return ranges }
                wordStart = index
            }
            previous = value
            index += length
        }
        if wordStart >= 0 { ranges.append(wordStart..<count) }
        return ranges
    }

    /// Grapheme `Prepend` scalars (Arabic and Syriac number signs, a few Brahmic marks): they bind the
    /// whitespace after them into their `Character`.
    static func isPrepend(_ value: UInt32) -> Bool {
        switch value {
        case 0x600...0x605, 0x6DD, 0x70F, 0x890...0x891, 0x8E2, 0xD4E, 0x110BD, 0x110CD, 0x111C2...0x111C3,
            0x113D1, 0x1193F, 0x11941, 0x11A3A, 0x11A84...0x11A89, 0x11D46, 0x11F02:
            return true
        default:
            return false
        }
    }

    /// Whether the scalar that ends just before byte `index` of `bytes` is a grapheme `Prepend` (which joins the
    /// scalar at `index` into its `Character`).
    static func prependPrecedes(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard index > 0, bytes[index - 1] >= 0x80 else { return false }
        var start = index - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return isPrepend(scalar(at: start, in: bytes).0)
    }

    /// The words of `text` (`text.split(whereSeparator: \.isWhitespace)`).
    static func words(_ text: Substring) -> [Substring] {
        let ranges = withUTF8(text) { wordRanges($0) }
        guard let ranges else { return text.split(whereSeparator: \.isWhitespace) }
        return substrings(of: text, ranges)
    }

    static func words(_ text: String) -> [Substring] { words(text[...]) }

    /// `text.split(separator: " ")`, or its first `limit` words when there are more (for callers that look at
    /// the first words and compare the count with numbers below `limit`).
    static func spaceSeparated(_ text: Substring, limit: Int = .max) -> [Substring] {
        let ranges = withUTF8(text) { wordRanges($0, spacesOnly: true, limit: limit) }
        guard let ranges else { return Array(text.split(separator: " ").prefix(limit)) }
        return substrings(of: text, ranges)
    }

    static func spaceSeparated(_ text: String, limit: Int = .max) -> [Substring] {
        spaceSeparated(text[...], limit: limit)
    }

    /// The `Substring`s of `text` at byte `ranges` (scalar boundaries).
    static func substrings(of text: Substring, _ ranges: [Range<Int>]) -> [Substring] {
        let utf8 = text.utf8
        let base = utf8.startIndex
        return ranges.map { range in
            Substring(utf8[utf8.index(base, offsetBy: range.lowerBound)..<utf8.index(base, offsetBy: range.upperBound)])
        }
    }

    /// Runs of whitespace as one space, none at either end
    /// (`text.split(whereSeparator: \.isWhitespace).joined(separator: " ")`).
    static func collapse(_ text: Substring) -> String {
        let result: String? = withUTF8(text) { bytes in
            // Most paragraphs already are: one pass, no word list, and a copy of the bytes that is not validated
            // again (they come from a String).
            if isCollapsed(bytes) { return String(text) }
            guard let ranges = wordRanges(bytes) else { return nil }
            guard !ranges.isEmpty else { return "" }
            let length = ranges.reduce(ranges.count - 1) { $0 + $1.count }
            if ranges.count == 1 && length == bytes.count { return String(decoding: bytes, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: length) { out in
                var position = 0
                guard let source = bytes.baseAddress, let target = out.baseAddress else { return 0 }
                for (number, range) in ranges.enumerated() {
                    if number > 0 {
                        target[position] = 0x20
                        position += 1
                    }
                    (target + position).update(from: source + range.lowerBound, count: range.count)
                    position += range.count
                }
                return position
            }
        }
        return result ?? text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether `bytes` need no collapsing: one space between words, none at the ends, and words of printable
    /// ASCII or of scalars that are never whitespace and cannot join a space before them. Errs towards false,
    /// which only sends the text the long way.
    static func isCollapsed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count > 0, bytes[0] != 0x20, bytes[count - 1] != 0x20 else { return false }
        var index = 0
        var afterSpace = false
        while index < count {
            if index &+ 16 <= count {
                // Sixteen printable bytes or spaces at a time (most of a paragraph): collapsed unless two spaces
                // meet, within either half or across them.
                let first = eightBytes(at: index, in: bytes)
                let second = eightBytes(at: index &+ 8, in: bytes)
                if isPrintableASCII(first), isPrintableASCII(second) {
                    let spaces = lanes(first, equalTo: 0x20)
                    let more = lanes(second, equalTo: 0x20)
                    if spaces & (spaces << 8) | more & (more << 8) | more & (spaces >> 56) != 0
                        || afterSpace && spaces & 0x80 != 0
                    {
                        return false
                    }
                    afterSpace = more >> 63 != 0
                    index &+= 16
                    continue
                }
            }
            if index &+ 8 <= count {
                // Eight printable bytes or spaces at a time: collapsed unless two spaces meet.
                let chunk = eightBytes(at: index, in: bytes)
                if isPrintableASCII(chunk) {
                    let spaces = lanes(chunk, equalTo: 0x20)
                    if spaces & (spaces << 8) != 0 || afterSpace && spaces & 0x80 != 0 { return false }
                    afterSpace = spaces >> 63 != 0
                    index &+= 8
                    continue
                }
            }
            let byte = bytes[index]
            if byte > 0x20 && byte < 0x7F {
                afterSpace = false
                index += 1
                continue
            }
            if byte == 0x20 {
                if afterSpace { return false }
                afterSpace = true
                index += 1
                continue
            }
            switch byte {
            case 0xC2:
                // U+00A1–U+00BF but the soft hyphen: Latin-1 punctuation and symbols (£ © ° « »), none whitespace
                // (U+00A0 is) and none a mark or format character that could join a space before it.
                guard index + 1 < count, bytes[index + 1] >= 0xA1, bytes[index + 1] != 0xAD else { return false }
                index += 2
            case 0xC3...0xCB, 0xCE...0xD1:
                // U+00C0–U+02FF and U+0380–U+047F: letters and modifiers, no whitespace, no marks.
                guard index + 1 < count else { return false }
                index += 2
            case 0xCC...0xCD, 0xD2...0xD7:
                // U+0300–U+036F and U+0480–U+05FF hold combining marks: fine inside a word, not after a space.
                if afterSpace || index + 1 >= count { return false }
                index += 2
            case 0xE2:
                // U+2010–U+2027 and U+2030–U+203F: dashes, quotes, bullets, ellipsis, primes, guillemets.
                guard index + 2 < count, bytes[index + 1] == 0x80,
                    (0x90...0xA7).contains(bytes[index + 2]) || (0xB0...0xBF).contains(bytes[index + 2])
                else { return false }
                index += 3
            default:
                return false
            }
            afterSpace = false
        }
        return true
    }

    /// `text.hasPrefix("©")`: its first `Character` is U+00A9 alone (nothing else is canonically equivalent to
    /// it). From the bytes unless a scalar beyond ASCII follows it (which might join it).
    static func startsWithCopyright(_ text: String) -> Bool {
        let answer: Bool? = withUTF8(text) { bytes in
            guard bytes.count >= 2, bytes[0] == 0xC2, bytes[1] == 0xA9 else { return false }
            return bytes.count == 2 || bytes[2] < 0x80 ? true : nil
        }
        return answer ?? text.hasPrefix("©")
    }

    /// Whether every `Character` of `text` is whitespace.
    static func isBlank(_ text: Substring) -> Bool {
        let blank: Bool? = withUTF8(text) { bytes in
            var ascii = true
            for byte in bytes {
                if byte >= 0x80 {
                    ascii = false
                } else if !(byte == 0x20 || (0x09...0x0D).contains(byte)) {
                    return false
                }
            }
            // ASCII whitespace alone (an empty line most often) is blank: no word list needed to say so.
            if ascii { return true }
            guard let ranges = wordRanges(bytes) else { return nil }
            return ranges.isEmpty
        }
        return blank ?? text.allSatisfy(\.isWhitespace)
    }

    /// `text.count`, without grapheme breaking when every scalar is below U+0300 and none is a CR (then each
    /// scalar is one `Character`).
    static func characterCount(_ text: Substring) -> Int {
        let count: Int? = withUTF8(text) { bytes in
            var scalars = 0
            for byte in bytes {
                if byte < 0x80 {
                    if byte == 0x0D { return nil }
                    scalars += 1
                } else if byte >= 0xC0 {
                    // U+0300 and up take a lead byte of 0xCC or more.
                    if byte >= 0xCC { return nil }
                    scalars += 1
                }
            }
            return scalars
        }
        return count ?? text.count
    }

    static func characterCount(_ text: String) -> Int { characterCount(text[...]) }

    /// Whether `text` has at least `limit` characters, counting no further than needed.
    static func hasCharacters(_ text: Substring, atLeast limit: Int) -> Bool {
        if text.utf8.count < limit { return false }
        // Scalars below U+0300 other than CR each start a `Character` (none extends or is extended by the one
        // before it): counted from the bytes, only until `limit` of them, or until one that is not such a scalar.
        let counted: Bool? = withUTF8(text) { bytes in
            var scalars = 0
            for byte in bytes {
                if byte < 0x80 {
                    if byte == 0x0D { return nil }
                } else if byte >= 0xC0 {
                    if byte >= 0xCC { return nil }
                } else {
                    continue
                }
                scalars &+= 1
                if scalars >= limit { return true }
            }
            return false
        }
        if let counted { return counted }
        if text.utf8.count <= 4 * limit { return characterCount(text) >= limit }
        return text.prefix(limit).count == limit
    }

    /// Whether every byte of `bytes` is ASCII, eight at a time.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index &+ 8 <= bytes.count {
            guard eightBytes(at: index, in: bytes) & 0x8080_8080_8080_8080 == 0 else { return false }
            index &+= 8
        }
        while index < bytes.count {
            guard bytes[index] < 0x80 else { return false }
            index &+= 1
        }
        return true
    }

    /// Whether every byte of `text` is ASCII.
    static func isASCII(_ text: Substring) -> Bool {
        withUTF8(text) { isASCII($0) }
    }

    /// `text.contains(needle)`: a byte search first (a match of the characters is a match of the bytes), the
    /// `Character` comparison only to confirm one, which most texts never need.
    static func contains(_ text: String, _ needle: String) -> Bool {
        let found = withUTF8(text) { bytes in withUTF8(needle) { find($0, in: bytes) } }
        return found && text.contains(needle)
    }

    /// Whether the bytes of `pattern` occur in `bytes` (an empty pattern does).
    static func find(_ pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        find(pattern, in: bytes, anchor: pattern.isEmpty ? 0 : rarestByteOffset(pattern))
    }

    /// ``find(_:in:)`` anchored on the byte at `anchor` of `pattern` (its rarest, found once by the caller).
    static func find(_ pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, anchor: Int) -> Bool {
        guard let haystack = bytes.baseAddress, let wanted = pattern.baseAddress, !pattern.isEmpty,
            pattern.count <= bytes.count
        else { return pattern.isEmpty }
        // memchr for the needle's rarest byte, memcmp for the whole (glibc's memmem is not exported to Swift).
        // Anchoring on the first byte made needles that start with a space or a common letter (" • ", "all
        // rights reserved") stop and compare at nearly every word.
        let anchorByte = Int32(pattern[anchor])
        var start = 0
        let last = bytes.count - pattern.count
        while start <= last {
            guard let hit = memchr(haystack + start + anchor, anchorByte, last - start + 1) else { return false }
            let offset = (haystack + anchor).distance(to: hit.assumingMemoryBound(to: UInt8.self))
            // The first and last bytes before a call to memcmp: most hits of the anchor are in other words.
            if haystack[offset] == wanted[0], haystack[offset + pattern.count - 1] == wanted[pattern.count - 1],
                memcmp(haystack + offset, wanted, pattern.count) == 0
            {
                return true
            }
            start = offset + 1
        }
        return false
    }

    /// Whether every scalar of `bytes` (valid UTF-8) is one that no normalisation changes and that composes with
    /// nothing: below U+0300 (ASCII, Latin-1, Latin Extended, spacing modifiers), the general punctuation
    /// U+2002–U+206F (U+2000 and U+2001 are canonically U+2002 and U+2003) and the currency signs U+20A0–U+20CF.
    /// Such text is in NFC, so two such texts are equal `String`s (canonically equivalent) exactly when their
    /// bytes are equal. Errs towards no.
    static func isPlainNFC(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                index &+= 1
                continue
            }
            let (value, length) = scalar(at: index, in: bytes)
            guard value < 0x300 || (0x2002...0x206F).contains(value) || (0x20A0...0x20CF).contains(value) else {
                return false
            }
            index &+= length
        }
        return true
    }

    /// Whether `text`, lowercased, contains each of `needles` (lowercase ASCII, no CR or LF), or nil when the
    /// bytes cannot tell. In ASCII, lowercasing maps A–Z alone, and a byte match is a `Character` match (a needle
    /// without CR or LF cannot start or end inside a CR LF), so this is `text.lowercased().contains(needle)`
    /// without the lowercased copy. Other text keeps its runs of ASCII bytes when lowercased (no scalar beyond
    /// ASCII lowercases to ASCII but KELVIN SIGN and İ, which send it back to the caller), so no byte match
    /// there means no match; a byte match there is left to the caller (a mark after it could make it none).
    static func lowercasedASCIIContains(_ text: String, _ needles: [String]) -> [Bool]? {
        lowercasedASCIIContains(text, Needles(needles))
    }

    /// Needles for ``lowercasedASCIIContains(_:_:)-(_,Needles)``, each with the offset of its rarest byte found once.
    struct Needles {
        let bytes: [[UInt8]]
        let anchors: [Int]

        init(_ needles: [String]) {
            bytes = needles.map { Array($0.utf8) }
            anchors = bytes.map { needle in needle.withUnsafeBufferPointer { rarestByteOffset($0) } }
        }
    }

    static func lowercasedASCIIContains(_ text: String, _ needles: Needles) -> [Bool]? {
        withUTF8(text) { bytes -> [Bool]? in
            let ascii = isASCII(bytes)
            if !ascii {
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    // U+212A is E2 84 AA, U+0130 is C4 B0.
                    if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x84, bytes[index + 2] == 0xAA {
                        return nil
                    }
                    if byte == 0xC4, index + 1 < bytes.count, bytes[index + 1] == 0xB0 { return nil }
                }
            }
            let found = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(bytes.count, 1)) { lower in
                // Eight bytes at a time: A–Z gain 0x20, lane by lane.
                var offset = 0
                let count = bytes.count
                while offset &+ 8 <= count {
                    let chunk = eightBytes(at: offset, in: bytes)
                    let upper = lanes(chunk, below: 0x5B) & ~lanes(chunk, below: 0x41) & ~(chunk & 0x8080_8080_8080_8080)
                    UnsafeMutableRawPointer(lower.baseAddress! + offset)
                        .storeBytes(of: (chunk | upper >> 2).littleEndian, as: UInt64.self)
                    offset &+= 8
                }
                while offset < count {
                    let byte = bytes[offset]
                    lower[offset] = byte &- 0x41 < 26 ? byte | 0x20 : byte
                    offset &+= 1
                }
                let lowered = UnsafeBufferPointer(rebasing: lower[..<count])
                return needles.bytes.indices.map { number in
                    needles.bytes[number].withUnsafeBufferPointer { find($0, in: lowered, anchor: needles.anchors[number]) }
                }
            }
            return ascii || !found.contains(true) ? found : nil
        }
    }

    /// The offset of the byte of `pattern` least frequent in text (by rough English letter frequencies; any byte
    /// outside spaces and lowercase letters counts as rare), the first of equals.
    static func rarestByteOffset(_ pattern: UnsafeBufferPointer<UInt8>) -> Int {
        var best = 0
        var bestRank = -1
        for (offset, byte) in pattern.enumerated() {
            let rank = commonness(byte)
            if rank > bestRank {
                best = offset
                bestRank = rank
                if rank == Int.max { break }
            }
        }
        return best
    }

    /// Higher is rarer.
    @inline(__always)
    private static func commonness(_ byte: UInt8) -> Int {
        switch byte {
        case 0x20: 0
        case UInt8(ascii: "e"): 1
        case UInt8(ascii: "t"): 2
        case UInt8(ascii: "a"): 3
        case UInt8(ascii: "o"): 4
        case UInt8(ascii: "i"): 5
        case UInt8(ascii: "n"): 6
        case UInt8(ascii: "s"): 7
        case UInt8(ascii: "r"): 8
        case UInt8(ascii: "h"): 9
        case UInt8(ascii: "l"): 10
        case UInt8(ascii: "d"): 11
        case UInt8(ascii: "c"): 12
        case UInt8(ascii: "u"): 13
        case UInt8(ascii: "m"): 14
        // Rarer letters by their frequency too: "reserved", "privacy" and "service" anchor on their `v`, not on
        // a `g`, `p` or `f`, each in many more words of a long paragraph.
        case UInt8(ascii: "w"): 15
        case UInt8(ascii: "f"): 16
        case UInt8(ascii: "g"): 17
        case UInt8(ascii: "y"): 18
        case UInt8(ascii: "p"): 19
        case UInt8(ascii: "b"): 20
        case UInt8(ascii: "v"): 21
        case UInt8(ascii: "k"): 22
        case 0x61...0x7A: 23
        default: Int.max
        }
    }

    /// Whether every scalar of `text` is a `Character` of its own, so that scalar offsets are character offsets
    /// and comparing scalars is comparing characters. Errs towards no (then the caller breaks graphemes): no CR
    /// before LF, no scalar that may join its neighbour (marks, joiners, emoji modifiers, prepended marks),
    /// no Hangul jamo or syllables, no regional indicators.
    static func hasSingleScalarCharacters(_ text: String) -> Bool {
        withUTF8(text) { bytes in
            var index = 0
            while index < bytes.count {
                // Eight ASCII bytes without a CR at a time.
                if index &+ 8 <= bytes.count {
                    let chunk = eightBytes(at: index, in: bytes)
                    if chunk & 0x8080_8080_8080_8080 | lanes(chunk, equalTo: 0x0D) == 0 {
                        index &+= 8
                        continue
                    }
                }
                let byte = bytes[index]
                if byte < 0x80 {
                    if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { return false }
                    index += 1
                    continue
                }
                let (value, length) = scalar(at: index, in: bytes)
                index += length
                if value < 0x300 { continue }
                guard let scalar = Unicode.Scalar(value), standsAlone(scalar) else { return false }
            }
            return true
        }
    }

    /// Whether a non-ASCII scalar forms a `Character` alone whatever surrounds it (errs towards no): not a mark,
    /// joiner, emoji modifier or prepended mark, not Hangul, not a regional indicator.
    static func standsAlone(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x300 { return true }
        switch value {
        case 0x1100...0x11FF, 0xA960...0xA97F, 0xAC00...0xD7FF, 0x1F1E6...0x1F1FF: return false
        default: return !mayJoin(scalar) && !isPrepend(value)
        }
    }
}
