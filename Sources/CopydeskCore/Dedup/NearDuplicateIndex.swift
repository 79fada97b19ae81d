/// Locality-sensitive hashing over MinHash signatures, with bounded, compact memory.
///
/// **Candidates.** The first `bands × rows` signature values are cut into bands; two documents become
/// candidates when any band matches exactly, which happens with probability `1 − (1 − J^rows)^bands`
/// (``candidateProbability(similarity:bands:rows:)``). **Confirmation.** Every candidate is then scored on all 128
/// positions through its stored sketch, and only those whose estimated Jaccard reaches the threshold are
/// returned, so the bands decide speed and recall, never precision.
///
/// **Memory**, per document (`DEDUP.md` measures it): the sequence number (8 bytes), a 4-bit sketch of all 128
/// minima (64 bytes: b-bit MinHash, Li & König 2010; at J = 0.8 its estimate's standard error is 0.037 against
/// 0.035 for full 32-bit values) and one 4-byte posting per band in open-addressing tables kept at most 80 %
/// full (10 bands: 50 bytes). About 125 bytes a document, 126 MB at a million, against 512 bytes for the raw
/// 128 × UInt32 signature before any table. A posting packs an 8-bit fingerprint of the band hash with the
/// slot, so probing a band touches one table cache line and only fingerprint hits read a sketch. Measured at a
/// million documents: 125 bytes each, 22 µs per query + insert (`DEDUP.md`, *Scale*).
///
/// **Bounded.** Documents live in generations (tables sized when the generation opens, no rehashing); when the
/// newest is full a new one opens, twice as large up to `capacity / 2`, and the oldest generations are dropped
/// whole once the total would pass `capacity`. The index always remembers at least the newest `capacity / 2`
/// documents. Queries probe every live generation (at most a handful).
///
/// Sequences must be inserted in increasing order (journal order); the index is deterministic: the same
/// inserts give the same state and the same encoded bytes.
public struct NearDuplicateIndex: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        /// Estimated Jaccard at or above which a candidate is a near-duplicate.
        public var threshold: Double
        public var bands: Int
        public var rows: Int
        /// The most documents remembered; memory is about 125 bytes each (10 bands), so the default 2^20 caps
        /// the index near 131 MB, and always keeps at least the newest 2^19 (weeks of a busy desk).
        public var capacity: Int
        /// A band's probe stops after this many fingerprint hits: a story indexed thousands of times must not
        /// make every later query walk all of them (the newest copies are as good a match as any).
        public var maxCandidatesPerBand: Int
        /// The size of the first generation; later ones double up to `capacity / 2`.
        public var firstGeneration: Int

        /// 10 bands × 5 rows for J ≥ 0.8: a pair at J = 0.8 becomes a candidate with probability 0.981, at 0.85
        /// with 0.997, at 0.5 with 0.27 and at 0.3 with 0.024 (`DEDUP.md` has the full S-curve and the
        /// alternatives 16 × 8 and 32 × 4 measured).
        public static let `default` = Configuration()

        public init(
            threshold: Double = 0.8, bands: Int = 10, rows: Int = 5, capacity: Int = 1 << 20,
            maxCandidatesPerBand: Int = 64, firstGeneration: Int = 1 << 14
        ) {
            self.threshold = threshold
            self.bands = bands
            self.rows = rows
            self.capacity = capacity
            self.maxCandidatesPerBand = maxCandidatesPerBand
            self.firstGeneration = firstGeneration
        }

        var isValid: Bool {
            bands >= 1 && rows >= 1 && bands * rows <= MinHasher.permutations && capacity >= 2
                && maxCandidatesPerBand >= 1 && firstGeneration >= 1 && threshold > 0 && threshold <= 1
        }
    }

    public let configuration: Configuration
    var generations: [Generation] = []

    public init(configuration: Configuration = .default) {
        precondition(configuration.isValid, "invalid near-duplicate index configuration \(configuration)")
        self.configuration = configuration
    }

    /// Documents currently remembered.
    public var count: Int { generations.reduce(0) { $0 + $1.count } }

    /// Bytes held by the index's arrays (tables, sketches, sequences), allocated capacity included.
    public var memoryBytes: Int {
        generations.reduce(0) { $0 + $1.memoryBytes }
    }

    /// The probability that a pair of similarity `similarity` shares at least one band: the LSH S-curve.
    public static func candidateProbability(similarity: Double, bands: Int, rows: Int) -> Double {
        var power = 1.0
        for _ in 0..<rows { power *= similarity }
        var miss = 1.0
        for _ in 0..<bands { miss *= 1 - power }
        return 1 - miss
    }

    /// What the index needs of a signature: its band hashes and its sketch.
    public func key(for signature: MinHashSignature) -> Key {
        Key(signature, bands: configuration.bands, rows: configuration.rows)
    }

    /// Remembers a document. Empty signatures (no words) are ignored: they would match every other empty one.
    public mutating func insert(_ signature: MinHashSignature, sequence: UInt64) {
        guard !signature.isEmpty else { return }
        insert(key(for: signature), sequence: sequence)
    }

    public mutating func insert(_ key: Key, sequence: UInt64) {
        precondition(key.bandHashes.count == configuration.bands, "key made for another configuration")
        if let last = generations.last?.lastSequence {
            precondition(sequence > last, "sequences must be inserted in increasing order")
        }
        if generations.isEmpty || generations[generations.count - 1].isFull {
            openGeneration()
        }
        generations[generations.count - 1].insert(key, sequence: sequence)
    }

    /// Confirmed matches for `signature`: estimated Jaccard ≥ `threshold` (the configured one by default), best
    /// first; equal similarities put the earlier sequence (the original) first.
    public func query(_ signature: MinHashSignature, threshold: Double? = nil) -> [NearDuplicateMatch] {
        guard !signature.isEmpty else { return [] }
        return query(key(for: signature), threshold: threshold)
    }

    public func query(_ key: Key, threshold: Double? = nil) -> [NearDuplicateMatch] {
        let threshold = threshold ?? configuration.threshold
        // Agreeing nibbles needed: the smallest count whose estimate reaches the threshold.
        let needed = Sketch.agreementsNeeded(for: threshold)
        var matches: [NearDuplicateMatch] = []
        for generation in generations {
            generation.forEachCandidate(key, limit: configuration.maxCandidatesPerBand) { slot in
                let agreements = generation.sketch(at: slot).agreements(with: key.sketch)
                if agreements >= needed {
                    let sequence = generation.sequences[slot]
                    if !matches.contains(where: { $0.sequence == sequence }) {
                        matches.append(NearDuplicateMatch(
                            sequence: sequence, similarity: Sketch.estimate(agreements: agreements)))
                    }
                }
            }
        }
        matches.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.sequence < $1.sequence }
        return matches
    }

    /// Whether an estimate is too close to the threshold to decide on: with 128 positions the estimate's
    /// standard error near J = 0.8 is about 0.035, so a pair estimated within `margin` (default 0.1, ~3 standard
    /// errors) may truly lie on either side. The caller can settle such a pair with the exact Jaccard of the two
    /// texts (``Shingles/jaccard(_:_:)`` on ``Shingles/shingleSet(_:size:)``), reading the stored candidate
    /// back from the journal: it happens only for candidates, and keeps shingle sets out of memory. Query with
    /// `threshold: threshold - margin` to see the candidates just under the threshold as well.
    public static func isBorderline(_ similarity: Double, threshold: Double, margin: Double = 0.1) -> Bool {
        similarity >= threshold - margin && similarity < threshold + margin
    }

    /// The best confirmed match, if any.
    public func bestMatch(_ signature: MinHashSignature, threshold: Double? = nil) -> NearDuplicateMatch? {
        query(signature, threshold: threshold).first
    }

    /// Estimated Jaccard between `signature` and a remembered document, or nil if it is not (or no longer)
    /// remembered. For version checks, where the candidate comes from metadata rather than from the bands.
    public func similarity(_ signature: MinHashSignature, toSequence sequence: UInt64) -> Double? {
        guard !signature.isEmpty else { return nil }
        let sketch = Sketch(signature)
        for generation in generations {
            if let slot = generation.slot(of: sequence) {
                return Sketch.estimate(agreements: generation.sketch(at: slot).agreements(with: sketch))
            }
        }
        return nil
    }

    private mutating func openGeneration() {
        let half = max(1, configuration.capacity / 2)
        let size = generations.last.map { min(half, $0.capacity * 2) } ?? min(half, configuration.firstGeneration)
        // Drop whole generations, oldest first, so what stays plus the new one fits the capacity.
        var retained = generations.reduce(0) { $0 + $1.capacity }
        while let oldest = generations.first, retained + size > configuration.capacity {
            retained -= oldest.capacity
            generations.removeFirst()
        }
        generations.append(Generation(capacity: size, bands: configuration.bands))
    }
}

