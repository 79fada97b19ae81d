import Foundation
import Testing

@testable import CopydeskCore

/// The byte paths of the sixth plain-text round (Benchmarks/PARSE.md, "Plain text, session 6") against the
/// `Character`, `String` or per-word code they stand in for, on ordinary text and on random mixes of the scalars
/// where the two could part.
@Suite("Clean and Parse: byte paths of the sixth round")
struct CleanBytePathTests {
    static let scalars = TextScanBytePathTests.scalars

    /// Pieces of news text with the punctuation and symbols beyond ASCII that the plain-word path takes, and
    /// neighbours of them it must refuse.
    static let markPieces: [String] = [
        "£5", "£", "€", "“", "”", "’", "‘", "·", "»", "«", "•", "›", "‹", "–", "—", "…", "‰", "¡", "¿", "°", "±",
        "ª", "µ", "º", "\u{AD}", "\u{A0}", "\u{2028}", "\u{200D}", "\u{301}", "\u{600}", "é", "ß", "ж", "the", "The",
        "of", "and", "(the", "THE,", "\"of\"", "für", "été", "ÉTÉ", "x", "9", "|", "-", " ", "  ", "\t", ".", ",",
        "'", "(", ")", "abcdefghij", "A",
    ]

    // MARK: Clean.Line

