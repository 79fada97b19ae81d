@testable import CopydeskCore
import Foundation
import Testing

/// The phrase automaton against a plain search for every phrase at every position: same occurrences, on the seeds,
/// on corpus documents and on random text with thousands of phrases (a check for any change to its table layout,
/// such as the 16-bit variant tried and reverted in issue 6).
@Suite("Classify: phrase automaton")
struct ClassifyPhraseMatcherTests {
    /// Every (end, phrase) of `phrases` in `text`, found the slow way, sorted (the order of phrases ending at one
    /// place is the automaton's business, so both sides are compared sorted).
    static func naive(_ phrases: [[UInt8]], _ text: [UInt8]) -> [[Int]] {
        var found: [[Int]] = []
        for (index, phrase) in phrases.enumerated() where !phrase.isEmpty && phrase.count <= text.count {
            let first = phrase[0]
            for start in 0...(text.count - phrase.count) where text[start] == first {
                if text[start..<(start + phrase.count)].elementsEqual(phrase) { found.append([start + phrase.count, index]) }
            }
        }
        return found.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
    }

    static func automaton(_ matcher: PhraseMatcher, _ text: [UInt8]) -> [[Int]] {
        text.withUnsafeBufferPointer { matcher.occurrences(in: $0) }.map { [$0.end, $0.phrase] }
            .sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
    }

    /// The built-in rules' phrases, lowercased and deduplicated as ``ClassificationRules`` compiles them.
    static func defaultPhrases() -> [[UInt8]] {
        var seen: Set<[UInt8]> = []
        var phrases: [[UInt8]] = []
        for rule in ClassificationRules.default.rules {
            for pattern in rule.patterns {
                guard case .phrase(let text, _) = pattern else { continue }
                let bytes = Array(TextBytes.lowercased(text).utf8)
                if seen.insert(bytes).inserted { phrases.append(bytes) }
            }
        }
        return phrases
    }

    @Test("the built-in rules find what a plain search finds in every seed")
    func builtInRulesOnSeeds() throws {
        let phrases = Self.defaultPhrases()
        let matcher = PhraseMatcher(phrases)
        #expect(phrases.count > 100)
        var total = 0
        for number in ["000", "001", "002", "003", "004"] {
            let seed = try Seeds.bytes(number)
            let text = Array(TextBytes.lowercased(String(decoding: seed.bytes, as: UTF8.self)).utf8)
            let expected = Self.naive(phrases, text)
            #expect(Self.automaton(matcher, text) == expected, "seed \(number)")
            total += expected.count
        }
        #expect(total > 50)
    }

    @Test("the built-in rules find what a plain search finds in BBC news documents (../shared)")
    func builtInRulesOnCorpus() throws {
        guard let bbc = ClassifyCorpus.bbc(every: 50) else {
            ClassifyCorpus.skipped("bbc-news")
            return
        }
        let phrases = Self.defaultPhrases()
        let matcher = PhraseMatcher(phrases)
        var checked = 0
        // Every 50th file: a spread over the five labels that a debug build checks in seconds.
        for (name, document) in bbc where !document.isEmpty {
            let text = Array(TextBytes.lowercased(document).utf8)
            #expect(Self.automaton(matcher, text) == Self.naive(phrases, text), "\(name)")
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test("4,000 random phrases (over 32,767 states): same occurrences as a plain search")
    func wideTable() {
        var generator = SplitMix64(seed: 7)
        let alphabet = Array("abcdefgh ".utf8)
        func random(_ length: Int) -> [UInt8] {
            (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        }
        // 4,000 phrases of 12 bytes over 9 symbols share few prefixes: well over 32,767 trie states, more than a
        // 16-bit state number holds.
        let phrases = (0..<4000).map { _ in random(12) } + [Array("abc".utf8), Array("a".utf8)]
        let matcher = PhraseMatcher(phrases)
        var text = random(8_000)
        for phrase in phrases.prefix(200) { text += phrase }  // some certain hits
        let expected = Self.naive(phrases, text)
        #expect(expected.count > 200)
        #expect(Self.automaton(matcher, text) == expected)
        // With line breaks (a byte no phrase has) the scan cuts the text in two and runs the halves together.
        var broken = text
        for position in stride(from: broken.count - 1_000, to: 0, by: -1_000) { broken.insert(0x0A, at: position) }
        #expect(Self.automaton(matcher, broken) == Self.naive(phrases, broken))
        // Short texts and texts with the only break at either end take the single scan; same answers.
        for sample in [Array(text.prefix(100)), [0x0A] + text, text + [0x0A]] {
            #expect(Self.automaton(matcher, sample) == Self.naive(phrases, sample))
        }
    }
}
