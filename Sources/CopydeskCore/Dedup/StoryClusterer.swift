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
        /// The centroid: summed weights of the members' vectors (the strongest `centroidTerms`), as parallel
        /// arrays in ascending term order, so a join merges two sorted lists and sums the norm in key order
        /// without a dictionary or a sort.
        var terms: [UInt64]
        var weights: [Double]
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
    var postings = TermTable<[Posting]>()

    struct Posting: Sendable, Equatable {
        var story: UInt64
        var slot: Int32
        var weight: Double
    }
    var additions = 0
    /// Where ``TermTable/touch(_:)``'s loads end up; read by nothing.
    var touchSink: UInt64 = 0
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

    /// The ``Terms`` of a document whose words of three or more bytes are `hashes` (in any order; sorted here, in
    /// place), without ``englishStopWords``: what ``terms(of:)`` gives for the same words. Sorting the hashes and
    /// counting runs costs less than counting in a table and sorting its entries.
    static func terms(counting hashes: UnsafeMutableBufferPointer<UInt64>) -> Terms {
        radixSort(hashes)
        var distinct = hashes.isEmpty ? 0 : 1
        for i in hashes.indices.dropFirst() where hashes[i] != hashes[i - 1] { distinct += 1 }
        // Read once: a global's lazy-initialisation check and a retain per term otherwise.
        let stopWords = englishStopWordTable
        var terms = Terms()
        // Every distinct term is written and the position advances only past a kept one: whether a term is a stop
        // word follows no pattern a branch predictor could learn (a fifth of a story's distinct terms are).
        var kept = 0
        terms.counts = [UInt32](unsafeUninitializedCapacity: distinct) { counts, countsInitialized in
            terms.hashes = [UInt64](unsafeUninitializedCapacity: distinct) { out, initialized in
                var i = 0
                while i < hashes.count {
                    let hash = hashes[i]
                    var j = i + 1
                    while j < hashes.count && hashes[j] == hash { j += 1 }
                    out[kept] = hash
                    counts[kept] = UInt32(truncatingIfNeeded: j - i)
                    kept &+= stopWords.contains(hash) ? 0 : 1
                    i = j
                }
                initialized = kept
            }
            countsInitialized = kept
        }
        return terms
    }

    /// Sorts `values` ascending. Term hashes are uniformly random, so one pass spreads them over 256 buckets by
    /// their top byte (a couple of values each for a news story) and an insertion sort finishes each bucket: a
    /// comparison sort of the whole would mispredict about every other branch, and an eight-pass radix sort
    /// moves everything eight times. A bucket that is large anyway (a very long text) gets the library sort.
    static func radixSort(_ values: UnsafeMutableBufferPointer<UInt64>) {
        let n = values.count
        guard n > 32 else {
            insertionSort(values)
            return
        }
        // Scratch on the heap: this as a temporary allocation inside `WordPass`'s crashed in release builds
        // (Swift 6.3.1, "Allocation byte count too large" with a sane count; debug builds and the tests did not).
        // Not understood; two mallocs per document avoid it.
        guard n <= Int(Int32.max) else {
            var values = values
            values.sort()
            return
        }
        let spare = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        // 32-bit starts: 257 of them clear in 1 KiB, where 2 KiB of `Int`s crossed glibc's threshold for
        // `rep stosb`, which cachegrind counts as an instruction a byte.
        let starts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 257)
        defer {
            spare.deallocate()
            starts.deallocate()
        }
        starts.initialize(repeating: 0)
        for value in values { starts[Int(truncatingIfNeeded: value &>> 56) &+ 1] &+= 1 }
        for digit in 1...256 { starts[digit] &+= starts[digit - 1] }
        // starts[d] is bucket d's start; filling advances it to the next bucket's start.
        for value in values {
            let digit = Int(truncatingIfNeeded: value &>> 56)
            spare[Int(starts[digit])] = value
            starts[digit] &+= 1
        }
        var begin = 0
        for digit in 0..<256 {
            let end = Int(starts[digit])
            if end - begin > 1 {
                var bucket = UnsafeMutableBufferPointer(rebasing: spare[begin..<end])
                if bucket.count > 32 { bucket.sort() } else { insertionSort(bucket) }
            }
            begin = end
        }
        _ = values.update(fromContentsOf: spare)
    }

    @inline(__always)
    static func insertionSort(_ values: UnsafeMutableBufferPointer<UInt64>) {
        guard values.count > 1 else { return }
        for i in 1..<values.count {
            let value = values[i]
            var j = i
            while j > 0 && values[j - 1] > value {
                values[j] = values[j - 1]
                j -= 1
            }
            values[j] = value
        }
    }

    /// ``englishStopWords`` as a ``StopWordTable``: a membership test per distinct term in one load and one
    /// compare, without hashing the (already hashed) key again.
    static let englishStopWordTable = StopWordTable(englishStopWords)

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
        let weighed = weigh(terms, at: time)
        let weights = weighed.strongest
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
            join(best.story, sequence: sequence, weighed: weighed, at: time)
            return Assignment(story: best.story, similarity: best.similarity, isNewStory: false)
        }
        open(sequence: sequence, weighed: weighed, at: time)
        return Assignment(story: sequence, similarity: 1, isNewStory: true)
    }

    /// A document's kept, normalised weights in the two orders the clusterer reads them in.
    struct Weighed {
        /// Strongest first (``isStronger(_:_:)``): the order scoring sums dot products in, and the norm's.
        var strongest: [(UInt64, Double)] = []
        /// The same terms and weights in ascending term order, a centroid's order.
        var terms: [UInt64] = []
        var weights: [Double] = []
    }

    /// The document's kept, normalised TF-IDF weights, against the document frequencies before it; then counts it
    /// in them (one table access per term for both).
    mutating func weigh(_ terms: Terms, at time: Timestamp) -> Weighed {
        let total = decayed(documents, to: time) + 1
        documents = Frequency(count: total, updated: time)
        let window = configuration.window
        let n = terms.hashes.count
        touchSink ^= frequencies.touch(terms.hashes)
        var raw = [Double](repeating: 0, count: n)
        // Through buffers, and the log table read once: per term, subscripting the arrays checked bounds and
        // uniqueness and the static's initialisation.
        let logOfCount = Self.logOfCount
        raw.withUnsafeMutableBufferPointer { raw in
            terms.hashes.withUnsafeBufferPointer { hashes in
                terms.counts.withUnsafeBufferPointer { counts in
                    logOfCount.withUnsafeBufferPointer { logOfCount in
                        frequencies.update(each: hashes, default: Frequency(count: 0, updated: time)) { index, frequency in
                            let df = Self.count(&frequency, at: time, window: window)
                            let idf = log(total / (df + 1)) + 1
                            let count = Int(counts[index])
                            let tf = count < logOfCount.count ? logOfCount[count] : log(Double(count))
                            raw[index] = (1 + tf) * idf
                        }
                    }
                }
            }
        }
        additions += 1
        // Prune the vocabulary now and then: a sweep costs the vocabulary's size, so do it rarely.
        if additions % 4096 == 0 {
            frequencies = frequencies.filter { decayed($0, to: time) >= 0.05 }
        }
        return terms.hashes.withUnsafeBufferPointer { hashes in
            raw.withUnsafeBufferPointer { raw in Self.kept(configuration.keptTerms, terms: hashes, weights: raw) }
        }
    }

    /// The `k` strongest of `weights` (``isStronger(_:_:)`` on term and weight), divided by their norm, strongest
    /// first and in term order. The terms are ascending, so the kept ones in place are the term order, found by
    /// the `k`-th largest weight (``threshold(_:keeping:)``) with no comparison of terms; the strongest order is
    /// then a stable sort of those few by weight (ties stay in term order, as ``isStronger(_:_:)`` ranks them).
    /// Before: a quickselect and a sort on (term, weight) pairs, then two sorts by term (in `open` and `join`).
    /// Same terms, same order, the norm summed in the strongest order as before, so the same bits.
    static func kept(_ k: Int, terms: UnsafeBufferPointer<UInt64>, weights: UnsafeBufferPointer<Double>) -> Weighed {
        let n = terms.count
        let count = min(max(k, 0), n)
        var weighed = Weighed()
        guard count > 0 else { return weighed }
        var ascending = true
        for i in 1..<max(1, n) where terms[i] <= terms[i - 1] { ascending = false }
        // All kept (a short document): no threshold to find.
        let found = count == n ? nil : threshold(weights, keeping: count)
        let ranked = count == n ? !weights.contains(where: \.isNaN) : found != nil
        guard ascending, ranked else {
            // Terms not from `terms(of:)`/`terms(counting:)`, or a NaN weight: rank by sorting, as before.
            var strongest = Array(zip(terms, weights)).sorted(by: isStronger)
            strongest.removeLast(n - count)
            let norm = strongest.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
            if norm > 0 { strongest = strongest.map { ($0.0, $0.1 / norm) } }
            let byTerm = strongest.sorted { $0.0 < $1.0 }
            return Weighed(strongest: strongest, terms: byTerm.map(\.0), weights: byTerm.map(\.1))
        }
        let positions = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { positions.deallocate() }
        if let (threshold, ties) = found {
            var kept = 0, tiesLeft = ties
            for i in 0..<n {
                let weight = weights[i]
                if weight > threshold || (weight == threshold && tiesLeft > 0) {
                    if weight == threshold { tiesLeft -= 1 }
                    positions[kept] = i
                    kept += 1
                }
            }
        } else {
            for i in 0..<n { positions[i] = i }
        }
        let order = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { order.deallocate() }
        // Insertion sort, heavier first; an equal weight stays after (stable), so ties keep term order.
        for a in 0..<count {
            let position = positions[a], weight = weights[position]
            var b = a
            while b > 0 && weights[order[b - 1]] < weight {
                order[b] = order[b - 1]
                b -= 1
            }
            order[b] = position
        }
        var sum = 0.0
        for a in 0..<count { sum += weights[order[a]] * weights[order[a]] }
        let norm = sum.squareRoot()
        weighed.strongest = [(UInt64, Double)](unsafeUninitializedCapacity: count) { out, initialized in
            for a in 0..<count {
                let i = order[a]
                out[a] = (terms[i], norm > 0 ? weights[i] / norm : weights[i])
            }
            initialized = count
        }
        weighed.terms = [UInt64](unsafeUninitializedCapacity: count) { out, initialized in
            for a in 0..<count { out[a] = terms[positions[a]] }
            initialized = count
        }
        weighed.weights = [Double](unsafeUninitializedCapacity: count) { out, initialized in
            for a in 0..<count {
                let i = positions[a]
                out[a] = norm > 0 ? weights[i] / norm : weights[i]
            }
            initialized = count
        }
        return weighed
    }

    /// The weight the `keep`-th strongest entry has, and how many entries of exactly that weight are among the
    /// strongest `keep` (the first ones by position: a smaller term ranks first): a quickselect on a copy of the
    /// plain values. Nil when a value is NaN, which ``isStronger(_:_:)`` does not order. `keep` is 1…count.
    static func threshold(_ values: UnsafeBufferPointer<Double>, keeping keep: Int) -> (Double, Int)? {
        let n = values.count
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { scratch.deallocate() }
        for i in 0..<n {
            if values[i].isNaN { return nil }
            scratch[i] = values[i]
        }
        // The (keep - 1)-th largest, by quickselect with a median-of-three pivot.
        let rank = keep - 1
        var low = 0, high = n - 1
        while low < high {
            let mid = low + (high - low) / 2
            if scratch[mid] > scratch[low] { scratch.swapAt(mid, low) }
            if scratch[high] > scratch[low] { scratch.swapAt(high, low) }
            if scratch[mid] > scratch[high] { scratch.swapAt(mid, high) }
            let pivot = scratch[high]
            var store = low
            for i in low..<high where scratch[i] > pivot {
                scratch.swapAt(i, store)
                store += 1
            }
            scratch.swapAt(store, high)
            if store == rank { break }
            if store > rank { high = store - 1 } else { low = store + 1 }
        }
        let threshold = scratch[rank]
        var above = 0
        for i in 0..<n where values[i] > threshold { above += 1 }
        return (threshold, keep - above)
    }

    /// `log(Double(n))` for the small counts nearly every term has: the same function's values, looked up.
    static let logOfCount: [Double] = (0..<64).map { log(Double($0)) }

    /// The ranking of weighed terms: heavier first, then the smaller term hash.
    @inline(__always)
    static func isStronger(_ a: (UInt64, Double), _ b: (UInt64, Double)) -> Bool {
        a.1 != b.1 ? a.1 > b.1 : a.0 < b.0
    }

    /// Reorders `items` so that its first `k` are the `k` strongest (``isStronger(_:_:)``), in no particular
    /// order: quickselect, linear on average where a full sort is n log n.
    static func selectStrongest(_ k: Int, in items: UnsafeMutableBufferPointer<(UInt64, Double)>) {
        guard k > 0, k < items.count else { return }
        var low = 0, high = items.count - 1
        while low < high {
            // Median of three as the pivot, moved to `high`.
            let mid = low + (high - low) / 2
            if isStronger(items[mid], items[low]) { items.swapAt(mid, low) }
            if isStronger(items[high], items[low]) { items.swapAt(high, low) }
            if isStronger(items[mid], items[high]) { items.swapAt(mid, high) }
            let pivot = items[high]
            var store = low
            for i in low..<high where isStronger(items[i], pivot) {
                items.swapAt(i, store)
                store += 1
            }
            items.swapAt(store, high)
            if store == k || store == k - 1 { return }
            if store > k { high = store - 1 } else { low = store + 1 }
        }
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

    mutating func open(sequence: UInt64, weighed: Weighed, at time: Timestamp) {
        if stories.count >= configuration.maxOpenStories {
            // Close the stalest eighth at once: one sort now and then instead of a scan per document.
            let stalest = stories.values.sorted { ($0.lastSeen, $0.id) < ($1.lastSeen, $1.id) }
                .prefix(max(1, configuration.maxOpenStories / 8))
            for story in stalest { remove(story.id) }
        }
        var story = Story(
            id: sequence, members: [sequence], firstSeen: time, lastSeen: time, terms: weighed.terms,
            weights: weighed.weights, norm: 0)
        story.norm = (weighed.strongest.reduce(0) { $0 + $1.1 * $1.1 }).squareRoot()
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
        for (term, weight) in zip(story.terms, story.weights) { addPosting(term, story.id, slot: slot, weight: weight) }
    }

    mutating func join(_ id: UInt64, sequence: UInt64, weighed: Weighed, at time: Timestamp) {
        // Taken out and put back, so the members and centroid are changed in place rather than copied.
        guard var story = stories.removeValue(forKey: id), let slot = slots[id] else { return }
        // Merge the centroid and the document, both in term order, into scratch buffers (appending to four arrays
        // checked capacity and uniqueness per entry). Per entry: whether the term is new to the centroid (it has no
        // posting yet), whether the document has it (its posting's weight changes) and whether it is dropped.
        let fresh: UInt8 = 1, touched: UInt8 = 2, dropped: UInt8 = 4
        let capacity = story.terms.count + weighed.terms.count
        let terms = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: capacity)
        let summed = UnsafeMutableBufferPointer<Double>.allocate(capacity: capacity)
        let flags = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
        defer {
            terms.deallocate()
            summed.deallocate()
            flags.deallocate()
        }
        var count = 0
        story.terms.withUnsafeBufferPointer { oldTerms in
            story.weights.withUnsafeBufferPointer { oldWeights in
                weighed.terms.withUnsafeBufferPointer { newTerms in
                    weighed.weights.withUnsafeBufferPointer { newWeights in
                        var i = 0, j = 0
                        let m = oldTerms.count, k = newTerms.count
                        while i < m || j < k {
                            if j == k || (i < m && oldTerms[i] < newTerms[j]) {
                                terms[count] = oldTerms[i]; summed[count] = oldWeights[i]; flags[count] = 0
                                i += 1
                            } else if i == m || newTerms[j] < oldTerms[i] {
                                terms[count] = newTerms[j]; summed[count] = newWeights[j]; flags[count] = fresh | touched
                                j += 1
                            } else {
                                terms[count] = oldTerms[i]; summed[count] = oldWeights[i] + newWeights[j]
                                flags[count] = touched
                                i += 1; j += 1
                            }
                            count += 1
                        }
                    }
                }
            }
        }
        let centroidTerms = configuration.centroidTerms
        if count > centroidTerms, centroidTerms > 0,
           let (threshold, ties) = Self.threshold(UnsafeBufferPointer(rebasing: summed[0..<count]), keeping: centroidTerms) {
            // The strongest `centroidTerms`: heavier than the threshold, or as heavy and among the first `ties` of
            // that weight (a smaller term ranks first, and entries are in term order).
            var tiesLeft = ties
            for index in 0..<count {
                let weight = summed[index]
                if weight == threshold && tiesLeft > 0 {
                    tiesLeft -= 1
                } else if !(weight > threshold) {
                    flags[index] |= dropped
                }
            }
        } else if count > centroidTerms {
            // Keep the strongest `centroidTerms` (heavier first, then the smaller hash), in term order.
            let ranked = UnsafeMutableBufferPointer<(UInt64, Double)>.allocate(capacity: count)
            defer { ranked.deallocate() }
            for index in 0..<count { ranked[index] = (UInt64(truncatingIfNeeded: index), summed[index]) }
            // Rank by (weight, term): the index stands in for the term, which orders the same way (entries are in
            // term order).
            Self.selectStrongest(centroidTerms, in: UnsafeMutableBufferPointer(rebasing: ranked[0..<count]))
            for entry in ranked[centroidTerms..<count] { flags[Int(entry.0)] |= dropped }
        }
        let keptCount = min(count, max(centroidTerms, 0))
        var kept = 0
        let newTerms = [UInt64](unsafeUninitializedCapacity: keptCount) { out, initialized in
            for index in 0..<count where flags[index] & dropped == 0 {
                out[kept] = terms[index]
                kept += 1
            }
            initialized = kept
        }
        kept = 0
        let newWeights = [Double](unsafeUninitializedCapacity: keptCount) { out, initialized in
            for index in 0..<count where flags[index] & dropped == 0 {
                out[kept] = summed[index]
                kept += 1
            }
            initialized = kept
        }
        for index in 0..<count {
            let term = terms[index], flag = flags[index]
            if flag & dropped != 0 {
                if flag & fresh == 0 { removePosting(term, id) }
            } else if flag & fresh != 0 {
                addPosting(term, id, slot: slot, weight: summed[index])
            } else if flag & touched != 0 {
                setPosting(term, id, weight: summed[index])
            }
        }
        story.terms = newTerms
        story.weights = newWeights
        // Summed in term order: the same sum, to the last bit, in every process and after a decode.
        story.norm = story.weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
        story.members.append(sequence)
        story.lastSeen = time
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
        for term in story.terms { removePosting(term, id) }
    }

    /// Posting lists stay sorted by story id, so a decoded clusterer (which rebuilds them) sums dot products in
    /// the same order as the one that was encoded, to the last bit.
    mutating func addPosting(_ term: UInt64, _ id: UInt64, slot: Int32, weight: Double) {
        postings.update(term, default: []) { Self.insertSorted(Posting(story: id, slot: slot, weight: weight), into: &$0) }
    }

    /// In place (through the table's `update`): copying a common term's list per insert was the clusterer's
    /// largest cost.
    static func insertSorted(_ posting: Posting, into list: inout [Posting]) {
        let i = position(of: posting.story, in: list)
        // Appended and moved into place: `insert(_:at:)` went through the generic `replaceSubrange`, ~380
        // instructions for a list of a few postings.
        list.append(posting)
        list.withUnsafeMutableBufferPointer { list in
            var j = list.count - 1
            while j > i {
                list[j] = list[j - 1]
                j -= 1
            }
            list[i] = posting
        }
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
        postings.modify(term) { list, _ in Self.set(weight, for: id, in: &list) }
    }

    static func set(_ weight: Double, for id: UInt64, in list: inout [Posting]) {
        let i = position(of: id, in: list)
        if i < list.count, list[i].story == id { list[i].weight = weight }
    }

    mutating func removePosting(_ term: UInt64, _ id: UInt64) {
        postings.modify(term) { list, remove in
            Self.remove(id, from: &list)
            remove = list.isEmpty
        }
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

/// A fixed set of term hashes with a collision-free slot for each: `contains` is one multiply, one load and one
/// compare, with no probe loop to mispredict. The multiplier is searched for when the table is made (a few
/// hundred tries for the stop-word list at 2,048 slots); an empty slot holds a member whose own slot is another,
/// so no key that lands there can equal it.
struct StopWordTable: Sendable {
    let slots: [UInt64]
    let multiplier: UInt64
    let shift: UInt64

    /// `words` must not be empty (an empty slot holds a member).
    init(_ words: Set<UInt64>) {
        precondition(!words.isEmpty, "a stop-word table needs at least one word")
        let members = words.sorted()
        var size = 16
        while size < members.count * 8 { size *= 2 }
        var generator = SeededGenerator(seed: 0x53_746F_70)
        while true {
            let multiplier = generator.next() | 1
            let shift = UInt64(64 - size.trailingZeroBitCount)
            var slots = [UInt64?](repeating: nil, count: size)
            var collided = false
            for word in members {
                let slot = Int(truncatingIfNeeded: (word &* multiplier) >> shift)
                if slots[slot] != nil { collided = true; break }
                slots[slot] = word
            }
            if collided {
                // Two slots per member more would make a collision-free multiplier easier to find; never needed
                // for the English list, but any set must end.
                if generator.next() % 4096 == 0 { size *= 2 }
                continue
            }
            self.multiplier = multiplier
            self.shift = shift
            self.slots = slots.indices.map { slot in
                slots[slot] ?? members.first { Int(truncatingIfNeeded: ($0 &* multiplier) >> shift) != slot }!
            }
            return
        }
    }

    @inline(__always)
    func slot(of key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* multiplier) >> shift) }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool {
        slots.withUnsafeBufferPointer { $0[slot(of: key)] == key }
    }
}
