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
    /// Whether `stopWords` is ``englishStopWords``, the list ``terms(of:)`` leaves out on any core.
    let usesEnglishStopWords: Bool
    /// Decayed document frequency per term hash and when it was last brought up to date.
    var frequencies = TermTable<Frequency>()
    var documents = Frequency(count: 0, updated: .epoch)
    var stories: [UInt64: Story] = [:]
    /// Each open story has a slot, a small integer, so scoring sums its dot products in a plain array instead of a
    /// dictionary keyed by story id (the clusterer's largest cost when it was one). Slot → story id (0: free) and
    /// the story's centroid norm.
    var slotStories: [UInt64] = []
    var slotNorms: [Double] = []
    var freeSlots: [Int32] = []
    var slots: [UInt64: Int32] = [:]
    /// Scoring's scratch: a dot product and a mark per slot (all zero between calls) and the slots it touched.
    var scratch: [Double] = []
    var marks: [Bool] = []
    var touched: [Int32] = []
    /// Term → the open stories whose centroid holds it, sorted by story id, with their slot and the centroid's
    /// weight for the term (so scoring never looks a story up per term).
    var postings: [UInt64: [Posting]] = [:]

    struct Posting: Sendable, Equatable {
        var story: UInt64
        var slot: Int32
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
        usesEnglishStopWords = stopWords == Self.englishStopWords
    }

    /// Open stories, oldest first.
    public var openStories: [Story] {
        stories.values.sorted { $0.id < $1.id }
    }

    /// A document's words as the clusterer counts them: distinct term hashes (``Shingles`` words of three or more
    /// bytes, stop words out), ascending, each with its count. Pure, so the daemon makes it on any core with the
    /// rest of a document's fingerprint, and only the weighting and scoring run in the serial stage.
    public struct Terms: Sendable, Equatable {
        public internal(set) var hashes: [UInt64] = []
        public internal(set) var counts: [UInt32] = []

        public init() {}
    }

    /// The ``Terms`` of a text, without ``englishStopWords``.
    public static func terms(of text: String) -> Terms {
        terms(of: text, leavingOut: englishStopWords)
    }

    static func terms(of text: String, leavingOut stopWords: Set<UInt64>) -> Terms {
        // Counted first and the stop words taken out of the distinct terms after: half as many set lookups.
        var counts = TermTable<UInt32>(minimumCapacity: 512)
        Shingles.forEachWord(text) { hash, length in
            if length >= 3 { counts.update(hash, default: 0) { $0 += 1 } }
        }
        var terms = Terms()
        terms.hashes.reserveCapacity(counts.count)
        terms.counts.reserveCapacity(counts.count)
        for (hash, count) in counts.sorted() where !stopWords.contains(hash) {
            terms.hashes.append(hash)
            terms.counts.append(count)
        }
        return terms
    }

    /// Files a document (its cleaned headline and body as one text) into a story and returns which.
    public mutating func add(sequence: UInt64, text: String, at time: Timestamp) -> Assignment {
        add(sequence: sequence, terms: Self.terms(of: text, leavingOut: stopWords), at: time)
    }

    /// ``add(sequence:text:at:)`` for terms already counted (``terms(of:)``).
    public mutating func add(sequence: UInt64, terms: Terms, at time: Timestamp) -> Assignment {
        var terms = terms
        if !usesEnglishStopWords {
            // Counted without the English list; this clusterer (decoded from elsewhere) has its own.
            let kept = terms.hashes.indices.filter { !stopWords.contains(terms.hashes[$0]) }
            terms.hashes = kept.map { terms.hashes[$0] }
            terms.counts = kept.map { terms.counts[$0] }
        }
        close(before: time)
        let weights = weigh(terms, at: time)
        var best: (story: UInt64, similarity: Double)?
        if !weights.isEmpty {
            if scratch.count < slotStories.count {
                scratch += repeatElement(0, count: slotStories.count - scratch.count)
                marks += repeatElement(false, count: slotStories.count - marks.count)
            }
            for (term, weight) in weights {
                guard let list = postings[term], list.count <= Self.maxPostings else { continue }
                for posting in list {
                    let slot = Int(posting.slot)
                    if !marks[slot] {
                        marks[slot] = true
                        touched.append(posting.slot)
                    }
                    scratch[slot] += weight * posting.weight
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
                   best == nil || cosine > best!.similarity || (cosine == best!.similarity && story < best!.story) {
                    best = (story, cosine)
                }
            }
            touched.removeAll(keepingCapacity: true)
        }
        if let best {
            join(best.story, sequence: sequence, weights: weights, at: time)
            return Assignment(story: best.story, similarity: best.similarity, isNewStory: false)
        }
        open(sequence: sequence, weights: weights, at: time)
        return Assignment(story: sequence, similarity: 1, isNewStory: true)
    }

    /// The document's kept, normalised TF-IDF weights, against the document frequencies before it; then counts it
    /// in them (one dictionary access per term for both).
    mutating func weigh(_ terms: Terms, at time: Timestamp) -> [(UInt64, Double)] {
        let total = decayed(documents, to: time) + 1
        documents = Frequency(count: total, updated: time)
        let window = configuration.window
        var weights: [(UInt64, Double)] = []
        weights.reserveCapacity(terms.hashes.count)
        for (index, term) in terms.hashes.enumerated() {
            let df = frequencies.update(term, default: Frequency(count: 0, updated: time)) {
                Self.count(&$0, at: time, window: window)
            }
            let idf = log(total / (df + 1)) + 1
            weights.append((term, (1 + log(Double(terms.counts[index]))) * idf))
        }
        additions += 1
        // Prune the vocabulary now and then: a sweep costs the vocabulary's size, so do it rarely.
        if additions % 4096 == 0 {
            frequencies = frequencies.filter { decayed($0, to: time) >= 0.05 }
        }
        weights.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        if weights.count > configuration.keptTerms { weights.removeLast(weights.count - configuration.keptTerms) }
        let norm = weights.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        if norm > 0 { weights = weights.map { ($0.0, $0.1 / norm) } }
        return weights
    }

    /// Returns a term's decayed frequency before this document and counts the document in it.
    @inline(__always)
    static func count(_ frequency: inout Frequency, at time: Timestamp, window: Int64) -> Double {
        let elapsed = Double(max(0, time.microseconds - frequency.updated.microseconds))
        let before = frequency.count * exp2(-elapsed / Double(window))
        frequency = Frequency(count: before + 1, updated: time)
        return before
    }

    func decayed(_ frequency: Frequency, to time: Timestamp) -> Double {
        let elapsed = Double(max(0, time.microseconds - frequency.updated.microseconds))
        return frequency.count * exp2(-elapsed / Double(configuration.window))
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
        insert(story)
    }

    /// Puts a story (new, or decoded) in place: its slot, its norm there and its postings.
    mutating func insert(_ story: Story) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            slotStories[Int(slot)] = story.id
            slotNorms[Int(slot)] = story.norm
        } else {
            slot = Int32(slotStories.count)
            slotStories.append(story.id)
            slotNorms.append(story.norm)
        }
        slots[story.id] = slot
        stories[story.id] = story
        for (term, weight) in story.centroid { addPosting(term, story.id, slot: slot, weight: weight) }
    }

    mutating func join(_ id: UInt64, sequence: UInt64, weights: [(UInt64, Double)], at time: Timestamp) {
        // Taken out and put back, so the members and centroid are changed in place rather than copied.
        guard var story = stories.removeValue(forKey: id), let slot = slots[id] else { return }
        var added: [UInt64] = []
        for (term, weight) in weights {
            if let current = story.centroid[term] {
                story.centroid[term] = current + weight
            } else {
                story.centroid[term] = weight
                added.append(term)
            }
        }
        var dropped: [UInt64] = []
        if story.centroid.count > configuration.centroidTerms {
            var ranked = story.centroid.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            dropped = ranked[configuration.centroidTerms...].map(\.key)
            ranked.removeLast(ranked.count - configuration.centroidTerms)
            story.centroid = Dictionary(uniqueKeysWithValues: ranked.map { ($0.key, $0.value) })
        }
        // Summed in key order: dictionary order changes from process to process, and so would the last bits.
        story.norm = story.centroid.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value * $1.value }.squareRoot()
        story.members.append(sequence)
        story.lastSeen = time
        let fresh = Set(added)
        for term in dropped where !fresh.contains(term) { removePosting(term, id) }
        for term in added where story.centroid[term] != nil {
            addPosting(term, id, slot: slot, weight: story.centroid[term]!)
        }
        for (term, _) in weights where !fresh.contains(term) {
            if let weight = story.centroid[term] { setPosting(term, id, weight: weight) }
        }
        slotNorms[Int(slot)] = story.norm
        stories[id] = story
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
        guard let story = stories.removeValue(forKey: id), let slot = slots.removeValue(forKey: id) else { return }
        slotStories[Int(slot)] = 0
        slotNorms[Int(slot)] = 0
        freeSlots.append(slot)
        for term in story.centroid.keys { removePosting(term, id) }
    }

    /// Posting lists stay sorted by story id, so a decoded clusterer (which rebuilds them) sums dot products in
    /// the same order as the one that was encoded, to the last bit.
    mutating func addPosting(_ term: UInt64, _ id: UInt64, slot: Int32, weight: Double) {
        Self.insertSorted(Posting(story: id, slot: slot, weight: weight), into: &postings[term, default: []])
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
        guard postings[term] != nil else { return }
        Self.set(weight, for: id, in: &postings[term]!)
    }

    static func set(_ weight: Double, for id: UInt64, in list: inout [Posting]) {
        let i = position(of: id, in: list)
        if i < list.count, list[i].story == id { list[i].weight = weight }
    }

    mutating func removePosting(_ term: UInt64, _ id: UInt64) {
        guard postings[term] != nil else { return }
        Self.remove(id, from: &postings[term]!)
        if postings[term]!.isEmpty { postings[term] = nil }
    }

    static func remove(_ id: UInt64, from list: inout [Posting]) {
        let i = position(of: id, in: list)
        if i < list.count, list[i].story == id { list.remove(at: i) }
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
