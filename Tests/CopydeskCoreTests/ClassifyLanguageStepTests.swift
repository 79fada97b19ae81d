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