/// A confirmed near-duplicate: which document, and the estimated Jaccard similarity of the shingle sets.
public struct NearDuplicateMatch: Sendable, Equatable, Hashable {
    public var sequence: UInt64
    public var similarity: Double

    public init(sequence: UInt64, similarity: Double) {
        self.sequence = sequence
        self.similarity = similarity
    }
}

extension NearDuplicateIndex {
    /// A signature reduced to what the index stores and probes: one hash per band and the 4-bit sketch.
    public struct Key: Sendable, Equatable {
        public var bandHashes: [UInt64]
        public var sketch: Sketch

        public init(_ signature: MinHashSignature, bands: Int, rows: Int) {
            var hashes = [UInt64]()
            hashes.reserveCapacity(bands)
            for band in 0..<bands {
                var h = UInt64(band) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(rows)
                for k in 0..<rows { h = SeededGenerator.mix(h ^ UInt64(signature.values[band * rows + k])) }
                hashes.append(h)
            }
            bandHashes = hashes
            sketch = Sketch(signature)
        }
    }

    /// 4 bits of each of the 128 minima, 16 to a word. Two documents' nibbles agree when their minima agree,
    /// and by chance (1/16) when they do not; ``estimate(agreements:)`` removes the chance part.
    public struct Sketch: Sendable, Equatable, Hashable {
        public var words: SIMD8<UInt64>

