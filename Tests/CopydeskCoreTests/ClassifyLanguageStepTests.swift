@testable import CopydeskCore
import Foundation
import Testing

/// The language scorer's words outside the profile list scored by steps (one lookup per letter,
/// ``LanguageDetector/Group/stepScore(_:)``) against the gram-by-gram reference it replaced in the scoring loop
/// (``LanguageDetector/Group/wordScore(_:into:)``, still the one definition of a word's score).
@Suite("Classify: language words by steps")
struct ClassifyLanguageStepTests {
    static func agree(_ group: LanguageDetector.Group, _ word: [UInt32]) -> Bool {
        var reference = [SIMD16<Int32>](repeating: SIMD16<Int32>(), count: group.chunks)
        let counted = group.wordScore(word, into: &reference)
        let steps = word.withUnsafeBufferPointer { group.stepScore($0) }
        return group.chunks == 1 && steps == reference[0] && counted == 3 * word.count + 1
    }

    static func values(_ text: String) -> [UInt32] {
        text.unicodeScalars.map { TextBytes.lowerValue($0.value) }
    }

    @Test("crafted words: one and two letters, profile words, letters no profile has, unknown pairs")
    func crafted() {
        let latin = LanguageDetector.standard.latin
        let cyrillic = LanguageDetector.standard.cyrillic
        for word in ["a", "i", "q", "x", "é", "ß", "ő", "ab", "qx", "zz", "the", "and", "government", "gouvernement",
                     "maßnahmen", "angekündigt", "qqqqqq", "xyzzy", "ǆungla", "łódź", "şşş", "aaaaaaaaaaaaaaaaaaaaaa",
                     "stoltenberg", "juncker", "nato", "ə", "ɐɐ", "ạ"] {
            #expect(Self.agree(latin, Self.values(word)), "\(word)")
        }
        for word in ["в", "и", "ї", "правительство", "уряд", "ґґ", "ыэё", "щщщщ", "ѣ", "ԁ"] {
            #expect(Self.agree(cyrillic, Self.values(word)), "\(word)")
        }
    }

    @Test("random words over each group's letters, common and rare")
    func random() {
        var generator = SplitMix64(seed: 29)
        let latinLetters = Self.values("abcdefghijklmnopqrstuvwxyzéèêëàâäáãåçñóòôöõúùûüíìîïýÿøæœßğışłńśźżčďěňřšťůžőűăâîșțđ")
        let cyrillicLetters = Self.values("абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґўђјљњћџѕѓќ")
        for (group, letters) in [(LanguageDetector.standard.latin, latinLetters),
                                 (LanguageDetector.standard.cyrillic, cyrillicLetters)] {
            for round in 0..<4_000 {
                let length = Int(1 + generator.next() % 14)
                // Half the rounds from the eight most common letters, so most trigrams are in the profile.
                let pool = round % 2 == 0 ? Array(letters.prefix(8)) : letters
                let word = (0..<length).map { _ in pool[Int(generator.next() % UInt64(pool.count))] }
                #expect(Self.agree(group, word), "round \(round): \(word)")
            }
        }
    }

    @Test("a profile whose groups lack grams and words: unknown costs everywhere")
    func sparseProfile() {
        let detector = LanguageDetector(profileText: """
            en w the:10 and:12
            en c t:20 h:22 e:18 th:30 he:28 _t:25 the:35 e_:15
            fr w le:10
            fr c l:20 e:19 le:25 _l:30 le_:20
            """)
        for word in ["the", "then", "le", "lee", "x", "tx", "eht", "ll"] {
            #expect(Self.agree(detector.latin, Self.values(word)), "\(word)")
        }
    }
}

/// The script tally with runs of ASCII chunks counted per byte lane (``LanguageDetector/scriptTally(_:)``) against
/// the scalar-by-scalar count (``LanguageDetector/scriptTallyByScalars(_:)``), around the letter budget above all.
@Suite("Classify: language script tally")
struct ClassifyScriptTallyTests {
    static func agree(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            let fast = LanguageDetector.scriptTally(bytes)
            let reference = LanguageDetector.scriptTallyByScalars(bytes)
            return fast.tally == reference.tally && fast.letters == reference.letters
        }
    }

    @Test("every ASCII byte at every offset, short texts, and texts ending near the letter budget")
    func crafted() {
        let all = String(decoding: (1..<128).map { UInt8($0) }, as: UTF8.self)
        for shift in 0..<9 {
            let pad = String(repeating: "x", count: shift)
            #expect(Self.agree(pad + all), "shift \(shift)")
            #expect(Self.agree(pad + all + "é" + all + "Ж" + all), "shift \(shift), non-ASCII")
        }
        let budget = LanguageDetector.sampleLetters
        for extra in -20...20 {
            // Letters only, and letters with a non-letter every few bytes, up to and past the budget.
            #expect(Self.agree(String(repeating: "a", count: budget + extra)), "letters \(extra)")
            #expect(Self.agree(String(repeating: "abc, ", count: (budget + extra) / 3)), "words \(extra)")
            #expect(Self.agree(String(repeating: "a", count: budget + extra) + "ЖЖЖ"), "then Cyrillic \(extra)")
            #expect(Self.agree(String(repeating: "ж", count: 40) + String(repeating: "b", count: budget + extra)),
                    "Cyrillic first \(extra)")
        }
        for text in ["", "a", "1234567", "abcdefgh", "ABCDEFGHI", "@[`{", "Zürich – “Genève”", "中文 text 한국어"] {
            #expect(Self.agree(text), "\(text)")
        }
    }

    @Test("random texts of up to 4,000 bytes mixing ASCII runs with other scripts")
    func random() {
        var generator = SplitMix64(seed: 37)
        let pieces = ["a", "Z", "q", " ", ".", "1", "@", "`", "{", "[", "the news ", "NATO ", "é", "ß", "Ж", "ж", "Ω",
                      "“", "—", "中", "한", "ア", "😀", "\u{0301}", "\n", "abcdefghijklmnop", "        "]
        for round in 0..<600 {
            let length = Int(generator.next() % 900)
            let text = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(Self.agree(text), "round \(round)")
        }
    }
}