    @Test func plainWordsMeasureAsTheGeneralPass() {
        var generator = SystemRandomNumberGenerator()
        var plain = 0
        for _ in 0..<40_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: Self.markPieces, upTo: 10)
            guard let fast = Clean.Line.measureFused(text) else { continue }
            guard let general = Clean.Line.measure(text) else {
                Issue.record("measured in one pass, not by word ranges: \(Self.scalars(text))")
                return
            }
            if text.unicodeScalars.contains(where: { Clean.Line.isPlainMark($0.value) }) { plain += 1 }
            #expect(TextScanBytePathTests.same(fast, general), "\(Self.scalars(text))")
            if !TextScanBytePathTests.same(fast, general) { return }
        }
        #expect(plain > 10_000)
    }

    @Test func plainMarksAreNeitherLettersNorJoinersNorCased() {
        for value in UInt32(0x80)...0x20CF {
            guard Clean.Line.isPlainMark(value), let scalar = Unicode.Scalar(value) else { continue }
            let properties = scalar.properties
            #expect(!properties.isAlphabetic, "\(String(value, radix: 16))")
            #expect(!properties.isWhitespace, "\(String(value, radix: 16))")
            #expect(!TextScan.mayJoin(scalar) && !TextScan.isPrepend(value), "\(String(value, radix: 16))")
            #expect(String(scalar).lowercased() == String(scalar), "\(String(value, radix: 16))")
            #expect(Character(scalar).isLetter == false)
            #expect(!Vocabulary.stopwordMasks.keys.contains { $0.unicodeScalars.contains(scalar) })
        }
    }

    @Test func plainWordKeysAreTheStringKeys() {
        var generator = SystemRandomNumberGenerator()
        let table = Vocabulary.asciiStopwords
        let pieces = ["“", "”", "’", "£", "·", "the", "of", "A", "and", ".", ",", "(", ")", "'", "\"", "x", "…"]
        for _ in 0..<20_000 {
            let word = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 6)
            guard !word.isEmpty else { continue }
            let measured = TextScan.withUTF8(word) { bytes in
                Clean.Line.measurePlainWord(bytes, 0..<bytes.count, hasLetter: word.contains(where: \.isASCII), table: table)
            }
            guard let measured else { continue }
            let key = Clean.Line.key(word[...])
            #expect(measured.mask == (Vocabulary.stopwordMasks[key] ?? 0), "\(word) → \(key)")
        }
    }

    @Test func stopwordCountsAreTheMasksCounted() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: Self.markPieces, upTo: 30)
            let line = Clean.Line(text: text, isHeadlineLine: false, block: nil)
            #expect(line.stopwordCounts == Clean.StopwordCounts(line.stopwordMasks), "\(Self.scalars(text))")
            #expect(line.stopwordMasks.count == line.wordCount)
        }
    }

    /// The language as it was found before lines kept counts: mask by mask over the first 3,000 words.
    static func languageWordByWord(_ lines: [Clean.Line]) -> Int? {
        var words = 0
        var hits = Array(repeating: 0, count: Vocabulary.stopwordLanguages.count)
        for line in lines where words < 3000 {
            for var mask in line.stopwordMasks.prefix(3000 - words) {
                words += 1
                while mask != 0 {
                    hits[mask.trailingZeroBitCount] += 1
                    mask &= mask - 1
                }
            }
        }
        guard words >= 20 else { return nil }
        let best = hits.indices.map { ($0, hits[$0]) }.max { $0.1 < $1.1 }
        guard let best, best.1 * 100 >= words * 12 else { return nil }
        return best.0
    }

    @Test func languageFromCountsIsTheLanguageWordByWord() {
        // Lines long enough that the sample of 3,000 words ends inside one, in languages that compete.
        let words = ["the", "of", "and", "le", "la", "de", "der", "und", "el", "y", "il", "di", "het", "o", "и", "word"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let lines = (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                let count = Int.random(in: 0...900, using: &generator)
                let text = (0..<count).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
                return Clean.Line(text: text, isHeadlineLine: false, block: nil)
            }
            #expect(Clean.Page.language(of: lines) == Self.languageWordByWord(lines))
        }
    }

    // MARK: Clean.Page

    @Test func plainNFCTextIsInNFC() {
        var generator = SystemRandomNumberGenerator()
        var plain = 0
        let pieces = Self.markPieces + ["À", "Å", "\u{2000}", "\u{2002}", "\u{212B}", "A\u{30A}", "ǅ", "ŉ", "ﬁ", "ʼ"]
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 8)
            guard TextScan.withUTF8(text, TextScan.isPlainNFC) else { continue }
            plain += 1
            #expect(text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(text.utf8), "\(Self.scalars(text))")
        }
        #expect(plain > 1_000)
        // Every scalar it takes is its own NFC alone and after a letter.
        for value in UInt32(0x80)...0x20CF {
            guard let scalar = Unicode.Scalar(value),
                TextScan.withUTF8(String(scalar), TextScan.isPlainNFC)
            else { continue }
            for text in [String(scalar), "A" + String(scalar), "e" + String(scalar), String(scalar) + "A"] {
                #expect(text.precomposedStringWithCanonicalMapping == text, "\(String(value, radix: 16))")
                #expect(text.precomposedStringWithCanonicalMapping.utf8.elementsEqual(text.utf8))
            }
        }
        #expect(!TextScan.withUTF8("\u{2000}", TextScan.isPlainNFC))
        #expect(!TextScan.withUTF8("A\u{30A}", TextScan.isPlainNFC))
    }

    @Test func repeatsByBytesAgreeWithStringEquality() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["Ten words in this line are here to repeat", "£", "’", "é", "—", "Å", "A\u{30A}", "\u{212B}", " x"]
        var byBytes = 0
        for _ in 0..<3_000 {
            let texts = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 3)
            }
            let lines = texts.map { Clean.Line(text: $0, isHeadlineLine: false, block: nil) }
            let candidates = lines.indices.filter { lines[$0].wordCount >= 10 }
            guard let repeats = Clean.Page.repeatsByBytes(lines, candidates) else { continue }
            byBytes += 1
            var seen: Set<String> = []
            var expected = Array(repeating: false, count: lines.count)
            for index in candidates { expected[index] = !seen.insert(lines[index].text).inserted }
            #expect(repeats == expected, "\(texts.map(Self.scalars))")
        }
        #expect(byBytes > 500)
    }

    @Test func spaceSeparatedCountIsTheSplitCount() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator)
            #expect(Clean.Page.spaceSeparatedCount(text) == text.split(separator: " ").count, "\(Self.scalars(text))")
        }
    }

    @Test func copyrightPrefixFromTheBytes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = TextScanBytePathTests.pieces + ["©", "© 2016", "(c)", "\u{301}"]
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 4)
            #expect(TextScan.startsWithCopyright(text) == text.hasPrefix("©"), "\(Self.scalars(text))")
        }
        #expect(TextScan.startsWithCopyright("© BBC"))
        #expect(!TextScan.startsWithCopyright("©\u{301} BBC"))
    }

    @Test func trailingTagsFromTheBytesAreTheCharacterOnes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "A photo of the minister at the summit", " - ", " | ", " – ", " — ", "Sputnik", "International", " ",
            "Reuters", "x", "é", "\u{301}", "\u{A0}", "\u{2003}", String(repeating: "Long", count: 12), "Dr.", "3",
        ]
        let tagPieces = ["Sputnik International", "Reuters", "BBC News", "Dr. Who", "é", "Reuters\u{301}", " ", "x y z w v"]
        var tags = 0
        for round in 0..<20_000 {
            // Half the lines shaped as captions: six words or more, one separator, a short tag.
            let text =
                round % 2 == 0
                ? TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 7)
                : "A photo of the minister at the summit"
                    + TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 2)
                    + [" - ", " | ", " – ", " — "].randomElement(using: &generator)!
                    + TextScanBytePathTests.randomText(&generator, pieces: tagPieces, upTo: 3)
            let expected = Clean.Page.trailingTagByCharacters(text)
            if expected != nil { tags += 1 }
            #expect(Clean.Page.trailingTag(text) == expected, "\(Self.scalars(text))")
        }
        #expect(tags > 2_000)
    }

    // MARK: Parse

    @Test func asciiPlacesAreJudgedAsCharactersJudgeThem() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "BRUSSELS", "Berlin", "South", "Dakota", "upon", "am", "der", "the", "on", "Frankfurt", ",", "/", " ", "  ",
            ".", "!", "'", "\"", ":", "x", "Z", "a", "1", "-", "LOS ANGELES", String(repeating: "Long", count: 16),
        ]
        for _ in 0..<30_000 {
            let place = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 9)
            for dashFollows in [false, true] {
                guard let fast = TextScan.withUTF8(place, { Dateline.isASCIIPlace($0, dashFollows: dashFollows) })
                else { continue }
                #expect(fast == Dateline.isPlaceByCharacters(place, dashFollows: dashFollows), "\(place)")
            }
        }
        #expect(TextScan.withUTF8("Frankfurt am Main", { Dateline.isASCIIPlace($0, dashFollows: false) }) == true)
        #expect(TextScan.withUTF8("Zürich", { Dateline.isASCIIPlace($0, dashFollows: false) }) == nil)
    }

    @Test func labelColonIsTheFirstColonOfSeventeenCharacters() {
        var generator = SystemRandomNumberGenerator()
        let pieces = TextScanBytePathTests.pieces + ["Abstract", "By", ":", ": ", "Editor's note", "Keywords"]
        for _ in 0..<30_000 {
            let line = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 8)
            let expected = line.prefix(17).firstIndex(of: ":")
            #expect(TextMetadata.labelColon(line) == expected, "\(Self.scalars(line))")
        }
    }
}

