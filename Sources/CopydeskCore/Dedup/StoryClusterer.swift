#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Groups documents from different sources about the same event into stories, as they arrive.
///
/// Each document becomes a TF-IDF vector over its words (``Shingles`` tokens of three or more bytes, English
/// stop words out, sublinear term frequency, the `keptTerms` strongest terms kept and L2-normalised). It joins
/// the open story whose centroid is most similar by cosine, if that reaches `threshold`, else it opens a story
/// of its own. A story stays open while it keeps receiving documents within `window` of the last one; then it
/// is closed and forgotten here (its membership was returned as it happened, and the journal keeps it).
///
/// **Bounded memory.** Document frequencies decay exponentially with a half-life of `window` (the effective
/// corpus is "the last window or so") and terms whose decayed count drops under 0.05 are pruned, so the
/// vocabulary follows the news instead of growing forever; centroids keep their `centroidTerms` strongest
/// terms; and at most `maxOpenStories` stay open (the least recently updated close first; measured: 8,192 open
/// stories took 19 MB). No clock is read:
/// every call passes the document's time.
///
/// Clustering never hides a document: it only says which story a document belongs to.
public struct StoryClusterer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Cosine similarity to a story's centroid needed to join it. 0.1 from the WikiRef220 sweep in
        /// `Benchmarks/DEDUP.md` (B-cubed F1 0.82, precision 0.92; 0.05 merges more and scores 0.90 there, but
        /// WikiRef's labels are topics, broader than the events a desk calls a story, so the default leans to
        /// precision). Tuned on the only labelled set we have: treat it as a starting point.
        public var threshold: Double
        /// How long a story stays open after its last document, in microseconds.
        public var window: Int64
        public var keptTerms: Int
        public var centroidTerms: Int
        public var maxOpenStories: Int

        public static let `default` = Configuration()

        public init(
            threshold: Double = 0.1, window: Int64 = 48 * 3_600_000_000, keptTerms: Int = 48,
            centroidTerms: Int = 160, maxOpenStories: Int = 8192
        ) {
            self.threshold = threshold
            self.window = window
            self.keptTerms = keptTerms
            self.centroidTerms = centroidTerms
            self.maxOpenStories = maxOpenStories
        }
    }

    /// Where a document went.
    public struct Assignment: Sendable, Equatable {
        /// The story's id: the sequence number of its first document.
        public var story: UInt64
        /// Cosine similarity to the story's centroid before the document joined (1 for a new story).
        public var similarity: Double
        public var isNewStory: Bool
    }

    /// An open story.
    public struct Story: Sendable, Equatable {
        public var id: UInt64
        public var members: [UInt64]
        public var firstSeen: Timestamp
        public var lastSeen: Timestamp
        /// Term hash → summed weight of the members' vectors (the strongest `centroidTerms`).
        var centroid: [UInt64: Double]
        var norm: Double
    }

    public let configuration: Configuration
    let stopWords: Set<UInt64>
    /// Decayed document frequency per term hash and when it was last brought up to date.
    var frequencies: [UInt64: Frequency] = [:]
    var documents = Frequency(count: 0, updated: .epoch)
    var stories: [UInt64: Story] = [:]
    /// Each open story's centroid norm, apart from the story: scoring reads it for every candidate, and reading it
    /// through `stories` would copy (retain) the whole story each time.
    var norms: [UInt64: Double] = [:]
    /// Term → the open stories whose centroid holds it, by story id, with the centroid's weight for the term (so
    /// scoring never looks a story up per term).
    var postings: [UInt64: [Posting]] = [:]

    struct Posting: Sendable, Equatable {
        var story: UInt64
        var weight: Double
    }
    var additions = 0
    /// When stories were last swept for closing.
    var lastSweep = Timestamp(microseconds: Int64.min)

    /// A term held by more open stories than this is too common to tell stories apart (and would make every
    /// document walk thousands of them): it is left out of the similarity, as a stop word would be.
    static let maxPostings = 64

    struct Frequency: Sendable, Equatable {
        var count: Double
        var updated: Timestamp
    }

    public init(configuration: Configuration = .default, stopWords: Set<UInt64> = StoryClusterer.englishStopWords) {
        self.configuration = configuration
        self.stopWords = stopWords
    }

    /// Open stories, oldest first.
    public var openStories: [Story] {
        stories.values.sorted { $0.id < $1.id }
    }

    /// Files a document (its cleaned headline and body as one text) into a story and returns which.
    public mutating func add(sequence: UInt64, text: String, at time: Timestamp) -> Assignment {
        close(before: time)
        let vector = vector(for: text, at: time)
        learn(vector.terms, at: time)
        var best: (story: UInt64, similarity: Double)?
        if !vector.weights.isEmpty {
            var dot: [UInt64: Double] = [:]
            dot.reserveCapacity(256)
            for (term, weight) in vector.weights {
                guard let list = postings[term], list.count <= Self.maxPostings else { continue }
                for posting in list { dot[posting.story, default: 0] += weight * posting.weight }
            }
            for (story, product) in dot {
                guard let norm = norms[story], norm > 0 else { continue }
                let cosine = product / norm
                if cosine >= configuration.threshold,
                   best == nil || cosine > best!.similarity || (cosine == best!.similarity && story < best!.story) {
                    best = (story, cosine)
                }
            }
        }
        if let best {
            join(best.story, sequence: sequence, weights: vector.weights, at: time)
            return Assignment(story: best.story, similarity: best.similarity, isNewStory: false)
        }
        open(sequence: sequence, weights: vector.weights, at: time)
        return Assignment(story: sequence, similarity: 1, isNewStory: true)
    }

    /// The document's terms (distinct, for the frequencies) and its kept, normalised TF-IDF weights.
    func vector(for text: String, at time: Timestamp) -> (terms: [UInt64], weights: [(UInt64, Double)]) {
        var counts: [UInt64: Int] = [:]
        Shingles.forEachWord(text) { hash, length in
            if length >= 3 && !stopWords.contains(hash) { counts[hash, default: 0] += 1 }
        }
        let total = decayed(documents, to: time) + 1
        var weights: [(UInt64, Double)] = counts.map { term, count in
            let df = frequencies[term].map { decayed($0, to: time) } ?? 0
            let idf = log(total / (df + 1)) + 1
            return (term, (1 + log(Double(count))) * idf)
        }
        weights.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        if weights.count > configuration.keptTerms { weights.removeLast(weights.count - configuration.keptTerms) }
        let norm = weights.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        if norm > 0 { weights = weights.map { ($0.0, $0.1 / norm) } }
        return (counts.keys.sorted(), weights)
    }

    func decayed(_ frequency: Frequency, to time: Timestamp) -> Double {
        let elapsed = Double(max(0, time.microseconds - frequency.updated.microseconds))
        return frequency.count * exp2(-elapsed / Double(configuration.window))
    }

    mutating func learn(_ terms: [UInt64], at time: Timestamp) {
        documents = Frequency(count: decayed(documents, to: time) + 1, updated: time)
        for term in terms {
            let current = frequencies[term].map { decayed($0, to: time) } ?? 0
            frequencies[term] = Frequency(count: current + 1, updated: time)
        }
        additions += 1
        // Prune the vocabulary now and then: a sweep costs the vocabulary's size, so do it rarely.
        if additions % 4096 == 0 {
            frequencies = frequencies.filter { decayed($0.value, to: time) >= 0.05 }
        }
    }

    mutating func open(sequence: UInt64, weights: [(UInt64, Double)], at time: Timestamp) {
        if stories.count >= configuration.maxOpenStories {
            // Close the stalest eighth at once: one sort now and then instead of a scan per document.
            let stalest = stories.values.sorted { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }
                .prefix(max(1, configuration.maxOpenStories / 8))
            for story in stalest { remove(story.id) }
        }
        var story = Story(id: sequence, members: [sequence], firstSeen: time, lastSeen: time, centroid: [:], norm: 0)
        for (term, weight) in weights { story.centroid[term] = weight }
        story.norm = (weights.reduce(0) { $0 + $1.1 * $1.1 }).squareRoot()
        stories[sequence] = story
        norms[sequence] = story.norm
        for (term, weight) in weights { addPosting(term, sequence, weight: weight) }
    }

    mutating func join(_ id: UInt64, sequence: UInt64, weights: [(UInt64, Double)], at time: Timestamp) {
        // Taken out and put back, so the members and centroid are changed in place rather than copied.
        guard var story = stories.removeValue(forKey: id) else { return }
        let before = Set(story.centroid.keys)
        for (term, weight) in weights { story.centroid[term, default: 0] += weight }
        if story.centroid.count > configuration.centroidTerms {
            let kept = story.centroid.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(configuration.centroidTerms)
            story.centroid = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
        // Summed in key order: dictionary order changes from process to process, and so would the last bits.
        story.norm = story.centroid.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value * $1.value }.squareRoot()
        story.members.append(sequence)
        story.lastSeen = time
        let after = Set(story.centroid.keys)
        for term in before.subtracting(after) { removePosting(term, id) }
        for term in after.subtracting(before) { addPosting(term, id, weight: story.centroid[term]!) }
        for (term, _) in weights where before.contains(term) {
            if let weight = story.centroid[term] { setPosting(term, id, weight: weight) }
        }
        stories[id] = story
        norms[id] = story.norm
    }

    /// Closes stories that received nothing within the window before `time`.
    /// Sweeps at most every 1/64 of the window, so a story may stay open up to that much longer than the window.
    mutating func close(before time: Timestamp) {
        let step = max(1, configuration.window / 64)
        guard lastSweep.microseconds == Int64.min || time.microseconds - lastSweep.microseconds >= step else { return }
        lastSweep = time
        let limit = time.microseconds - configuration.window
        for story in stories.values where story.lastSeen.microseconds < limit { remove(story.id) }
    }

    mutating func remove(_ id: UInt64) {
        guard let story = stories.removeValue(forKey: id) else { return }
        norms[id] = nil
        for term in story.centroid.keys { removePosting(term, id) }
    }

    /// Posting lists stay sorted by story id, so a decoded clusterer (which rebuilds them) sums dot products in
    /// the same order as the one that was encoded, to the last bit.
    mutating func addPosting(_ term: UInt64, _ id: UInt64, weight: Double) {
        Self.insertSorted(Posting(story: id, weight: weight), into: &postings[term, default: []])
    }

    /// In place (through the dictionary's modify accessor): copying a common term's list per insert was the
    /// clusterer's largest cost.
    static func insertSorted(_ posting: Posting, into list: inout [Posting]) {
        let i = position(of: posting.story, in: list)
        list.insert(posting, at: i)
    }

    static func position(of id: UInt64, in list: [Posting]) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].story < id { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func setPosting(_ term: UInt64, _ id: UInt64, weight: Double) {
        guard let i = postings[term].map({ Self.position(of: id, in: $0) }) else { return }
        if i < postings[term]!.count, postings[term]![i].story == id { postings[term]![i].weight = weight }
    }

    mutating func removePosting(_ term: UInt64, _ id: UInt64) {
        postings[term]?.removeAll { $0.story == id }
        if postings[term]?.isEmpty == true { postings[term] = nil }
    }

    /// A small English stop-word list (function words and newswire filler such as "said"), hashed as
    /// ``Shingles`` hashes words.
    public static let englishStopWords: Set<UInt64> = Set(
        """
        the and for are but not you all any can had her was one our out day get has him his how man new now old see
        two way who boy did its let put say she too use that with have this will your from they know want been good
        much some time very when come here just like long make many more only over such take than them well were
        what about after again also into most other their there these those which while would could should said
        says told year years last first being because before between both during each few further itself may might
        must nor off once own same then through under until upon whom why yet where whose above below down
        against among around since per via mr mrs ms its it's however although though according reuters
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Shingles.hashWord(String($0)) }
    )
}
