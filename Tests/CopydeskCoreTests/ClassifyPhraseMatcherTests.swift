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

    /// ``PhraseMatcher/occurrences(in:)`` (two chains, the longer half finished alone) against the one-chain
    /// ``PhraseMatcher/scan(_:_:)``: the same list in the same order, unsorted, since rule evidence counts cues in
    /// the order occurrences come.
    static func inOrderAgree(_ matcher: PhraseMatcher, _ text: [UInt8]) -> Bool {
        var reference: [[Int]] = []
        text.withUnsafeBufferPointer { matcher.scan($0) { reference.append([$0, $1]) } }
        let fast = text.withUnsafeBufferPointer { matcher.occurrences(in: $0) }.map { [$0.phrase, $0.end] }
        return fast == reference
    }

    @Test("two chains give the one chain's occurrences in its order: cuts near, before and after the middle")
    func twoChainsInOrder() throws {
        var generator = SplitMix64(seed: 11)
        let alphabet = Array("abcde \n".utf8)
        func random(_ length: Int) -> [UInt8] {
            (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        }
        for round in 0..<300 {
            // Phrases without the line break, so it is a byte that cuts; some overlapping ("a", "ab", "abc").
            let phrases = (0..<Int(1 + generator.next() % 40)).map { _ in
                random(Int(1 + generator.next() % 5)).filter { $0 != 0x0A }
            } + [Array("a".utf8), Array("ab".utf8), Array("abc".utf8)]
            let matcher = PhraseMatcher(phrases)
            // Lengths around the 512-byte threshold and beyond; break density from none to many, so the first
            // half is sometimes the longer, sometimes the shorter, and sometimes there is no cut.
            let length = [0, 1, 511, 512, 513, 700, 2_000][round % 7]
            var text = random(length).map { $0 == 0x0A && round % 3 == 0 ? 0x20 : $0 }
            if round % 5 == 1, text.count > 10 { text[text.count - 2] = 0x0A }
            #expect(Self.inOrderAgree(matcher, text), "round \(round)")
            #expect(Self.automaton(matcher, text) == Self.naive(phrases, text), "round \(round)")
        }
        // The built-in rules on the seeds, in order.
        let matcher = PhraseMatcher(Self.defaultPhrases())
        for number in ["000", "001", "002", "003", "004"] {
            let seed = try Seeds.bytes(number)
            let text = Array(TextBytes.lowercased(String(decoding: seed.bytes, as: UTF8.self)).utf8)
            #expect(Self.inOrderAgree(matcher, text), "seed \(number)")
        }
    }
}