@Suite("Parse: byte shortcuts of the sixth round")
struct ParseShortcutTests {
    static let scalars = TextScanBytePathTests.scalars

    @Test func plainLinesAreKnownPlain() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: CleanBytePathTests.markPieces, upTo: 10)
            let line = Clean.Line(text: text, isHeadlineLine: false, block: nil)
            if line.isPlainNFC {
                #expect(TextScan.withUTF8(text, TextScan.isPlainNFC), "\(Self.scalars(text))")
            }
        }
        #expect(Clean.Line(text: "The £5 “deal” – done", isHeadlineLine: false, block: nil).isPlainNFC)
    }

    @Test func wrappedBlocksAreTheCharacterCountsOnes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["word ", "é", "\u{301}", "ж", "東", "😀", "\r\n", ". ", String(repeating: "x", count: 50), "  "]
        for _ in 0..<5_000 {
            let block = (0..<Int.random(in: 1...5, using: &generator)).map { _ in
                TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 24)[...]
            }
            let body = block.dropLast()
            let wrapped = body.filter { line in
                PlainTextParser.wrappedLineLengths.contains(line.count) && !PlainTextParser.endsSentence(line)
            }.count
            #expect(PlainTextParser.looksHardWrapped(block) == (wrapped * 2 > body.count))
        }
    }

    @Test func headWordsAreTheSpaceSeparatedWords() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator, upTo: 40)
            let words = TextMetadata.HeadWords(text)
            let expected = TextScan.spaceSeparated(text, limit: TextMetadata.wordLimit)
            #expect(words.count == expected.count, "\(Self.scalars(text))")
            #expect(words.all.map(String.init) == expected.map(String.init), "\(Self.scalars(text))")
            #expect(words.first.map(String.init) == expected.first.map(String.init))
        }
    }

    @Test func snifferHeadsOfScalarsAreTheScalars() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "From: a@b.c\n", "Subject: x\n", "\n", "{\"headline\": \"x\", \"uri\": \"y\"}", "<nitf>", "<?xml version=\"1.0\"?>",
            "\u{1}", "\u{2}", "\u{16}", "é", "£", "東", "abcdefghijkl", " ", "Date: today\n", "MIME-Version: 1.0\n",
        ]
        for _ in 0..<3_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 30)
            let head = Array(text.unicodeScalars.prefix(FormatSniffer.prefixLength))
            #expect(FormatSniffer.sniff(text, fileName: "story") == FormatSniffer.sniffContent(head).format, "\(text)")
        }
        let long = String(repeating: "é abcdefgh ", count: 600)
        #expect(FormatSniffer.sniff(long, fileName: "story") == .text)
    }
}

