import Testing

@testable import CopydeskCore

/// The byte paths of the eighth plain-text round (Benchmarks/PARSE.md, "Plain text, session 8") against the code
/// they stand in for, on ordinary text and on random mixes of the bytes and scalars where the two could part.
@Suite("Clean and Parse: byte paths of the eighth round")
struct ParseEighthRoundTests {
    static func scalars(_ text: String) -> String { TextScanBytePathTests.scalars(text) }

    /// ASCII words of every length around eight and sixteen bytes, function words in any case, the punctuation keys
    /// trim, controls that are part of a word, every ASCII whitespace, and scalars beyond ASCII that send a word (or
    /// the line) the long way. No NUL: Screening refuses any text with one, and a key packed into a number cannot
    /// tell a trailing NUL from the end of the word (`a\0` is looked up as `a`), as in every byte path since
    /// session 6.
    static let wordPieces: [String] = [
        "the", "The", "THE", "of", "a", "I", "and", "und", "der", "les", "avec", "which", "werden", "hebben",
        "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklm", "abcdefghijklmno", "abcdefghijklmnop",
        "abcdefghijklmnopq", "(abcdefgh)", "International,", "\"(the)\".", "((((the))))", "ABCDEFGHIJ", "2016", "11,",
        "(the", "the)", "\"of\"", "'and'", "of.", "and;", "(.)", ",", ".", "!?", "|", "-", "_", "=", "@", "[", "`",
        "{", "~", "Zz", "aZ", "\u{1}", "\u{8}", "\u{E}", "\u{1F}", "\u{7F}", " ", " ", " ", "  ", "\t", "\n",
        "\u{B}", "\u{C}", "\r", "\r\n", "é", "É", "“", "”", "’", "£", "–", "—", "•", "·", "и", "Москва", "\u{301}",
        "\u{200D}", "\u{A0}", "\u{2028}", "\u{600}", "😀",
    ]

    static func randomLine(_ generator: inout SystemRandomNumberGenerator, upTo: Int) -> String {
        TextScanBytePathTests.randomText(&generator, pieces: wordPieces, upTo: upTo)
    }

    // MARK: Clean.Line: ASCII words from one or two loads