        public init(words: SIMD8<UInt64>) { self.words = words }

        public init(_ signature: MinHashSignature) {
            // Each word built in a register and stored once: or-ing every nibble into a lane of the vector
            // (`words[j / 16] |= …`) went through memory, ~35 instructions a position.
            var lanes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            signature.values.withUnsafeBufferPointer { values in
                withUnsafeMutableBytes(of: &lanes) { raw in
                    for lane in 0..<8 {
                        var word: UInt64 = 0
                        for k in 0..<16 {
                            word |= Self.nibble(values[lane * 16 + k]) &<< UInt64(k * 4)
                        }
                        raw.storeBytes(of: word, toByteOffset: lane * 8, as: UInt64.self)
                    }
                }
            }
            words = SIMD8(lanes.0, lanes.1, lanes.2, lanes.3, lanes.4, lanes.5, lanes.6, lanes.7)
        }

        /// The top bits of a multiplicative rehash: the raw minimum's high bits are mostly zero and its low bits
        /// come from the weakest part of the multiply-shift product.
        @inline(__always)
        static func nibble(_ minimum: UInt32) -> UInt64 { (UInt64(minimum) &* 0x9E37_79B9_7F4A_7C15) &>> 60 }

        /// The sketch as it was first made, nibble by nibble into the vector's lanes: what the tests compare
        /// ``init(_:)`` with.
        static func byLanes(_ signature: MinHashSignature) -> Sketch {
            var words = SIMD8<UInt64>()
            for j in 0..<MinHasher.permutations {
                words[j / 16] |= nibble(signature.values[j]) &<< UInt64((j % 16) * 4)
            }
            return Sketch(words: words)
        }

        /// Positions (of 128) whose nibbles agree.
        @inline(__always)
        public func agreements(with other: Sketch) -> Int {
            let x = words ^ other.words
            let differing = (x | x &>> 1 | x &>> 2 | x &>> 3) & SIMD8(repeating: 0x1111_1111_1111_1111)
            var count = 0
            for lane in 0..<8 { count &+= differing[lane].nonzeroBitCount }
            return MinHasher.permutations - count
        }

        /// Jaccard estimate from agreeing nibbles: `P(agree) = J + (1 − J)/16`, solved for `J`, clamped.
        public static func estimate(agreements: Int) -> Double {
            let p = Double(agreements) / Double(MinHasher.permutations)
            return min(1, max(0, (p - 1.0 / 16) / (15.0 / 16)))
        }

