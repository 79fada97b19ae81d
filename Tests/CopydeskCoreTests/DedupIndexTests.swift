import CopydeskCore
import Testing

@Suite struct DedupIndexTests {
    let hasher = MinHasher()

    @Test func sCurveMatchesTheFormula() {
        let p = NearDuplicateIndex.candidateProbability
        #expect(abs(p(0.8, 10, 5) - 0.9809) < 0.001)
        #expect(abs(p(0.5, 10, 5) - 0.2720) < 0.001)
        #expect(abs(p(0.8, 16, 8) - 0.9470) < 0.001)
        #expect(p(0.0, 10, 5) == 0)
        #expect(p(1.0, 10, 5) == 1)
    }

    /// 200 originals, each with a planted copy carrying 1–3 % word substitutions (exact J ≈ 0.74–0.95), among 300
    /// unrelated documents: the planted copies above the threshold are found and point at their original; no
    /// unrelated document matches anything.
    @Test func findsPlantedNearDuplicatesAndRejectsUnrelated() {
        var synthetic = SyntheticText(seed: 11)
        var index = NearDuplicateIndex()
        var originals: [[String]] = []
        for sequence in 1...200 {
            let words = synthetic.words(500)
            originals.append(words)
            index.insert(hasher.signature(of: words.text), sequence: UInt64(sequence))
        }
        var shouldFind = 0, found = 0, wrong = 0
        for (offset, words) in originals.enumerated() {
            let copy = synthetic.edited(words, edits: 5 + offset % 11)
            let exact = Shingles.jaccard(Shingles.shingleSet(words.text), Shingles.shingleSet(copy.text))
            let matches = index.query(hasher.signature(of: copy.text))
            if exact >= 0.85 {
                shouldFind += 1
                if matches.first?.sequence == UInt64(offset + 1) { found += 1 }
            }
            if matches.contains(where: { $0.sequence != UInt64(offset + 1) }) { wrong += 1 }
        }
        #expect(shouldFind > 60)
        #expect(Double(found) / Double(shouldFind) >= 0.95, "found \(found) of \(shouldFind)")
        #expect(wrong == 0)
        for _ in 0..<300 {
            #expect(index.query(hasher.signature(of: synthetic.words(500).text)).isEmpty)
        }
    }

    @Test func bestMatchPrefersTheMostSimilarThenTheEarliest() {
        var synthetic = SyntheticText(seed: 3)
        let words = synthetic.words(400)
        var index = NearDuplicateIndex()
        index.insert(hasher.signature(of: synthetic.edited(words, edits: 8).text), sequence: 1)
        index.insert(hasher.signature(of: words.text), sequence: 2)
        index.insert(hasher.signature(of: words.text), sequence: 3)
        let best = index.bestMatch(hasher.signature(of: words.text))
        #expect(best == NearDuplicateMatch(sequence: 2, similarity: 1))
        #expect(index.query(hasher.signature(of: words.text)).map(\.sequence) == [2, 3, 1])
        #expect(index.similarity(hasher.signature(of: words.text), toSequence: 3) == 1)
        #expect(index.similarity(hasher.signature(of: words.text), toSequence: 9) == nil)
    }

    @Test func aLowerThresholdFindsLooserMatches() {
        var synthetic = SyntheticText(seed: 8)
        let words = synthetic.words(400)
        var index = NearDuplicateIndex()
        index.insert(hasher.signature(of: words.text), sequence: 1)
        // The bands still have to offer the candidate (at J ≈ 0.7 they do with probability 0.87; this seed does).
        let loose = synthetic.edited(words, edits: 14)
        let exact = Shingles.jaccard(Shingles.shingleSet(words.text), Shingles.shingleSet(loose.text))
        #expect(exact > 0.6 && exact < 0.78, "exact \(exact)")
        #expect(index.query(hasher.signature(of: loose.text)).isEmpty)
        #expect(index.query(hasher.signature(of: loose.text), threshold: 0.55).first?.sequence == 1)
    }

    /// Memory is bounded: with room for 8 documents the oldest generations go, the newest stay findable.
    @Test func forgetsWholeOldGenerationsAtCapacity() {
        var synthetic = SyntheticText(seed: 9)
        var index = NearDuplicateIndex(configuration: .init(capacity: 8, firstGeneration: 2))
        var texts: [String] = []
        for sequence in 1...40 {
            let text = synthetic.words(60).text
            texts.append(text)
            index.insert(hasher.signature(of: text), sequence: UInt64(sequence))
            #expect(index.count <= 8)
        }
        #expect(index.count >= 4)
        #expect(index.bestMatch(hasher.signature(of: texts[39]))?.sequence == 40)
        #expect(index.bestMatch(hasher.signature(of: texts[0])) == nil)
    }

    /// A story indexed many times does not make a query walk every copy.
    @Test func capsCandidatesPerBand() {
        var synthetic = SyntheticText(seed: 1)
        let text = synthetic.words(100).text
        var index = NearDuplicateIndex(configuration: .init(maxCandidatesPerBand: 4))
        for sequence in 1...50 { index.insert(hasher.signature(of: text), sequence: UInt64(sequence)) }
        let matches = index.query(hasher.signature(of: text))
        #expect(!matches.isEmpty && matches.count <= 4)
    }

    @Test func emptyDocumentsAreNotIndexed() {
        var index = NearDuplicateIndex()
        index.insert(hasher.signature(of: "..."), sequence: 1)
        #expect(index.count == 0)
        #expect(index.query(hasher.signature(of: "...")).isEmpty)
    }
}
