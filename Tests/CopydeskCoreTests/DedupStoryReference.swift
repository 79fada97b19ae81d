import Foundation
@testable import CopydeskCore
import Testing

/// The clusterer's `add`, `weigh`, `open` and `join` as they were before `weigh` kept the strongest terms by
/// insertion and handed `open` and `join` the term order (and `join` merged into scratch buffers): the definition
/// the faster code is compared with, document by document and byte for byte.
extension StoryClusterer {
    mutating func addAsBefore(sequence: UInt64, terms: Terms, at time: Timestamp) -> Assignment {
        var terms = terms
        if !usesEnglishStopWords {
            // Counted without the English list; this clusterer (decoded from elsewhere) has its own.
            let kept = terms.hashes.indices.filter { !stopWords.contains(terms.hashes[$0]) }
            terms.hashes = kept.map { terms.hashes[$0] }
            terms.counts = kept.map { terms.counts[$0] }
        }
        close(before: time)
        let weights = weighAsBefore(terms, at: time)
        var best: (story: UInt64, similarity: Double)?
        if !weights.isEmpty {
            if scratch.count < slotStories.count {
                scratch += repeatElement(0, count: slotStories.count - scratch.count)
                marks += repeatElement(false, count: slotStories.count - marks.count)
            }
            // The posting table and the lists behind it are cold: load the terms' slots, then the lists' first
            // postings, before scoring, so the misses overlap (as in `weigh`).
            var sink = postings.touch(weights.lazy.map(\.0))
            for (term, _) in weights {
                if let list = postings[term] { sink ^= list.withUnsafeBufferPointer { $0.first?.story ?? 0 } }
            }
            touchSink ^= sink
            // The scratch arrays through their buffers: subscripting them as properties checked uniqueness on
            // every posting. The sums are the same, in the same order.
            var touched = self.touched
            self.touched = []
            scratch.withUnsafeMutableBufferPointer { scratch in
                marks.withUnsafeMutableBufferPointer { marks in
                    for (term, weight) in weights {
                        guard let list = postings[term], list.count <= Self.maxPostings else { continue }
                        list.withUnsafeBufferPointer { list in
                            for posting in list {
                                let slot = Int(posting.slot)
                                if !marks[slot] {
                                    marks[slot] = true
                                    touched.append(posting.slot)
                                }
                                scratch[slot] += weight * posting.weight
                            }
                        }
                    }
                    for slot in touched {
                        let index = Int(slot)
                        let product = scratch[index]
                        scratch[index] = 0
                        marks[index] = false
                        let norm = slotNorms[index]
                        guard norm > 0 else { continue }
                        let story = slotStories[index]
                        let cosine = product / norm
                        if cosine >= configuration.threshold,
                           best == nil || cosine > best!.similarity
                            || (cosine == best!.similarity && story < best!.story) {
                            best = (story, cosine)
                        }
                    }
                }
            }
            touched.removeAll(keepingCapacity: true)
            self.touched = touched
        }
        if let best {
            joinAsBefore(best.story, sequence: sequence, weights: weights, at: time)
            return Assignment(story: best.story, similarity: best.similarity, isNewStory: false)
        }
        openAsBefore(sequence: sequence, weights: weights, at: time)
        return Assignment(story: sequence, similarity: 1, isNewStory: true)
    }

    mutating func weighAsBefore(_ terms: Terms, at time: Timestamp) -> [(UInt64, Double)] {
        let total = decayed(documents, to: time) + 1
        documents = Frequency(count: total, updated: time)
        let window = configuration.window
        var weights: [(UInt64, Double)] = []
        weights.reserveCapacity(terms.hashes.count)
        touchSink ^= frequencies.touch(terms.hashes)
        for (index, term) in terms.hashes.enumerated() {
            let df = frequencies.update(term, default: Frequency(count: 0, updated: time)) {
                Self.count(&$0, at: time, window: window)
            }
            let idf = log(total / (df + 1)) + 1
            let count = Int(terms.counts[index])
            let tf = count < Self.logOfCount.count ? Self.logOfCount[count] : log(Double(count))
            weights.append((term, (1 + tf) * idf))
        }
        additions += 1
        // Prune the vocabulary now and then: a sweep costs the vocabulary's size, so do it rarely.
        if additions % 4096 == 0 {
            frequencies = frequencies.filter { decayed($0, to: time) >= 0.05 }
        }
        // Only the kept terms need their order: select them, then sort those (the same terms in the same order as
        // sorting all, since the order is total: terms are distinct).
        weights.withUnsafeMutableBufferPointer { Self.selectStrongest(configuration.keptTerms, in: $0) }
        if weights.count > configuration.keptTerms { weights.removeLast(weights.count - configuration.keptTerms) }
        weights.sort(by: Self.isStronger)
        let norm = weights.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        if norm > 0 { weights = weights.map { ($0.0, $0.1 / norm) } }
        return weights
    }


