import Testing

@testable import CopydeskCore

/// The byte-level fast paths of the plain-text reader and of Clean must answer exactly as the `Character` or
/// scalar code they stand in for, on ordinary text and on the scalars where the two could part (marks, joiners,
/// prepended marks, CR LF, whitespace beyond ASCII, the canonical equivalent of `;`).
@Suite("Parse: byte paths agree with the Character paths")
struct TextScanBytePathTests {
    /// Words, spaces, punctuation and the scalars at the edges of the byte paths.
    static let pieces: [String] = [
        "a", "Z", "9", "word", "The", "of", ".", "!", "?", ":", ";", ",", "-", "|", "\"", "'", ")", "]", "*", "_",
        " ", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{1C}", "\u{7F}", "\u{01}", "é", "ß", "£",
        "\u{300}", "\u{301}", "\u{5B0}", "\u{600}", "\u{D4E}", "\u{A0}", "\u{85}", "\u{AD}", "\u{2009}", "\u{200D}",
        "–", "—", "’", "”", "»", "…", "•", "\u{2028}", "\u{2029}", "\u{37E}", "\u{3000}", "ж", "東", "😀",
        "\u{1F3FB}", "\u{E33}", "\u{1100}", "\u{1161}",
    ]

    static func randomText(_ generator: inout SystemRandomNumberGenerator, pieces: [String] = pieces, upTo: Int = 12)
        -> String
    {
        let count = Int.random(in: 0...upTo, using: &generator)
        return (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static func scalars(_ text: String) -> String {
        text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
    }

    // MARK: endsSentence

    @Test func endsSentenceOnOrdinaryLines() {
        for (line, ends) in [
            ("The talks ended.", true), ("He said: “We will.”", true), ("(Reuters) -", false), ("Why? ", true),
            ("Subscribe", false), ("Read more…", true), ("Москва.", true), ("", false), ("end.\u{301}", false),
        ] {
            #expect(PlainTextParser.endsSentence(line[...]) == ends, "\(line)")
            #expect(PlainTextParser.endsSentenceByCharacters(line[...]) == ends, "\(line)")
        }
    }

    @Test func endsSentenceAgreesOnRandomText() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<30_000 {
            let text = Self.randomText(&generator)
            let expected = PlainTextParser.endsSentenceByCharacters(text[...])
            #expect(PlainTextParser.endsSentence(text[...]) == expected, "\(Self.scalars(text))")
            if PlainTextParser.endsSentence(text[...]) != expected { return }
        }
    }

    // MARK: Clean.Line measurements

    static func same(_ a: Clean.Line.Measured, _ b: Clean.Line.Measured) -> Bool {
        a.wordCount == b.wordCount && a.stopwords == b.stopwords && a.letterWords == b.letterWords
            && a.separators == b.separators && a.scriptCounts.all == b.scriptCounts.all
            && a.scriptCounts.dominant == b.scriptCounts.dominant && a.spacedSeparator == b.spacedSeparator
    }

    @Test func fusedMeasureAgreesWithTheGeneralPass() {
        let words = [
            "the", "and", "der", "les", "AND", "(the", "The,", "\"of\"", "a.", "ThE", "abcdefghi", "and;", "für", "и",
            "Москва", "ña", "•", "·", "›",
        ]
        var generator = SystemRandomNumberGenerator()
        var fused = 0
        for round in 0..<30_000 {
            // Half the texts ASCII only, the path nearly every line takes.
            let all = Self.pieces + words
            let pieces = round % 2 == 0 ? all.filter { $0.utf8.allSatisfy { $0 < 0x80 } } : all
            let text = Self.randomText(&generator, pieces: pieces, upTo: 16)
            guard let fast = Clean.Line.measureFused(text) else {
                #expect(round % 2 == 1, "ASCII text not measured in one pass: \(Self.scalars(text))")
                continue
            }
            fused += 1
            guard let general = Clean.Line.measure(text) else {
                Issue.record("measured in one pass, not by word ranges: \(Self.scalars(text))")
                return
            }
            #expect(Self.same(fast, general), "\(Self.scalars(text))")
            if !Self.same(fast, general) { return }
        }
        #expect(fused > 16_000)
    }

    @Test func fusedMeasureLeavesHardCasesToTheGeneralPass() {
        for text in ["a \u{301}b", "a\u{A0}b", "a\u{2028}b", "\u{600} 1"] {
            #expect(Clean.Line.measureFused(text) == nil, "\(Self.scalars(text))")
        }
        let line = Clean.Line(text: "The price was £5 and the rest", isHeadlineLine: false, block: nil)
        #expect(line.wordCount == 7)
        #expect(line.words.map(String.init) == ["The", "price", "was", "£5", "and", "the", "rest"])
    }

    // MARK: cut

    @Test func cutAgreesOnRandomText() {
        let pieces = Self.pieces + ["word", "longer", "words", "here", "x", "\u{37E}", " ; ", " - "]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = Self.randomText(&generator, pieces: pieces, upTo: 60)
            let limit = Int.random(in: 5...40, using: &generator)
            let expected = PlainTextParser.cutByCharacters(text, near: limit)
            #expect(PlainTextParser.cut(text, near: limit) == expected, "\(limit): \(Self.scalars(text))")
            if PlainTextParser.cut(text, near: limit) != expected { return }
        }
    }