        static func agreementsNeeded(for threshold: Double) -> Int {
            var needed = 0
            while needed < MinHasher.permutations && estimate(agreements: needed) < threshold - 1e-12 { needed += 1 }
            return needed
        }
    }

    /// One generation: fixed-capacity arrays and one open-addressing table per band (linear probing, 80 %
    /// load at capacity, range reduction by multiply-high so the table needs no power-of-two size).
    struct Generation: Sendable, Equatable {
        static let slotBits: UInt32 = 24
        static let slotMask: UInt32 = (1 << 24) - 1

        let capacity: Int
        let tableSize: Int
        let bands: Int
        var sequences: [UInt64] = []
        var sketches: [UInt64] = []
        /// `bands` tables of `tableSize` entries, band after band. An entry is `fingerprint << 24 | slot + 1`;
        /// 0 is empty.
        var tables: [UInt32]

        init(capacity: Int, bands: Int) {
            precondition(capacity < Int(Self.slotMask), "a generation holds fewer than 2^24 documents")
            self.capacity = capacity
            self.bands = bands
            tableSize = max(16, capacity + capacity / 4 + 1)
            tables = [UInt32](repeating: 0, count: tableSize * bands)
            sequences.reserveCapacity(capacity)
            sketches.reserveCapacity(capacity * 8)
        }

        init(capacity: Int, bands: Int, tableSize: Int, sequences: [UInt64], sketches: [UInt64], tables: [UInt32]) {
            self.capacity = capacity
            self.bands = bands
            self.tableSize = tableSize
            self.sequences = sequences
            self.sketches = sketches
            self.tables = tables
        }

        var count: Int { sequences.count }
        var isFull: Bool { sequences.count >= capacity }
        var lastSequence: UInt64? { sequences.last }

        var memoryBytes: Int {
            sequences.capacity * 8 + sketches.capacity * 8 + tables.capacity * 4
        }

        func sketch(at slot: Int) -> Sketch {
            sketches.withUnsafeBufferPointer { buffer in
                Sketch(words: UnsafeRawPointer(buffer.baseAddress! + slot * 8).loadUnaligned(as: SIMD8<UInt64>.self))
            }
        }

        func slot(of sequence: UInt64) -> Int? {
            var low = 0, high = sequences.count
            while low < high {
                let mid = (low + high) / 2
                if sequences[mid] < sequence { low = mid + 1 } else { high = mid }
            }
            return low < sequences.count && sequences[low] == sequence ? low : nil
        }

        @inline(__always)
        static func home(_ hash: UInt64, size: Int) -> Int {
            Int(truncatingIfNeeded: ((hash &>> 32) &* UInt64(size)) &>> 32)
        }

        @inline(__always)
        static func fingerprint(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash & 0xFF) }

        mutating func insert(_ key: Key, sequence: UInt64) {
            let slot = sequences.count
            sequences.append(sequence)
            for lane in 0..<8 { sketches.append(key.sketch.words[lane]) }
            let entry = UInt32(slot + 1)
            let size = tableSize, bands = bands
            tables.withUnsafeMutableBufferPointer { tables in
                for band in 0..<bands {
                    let hash = key.bandHashes[band]
                    let base = band * size
                    var i = Self.home(hash, size: size)
                    while tables[base + i] != 0 {
                        i += 1
                        if i == size { i = 0 }
                    }
                    tables[base + i] = Self.fingerprint(hash) << Self.slotBits | entry
                }
            }
        }

        /// Calls `body(slot)` for each document whose posting in some band carries the key's fingerprint, at most
        /// `limit` per band; a slot may be reported once per band it shares.
        @inline(__always)
        func forEachCandidate(_ key: Key, limit: Int, _ body: (Int) -> Void) {
            let size = tableSize
            tables.withUnsafeBufferPointer { tables in
                for band in 0..<bands {
                    let hash = key.bandHashes[band]
                    let fingerprint = Self.fingerprint(hash)
                    let base = band * size
                    var i = Self.home(hash, size: size)
                    var hits = 0
                    while true {
                        let entry = tables[base + i]
                        if entry == 0 { break }
                        if entry >> Self.slotBits == fingerprint {
                            body(Int(entry & Self.slotMask) - 1)
                            hits += 1
                            if hits >= limit { break }
                        }
                        i += 1
                        if i == size { i = 0 }
                    }
                }
            }
        }
    }
}