    mutating func openAsBefore(sequence: UInt64, weights: [(UInt64, Double)], at time: Timestamp) {
        if stories.count >= configuration.maxOpenStories {
            // Close the stalest eighth at once: one sort now and then instead of a scan per document.
            let stalest = stories.values.sorted { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }
                .prefix(max(1, configuration.maxOpenStories / 8))
            for story in stalest { remove(story.id) }
        }
        let byTerm = weights.sorted { $0.0 < $1.0 }
        var story = Story(
            id: sequence, members: [sequence], firstSeen: time, lastSeen: time, terms: byTerm.map(\.0),
            weights: byTerm.map(\.1), norm: 0)
        story.norm = (weights.reduce(0) { $0 + $1.1 * $1.1 }).squareRoot()
        insert(story)
    }

    mutating func joinAsBefore(_ id: UInt64, sequence: UInt64, weights: [(UInt64, Double)], at time: Timestamp) {
        // Taken out and put back, so the members and centroid are changed in place rather than copied.
        guard var story = stories.removeValue(forKey: id), let slot = slots[id] else { return }
        let incoming = weights.sorted { $0.0 < $1.0 }
        // Merge the centroid and the document, both in term order. Per entry: whether the term is new to the
        // centroid (it has no posting yet) and whether the document has it (its posting's weight changes).
        var terms: [UInt64] = [], summed: [Double] = [], fresh: [Bool] = [], touched: [Bool] = []
        let capacity = story.terms.count + incoming.count
        terms.reserveCapacity(capacity); summed.reserveCapacity(capacity)
        fresh.reserveCapacity(capacity); touched.reserveCapacity(capacity)
        var i = 0, j = 0
        while i < story.terms.count || j < incoming.count {
            if j == incoming.count || (i < story.terms.count && story.terms[i] < incoming[j].0) {
                terms.append(story.terms[i]); summed.append(story.weights[i]); fresh.append(false); touched.append(false)
                i += 1
            } else if i == story.terms.count || incoming[j].0 < story.terms[i] {
                terms.append(incoming[j].0); summed.append(incoming[j].1); fresh.append(true); touched.append(true)
                j += 1
            } else {
                terms.append(story.terms[i]); summed.append(story.weights[i] + incoming[j].1); fresh.append(false)
                touched.append(true)
                i += 1; j += 1
            }
        }
        var kept = [Bool](repeating: true, count: terms.count)
        if terms.count > configuration.centroidTerms {
            // Keep the strongest `centroidTerms` (heavier first, then the smaller hash), in term order.
            var ranked = (0..<terms.count).map { (UInt64(truncatingIfNeeded: $0), summed[$0]) }
            ranked.withUnsafeMutableBufferPointer { ranked in
                // Rank by (weight, term): the index stands in for the term, which orders the same way
                // (entries are in term order).
                Self.selectStrongest(configuration.centroidTerms, in: ranked)
                for entry in ranked[configuration.centroidTerms...] { kept[Int(entry.0)] = false }
            }
        }
        story.terms.removeAll(keepingCapacity: true)
        story.weights.removeAll(keepingCapacity: true)
        for index in terms.indices {
            let term = terms[index]
            guard kept[index] else {
                if !fresh[index] { removePosting(term, id) }
                continue
            }
            story.terms.append(term)
            story.weights.append(summed[index])
            if fresh[index] {
                addPosting(term, id, slot: slot, weight: summed[index])
            } else if touched[index] {
                setPosting(term, id, weight: summed[index])
            }
        }
        // Summed in term order: the same sum, to the last bit, in every process and after a decode.
        story.norm = story.weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
        story.members.append(sequence)
        story.lastSeen = time
        slotNorms[Int(slot)] = story.norm
        stories[id] = story
    }
}