    @Test func wordsFromOneLoadMeasureAsTheGeneralPass() {
        var generator = SystemRandomNumberGenerator()
        var measured = 0
        for round in 0..<60_000 {
            let text = Self.randomLine(&generator, upTo: round % 3 == 0 ? 6 : 40)
            guard let fast = Clean.Line.measureFused(text) else { continue }
            measured += 1
            guard let general = Clean.Line.measure(text) else {
                Issue.record("measured in one pass, not by word ranges: \(Self.scalars(text))")
                return
            }
            let characters = Clean.Line.measureByCharacters(text)
            #expect(TextScanBytePathTests.same(fast, general), "\(Self.scalars(text))")
            #expect(fast.wordCount == characters.wordCount && fast.stopwords == characters.stopwords
                && fast.letterWords == characters.letterWords && fast.separators == characters.separators
                && fast.scriptCounts.all == characters.scriptCounts.all, "\(Self.scalars(text))")
            if !TextScanBytePathTests.same(fast, general) { return }
        }
        #expect(measured > 20_000)
    }

    @Test func wordsFromOneLoadOnOrdinaryAndEdgeLines() {
        let lines = [
            "", "a", "The", "the cat", "abcdefg", "abcdefgh", " the ", "the\tof\u{0}and", "Of the (the) and, ‘the’",
            "THE OF AND A I", "Home | News | Sport", "Berlin (dpa) - The talks ended.", "a b c d e f g h i j k l",
            String(repeating: "the of and ", count: 10_000), String(repeating: "x", count: 100_000),
            "end of line: of", "of the\u{7F}", "|", "| |", "a |", "an\u{1F}", "2016-03-11 11:14",
        ]
        for text in lines {
            guard let fast = Clean.Line.measureFused(text), let general = Clean.Line.measure(text) else {
                Issue.record("not measured in one pass: \(Self.scalars(text.prefix(40).description))")
                continue
            }
            #expect(TextScanBytePathTests.same(fast, general), "\(text.prefix(60))")
        }
    }

    // MARK: TextMetadata: datelines ruled out from the word ranges

    static let datelinePieces: [String] = [
        "BRUSSELS ", "Berlin ", "(Reuters) ", "(dpa) ", "(AP) ", "(", ")", "), ", "(x", "- ", "-- ", "---", "– ", "— ",
        "_ ", "=", "-x", "x-", "Feb ", "11, ", "March ", "10 ", "AAP ", "AP", "The ", "talks ", "ended. ", "é", "“",
        "\u{301}", "\u{600}", "\u{A0}", " ", " ", " ", "  ", "\t", "LOS ANGELES, ", "ROSCOE, South Dakota ",
    ]

    @Test func datelinesNeedAnOpeningBracketOrADash() {
        var generator = SystemRandomNumberGenerator()
        var ruledOut = 0
        var found = 0
        for _ in 0..<40_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: Self.datelinePieces, upTo: 30)
            let words = TextMetadata.HeadWords(text)
            let dateline = Dateline.find(words: words.all)
            if dateline != nil { found += 1 }
            if !words.mayHoldDateline {
                ruledOut += 1
                #expect(dateline == nil, "\(Self.scalars(text))")
            }
        }
        #expect(ruledOut > 1_000 && found > 50)
        for text in [
            "BRUSSELS (Reuters) - The talks ended.", "Berlin (dpa) - Die Gespräche endeten.",
            "LOS ANGELES, March 10 AAP – The talks ended.", "WASHINGTON — The talks ended on Tuesday.",
        ] {
            #expect(TextMetadata.HeadWords(text).mayHoldDateline)
            #expect(Dateline.find(in: text) != nil, "\(text)")
        }
        #expect(!TextMetadata.HeadWords("The talks ended on Tuesday in Brussels, officials said.").mayHoldDateline)
    }

    @Test func dashesByBytesAreTheDashWords() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let word = TextScanBytePathTests.randomText(&generator, pieces: Self.datelinePieces, upTo: 3)
            guard !word.isEmpty else { continue }
            let bytes = TextScan.withUTF8(word) { Dateline.isDash($0, 0..<$0.count) }
            #expect(bytes == Dateline.isDash(word[...]), "\(Self.scalars(word))")
        }
    }

    // MARK: DateText: tokens of scalars that stand alone

    @Test func tokensOfScalarsThatStandAloneAreTheCharacterTokens() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "11", "Feb.", "2016", "March", "11,", "“", "”", "’", "–", "—", "é", "\u{301}", "\u{200D}", "\u{600}", "\u{A0}",
            "\u{2028}", "\u{3000}", "(", ")", " ", "  ", "\t", "\r", "\r\n", "\n", "東", "한", "\u{1F1E6}", "😀", "\u{1F3FB}",
            "13:14", "Москва", "20160", "2016-03-11", "1999", "12345",
        ]
        var standing = 0
        for _ in 0..<40_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 20)
            let expected = DateText.Token.splitByCharacters(text)
            let split = DateText.Token.split(text)
            #expect(split.map(\.range) == expected.map(\.range), "\(Self.scalars(text))")
            #expect(split.map { String($0.text) } == expected.map { String($0.text) }, "\(Self.scalars(text))")
            if let spans = DateText.Token.spans(text) {
                standing += 1
                #expect(spans.map(\.characters) == expected.map(\.range), "\(Self.scalars(text))")
                let yearLike = expected.map { $0.text.utf8.count >= 4 && $0.text.utf8.prefix(4).allSatisfy { $0 &- 0x30 < 10 } }
                #expect(spans.map(\.yearLike) == yearLike, "\(Self.scalars(text))")
            }
        }
        #expect(standing > 5_000)
        #expect(DateText.firstDate(in: "“Talks”, he said — 11 Feb. 2016 13:14")?.iso == "2016-02-11T13:14")
        let found = DateText.allDates(in: "On March 11, 2016 and on 2017-01-02 (12 Feb. 2018, 10:15) … 3 March 2019")
        #expect(found.map(\.iso) == ["2016-03-11", "2017-01-02", "2018-02-12T10:15", "2019-03-03"])
        #expect(found.first?.range == 3..<17)
    }

    // MARK: TextScan.isBlank

    @Test func blankLinesAreLinesOfWhitespaceCharacters() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [" ", "\t", "\n", "\r", "\r\n", "\u{B}", "\u{C}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{301}", "x", "é", "\u{600}"]
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 6)
            #expect(TextScan.isBlank(text[...]) == text.allSatisfy(\.isWhitespace), "\(Self.scalars(text))")
        }
        #expect(TextScan.isBlank(""[...]) && TextScan.isBlank(" \t "[...]) && !TextScan.isBlank(" x"[...]))
    }

    // MARK: TextScan.isCollapsed: Latin-1 punctuation and symbols

    @Test func latinOnePunctuationIsCollapsedWhenTheCharactersAre() {
        var pieces = (0xA0...0xBF).map { String(Unicode.Scalar(UInt8($0))) }
        pieces += [
            "a", "Z", "9", " ", " ", " ", "  ", "\t", "\u{85}", "\u{9F}", "\u{300}", "\u{301}", "\u{200D}", "\u{2009}", "é",
            "£5", "abcdefghij",
        ]
        var generator = SystemRandomNumberGenerator()
        var collapsed = 0
        for _ in 0..<40_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 16)
            let reference = TextScanCollapseTests.reference(text)
            #expect(TextScan.collapse(text[...]) == reference, "\(Self.scalars(text))")
            if TextScanCollapseTests.isCollapsed(text) {
                collapsed += 1
                #expect(text == reference, "\(Self.scalars(text))")
            }
        }
        #expect(collapsed > 2_000)
        for text in ["The pound fell to £1.20 on Tuesday.", "© 2016 Reuters", "« Oui », a-t-il dit, 20 °C"] {
            #expect(TextScanCollapseTests.isCollapsed(text), "\(text)")
        }
        for text in ["a\u{A0}b", "a\u{AD}b", "a \u{AD}b", "£\u{85}"] {
            #expect(!TextScanCollapseTests.isCollapsed(text), "\(Self.scalars(text))")
        }
    }

    // MARK: Eight and sixteen bytes at a time: controls and printable bytes

    /// Eight bytes in one number, the first in the low byte (as ``TextScan/eightBytes(at:in:)`` loads them).
    static func packed(_ bytes: [UInt8]) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    @Test func laneTestsAreTheByteTests() {
        var generator = SystemRandomNumberGenerator()
        // Every byte value in every lane, among neighbours of every kind, then random words.
        let neighbours: [UInt8] = [0x00, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0xFF]
        var words: [[UInt8]] = []
        for value in 0...255 {
            for lane in 0..<8 {
                var bytes = (0..<8).map { _ in neighbours.randomElement(using: &generator)! }
                bytes[lane] = UInt8(value)
                words.append(bytes)
            }
        }
        for _ in 0..<20_000 { words.append((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        for bytes in words {
            let word = Self.packed(bytes)
            let printable = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            #expect(TextScan.isPrintableASCII(word) == printable, "\(bytes)")
            let controls = Self.packed(bytes.map { $0 < 0x20 || $0 == 0x7F ? 0x80 : 0 })
            #expect(TextScan.controlLanes(word) == controls, "\(bytes)")
            // The word tests of Clean.Line, on ASCII lanes and the lanes a word stops before.
            let ascii = bytes.map { $0 & 0x7F }
            let asciiWord = Self.packed(ascii)
            let letters = Self.packed(ascii.map { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) ? 0x80 : 0 })
            #expect(Clean.Line.asciiLetterLanes(asciiWord) == letters, "\(ascii)")
            for length in 0...8 {
                let lanes: UInt64 = length == 8 ? ~0 : (1 << (8 * UInt64(length))) - 1
                let below = ascii.prefix(length).contains { $0 < 0x40 }
                #expect(Clean.Line.hasByteBelow0x40(asciiWord & lanes, in: lanes) == below, "\(ascii) \(length)")
            }
        }
    }

    @Test func theProbeLooksUpAsTheTable() {
        var generator = SystemRandomNumberGenerator()
        let table = Vocabulary.asciiStopwords
        var keys = Vocabulary.stopwordMasks.keys.filter { $0.utf8.allSatisfy { $0 < 0x80 } }.map { Self.packed(Array($0.utf8)) }
        for _ in 0..<20_000 {
            keys.append(Self.packed((0..<Int.random(in: 1...8, using: &generator)).map { _ in UInt8.random(in: 0x21...0x7E, using: &generator) }))
        }
        table.withProbe { probe in
            for key in keys { #expect(probe.mask(key: key) == table.mask(key: key)) }
        }
        #expect(keys.contains { table.mask(key: $0) != 0 })
    }

    @Test func screeningSixteenBytesAtATimeAgreesWithTheUnitScan() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            Array("text ".utf8), Array("abcdefghijklmnop".utf8), [0x20], Array(repeating: 0x20, count: 17), [0x00],
            [0x01], [0x02], [0x03], [0x04], [0x07], [0x09], [0x0A], [0x0C], [0x0D], [0x16], [0x1B], [0x1F], [0x7F],
            [0xC3, 0xA9], [0xE2, 0x80, 0x9C], [0xFF],
        ]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<count).flatMap { _ in pieces.randomElement(using: &generator)! }
            for start in [0, 3] where start <= bytes.count {
                let expected = Screening.scan(
                    count: bytes.count - start, unitWidth: 1, base: start, unitName: "byte"
                ) { UInt32(bytes[start + $0]) }
                #expect(Screening.scanBytes(bytes, from: start) == expected, "\(bytes)")
            }
        }
    }

    @Test func normalizedTextIsWhatNormalizingLeavesAsItIs() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "abcdefghijklmnopq", "text ", " ", "\t", "\n", "\r", "\r\n", "\u{B}", "\u{C}", "\u{1}", "\u{7F}", "\u{85}",
            "\u{9F}", "\u{A0}", "é", "“", "\u{2028}", "\u{2029}", "\u{2027}", "\u{202A}", "東",
        ]
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 12)
            let (normalized, unchanged) = TextScan.withUTF8(text) { bytes in
                (PlainTextParser.isNormalized(bytes), PlainTextParser.normalizing(bytes) == text)
            }
            #expect(normalized == unchanged, "\(Self.scalars(text))")
        }
    }

    // MARK: Character counts and agencies from the bytes

    @Test func characterCountsFromTheBytesAreTheCharacterCounts() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["a", "é", "\u{2FF}", "\u{300}", "\u{301}", "\r", "\n", "\r\n", "“", "東", "😀", " ", "abcdefgh", "\u{AD}"]
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 30)
            for limit in [1, 3, 8, 20, 40] {
                #expect(TextScan.hasCharacters(text[...], atLeast: limit) == (text.count >= limit), "\(Self.scalars(text))")
            }
        }
        let long = String(repeating: "x", count: 5_000)
        #expect(TextScan.hasCharacters(long[...], atLeast: 101) && !TextScan.hasCharacters("x\u{301}x"[...], atLeast: 3))
    }

    @Test func agenciesFromTheBytesAreTheCharacterAgencies() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["AP", "dpa", "ats", "afp", "Reuters", " ", "/", "-", "&", ".", "'", "1", "\t", "\r\n", "é", "x", "AAAAAAAAAA"]
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 8)
            guard let bytes = TextScan.withUTF8(text, Dateline.isASCIIAgency) else { continue }
            #expect(bytes == Dateline.isAgencyByCharacters(text), "\(Self.scalars(text))")
        }
    }

    // MARK: Byte searches and space-separated words

    @Test func anchoredSearchFindsWhatANaiveSearchFinds() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["all rights reserved", "privacy", "policy", "v", "ve", "p", "e", "reserve", "rved", " ", "©", "é", "x"]
        let needles = Clean.Page.asciiLegalNeedles + ["v", "vv", "ab", "reserved reserved", "©"]
        for _ in 0..<5_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 12)
            let haystack = Array(text.utf8)
            for needle in needles {
                let pattern = Array(needle.utf8)
                let naive =
                    pattern.count <= haystack.count
                    && (0...(haystack.count - pattern.count)).contains { Array(haystack[$0..<($0 + pattern.count)]) == pattern }
                let found = haystack.withUnsafeBufferPointer { bytes in
                    pattern.withUnsafeBufferPointer { TextScan.find($0, in: bytes) }
                }
                #expect(found == naive, "\(needle) in \(text)")
            }
        }
    }

    @Test func asciiSpaceRangesAreTheScalarWalksRanges() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "a", "abcdefghijk", "the", " ", " ", "  ", "\t", "\n", "\u{1}", "\u{7F}", "é", "“", "\u{301}", "\u{600}", "\u{A0}",
        ]
        var taken = 0
        for _ in 0..<40_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 30)
            for limit in [1, 3, 24, Int.max] {
                TextScan.withUTF8(text) { bytes in
                    guard let fast = TextScan.asciiSpaceRanges(bytes, limit: limit) else { return }
                    taken += 1
                    let general = TextScan.wordRangesByScalars(bytes, spacesOnly: true, limit: limit)
                    #expect(fast == general, "\(Self.scalars(text)) limit \(limit)")
                }
            }
        }
        #expect(taken > 10_000)
    }

    // MARK: Clean.Page: trailing tags found eight places at a time

    @Test func trailingTagsOfLongLinesAreTheCharacterTags() {
        var generator = SystemRandomNumberGenerator()
        let words = ["word", "the", "abcdefghij", "Reuters", "é", "x-", "-x", "a\u{301}", "|x", "“quoted”", "£5", "2016"]
        let separators = [" - ", " | ", " – ", " — ", " -- ", " -", "- ", " "]
        let names = ["Sputnik", "International", "BBC", "News", "Xinhua", "dpa", "A.B.", "Al-Jazeera", "Ünal"]
        var tags = 0
        for _ in 0..<20_000 {
            // A caption of some words, a separator, a tag of some names; now and then another separator inside.
            var text = (0..<Int.random(in: 0...14, using: &generator)).map { _ in words.randomElement(using: &generator)! }
                .joined(separator: " ")
            if Bool.random(using: &generator) { text += separators.randomElement(using: &generator)! + "x" }
            text += separators.randomElement(using: &generator)!
            text += (0..<Int.random(in: 0...5, using: &generator)).map { _ in names.randomElement(using: &generator)! }
                .joined(separator: " ")
            let expected = Clean.Page.trailingTagByCharacters(text)
            if expected != nil { tags += 1 }
            #expect(Clean.Page.trailingTag(text) == expected, "\(Self.scalars(text))")
        }
        #expect(tags > 1_000)
        let caption = "Firefighters work at the scene of the fire on Tuesday - Sputnik International"
        #expect(Clean.Page.trailingTag(caption) == "Sputnik International")
    }
}