    // MARK: Line normalisation

    @Test func normalizedTextIsLeftAsItIs() {
        var generator = SystemRandomNumberGenerator()
        var taken = 0
        for _ in 0..<20_000 {
            let text = Self.randomText(&generator)
            let (normalized, untouched) = TextScan.withUTF8(text) { bytes in
                (PlainTextParser.normalizing(bytes), PlainTextParser.isNormalized(bytes))
            }
            // Whenever the short path is taken, normalising would have changed nothing.
            if untouched {
                taken += 1
                #expect(normalized == text, "\(Self.scalars(text))")
            }
        }
        #expect(taken > 100)
        for text in ["a\rb", "a\u{0B}b", "a\u{0C}", "\u{01}", "\u{7F}", "\u{85}", "\u{9F}", "\u{2028}", "\u{2029}"] {
            #expect(!TextScan.withUTF8(text, PlainTextParser.isNormalized), "\(Self.scalars(text))")
        }
        for text in ["a\nb\tc", "£ é \u{A0} – \u{2027} \u{202A}", ""] {
            #expect(TextScan.withUTF8(text, PlainTextParser.isNormalized), "\(Self.scalars(text))")
        }
    }

    // MARK: contains

    @Test func containsAgreesWithStringContains() {
        let needles = [" • ", "all rights reserved", "copyright", "©", "e", " ", "zq", "disclaimer:", "réservés"]
        let pieces = Self.pieces + ["all", "rights", "reserved", "copy", "right", "©", "•", "disclaimer", "réservés"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = Self.randomText(&generator, pieces: pieces, upTo: 20)
            let needle = needles.randomElement(using: &generator)!
            #expect(TextScan.contains(text, needle) == text.contains(needle), "\(needle) in \(Self.scalars(text))")
        }
        #expect(TextScan.contains("x • y", " • "))
        #expect(TextScan.contains("© 2016 all rights reserved", "all rights reserved"))
        #expect(!TextScan.contains("all rights reserve", "all rights reserved"))
    }

    // MARK: Screening

    @Test func byteScreeningAgreesWithTheUnitScan() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x01, 0x02, 0x07, 0x09, 0x0A, 0x0D, 0x16, 0x1B, 0x20, 0x41, 0x7F, 0x80, 0xC3]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            let start = Int.random(in: 0...3, using: &generator)
            let expected = Screening.scan(count: bytes.count - start, unitWidth: 1, base: start, unitName: "byte") {
                UInt32(bytes[$0 + start])
            }
            #expect(Screening.scanBytes(bytes, from: start) == expected, "\(bytes) from \(start)")
        }
    }
}

/// The eight-bytes-at-a-time tests and the small byte comparisons of the text metadata readers.
@Suite("Parse: word-at-a-time byte tests")
struct TextScanLaneTests {
    @Test func lanesMarkExactlyTheMatchingBytes() {
        var generator = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x41, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xFF]
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in
                Bool.random(using: &generator)
                    ? interesting.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let word = bytes.withUnsafeBufferPointer { TextScan.eightBytes(at: 0, in: $0) }
            var equalSpace: UInt64 = 0
            var equalDelete: UInt64 = 0
            var belowSpace: UInt64 = 0
            for (lane, byte) in bytes.enumerated() {
                let bit = UInt64(0x80) << (8 * UInt64(lane))
                if byte == 0x20 { equalSpace |= bit }
                if byte == 0x7F { equalDelete |= bit }
                if byte < 0x20 { belowSpace |= bit }
            }
            #expect(TextScan.lanes(word, equalTo: 0x20) == equalSpace, "\(bytes)")
            #expect(TextScan.lanes(word, equalTo: 0x7F) == equalDelete, "\(bytes)")
            #expect(TextScan.lanes(word, below: 0x20) == belowSpace, "\(bytes)")
            #expect(TextScan.isPrintableASCII(word) == bytes.allSatisfy { (0x20...0x7E).contains($0) }, "\(bytes)")
        }
    }

    @Test func collapsedCheckAgreesOnLongText() {
        // Long enough for the eight-byte steps, with spaces meeting across and inside them.
        let pieces = ["word", "a", "ab", "abcdefg", " ", "  ", ".", "é", "–", "\t", "x y", "\u{7F}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...30, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(
                TextScan.collapse(text[...]) == text.split(whereSeparator: \.isWhitespace).joined(separator: " "),
                "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            var copy = text
            if copy.withUTF8({ TextScan.isCollapsed($0) }) {
                #expect(text == text.split(whereSeparator: \.isWhitespace).joined(separator: " "), "\(text)")
            }
        }
    }

    @Test func dashesAndBylineWordsAsBytes() {
        for word in ["-", "--", "–", "—", "_", "=", "---", "- ", "a", "−", "‒", "", "-\u{301}", "—\u{301}"] {
            #expect(Dateline.isDash(word[...]) == Dateline.dashes.contains(word), "\(word)")
        }
        for word in ["by", "By", "BY", "bY", "b", "bye", "my", "\u{212A}y", "b\u{301}y", "ｂｙ"] {
            #expect(TextMetadata.isBy(word[...]) == (word.lowercased() == "by"), "\(word)")
        }
    }
}