@Suite struct DedupStoryFastPathTests {
    /// Documents about 12 topics of 300 words each, with words shared by all topics, repeated words (counts above
    /// one) and lengths from none to 400 words, an hour or so apart: stories open, join, grow past their centroid
    /// limit, close by time and by count.
    static func documents(seed: UInt64, count: Int) -> [(text: String, time: Timestamp)] {
        var generator = SeededGenerator(seed: seed)
        var time: Int64 = 0
        return (0..<count).map { _ in
            let topic = generator.next() % 12
            let length = Int(generator.next() % 400)
            var words: [String] = []
            for _ in 0..<length {
                switch generator.next() % 10 {
                case 0: words.append("common\(generator.next() % 40)")
                case 1: words.append(words.last ?? "again")
                case 2: words.append("rare\(generator.next() % 100_000)")
                default: words.append("topic\(topic)word\(generator.next() % 300)")
                }
            }
            time += Int64(generator.next() % 3) * 1_800_000_000
            return (words.joined(separator: " "), Timestamp(microseconds: time))
        }
    }

    static let configurations: [StoryClusterer.Configuration] = [
        .default,
        .init(threshold: 0.05, window: 6 * 3_600_000_000, keptTerms: 5, centroidTerms: 20, maxOpenStories: 16),
        .init(threshold: 0.2, keptTerms: 400, centroidTerms: 1000),
        .init(threshold: 0.1, keptTerms: 48, centroidTerms: 60, maxOpenStories: 8),
    ]

    @Test(arguments: configurations.indices)
    func addAgreesWithAddAsBefore(configuration index: Int) {
        let configuration = Self.configurations[index]
        for stopWords in [StoryClusterer.englishStopWords, Set((0..<40).map { Shingles.hashWord("common\($0)") })] {
            var fast = StoryClusterer(configuration: configuration, stopWords: stopWords)
            var slow = fast
            var joined = 0
            for (offset, document) in Self.documents(seed: UInt64(index + 1), count: 600).enumerated() {
                let terms = StoryClusterer.terms(of: document.text)
                let a = fast.add(sequence: UInt64(offset + 1), terms: terms, at: document.time)
                let b = slow.addAsBefore(sequence: UInt64(offset + 1), terms: terms, at: document.time)
                #expect(a == b, "document \(offset)")
                if !a.isNewStory { joined += 1 }
                if offset % 100 == 99 {
                    #expect(fast.encoded() == slow.encoded(), "after document \(offset)")
                    #expect(fast.postings.sorted().map(\.key) == slow.postings.sorted().map(\.key))
                    // Stories and weights, not slots: a closed story's slot goes to the free list in the order
                    // `close` walks the `stories` dictionary, which is seeded per instance, so two clusterers of
                    // the same content may number slots differently (slots are neither encoded nor seen outside).
                    #expect(fast.postings.sorted().map { $0.value.flatMap { [$0.story, $0.weight.bitPattern] } }
                        == slow.postings.sorted().map { $0.value.flatMap { [$0.story, $0.weight.bitPattern] } })
                }
            }
            #expect(joined > 20)
        }
    }

    /// The strongest `k` by insertion, and their term order, against sorting everything.
    @Test func keptAgreesWithSorting() {
        var generator = SeededGenerator(seed: 5)
        for n in [0, 1, 2, 5, 47, 48, 49, 139, 600] {
            for k in [0, 1, 5, 48, 700] {
                // Ascending distinct terms; weights with ties (few distinct values) and without.
                var terms = Set<UInt64>()
                while terms.count < n { terms.insert(generator.next()) }
                let sortedTerms = terms.sorted()
                for ties in [false, true] {
                    let weights = sortedTerms.map { _ in
                        ties ? Double(generator.next() % 4 + 1) : Double(generator.next() % 1_000_000 + 1) / 1000
                    }
                    let weighed = sortedTerms.withUnsafeBufferPointer { t in
                        weights.withUnsafeBufferPointer { w in StoryClusterer.kept(k, terms: t, weights: w) }
                    }
                    var strongest = Array(zip(sortedTerms, weights)).sorted(by: StoryClusterer.isStronger)
                    if strongest.count > k { strongest.removeLast(strongest.count - k) }
                    let norm = strongest.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
                    if norm > 0 { strongest = strongest.map { ($0.0, $0.1 / norm) } }
                    let byTerm = strongest.sorted { $0.0 < $1.0 }
                    #expect(weighed.strongest.map(\.0) == strongest.map(\.0), "n \(n) k \(k)")
                    #expect(weighed.strongest.map(\.1) == strongest.map(\.1), "n \(n) k \(k)")
                    #expect(weighed.terms == byTerm.map(\.0) && weighed.weights == byTerm.map(\.1), "n \(n) k \(k)")
                }
            }
        }
    }
}