@Suite("Parse and Clean: loops without arrays")
struct ParagraphLoopTests {
    /// The paragraphs as they were made before, block array by block array.
    static func referenceParagraphs(_ text: String) -> [String]? {
        let lines = PlainTextParser.normalizedLines(text)
        guard let first = lines.firstIndex(where: { !PlainTextParser.isBlank($0) }) else { return nil }
        let firstLine = PlainTextParser.collapse(lines[first])
        var paragraphs: [String] = []
        if TextScan.characterCount(firstLine) > PlainTextParser.headlineLimit { paragraphs.append(firstLine) }
        for block in PlainTextParser.blocks(lines[(first + 1)...]) {
            paragraphs += PlainTextParser.paragraphs(of: block)
        }
        return PlainTextParser.joiningBrokenSentences(paragraphs)
    }

    @Test func paragraphsAreTheBlockByBlockOnes() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "word ", "The talks ended. ", "\n", "\n\n", " \n", "\t", "é", "\u{301}", "\u{A0}", "\r\n",
            String(repeating: "wrapped line of text ", count: 3) + "\n", String(repeating: "long ", count: 70),
        ]
        var parsed = 0
        for _ in 0..<5_000 {
            let text = TextScanBytePathTests.randomText(&generator, pieces: pieces, upTo: 20)
            let input = ParserInput(bytes: Array(text.utf8), text: text, charset: "utf-8", fileName: "story.txt")
            switch PlainTextParser().parse(input) {
            case .success(let article):
                parsed += 1
                #expect(article.paragraphs == Self.referenceParagraphs(text), "\(text.debugDescription)")
            case .failure:
                #expect(Self.referenceParagraphs(text) == nil)
            }
        }
        #expect(parsed > 2_000)
    }

    @Test func lastSpaceIsTheLastSpaceCharacter() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = TextScanBytePathTests.randomText(&generator)
            #expect(Clean.lastSpace(text) == text.lastIndex(of: " "), "\(TextScanBytePathTests.scalars(text))")
        }
    }
}
