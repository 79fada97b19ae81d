@testable import CopydeskCore
import Testing

/// The clusterer's frequency table must behave as the `Dictionary` it replaced.
@Suite struct TermTableTests {
    @Test func randomUpdatesMatchADictionary() {
        var generator = SeededGenerator(seed: 42)
        var table = TermTable<Int>()
        var reference: [UInt64: Int] = [:]
        // Small key range so keys repeat; 0 and UInt64.max included; enough keys to grow the table several times.
        let keys: [UInt64] = [0, UInt64.max, 1] + (0..<3000).map { _ in generator.next() % 5000 }
        for key in keys {
            let before = table.update(key, default: 0) { value -> Int in
                defer { value += 1 }
                return value
            }
            #expect(before == reference[key, default: 0])
            reference[key, default: 0] += 1
        }
        #expect(table.count == reference.count)
        for (key, value) in reference { #expect(table[key] == value) }
        #expect(table[123_456_789] == nil)
        #expect(table.sorted().map(\.key) == reference.keys.sorted())

        let kept = table.filter { $0 >= 2 }
        #expect(kept.count == reference.values.filter { $0 >= 2 }.count)
        for (key, value) in reference { #expect(kept[key] == (value >= 2 ? value : nil)) }
    }

    /// The clusterer's terms, counted in the parallel stage, are what a plain dictionary count gives.
    @Test func storyTermsAreAPlainCountWithoutStopWords() {
        let text = "The NATO summit: NATO leaders met; the summit ended. Été été ÉTÉ a an said Brussels brussels"
        let terms = StoryClusterer.terms(of: text)
        var reference: [UInt64: UInt32] = [:]
        Shingles.forEachWord(text) { hash, length in
            if length >= 3 && !StoryClusterer.englishStopWords.contains(hash) { reference[hash, default: 0] += 1 }
        }
        #expect(terms.hashes == reference.keys.sorted())
        #expect(terms.counts == terms.hashes.map { reference[$0]! })
        #expect(terms.counts.filter { $0 >= 2 }.count >= 3, "nato, summit, brussels (case-folded) count twice")
        #expect(!terms.hashes.contains(Shingles.hashWord("said")))
    }
}