@Suite("Clean: legal phrases in ASCII lines")
struct LowercasedASCIIContainsTests {
    @Test func agreesWithLowercasingFirst() {
        let needles = Clean.Page.asciiLegalNeedles
        let pieces = [
            "All", "Rights", "RESERVED", "all rights reserved", "Terms of Use", "privacy", "Policy", "COPYRIGHT",
            "e-mail in error", "Disclaimer:", " ", "x", "2016", "\r\n", "\t", ".",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let count = Int.random(in: 0...14, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: " ")
            let expected = needles.map { text.lowercased().contains($0) }
            #expect(TextScan.lowercasedASCIIContains(text, needles) == expected, "\(text)")
        }
        #expect(TextScan.lowercasedASCIIContains("ALL RIGHTS RESERVED", needles)?.first == true)
    }

    @Test func otherTextIsAnsweredOnlyWhenNothingMatches() {
        let needles = Clean.Page.asciiLegalNeedles
        let pieces = [
            "All", "Rights", "reserved", "all rights reserved", "Privacy Policy", "\u{301}", "é", "£", "\u{212A}",
            "\u{130}", "Tous droits réservés", " ", "x", "©",
        ]
        var generator = SystemRandomNumberGenerator()
        var answered = 0
        for _ in 0..<10_000 {
            let count = Int.random(in: 1...10, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: " ")
            guard let found = TextScan.lowercasedASCIIContains(text, needles) else { continue }
            answered += 1
            #expect(found == needles.map { TextScan.contains(text.lowercased(), $0) }, "\(text)")
        }
        #expect(answered > 1_000)
        let none = Array(repeating: false, count: needles.count)
        #expect(TextScan.lowercasedASCIIContains("Tous droits réservés", needles) == none)
        #expect(TextScan.lowercasedASCIIContains("All rights reserved\u{301}", needles) == nil)
    }

    @Test func datelinePrefilterNeverHidesOne() {
        let pieces = [
            "BRUSSELS", "(Reuters)", "-", "—", "–", "_", "=", "Berlin", "(dpa)", "Feb", "11", "The", "talks", "ended.",
            "LOS", "ANGELES,", "AAP", "word", "é", "\u{301}", "(AP)",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...20, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: " ")
            if !TextMetadata.mayOpenWithDateline(text) {
                #expect(Dateline.find(in: text) == nil, "\(text)")
            }
        }
        #expect(!TextMetadata.mayOpenWithDateline("The talks ended on Tuesday."))
        #expect(TextMetadata.mayOpenWithDateline("BRUSSELS (Reuters) - The talks ended."))
    }
}

@Suite("Parse: the sniffer's line reader")
struct HeadLinesTests {
    /// Lines split at LF, VT, FF, CR, CR LF, NEL, LS and PS, scalar by scalar.
    static func reference(_ text: String) -> [(String, Bool)] {
        var lines: [(String, Bool)] = []
        var current = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}", "\r":
                if scalar == "\r", scalars.first == "\n" { scalars.removeFirst() }
                lines.append((String(current), false))
                current = String.UnicodeScalarView()
            default:
                current.append(scalar)
            }
        }
        lines.append((String(current), true))
        return lines
    }

    @Test func agreesWithSplittingScalars() {
        let pieces = [
            "From: a", "Subject", " ", "x", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}",
            "\u{2029}", "\u{2027}", "–", "é", "abcdefghij", "東",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let count = Int.random(in: 0...20, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            var reader = HeadLines(text[...])
            var got: [(String, Bool)] = []
            while let line = reader.next() { got.append((String(line.text), line.isLast)) }
            let expected = Self.reference(text)
            #expect(got.map(\.0) == expected.map(\.0), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(got.map(\.1) == expected.map(\.1))
        }
    }
}
