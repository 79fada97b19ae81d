extension Clean {
    /// One line of the page (the headline when it is only the first line, then each paragraph) with the
    /// measurements the signals use.
    ///
    /// A class: the signals look lines up many times, and copying a struct of this many arrays was a tenth of
    /// the Clean stage's time.
    final class Line {
        let text: String
        /// Made when first asked for: most lines are paragraphs, which only need the count and the masks, and a
        /// `Substring` per word (each holding the text) was a tenth of the Clean stage.
        lazy var words: [Substring] = TextScan.words(text)
        let wordCount: Int
        /// The words lowercased, without surrounding punctuation: what is looked up in word lists. Made when
        /// first asked for: only short lines need them (the function-word counts use ``stopwordMasks``).
        lazy var keys: [String] = words.map(Self.key)
        /// Per language of ``Vocabulary/stopwordLanguages``, how many of the words have their key as one of its
        /// function words. Counts, not a mask per word: the signals only ever count, and an array per line was
        /// an allocation and a store per word.
        let stopwordCounts: StopwordCounts
        /// Words holding at least one letter.
        let letterWords: Int
        let endsSentence: Bool
        /// Whether the bytes hold ` - `, ` | `, ` – ` or ` — ` (``Page/trailingTag(_:)`` looks no further if not).
        let hasSpacedSeparator: Bool
        /// Items between separators (`•`, `|`, …); 1 when there is no separator. Made when asked for (only lines
        /// with two separators are): an array per line was an allocation for nothing.
        lazy var segments: [Substring] =
            separators < 2
            ? [text[...]]
            : text.split(whereSeparator: { Self.separatorMarks.contains($0) })
                .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ")[...] }
                .filter { !$0.isEmpty }
        let separators: Int
        let script: Script?
        /// Letters per script (``Script/letterCounts(in:)``), which add up to the page's.
        let scriptCounts: ScriptCounts
        let isHeadlineLine: Bool
        let block: Block?
        /// Known to be ``TextScan/isPlainNFC(_:)`` (false: not known).
        let isPlainNFC: Bool

        /// Per word, the languages of ``Vocabulary/stopwordLanguages`` that have its key as a function word: only
        /// for the line where ``Page/language(of:)``'s sample of words ends, so made when asked for.
        lazy var stopwordMasks: [UInt16] = (Self.measure(text) ?? Self.measureByCharacters(text)).masks ?? []

        init(text: String, isHeadlineLine: Bool, block: Block?) {
            self.text = text
            self.isHeadlineLine = isHeadlineLine
            self.block = block
            // One pass over the bytes for the words, their function words, letters, separators and scripts; the
            // Character-by-Character way where a whitespace character is longer than a scalar.
            let measured = Self.measureFused(text) ?? Self.measure(text) ?? Self.measureByCharacters(text)
            wordCount = measured.wordCount
            stopwordCounts = measured.stopwords
            letterWords = measured.letterWords
            scriptCounts = measured.scriptCounts
            isPlainNFC = measured.plainNFC
            let separatorCount = measured.separators
            hasSpacedSeparator = measured.spacedSeparator ?? Page.hasSpacedSeparator(text)
            let (ends, colon) = Self.sentenceEnd(text)
            endsSentence = ends && !colon || colon && measured.wordCount >= 3
            separators = separatorCount
            script = scriptCounts.dominant
        }

        /// Whether `text` ends a sentence (``PlainTextParser/endsSentence(_:)``), and whether its last `Character`
        /// is a colon (`text.last == ":"`, which is also `text.hasSuffix(":")`: nothing else is canonically
        /// equivalent to a colon).
        static func sentenceEnd(_ text: String) -> (ends: Bool, colon: Bool) {
            let answer: (Bool, Bool)? = TextScan.withUTF8(text) { bytes in
                guard let ends = PlainTextParser.endsSentenceByBytes(bytes) else { return nil }
                // A colon is its own `Character` unless a prepended mark stands before it (then both are one).
                let colon = bytes.last == UInt8(ascii: ":") && !TextScan.prependPrecedes(bytes.count - 1, in: bytes)
                return (ends, colon)
            }
            if let answer { return answer }
            return (PlainTextParser.endsSentenceByCharacters(text[...]), text.last == ":")
        }

        /// What a line is measured as. The general passes also give the function-word mask of each word.
        struct Measured {
            var wordCount: Int
            var stopwords: StopwordCounts
            var letterWords: Int
            var separators: Int
            var scriptCounts: ScriptCounts
            /// Nil when the pass could not tell (then the bytes are searched).
            var spacedSeparator: Bool?
            /// Per word, its function-word mask: from ``measure(_:)`` and ``measureByCharacters(_:)`` only.
            var masks: [UInt16]?
            /// True when the one-pass measure saw only ASCII and ``isPlainMark(_:)`` scalars (then the text is
            /// ``TextScan/isPlainNFC(_:)``); false when it cannot tell.
            var plainNFC = false
        }

        /// The measurements of `text` from its UTF-8 bytes, or nil where ``TextScan/wordRanges(_:spacesOnly:limit:)``
        /// cannot split it without grapheme breaking.
        static func measure(_ text: String) -> Measured? {
            TextScan.withUTF8(text) { bytes -> Measured? in
                guard let ranges = TextScan.wordRanges(bytes) else { return nil }
                var masks: [UInt16] = []
                masks.reserveCapacity(ranges.count)
                var letterWords = 0
                var separators = 0
                var scriptCounts = Array(repeating: 0, count: Script.all.count)
                var nonASCIIWords: [(number: Int, range: Range<Int>)] = []
                var spacedSeparator = false
                for (number, range) in ranges.enumerated() {
                    if !spacedSeparator { spacedSeparator = isSpacedSeparator(bytes, range) }
                    var ascii = true
                    var letter = false
                    for index in range {
                        let byte = bytes[index]
                        if byte >= 0x80 {
                            ascii = false
                        } else if (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) {
                            letter = true
                            scriptCounts[0] += 1
                        }
                    }
                    guard ascii else {
                        masks.append(0)
                        nonASCIIWords.append((number, range))
                        continue
                    }
                    if letter { letterWords += 1 }
                    if range.count == 1, bytes[range.lowerBound] == UInt8(ascii: "|") { separators += 1 }
                    masks.append(asciiMask(bytes, range))
                }
                let nonASCIIMasks = measureNonASCII(
                    text, nonASCIIWords.map(\.range), letterWords: &letterWords, separators: &separators,
                    scriptCounts: &scriptCounts
                )
                for (word, mask) in zip(nonASCIIWords, nonASCIIMasks) { masks[word.number] = mask }
                return Measured(
                    wordCount: ranges.count, stopwords: StopwordCounts(masks), letterWords: letterWords,
                    separators: separators, scriptCounts: ScriptCounts(all: scriptCounts),
                    spacedSeparator: spacedSeparator, masks: masks
                )
            }
        }

        /// ``measure(_:)`` in one pass that splits the words and measures each as it ends: ASCII words (nearly
        /// all) on the spot, others afterwards as ``measure(_:)`` does. Nil where the split might differ from
        /// ``TextScan/wordRanges(_:spacesOnly:limit:)``'s (which then decides): whitespace beyond ASCII, a scalar
        /// that may join the whitespace before it, a prepended mark. Otherwise words end at ASCII whitespace, the
        /// six bytes 0x09–0x0D and 0x20, as they do there.
        static func measureFused(_ text: String) -> Measured? {
            // Hoisted out of the loop: a global's every use checks that it is initialised.
            let table = Vocabulary.asciiStopwords
            return table.withProbe { probe in TextScan.withUTF8(text) { bytes -> Measured? in
                var stopwords = StopwordCounts()
                var words = 0
                var letterWords = 0
                var separators = 0
                var letters = 0
                var spacedSeparator = false
                var nonASCIIWords: [Range<Int>] = []
                let count = bytes.count
                var index = 0
                while index < count {
                    var byte = bytes[index]
                    if byte == 0x20 || byte &- 0x09 < 5 {
                        index &+= 1
                        continue
                    }
                    let start = index
                    // An ASCII word that ends within seven bytes (most words of news text) is measured from one load
                    // of eight bytes: the walk byte by byte, then a second load for its key, cost more than the rest
                    // of the measure together.
                    if count >= 8 {
                        let chunk: UInt64
                        // Past the end of the line, a lane that stops the word as whitespace would.
                        var end: UInt64 = 0
                        if start &+ 8 <= count {
                            chunk = TextScan.eightBytes(at: start, in: bytes)
                        } else {
                            chunk = TextScan.eightBytes(at: count &- 8, in: bytes) >> (UInt64(start &- (count &- 8)) &* 8)
                            end = 0x80 << (UInt64(count &- start) &* 8)
                        }
                        let high = chunk & 0x8080_8080_8080_8080
                        // The first byte below 0x21 (whitespace, but also a control that is part of a word), beyond
                        // ASCII, or past the end, as its lane's top bit.
                        let stops = TextScan.lanes(chunk, below: 0x21) | high | end
                        let first = stops & (0 &- stops)
                        if first != 0, high & first == 0 {
                            let length = first.trailingZeroBitCount >> 3
                            // The stop is below 0x21: whitespace when its bit is set (0x09–0x0D, 0x20).
                            let stop = (chunk >> (UInt64(length) &* 8)) & 0xFF
                            if end & first != 0 || (0x1_0000_3E00 as UInt64) >> stop & 1 != 0 {
                                let lanes = (first >> 7) &- 1
                                let word = chunk & lanes
                                let letterLanes = asciiLetterLanes(word)
                                // One 0x80 per letter, added up by the multiplication into the top byte.
                                let wordLetters = Int(truncatingIfNeeded: ((letterLanes >> 7) &* 0x0101_0101_0101_0101) >> 56)
                                words &+= 1
                                letters &+= wordLetters
                                if wordLetters > 0 { letterWords &+= 1 }
                                if length == 1 {
                                    if chunk & 0xFF == UInt64(UInt8(ascii: "|")) { separators &+= 1 }
                                    if !spacedSeparator { spacedSeparator = isSpacedSeparator(bytes, start..<start &+ 1) }
                                }
                                // The key: lowercased (a capital is a letter without 0x20), without ``key(_:)``'s
                                // punctuation at either end (all of it below 0x40, so a word of letters has none).
                                let capitals = letterLanes & ~(word << 2)
                                let lowered = word | capitals >> 2
                                var key = lowered
                                if hasByteBelow0x40(word, in: lanes) {
                                    var lead = 0
                                    while lead < length, isTrimmed(UInt8(truncatingIfNeeded: word >> (UInt64(lead) &* 8))) {
                                        lead &+= 1
                                    }
                                    var last = length
                                    while last > lead,
                                        isTrimmed(UInt8(truncatingIfNeeded: word >> (UInt64(last &- 1) &* 8)))
                                    {
                                        last &-= 1
                                    }
                                    key = (lowered >> (UInt64(lead) &* 8)) & ((1 << (UInt64(last &- lead) &* 8)) &- 1)
                                }
                                if key != 0 { stopwords.add(probe.mask(key: key)) }
                                // The stop is whitespace, or the end.
                                index = start &+ length &+ 1
                                continue
                            }
                        } else if first == 0 {
                            // Eight ASCII bytes of a word: a word of up to fifteen ends in the next eight.
                            let rest = start &+ 8
                            var next: UInt64 = 0
                            var nextEnd: UInt64 = 0
                            if rest &+ 8 <= count {
                                next = TextScan.eightBytes(at: rest, in: bytes)
                            } else if rest < count {
                                next = TextScan.eightBytes(at: count &- 8, in: bytes) >> (UInt64(rest &- (count &- 8)) &* 8)
                                nextEnd = 0x80 << (UInt64(count &- rest) &* 8)
                            } else {
                                nextEnd = 0x80
                            }
                            let nextHigh = next & 0x8080_8080_8080_8080
                            let nextStops = TextScan.lanes(next, below: 0x21) | nextHigh | nextEnd
                            let nextFirst = nextStops & (0 &- nextStops)
                            if nextFirst != 0, nextHigh & nextFirst == 0 {
                                let nextLength = nextFirst.trailingZeroBitCount >> 3
                                let stop = (next >> (UInt64(nextLength) &* 8)) & 0xFF
                                if nextEnd & nextFirst != 0 || (0x1_0000_3E00 as UInt64) >> stop & 1 != 0 {
                                    let nextLanes = (nextFirst >> 7) &- 1
                                    let tail = next & nextLanes
                                    let letterLanes = asciiLetterLanes(chunk)
                                    let nextLetterLanes = asciiLetterLanes(tail)
                                    let wordLetters =
                                        Int(truncatingIfNeeded: ((letterLanes >> 7) &* 0x0101_0101_0101_0101) >> 56)
                                        &+ Int(truncatingIfNeeded: ((nextLetterLanes >> 7) &* 0x0101_0101_0101_0101) >> 56)
                                    let length = 8 &+ nextLength
                                    words &+= 1
                                    letters &+= wordLetters
                                    if wordLetters > 0 { letterWords &+= 1 }
                                    // A key has at most eight bytes: only a word with punctuation to trim (below 0x40)
                                    // can have one.
                                    if hasByteBelow0x40(chunk, in: ~0) || hasByteBelow0x40(tail, in: nextLanes) {
                                        stopwords.add(asciiMask(bytes, start..<start &+ length, table: table))
                                    }
                                    index = start &+ length &+ 1
                                    continue
                                }
                            }
                        }
                    }
                    var wordLetters = 0
                    var ascii = true
                    while true {
                        if byte < 0x80 {
                            // ASCII letters: A–Z and a–z, which are the same bytes with 0x20 set.
                            if (byte | 0x20) &- 0x61 < 26 { wordLetters &+= 1 }
                            index &+= 1
                        } else {
                            let (value, length) = TextScan.scalar(at: index, in: bytes)
                            if TextScan.isWhitespace(value) || TextScan.isPrepend(value) { return nil }
                            if index == start, start > 0, value >= 0x300, let scalar = Unicode.Scalar(value),
                                TextScan.mayJoin(scalar)
                            {
                                return nil
                            }
                            ascii = false
                            index &+= length
                        }
                        if index >= count { break }
                        byte = bytes[index]
                        if byte <= 0x20, byte == 0x20 || byte &- 0x09 < 5 { break }
                    }
                    let end = index
                    words &+= 1
                    letters &+= wordLetters
                    guard ascii else {
                        // A dash between spaces is the only spaced separator beyond ASCII.
                        if !spacedSeparator, end &- start == 3 { spacedSeparator = isSpacedSeparator(bytes, start..<end) }
                        if let plain = measurePlainWord(bytes, start..<end, hasLetter: wordLetters > 0, table: table) {
                            if plain.letter { letterWords &+= 1 }
                            if plain.separator { separators &+= 1 }
                            stopwords.add(plain.mask)
                        } else {
                            nonASCIIWords.append(start..<end)
                        }
                        continue
                    }
                    if wordLetters > 0 { letterWords &+= 1 }
                    if end &- start == 1 {
                        if bytes[start] == UInt8(ascii: "|") { separators &+= 1 }
                        if !spacedSeparator { spacedSeparator = isSpacedSeparator(bytes, start..<end) }
                    }
                    stopwords.add(asciiMask(bytes, start..<end, table: table))
                }
                var scriptCounts = ScriptCounts(ascii: letters)
                if !nonASCIIWords.isEmpty {
                    var counts = Array(repeating: 0, count: Script.all.count)
                    let masks = measureNonASCII(
                        text, nonASCIIWords, letterWords: &letterWords, separators: &separators, scriptCounts: &counts
                    )
                    for mask in masks { stopwords.add(mask) }
                    scriptCounts.beyondASCII = counts
                }
                return Measured(
                    wordCount: words, stopwords: stopwords, letterWords: letterWords, separators: separators,
                    scriptCounts: scriptCounts, spacedSeparator: spacedSeparator, masks: nil,
                    plainNFC: nonASCIIWords.isEmpty
                )
            } }
        }

        /// Whether a scalar beyond ASCII is one of the punctuation marks and symbols of news text that need no
        /// `Character` work in a word: each is a `Character` of its own wherever it stands (no mark, joiner,
        /// prepended mark or whitespace), none is a letter or has a lowercase other than itself, and none occurs
        /// in a function word. U+00A1–U+00BF but ª, soft hyphen, µ and º; U+2010–U+2027; U+2030–U+205E; the
        /// currency signs U+20A0–U+20C0.
        @inline(__always)
        static func isPlainMark(_ value: UInt32) -> Bool {
            switch value {
            case 0xAA, 0xAD, 0xB5, 0xBA: false
            case 0xA1...0xBF, 0x2010...0x2027, 0x2030...0x205E, 0x20A0...0x20C0: true
            default: false
            }
        }

        /// ``measureNonASCII(_:_:letterWords:separators:scriptCounts:)`` of one word whose bytes beyond ASCII are
        /// all ``isPlainMark(_:)`` scalars (`£5`, `“Yes”`, `don’t`, `•`), from the bytes; nil for other words.
        /// Every scalar is then a `Character`: the word holds a letter when it holds an ASCII one (`hasLetter`),
        /// adds to no script, is a separator when it is one mark of ``separatorMarks``, and its key (lowercased,
        /// ``key(_:)``'s punctuation trimmed) is a function word only when what is left is ASCII.
        static func measurePlainWord(
            _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, hasLetter: Bool, table: Vocabulary.ASCIIStopwords
        ) -> (mask: UInt16, letter: Bool, separator: Bool)? {
            var index = range.lowerBound
            var scalars = 0
            var last: UInt32 = 0
            while index < range.upperBound {
                let (value, length) = TextScan.scalar(at: index, in: bytes)
                if value >= 0x80, !isPlainMark(value) { return nil }
                scalars &+= 1
                last = value
                index &+= length
            }
            let separator = scalars == 1 && (last == 0xB7 || last == 0xBB || last == 0x2022 || last == 0x203A)
            // The key: trimmed of `, . ; : ! ? " ' ( )` and of “ ” ’ (E2 80 9C, E2 80 9D, E2 80 99) at both ends.
            func quoteLength(at offset: Int) -> Int {
                offset &+ 3 <= range.upperBound && bytes[offset] == 0xE2 && bytes[offset &+ 1] == 0x80
                    && (bytes[offset &+ 2] == 0x9C || bytes[offset &+ 2] == 0x9D || bytes[offset &+ 2] == 0x99) ? 3 : 0
            }
            var start = range.lowerBound
            var end = range.upperBound
            while start < end {
                if isTrimmed(bytes[start]) {
                    start &+= 1
                } else if quoteLength(at: start) == 3 {
                    start &+= 3
                } else {
                    break
                }
            }
            while end > start {
                if isTrimmed(bytes[end &- 1]) {
                    end &-= 1
                } else if end &- start >= 3, quoteLength(at: end &- 3) == 3 {
                    end &-= 3
                } else {
                    break
                }
            }
            var mask: UInt16 = 0
            if end &- start <= 8, !(start..<end).contains(where: { bytes[$0] >= 0x80 }) {
                mask = table.mask(bytes, start..<end)
            }
            return (mask, hasLetter, separator)
        }

        /// ` - `, ` | `, ` – `, ` — `: the word at `range` is a dash or bar alone between two spaces.
        private static func isSpacedSeparator(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
            guard range.count == 1 || range.count == 3, range.lowerBound > 0, range.upperBound < bytes.count,
                bytes[range.lowerBound - 1] == 0x20, bytes[range.upperBound] == 0x20
            else { return false }
            let first = bytes[range.lowerBound]
            return range.count == 1
                ? first == UInt8(ascii: "-") || first == UInt8(ascii: "|")
                : first == 0xE2 && bytes[range.lowerBound + 1] == 0x80
                    && (bytes[range.lowerBound + 2] == 0x93 || bytes[range.lowerBound + 2] == 0x94)
        }

        /// The function-word mask of the ASCII word at `range`, without the punctuation ``key(_:)`` trims (0 when
        /// more than eight bytes are left). `table` is passed in by hot loops: a global's every use checks that it is
        /// initialised.
        @inline(__always)
        private static func asciiMask(
            _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
            table: Vocabulary.ASCIIStopwords = Vocabulary.asciiStopwords
        ) -> UInt16 {
            var start = range.lowerBound
            var end = range.upperBound
            while start < end, isTrimmed(bytes[start]) { start &+= 1 }
            while end > start, isTrimmed(bytes[end - 1]) { end &-= 1 }
            return end &- start <= 8 ? table.mask(bytes, start..<end) : 0
        }

        /// The words with bytes beyond ASCII (few), measured as `String`s: their letters, separator marks and
        /// scripts; returns their function-word masks, in order.
        private static func measureNonASCII(
            _ text: String, _ words: [Range<Int>], letterWords: inout Int, separators: inout Int,
            scriptCounts: inout [Int]
        ) -> [UInt16] {
            let utf8 = text.utf8
            var masks: [UInt16] = []
            masks.reserveCapacity(words.count)
            for range in words {
                let word = Substring(
                    utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(
                        utf8.startIndex, offsetBy: range.upperBound)])
                masks.append(Vocabulary.stopwordMasks[key(word)] ?? 0)
                if word.contains(where: \.isLetter) { letterWords += 1 }
                // A separator mark is one scalar: one character, and longer words need no counting.
                if word.utf8.count <= 3, word.count == 1, separatorMarks.contains(word.first!) { separators += 1 }
                for scalar in word.unicodeScalars where scalar.value >= 0x80 && scalar.properties.isAlphabetic {
                    scriptCounts[Script.all.firstIndex(of: Script(scalar)) ?? Script.all.count - 1] += 1
                }
            }
            return masks
        }

        static func measureByCharacters(_ text: String) -> Measured {
            let words = text.split(whereSeparator: \.isWhitespace)
            let masks = words.map { Vocabulary.stopwordMasks[key($0)] ?? 0 }
            let letterWords = words.filter { $0.contains(where: \.isLetter) }.count
            let separators = words.filter { $0.count == 1 && separatorMarks.contains($0.first!) }.count
            return Measured(
                wordCount: words.count, stopwords: StopwordCounts(masks), letterWords: letterWords,
                separators: separators, scriptCounts: ScriptCounts(all: Script.letterCounts(in: text)),
                spacedSeparator: nil, masks: masks
            )
        }

        /// Per byte of `word` (ASCII only: no lane at 0x80 or above), 0x80 where it is a letter, A–Z or a–z. With
        /// 0x20 set in every lane, a letter is 0x61–0x7A: adding 0x1F carries into the top bit from 0x61 up, adding
        /// 0x05 from 0x7B up, and no lane carries into the next.
        @inline(__always)
        static func asciiLetterLanes(_ word: UInt64) -> UInt64 {
            let folded = word | 0x2020_2020_2020_2020
            return (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(folded &+ 0x0505_0505_0505_0505) & 0x8080_8080_8080_8080
        }

        /// Whether a byte of `word` (ASCII only) below the lanes of `lanes` is below 0x40, where all the punctuation
        /// ``key(_:)`` trims is: adding 0x40 leaves the top bit clear only there.
        @inline(__always)
        static func hasByteBelow0x40(_ word: UInt64, in lanes: UInt64) -> Bool {
            ((word | 0x4040_4040_4040_4040 & ~lanes) &+ 0x4040_4040_4040_4040) & 0x8080_8080_8080_8080
                != 0x8080_8080_8080_8080
        }

        /// The punctuation ``key(_:)`` trims, as ASCII bytes (its other marks, curly quotes, are not ASCII).
        /// One bit per byte below 0x40: `, . ; : ! ? " ' ( )`.
        @inline(__always)
        private static func isTrimmed(_ byte: UInt8) -> Bool {
            let set: UInt64 = 1 << 0x2C | 1 << 0x2E | 1 << 0x3B | 1 << 0x3A | 1 << 0x21 | 1 << 0x3F | 1 << 0x22
                | 1 << 0x27 | 1 << 0x28 | 1 << 0x29
            return byte < 0x40 && (set >> UInt64(byte)) & 1 != 0
        }

        /// A word as looked up in word lists: lowercased, without surrounding punctuation.
        static func key(_ word: Substring) -> String {
            // ASCII words (most of them) byte by byte: lowercasing and trimming `Character`s took a third of
            // the Clean stage.
            let ascii: String? = TextScan.withUTF8(word) { bytes in
                var start = 0
                var end = bytes.count
                for byte in bytes where byte >= 0x80 { return nil }
                func isTrimmed(_ byte: UInt8) -> Bool {
                    switch byte {
                    case UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"),
                        UInt8(ascii: "?"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
                        true
                    default: false
                    }
                }
                while start < end, isTrimmed(bytes[start]) { start += 1 }
                while end > start, isTrimmed(bytes[end - 1]) { end -= 1 }
                return String(unsafeUninitializedCapacity: end - start) { out in
                    for index in start..<end {
                        let byte = bytes[index]
                        out[index - start] = (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
                    }
                    return end - start
                }
            }
            return ascii ?? String(word).lowercased().trimming(",.;:!?\"“”'’()")
        }

        /// Whether `word` holds a letter.
        static func hasLetter(_ word: Substring) -> Bool {
            let ascii: Bool? = TextScan.withUTF8(word) { bytes in
                var letter = false
                for byte in bytes {
                    if byte >= 0x80 { return nil }
                    if (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { letter = true }
                }
                return letter
            }
            return ascii ?? word.contains(where: \.isLetter)
        }

        /// Marks sites put between menu items and link lists.
        static let separatorMarks: Set<Character> = ["•", "·", "|", "›", "»", "▪", "◦", "■", "►"]


        /// 3–25 words, some letters, not ending in a full stop: what headlines, titles and subheads look like.
        var isHeadlineShaped: Bool {
            guard (3...25).contains(wordCount), text.count <= 200, letterWords >= 2, separators == 0 else {
                return false
            }
            if let last = text.last, last == "." || last == ";" || last == "," { return false }
            return text.first.map { $0.isUppercase || $0.isNumber || "\"“‘'".contains($0) } ?? false
        }

        /// Every word that is not a short function word starts with a capital: `NATO Chief Expects Allies to
        /// Expand Support` (the way English sites title their links and teasers).
        var isTitleCase: Bool {
            let content = words.filter { word in
                word.count > 3 || word.first?.isUppercase == true || word.first?.isNumber == true
            }
            guard content.count >= 3 else { return false }
            let capitalised = content.filter { $0.first.map { $0.isUppercase || $0.isNumber || !$0.isLetter } ?? false }
            return capitalised.count == content.count
        }
    }

    /// Per language of ``Vocabulary/stopwordLanguages`` (at most 16, as a mask has bits), a count of words.
    struct StopwordCounts: Equatable {
        private var counts = InlineArray<16, Int32>(repeating: 0)

        init() {}

        init(_ masks: [UInt16]) {
            for mask in masks { add(mask) }
        }

        /// Counts a word with function-word mask `mask` for each of its languages.
        @inline(__always)
        mutating func add(_ mask: UInt16) {
            var mask = mask
            while mask != 0 {
                counts[mask.trailingZeroBitCount] &+= 1
                mask &= mask &- 1
            }
        }

        mutating func add(_ other: StopwordCounts) {
            for language in 0..<16 { counts[language] &+= other.counts[language] }
        }

        subscript(language: Int) -> Int { Int(counts[language]) }

        static func == (a: StopwordCounts, b: StopwordCounts) -> Bool {
            (0..<16).allSatisfy { a.counts[$0] == b.counts[$0] }
        }
    }

    /// Letters per script, in the order of ``Script/all``: ASCII letters apart, so that a line without others
    /// needs no array.
    struct ScriptCounts {
        /// A–Z and a–z (Latin).
        var ascii: Int
        /// Letters beyond ASCII, per script (Latin ones among them); empty when there are none.
        var beyondASCII: [Int]

        init(ascii: Int) {
            self.ascii = ascii
            beyondASCII = []
        }

        init(all: [Int]) {
            ascii = 0
            beyondASCII = all
        }

        /// Every script's count.
        var all: [Int] {
            var counts = beyondASCII.isEmpty ? Array(repeating: 0, count: Script.all.count) : beyondASCII
            counts[0] += ascii
            return counts
        }

        /// ``Script/dominant(_:)`` of ``all``.
        var dominant: Script? {
            // Latin comes first and wins ties: with no other letters it is the script if there is a letter.
            beyondASCII.isEmpty ? (ascii > 0 ? .latin : nil) : Script.dominant(all)
        }

        mutating func add(_ other: ScriptCounts) {
            ascii += other.ascii
            guard !other.beyondASCII.isEmpty else { return }
            if beyondASCII.isEmpty { beyondASCII = Array(repeating: 0, count: Script.all.count) }
            for index in other.beyondASCII.indices { beyondASCII[index] += other.beyondASCII[index] }
        }
    }

    /// The whole page as lines, with what is measured across lines: the text's script and language, the
    /// site's name where captions repeat it, the fields the parser read.
    struct Page {
        let lines: [Line]
        let article: Article
        let headlineIsFirstLine: Bool
        /// The script most of the text's letters are in.
        let script: Script?
        /// The function words of the text's language (best match), if any language matched well.
        let stopwords: Set<String>?
        /// Per line, the share of its words that are function words, when the language is known.
        let stopwordShares: [Double?]
        /// Per line, its ``trailingTag(_:)``.
        let trailingTags: [String?]
        /// Trailing ` - Name` tags that end two or more lines: a site's signature on captions and teasers.
        let siteTags: Set<String>
        /// Normalised texts of fields the parser filled, which a line may merely repeat (byline, editor's note,
        /// subheadline). Not the summary: a page's description is often its first paragraph, which stays.
        let fieldTexts: Set<String>
        /// Values a labelled line (`Abstract: …`) may repeat: the fields above, the summary, unmapped metadata.
        let labelledTexts: Set<String>
        /// Per line, whether it is a paragraph of ten words or more that an earlier line already was (a repeat).
        let repeatsEarlier: [Bool]
        /// The headline, normalised.
        let headlineKey: String

        init(article: Article, layout: Layout) {
            self.article = article
            headlineIsFirstLine = layout.headlineIsFirstLine
            let blocks = layout.blocks.count == article.paragraphs.count ? layout.blocks : nil
            var lines: [Line] = []
            if layout.headlineIsFirstLine {
                lines.append(Line(text: article.headline, isHeadlineLine: true, block: nil))
            }
            for (index, paragraph) in article.paragraphs.enumerated() {
                lines.append(Line(text: paragraph, isHeadlineLine: false, block: blocks?[index]))
            }
            self.lines = lines
            // Only lines of ten words or more count (shorter repeats are often a table's own), and hashing every
            // line's text was a noticeable share of the stage; each is hashed once, here.
            let candidates = lines.indices.filter { !lines[$0].isHeadlineLine && lines[$0].wordCount >= 10 }
            if let repeats = Self.repeatsByBytes(lines, candidates) {
                repeatsEarlier = repeats
            } else {
                var seen: Set<String> = []
                seen.reserveCapacity(candidates.count)
                var repeats = Array(repeating: false, count: lines.count)
                for index in candidates { repeats[index] = !seen.insert(lines[index].text).inserted }
                repeatsEarlier = repeats
            }
            headlineKey = normalized(article.headline)
            // The lines' letter counts add up to those of the whole text.
            var counts = ScriptCounts(ascii: 0)
            for line in lines { counts.add(line.scriptCounts) }
            script = counts.dominant
            let language = Self.language(of: lines)
            stopwords = language.map { Vocabulary.stopwordSets[$0] }
            stopwordShares = lines.map { line in
                guard let language, line.wordCount > 0 else { return nil }
                return Double(line.stopwordCounts[language]) / Double(line.wordCount)
            }
            // A line's own measure already searched for the spaced separator (the same bytes).
            let tags = lines.map { $0.hasSpacedSeparator ? Self.trailingTag(separated: $0.text) : nil }
            trailingTags = tags
            var tagCounts: [String: Int] = [:]
            for tag in tags {
                if let tag { tagCounts[tag, default: 0] += 1 }
            }
            siteTags = Set(tagCounts.filter { $0.value >= 2 }.keys)
            let fields = [article.byline, article.byline.map { "by " + $0 }, article.editorNote, article.subheadline]
            fieldTexts = Set(fields.compactMap { $0.map(normalized) }.filter { $0.count >= 3 })
            let labelled = [article.summary] + (article.metadata ?? [:]).values.map { Optional($0) }
            labelledTexts = fieldTexts.union(labelled.compactMap { $0.map(normalized) }.filter { $0.count >= 3 })
        }

        /// ``repeatsEarlier`` where every candidate line is in NFC by its scalars alone (``TextScan/isPlainNFC(_:)``:
        /// ASCII, and the Latin, punctuation and currency scalars of news text), so that two lines are equal
        /// `String`s exactly when their bytes are: lines are told apart by a hash of their bytes and the bytes
        /// themselves, without `String` hashing and its normalisation. Nil for other text, or when two different
        /// lines share a hash.
        static func repeatsByBytes(_ lines: [Line], _ candidates: [Int]) -> [Bool]? {
            var repeats = Array(repeating: false, count: lines.count)
            var first: [UInt64: Int] = [:]
            first.reserveCapacity(candidates.count)
            for index in candidates {
                let plain = lines[index].isPlainNFC
                let hash: UInt64? = TextScan.withUTF8(lines[index].text) { bytes in
                    guard plain || TextScan.isPlainNFC(bytes) else { return nil }
                    // FNV-1a over eight bytes at a time, then the tail, then the length.
                    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                    var offset = 0
                    while offset &+ 8 <= bytes.count {
                        hash = (hash ^ TextScan.eightBytes(at: offset, in: bytes)) &* 0x100_0000_01B3
                        offset &+= 8
                    }
                    while offset < bytes.count {
                        hash = (hash ^ UInt64(bytes[offset])) &* 0x100_0000_01B3
                        offset &+= 1
                    }
                    return (hash ^ UInt64(bytes.count)) &* 0x100_0000_01B3
                }
                guard let hash else { return nil }
                if let earlier = first[hash] {
                    guard lines[earlier].text.utf8.elementsEqual(lines[index].text.utf8) else { return nil }
                    repeats[index] = true
                } else {
                    first[hash] = index
                }
            }
            return repeats
        }

        /// The function-word list that covers most of the text's words, if it covers at least 12 % of them.
        /// As an index into ``Vocabulary/stopwordLanguages``.
        static func language(of lines: [Line]) -> Int? {
            // A sample of the text is enough to tell its language: its first 3,000 words, each looked up once
            // (as the line measured it) for every list at a time.
            var words = 0
            var hits = StopwordCounts()
            for line in lines where words < 3000 {
                if words + line.wordCount <= 3000 {
                    words += line.wordCount
                    hits.add(line.stopwordCounts)
                    continue
                }
                // The line where the sample ends: its words one by one.
                for mask in line.stopwordMasks.prefix(3000 - words) {
                    words += 1
                    hits.add(mask)
                }
            }
            guard words >= 20 else { return nil }
            let best = Vocabulary.stopwordLanguages.indices.map { ($0, hits[$0]) }.max { $0.1 < $1.1 }
            guard let best, best.1 * 100 >= words * 12 else { return nil }
            return best.0
        }

        /// ` - Sputnik International` at the end of a line: the text after the last spaced dash or bar, if it
        /// is one to four capitalised words.
        static func trailingTag(_ text: String) -> String? {
            // No spaced dash or bar among the bytes, none among the characters: most lines stop here.
            guard hasSpacedSeparator(text) else { return nil }
            return trailingTag(separated: text)
        }

        /// ``trailingTag(_:)`` of a text known to hold a spaced separator's bytes.
        static func trailingTag(separated text: String) -> String? {
            // Where every scalar is a character of its own (nearly always), in bytes, sparing grapheme breaking.
            if TextScan.hasSingleScalarCharacters(text) {
                guard let tag = TextScan.withUTF8(text, { singleTagText($0) }) else { return nil }
                return tagIfNames(tag)
            }
            return trailingTagByCharacters(text)
        }

        /// ``trailingTag(_:)`` on `Character`s: for text with characters of several scalars, and what the bytes
        /// must agree with.
        static func trailingTagByCharacters(_ text: String) -> String? {
            let characters = Array(text)
            var start: Int?
            var index = characters.count - 2
            while index > 0 {
                if characters[index - 1] == " ", characters[index + 1] == " ", "-–—|".contains(characters[index]) {
                    start = index + 2
                    break
                }
                index -= 1
            }
            guard let start, start < characters.count else { return nil }
            // One tag after one separator: a line of several ` - ` pairs is a list ("actor - Jamie Foxx;
            // actress - Hilary Swank"), not a caption signed by its site.
            let separators = (1..<max(1, characters.count - 1)).filter { index in
                characters[index - 1] == " " && characters[index + 1] == " " && "-–—|".contains(characters[index])
            }
            // And a caption before it: a racing field's "3 - VACANT" is no photo caption.
            guard separators.count == 1, String(characters[..<separators[0]]).split(separator: " ").count >= 6 else {
                return nil
            }
            return tagIfNames(String(characters[start...]))
        }

        /// ``trailingTag(_:)``'s search in the bytes of text whose scalars are characters of their own: the
        /// text after the only spaced separator, if there is one and six words or more stand before it.
        private static func singleTagText(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
            var found: (separator: Int, tag: Int)?
            var index = 0
            while index + 2 < bytes.count {
                // Eight places at a time where no space is followed by `-`, `|` or a long dash's first byte (most of
                // a long line).
                if index &+ 9 <= bytes.count {
                    let spaces = TextScan.lanes(TextScan.eightBytes(at: index, in: bytes), equalTo: 0x20)
                    let next = TextScan.eightBytes(at: index &+ 1, in: bytes)
                    let dashes = TextScan.lanes(next, equalTo: UInt8(ascii: "-"))
                        | TextScan.lanes(next, equalTo: UInt8(ascii: "|")) | TextScan.lanes(next, equalTo: 0xE2)
                    if spaces & dashes == 0 {
                        index &+= 8
                        continue
                    }
                }
                defer { index += 1 }
                guard bytes[index] == 0x20 else { continue }
                let next = bytes[index + 1]
                var width = 0
                if next == UInt8(ascii: "-") || next == UInt8(ascii: "|") {
                    width = 1
                } else if next == 0xE2, index + 3 < bytes.count, bytes[index + 2] == 0x80,
                    bytes[index + 3] == 0x93 || bytes[index + 3] == 0x94
                {
                    width = 3
                }
                guard width > 0, index + 1 + width < bytes.count, bytes[index + 1 + width] == 0x20 else { continue }
                guard found == nil else { return nil }
                found = (index + 1, index + 2 + width)
            }
            guard let found, found.tag < bytes.count else { return nil }
            var words = 0
            var inWord = false
            for byte in bytes[..<found.separator] {
                if byte == 0x20 {
                    inWord = false
                } else if !inWord {
                    inWord = true
                    words += 1
                    // Six words are all that is asked.
                    if words == 6 { break }
                }
            }
            guard words >= 6 else { return nil }
            // ``tagIfNames(_:)`` refuses a tag of 41 characters or more once trimmed: here characters are scalars,
            // counted in the bytes before any String is made of a long rest of the line.
            var scalars = 0
            for index in TextScan.trimmedRange(bytes, from: found.tag) where bytes[index] & 0xC0 != 0x80 {
                scalars += 1
                if scalars >= 41 { return nil }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[found.tag...]), as: UTF8.self)
        }

        /// `text` trimmed, if it is one to four capitalised words of letters, at most 40 characters.
        private static func tagIfNames(_ text: String) -> String? {
            let tag = text.trimmingSpaces
            // Most candidates are the rest of a long line: the length rules them out before any splitting.
            guard !TextScan.hasCharacters(tag[...], atLeast: 41) else { return nil }
            let words = tag.split(separator: " ")
            guard (1...4).contains(words.count), tag.last != ".",
                words.allSatisfy({ $0.first?.isUppercase == true && $0.allSatisfy { $0.isLetter || $0 == "." } })
            else { return nil }
            return tag
        }

        /// Whether the bytes hold ` - `, ` | `, ` – ` or ` — `.
        static func hasSpacedSeparator(_ text: String) -> Bool {
            TextScan.withUTF8(text) { bytes in
                var index = 0
                while index + 2 < bytes.count {
                    defer { index += 1 }
                    guard bytes[index] == 0x20 else { continue }
                    let next = bytes[index + 1]
                    if next == UInt8(ascii: "-") || next == UInt8(ascii: "|"), bytes[index + 2] == 0x20 { return true }
                    if next == 0xE2, index + 4 < bytes.count, bytes[index + 2] == 0x80,
                        bytes[index + 3] == 0x93 || bytes[index + 3] == 0x94, bytes[index + 4] == 0x20
                    {
                        return true
                    }
                }
                return false
            }
        }

        /// The share of function words among the words of the line at `index`, when the language is known.
        func stopwordShare(_ index: Int) -> Double? { stopwordShares[index] }

        /// Running text: a sentence of eight words or more (or a long run without an end), with the share of
        /// function words prose has when the language is known.
        func isProse(_ index: Int) -> Bool {
            let line = lines[index]
            guard !line.isHeadlineLine, line.wordCount >= 8, line.endsSentence || line.wordCount >= 25,
                line.separators < 2
            else { return false }
            if let share = stopwordShare(index) { return share >= 0.15 }
            return true
        }

        // MARK: Signals of a line on its own

        func strongSignal(_ index: Int) -> Signal? {
            let line = lines[index]
            if let role = line.block?.role { return .region(role) }
            if let block = line.block, block.links >= 1, block.linkShare >= 0.6 { return .linkDensity }
            if isBreadcrumb(line) { return .breadcrumb }
            if line.separators >= 2 && line.segments.count >= 3 { return .separatedList }
            // No words: separators, rules, a comment count ("|", "-----", "0"); not a figure from a table.
            if line.letterWords == 0, line.text.count <= 2 || !line.text.contains(where: \.isNumber) { return .noWords }
            if line.isHeadlineLine { return headlineSignal(line) }
            // The remaining signals concern short lines and captions; a long paragraph of prose is spared
            // their character-by-character work.
            if line.wordCount > 60 {
                if isCaption(index) { return .caption }
                if isLegal(line, at: index) { return .legal }
                if repeatsEarlier[index] { return .repeatedParagraph }
                return nil
            }
            // The normalised line is needed only where it may repeat the headline or a field.
            let headline = headlineKey
            let checksHeadline =
                (!headlineIsFirstLine || index > 0) && !headline.isEmpty && Self.mayOpen(line.text, like: headline)
            if checksHeadline || !labelledTexts.isEmpty {
                let key = normalized(line.text)
                if checksHeadline {
                    if key == headline { return .repeatsHeadline }
                    if key.hasPrefix(headline + " "),
                        Self.spaceSeparatedCount(key) - Self.spaceSeparatedCount(headline) <= 4
                    {
                        return .repeatsHeadline
                    }
                }
                // Every field repeat is one of `labelledTexts` (which holds `fieldTexts`).
                if isFieldRepeat(line, key: key) { return .repeatsField }
            }
            if isCaption(index) { return .caption }
            if isOtherScript(line) { return .otherScript }
            if isPrompt(line) { return .prompt }
            if isLegal(line, at: index) { return .legal }
            if line.wordCount >= 10, repeatsEarlier[index] { return .repeatedParagraph }
            return nil
        }

        /// `text.split(separator: " ").count`, from the word ranges where they can be had (a paragraph that opens
        /// with the headline may be long).
        static func spaceSeparatedCount(_ text: String) -> Int {
            TextScan.withUTF8(text) { TextScan.wordRanges($0, spacesOnly: true)?.count } ?? text.split(separator: " ").count
        }

        /// The headline line is judged only by what it is alone; whether it heads a list is decided later.
        private func headlineSignal(_ line: Line) -> Signal? {
            if isBreadcrumb(line) { return .breadcrumb }
            if isOtherScript(line) { return .otherScript }
            if isPrompt(line) { return .prompt }
            return nil
        }

        /// False when `normalized(text)` can neither be `key` nor start with it: its first letter or digit is
        /// ASCII and differs from `key`'s (or it has none). True when that cannot be told from the first bytes.
        static func mayOpen(_ text: String, like key: String) -> Bool {
            guard let keyFirst = key.utf8.first, keyFirst < 0x80 else { return true }
            for byte in text.utf8 {
                if byte >= 0x80 { return true }
                switch byte {
                case 0x41...0x5A: return byte + 0x20 == keyFirst
                case 0x61...0x7A, 0x30...0x39: return byte == keyFirst
                default: continue
                }
            }
            return false
        }

        private func isFieldRepeat(_ line: Line, key: String) -> Bool {
            if fieldTexts.contains(key) { return true }
            // `Abstract: …`, `By: …`: a label and a field's value.
            if let colon = line.text.prefix(21).firstIndex(of: ":") {
                let value = normalized(String(line.text[line.text.index(after: colon)...]))
                if labelledTexts.contains(value) { return true }
            }
            if line.text.hasPrefix("("), line.text.hasSuffix(")") {
                return fieldTexts.contains(normalized(String(line.text.dropFirst().dropLast())))
            }
            return false
        }

        /// A date with at most five other words and no sentence: `12 Feb. 2020 -`,
        /// `Xinhua, March 11, 2016 Adjust font size:`, `Mis à jour le: 12 Feb. 2020 19:31`.
        private func isDateStamp(_ line: Line) -> Bool {
            guard line.wordCount <= 20, line.text.count <= 100 else { return false }
            let dates = DateText.allDates(in: line.text)
            guard !dates.isEmpty else { return false }
            var rest = Array(line.text)
            for date in dates.reversed() where date.range.upperBound <= rest.count {
                rest.removeSubrange(date.range)
            }
            let others = String(rest).split(whereSeparator: \.isWhitespace).filter { $0.contains(where: \.isLetter) }
            // A sentence that mentions a date ("On March 11, 2016 the talks ended.") is text, not a stamp.
            let fullStop = line.text.last.map { ".!?".contains($0) } ?? false
            return others.count <= 2 || others.count <= 5 && !fullStop
        }

        private static let breadcrumbSeparators: Set<Character> = [":", "›", "»", ">", "/", "|"]

        /// Up to eight words, a separator (`:`, `›`, `»`, `>`, `/`, `|`), and a breadcrumb root word as one of
        /// the steps: `You are here: Home`, `Home › World`.
        private func isBreadcrumb(_ line: Line) -> Bool {
            guard line.wordCount <= 8, line.text.last != "." else { return false }
            // Without a separator's bytes (`:` `>` `/` `|` `›` `»`) there is one step and no colon.
            guard TextScan.withUTF8(line.text, { bytes in
                for (index, byte) in bytes.enumerated() {
                    switch byte {
                    case UInt8(ascii: ":"), UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "|"): return true
                    case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xBB: return true
                    case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xBA:
                        return true
                    default: continue
                    }
                }
                return false
            }) else { return false }
            let steps = line.text.split(whereSeparator: { Self.breadcrumbSeparators.contains($0) })
                .map { $0.trimmingSpaces.lowercased() }
                .filter { !$0.isEmpty }
            guard steps.count >= 2 || line.text.contains(":") else { return false }
            return steps.contains { Vocabulary.breadcrumbRoots.contains($0) }
        }

        /// Starts with a credit mark, or ends with the site's repeated tag (` - Sputnik International`).
        private func isCaption(_ index: Int) -> Bool {
            let line = lines[index]
            if TextScan.startsWithCopyright(line.text) { return true }
            if line.text.utf8.first == UInt8(ascii: "("), line.text.lowercased().hasPrefix("(c) ") { return true }
            if let tag = trailingTags[index], siteTags.contains(tag) { return true }
            return false
        }

        /// Fewer than sixteen words, mostly in a script that is not the text's.
        private func isOtherScript(_ line: Line) -> Bool {
            guard let script, let own = line.script, own != script, line.wordCount < 16 else { return false }
            return line.text.filter(\.isLetter).count >= 3
        }

        /// The first words of ``Vocabulary/interfacePhrases``.
        static let interfacePhraseStarts = Set(
            Vocabulary.interfacePhrases.map { String($0.split(separator: " ").first ?? $0[...]) }
        )

        /// ``Vocabulary/interfacePhrases`` with a space either side, as they are looked for.
        static let spacedInterfacePhrases = Vocabulary.interfacePhrases.map { " " + $0 + " " }

        /// At most six words, no sentence, made of page furniture vocabulary.
        private func isPrompt(_ line: Line) -> Bool {
            guard line.wordCount <= 6, !line.endsSentence else { return false }
            // A phrase is found only where its first word is one of the line's words.
            guard line.keys.contains(where: { Self.interfacePhraseStarts.contains($0) }) else { return false }
            let text = " " + line.keys.joined(separator: " ") + " "
            let phrases = Vocabulary.interfacePhrases.indices
                .filter { TextScan.contains(text, Self.spacedInterfacePhrases[$0]) }
                .map { Vocabulary.interfacePhrases[$0] }
            guard !phrases.isEmpty else { return false }
            // Furniture phrases, function words and what prompts act on must make up the line: "Share this
            // article" is a prompt, "Share boost for feud-hit Reliance" is a headline about shares.
            let furniture = Set(phrases.flatMap { $0.split(separator: " ").map(String.init) })
            let covered = line.keys.filter { key in
                furniture.contains(key) || Vocabulary.promptWords.contains(key) || stopwords?.contains(key) == true
            }
            return covered.count * 4 >= line.wordCount * 3
        }

        /// The ASCII ``Vocabulary/legalPhrases``, then "copyright".
        static let asciiLegalNeedles =
            Vocabulary.legalPhrases.filter { phrase in phrase.utf8.allSatisfy { $0 < 0x80 } } + ["copyright"]

        static let asciiLegalSearch = TextScan.Needles(asciiLegalNeedles)

        /// A legal phrase in the last fifth of the page, or in a short line anywhere after the text began.
        private func isLegal(_ line: Line, at index: Int) -> Bool {
            guard index * 5 >= lines.count * 4 || line.wordCount <= 12 else { return false }
            // ASCII lines (nearly all) are searched without a lowercased copy; other phrases cannot occur in them.
            if let found = TextScan.lowercasedASCIIContains(line.text, Self.asciiLegalSearch) {
                if found.dropLast().contains(true) { return true }
                return line.wordCount <= 12 && found.last!
                    && line.words.contains { $0.count >= 4 && $0.prefix(4).allSatisfy(\.isNumber) }
            }
            let text = line.text.lowercased()
            if Vocabulary.legalPhrases.contains(where: { TextScan.contains(text, $0) }) { return true }
            // "Copyright 2016 Xinhua": the word with a year, in a short line.
            return line.wordCount <= 12 && TextScan.contains(text, "copyright")
                && line.words.contains { $0.count >= 4 && $0.prefix(4).allSatisfy(\.isNumber) }
        }

        // MARK: Signals from neighbours

        /// Lines judged by what surrounds them: the heading of a list taken out, a teaser after a caption, a
        /// second copy of a caption.
        /// The reasons of lines taken out as lists, made once.
        private static let structuralReasons: Set<String> = [
            Signal.separatedList.description, Signal.linkDensity.description,
            Signal.region(.navigation).description, Signal.region(.related).description,
        ]

        func addContextSignals(_ reasons: inout [String?]) {
            let structural = Self.structuralReasons
            let captionReason = Signal.caption.description
            for index in lines.indices where reasons[index] == nil {
                let line = lines[index]
                if index + 1 < lines.count, let next = reasons[index + 1], structural.contains(next),
                    line.wordCount <= 5, !line.endsSentence
                {
                    reasons[index] = Signal.listHeading.description
                    continue
                }
                guard !line.isHeadlineLine, index > 0 else { continue }
                if reasons[index - 1] == captionReason, line.isHeadlineShaped, line.isTitleCase || !line.endsSentence,
                    !isProse(index)
                {
                    reasons[index] = Signal.teaser.description
                    continue
                }
                // The same caption twice (alt text, then caption): most of its words in a neighbouring caption.
                let neighbours = [index - 1, index + 1].filter {
                    lines.indices.contains($0) && reasons[$0] == captionReason
                }
                if line.wordCount >= 8, neighbours.contains(where: { overlap(line, lines[$0]) >= 0.8 }) {
                    reasons[index] = captionReason
                }
            }
        }

        /// Share of `line`'s words found in `other`.
        private func overlap(_ line: Line, _ other: Line) -> Double {
            let words = Set(other.words.map { $0.lowercased() })
            let found = line.words.filter { words.contains($0.lowercased()) }.count
            return Double(found) / Double(max(line.wordCount, 1))
        }

        // MARK: Signals from position

        /// Before the first paragraph of prose only lines that could be a headline, a standfirst or a
        /// sentence stay; after the last, only sentences; inside, a short line between two removed lines goes.
        ///
        /// The edges are judged only where they show furniture already (a line with a signal of its own):
        /// a match preview's "Ewood Park" / "2000 GMT" or a closing list of fixtures stays, because nothing
        /// around it is furniture; the same short lines next to a caption, a prompt or a footer go.
        func addZoneSignals(_ reasons: inout [String?]) {
            let prose = lines.indices.filter { reasons[$0] == nil && isProse($0) }
            guard let first = prose.first, let last = prose.last else { return }
            // Date stamps belong to the page's head and foot; inside the text (a live blog's "1200 GMT, 11
            // March 2011") they are the text's own.
            for index in lines.indices where (index < first || index > last) && reasons[index] == nil {
                if !lines[index].isHeadlineLine, isDateStamp(lines[index]) {
                    reasons[index] = Signal.dateStamp.description
                }
            }
            // A rule or a lone figure is no evidence of furniture: tables have them too.
            let noWords = Signal.noWords.description
            let furnitureBefore = (0..<first).contains { reasons[$0] != nil && reasons[$0] != noWords }
            let furnitureAfter = lines.indices.contains { $0 > last && reasons[$0] != nil && reasons[$0] != noWords }
            for index in 0..<first where furnitureBefore && reasons[index] == nil && !lines[index].isHeadlineLine {
                let line = lines[index]
                if !line.isHeadlineShaped && !line.endsSentence && line.wordCount <= 6 {
                    reasons[index] = Signal.beforeText.description
                }
            }
            for index in lines.indices where furnitureAfter && index > last && reasons[index] == nil {
                let line = lines[index]
                if !line.endsSentence || line.wordCount <= 3 {
                    reasons[index] = Signal.afterText.description
                }
            }
            for index in lines.indices where index > first && index < last && reasons[index] == nil {
                let line = lines[index]
                guard line.wordCount <= 4, !line.endsSentence else { continue }
                if reasons[index - 1] != nil && reasons[index + 1] != nil {
                    reasons[index] = Signal.betweenRemoved.description
                }
            }
        }
    }
}

/// Lowercase letters and digits, single spaces: how two texts are compared for repetition.
func normalized(_ text: String) -> String {
    if let simple = normalizedSimple(text) { return simple }
    var out = ""
    var pendingSpace = false
    for character in text.lowercased() {
        if character.isLetter || character.isNumber {
            if pendingSpace && !out.isEmpty { out.append(" ") }
            out.append(character)
            pendingSpace = false
        } else {
            pendingSpace = true
        }
    }
    return out
}

/// ``normalized(_:)`` scalar by scalar, for text whose lowercase has only characters of one scalar (then a
/// character is a letter or a number as its scalar is); nil for other text. `lowercased()` maps scalar by
/// scalar too, so the two agree.
private func normalizedSimple(_ text: String) -> String? {
    TextScan.withUTF8(text) { bytes -> String? in
        var simple = true
        // A lowercase scalar takes at most one byte more than its capital (U+023A → U+2C65), spaces only stand
        // where something was dropped: twice the bytes is room enough.
        let result = String(unsafeUninitializedCapacity: bytes.count * 2 + 4) { out -> Int in
            var position = 0
            var pendingSpace = false
            var index = 0
            @inline(__always) func append(_ value: UInt32) {
                if pendingSpace && position > 0 {
                    out[position] = 0x20
                    position += 1
                }
                pendingSpace = false
                switch value {
                case ..<0x80:
                    out[position] = UInt8(value)
                    position += 1
                case ..<0x800:
                    out[position] = UInt8(0xC0 | (value >> 6))
                    out[position + 1] = UInt8(0x80 | (value & 0x3F))
                    position += 2
                case ..<0x10000:
                    out[position] = UInt8(0xE0 | (value >> 12))
                    out[position + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
                    out[position + 2] = UInt8(0x80 | (value & 0x3F))
                    position += 3
                default:
                    out[position] = UInt8(0xF0 | (value >> 18))
                    out[position + 1] = UInt8(0x80 | ((value >> 12) & 0x3F))
                    out[position + 2] = UInt8(0x80 | ((value >> 6) & 0x3F))
                    out[position + 3] = UInt8(0x80 | (value & 0x3F))
                    position += 4
                }
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    index += 1
                    // CR LF is one character, but neither a letter nor a number, like CR and LF apart.
                    switch byte {
                    case 0x41...0x5A: append(UInt32(byte) + 0x20)
                    case 0x61...0x7A, 0x30...0x39: append(UInt32(byte))
                    default: pendingSpace = true
                    }
                    continue
                }
                let (value, length) = TextScan.scalar(at: index, in: bytes)
                index += length
                guard var scalar = Unicode.Scalar(value) else {
                    simple = false
                    return 0
                }
                if scalar.properties.changesWhenLowercased {
                    let lower = scalar.properties.lowercaseMapping.unicodeScalars
                    guard lower.count == 1, let first = lower.first, first.utf8.count <= length + 1 else {
                        simple = false
                        return 0
                    }
                    scalar = first
                }
                guard TextScan.standsAlone(scalar) else {
                    simple = false
                    return 0
                }
                if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    append(scalar.value)
                } else {
                    pendingSpace = true
                }
            }
            return position
        }
        return simple ? result : nil
    }
}

extension String {
    /// Without leading and trailing characters from `set`.
    func trimming(_ set: String) -> String {
        var start = startIndex
        var end = endIndex
        while start < end, set.contains(self[start]) { start = index(after: start) }
        while end > start, set.contains(self[index(before: end)]) { end = index(before: end) }
        return String(self[start..<end])
    }
}
