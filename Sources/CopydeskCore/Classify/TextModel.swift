#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear text classifier users train on their own labelled stories (`copydesk train DIR`, one sub-folder per
/// label): hashed word and word-pair features, TF-IDF weighted, with either a linear SVM (the default, the same
/// loss and solver as scikit-learn's `LinearSVC`) or multinomial naive Bayes.
///
/// Why hashing: no vocabulary to build, store or look up — a word's column is its hash, so the model is a few
/// arrays and prediction is one pass over the text's bytes. 2^18 buckets keep collisions rare for news-sized
/// vocabularies (unigrams and bigrams of tens of thousands of stories).
///
/// Why it explains itself: hashing loses the words, so the model keeps, per label, the training words that weigh
/// most for it, and a prediction reports which of the document's own words pushed it to its label.
public struct TextModel: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable, Codable {
        /// One-vs-rest L2-regularised squared-hinge SVM, dual coordinate descent (liblinear's solver).
        case linearSVM = "linear-svm"
        /// Multinomial naive Bayes on TF-IDF weights.
        case naiveBayes = "naive-bayes"
    }

    public struct Options: Sendable, Equatable {
        public var algorithm: Algorithm = .linearSVM
        /// log2 of the number of hash buckets.
        public var bucketBits = 18
        /// Word pairs as features as well as words. Off by default: on the BBC corpus they cost 0.4 points of
        /// cross-validated accuracy and half the speed (Benchmarks/CLASSIFY.md); worth trying on short texts.
        public var bigrams = false
        /// SVM: inverse regularisation strength (scikit-learn's `C`). 2 was chosen on the BBC folds of seed 1 only
        /// (1 → 0.982, 2 → 0.984); other seeds are reported unseen.
        public var c = 2.0
        /// SVM: passes over the data at most (stops earlier once converged).
        public var epochs = 50
        /// SVM: stop when the projected gradients' spread falls below this (liblinear's `eps`).
        public var tolerance = 0.1
        /// Features seen in fewer training documents are dropped (scikit-learn's `min_df`).
        public var minDocumentFrequency = 2
        /// Naive Bayes: additive smoothing.
        public var alpha = 0.02
        /// Order of the SVM's passes; the same seed gives the same model.
        public var seed: UInt64 = 1

        public init() {}
    }

    public let name: String
    public let algorithm: Algorithm
    public let labels: [String]
    public let bucketBits: Int
    public let bigrams: Bool
    public let documentCount: Int
    /// Per label, the training words and word pairs that weigh most for it.
    public let topFeatures: [[ModelVerdict.Feature]]

    public let minDocumentFrequency: Int
    /// Documents each bucket occurred in (training set).
    let documentFrequency: [UInt32]
    /// Bucket-major, `labels.count + 1` floats per bucket: the bucket's idf, then its weight for each label (SVM
    /// weights, or NB log probabilities). One cache line per word holds all a prediction needs, which is what
    /// makes one-document-at-a-time prediction fast.
    let table: [Float]
    /// SVM intercepts, or NB log priors.
    let bias: [Float]
    /// NB only: per label, the sum of feature weights per bucket (what `weights` is derived from).
    let featureSums: [[Float]]
    /// NB only: the smoothing the weights were derived with.
    let naiveBayesAlpha: Double

    /// The rows of `table` a prediction can use (buckets with a non-zero idf), found by bucket id: see
    /// ``BucketIndex``.
    let index: BucketIndex

    init(
        name: String, algorithm: Algorithm, labels: [String], bucketBits: Int, bigrams: Bool, documentCount: Int,
        topFeatures: [[ModelVerdict.Feature]], minDocumentFrequency: Int, documentFrequency: [UInt32], table: [Float],
        bias: [Float], featureSums: [[Float]], naiveBayesAlpha: Double
    ) {
        self.name = name
        self.algorithm = algorithm
        self.labels = labels
        self.bucketBits = bucketBits
        self.bigrams = bigrams
        self.documentCount = documentCount
        self.topFeatures = topFeatures
        self.minDocumentFrequency = minDocumentFrequency
        self.documentFrequency = documentFrequency
        self.table = table
        self.bias = bias
        self.featureSums = featureSums
        self.naiveBayesAlpha = naiveBayesAlpha
        self.index = BucketIndex(table: table, stride: labels.count + 1)
    }

    var mask: UInt32 { UInt32((1 << bucketBits) - 1) }
    var rowWidth: Int { labels.count + 1 }

    @inline(__always)
    func weight(_ label: Int, _ bucket: Int) -> Float { table[bucket * rowWidth + 1 + label] }

    /// Weights label-major (`[label * buckets + bucket]`), as training produces and the file stores them.
    var labelMajorWeights: [Float] {
        let buckets = 1 << bucketBits
        var result = [Float](repeating: 0, count: labels.count * buckets)
        for bucket in 0..<buckets {
            for label in labels.indices { result[label * buckets + bucket] = table[bucket * rowWidth + 1 + label] }
        }
        return result
    }

    /// Builds the interleaved table from idf and label-major weights.
    static func interleave(idf: [Float], weights: [Float], labels: Int) -> [Float] {
        let buckets = idf.count
        let stride = labels + 1
        var table = [Float](repeating: 0, count: buckets * stride)
        for bucket in 0..<buckets {
            table[bucket * stride] = idf[bucket]
            for label in 0..<labels { table[bucket * stride + 1 + label] = weights[label * buckets + bucket] }
        }
        return table
    }

    // MARK: Training

    /// Trains on `(text, label)` pairs. Pure and deterministic for given options.
    public static func train(
        _ examples: [(text: String, label: String)], options: Options = Options(), name: String = "model"
    ) -> TextModel {
        let labels = Array(Set(examples.map(\.label))).sorted()
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let featurizer = Featurizer(bucketBits: options.bucketBits, bigrams: options.bigrams)
        let buckets = 1 << options.bucketBits
        // Term frequencies per document, then document frequencies.
        var documents: [SparseCounts] = []
        documents.reserveCapacity(examples.count)
        var scratch: [UInt32] = []
        var df = [UInt32](repeating: 0, count: buckets)
        for example in examples {
            let counts = featurizer.counts(example.text, scratch: &scratch)
            for bucket in counts.buckets { df[Int(bucket)] += 1 }
            documents.append(counts)
        }
        let idf = Self.idf(df, documents: examples.count, minimum: options.minDocumentFrequency)
        let vectors = documents.map { featurizer.vector($0, idf: idf, stride: 1) }
        let y = examples.map { labelIndex[$0.label]! }
        var weights = [Float](repeating: 0, count: labels.count * buckets)
        var bias = [Float](repeating: 0, count: labels.count)
        var featureSums: [[Float]] = []
        switch options.algorithm {
        case .linearSVM:
            var generator = SplitMix64(seed: options.seed)
            for label in labels.indices {
                let (w, b) = Self.trainBinarySVM(
                    vectors, positive: y.map { $0 == label }, buckets: buckets, c: options.c, epochs: options.epochs,
                    tolerance: options.tolerance, generator: &generator
                )
                weights.replaceSubrange((label * buckets)..<((label + 1) * buckets), with: w)
                bias[label] = b
            }
        case .naiveBayes:
            featureSums = Array(repeating: [Float](repeating: 0, count: buckets), count: labels.count)
            var documentsPerLabel = [Int](repeating: 0, count: labels.count)
            for (vector, label) in zip(vectors, y) {
                documentsPerLabel[label] += 1
                for (bucket, value) in zip(vector.buckets, vector.values) { featureSums[label][Int(bucket)] += value }
            }
            (weights, bias) = Self.naiveBayesWeights(
                featureSums, documentsPerLabel: documentsPerLabel, alpha: options.alpha, buckets: buckets
            )
        }
        let top = Self.topFeatures(
            examples.map(\.text), weights: weights, labels: labels.count, featurizer: featurizer, buckets: buckets
        )
        return TextModel(
            name: name, algorithm: options.algorithm, labels: labels, bucketBits: options.bucketBits,
            bigrams: options.bigrams, documentCount: examples.count, topFeatures: top,
            minDocumentFrequency: options.minDocumentFrequency, documentFrequency: df,
            table: Self.interleave(idf: idf, weights: weights, labels: labels.count), bias: bias,
            featureSums: featureSums,
            naiveBayesAlpha: options.algorithm == .naiveBayes ? options.alpha : 0
        )
    }

    /// scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1, and 0 (the feature is dropped) below `minimum`.
    static func idf(_ df: [UInt32], documents: Int, minimum: Int) -> [Float] {
        df.map { $0 < minimum ? 0 : Float(log(Double(1 + documents) / Double(1 + $0)) + 1) }
    }

    /// Dual coordinate descent for the L2-loss SVM (Hsieh et al. 2008, liblinear `-s 1`), with the intercept as a
    /// feature of constant value 1 (regularised, as liblinear does).
    static func trainBinarySVM(
        _ vectors: [SparseVector], positive: [Bool], buckets: Int, c: Double, epochs: Int, tolerance: Double,
        generator: inout SplitMix64
    ) -> ([Float], Float) {
        var w = [Double](repeating: 0, count: buckets)
        var b = 0.0
        var alpha = [Double](repeating: 0, count: vectors.count)
        let diagonal = 1 / (2 * c)
        var order = Array(vectors.indices)
        let squaredNorms = vectors.map { vector in vector.values.reduce(0) { $0 + Double($1) * Double($1) } + 1 }
        for _ in 0..<epochs {
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(generator.next() % UInt64(index + 1)))
            }
            var largest = -Double.infinity
            var smallest = Double.infinity
            for i in order {
                let vector = vectors[i]
                let y = positive[i] ? 1.0 : -1.0
                var dot = b
                for (bucket, value) in zip(vector.buckets, vector.values) { dot += w[Int(bucket)] * Double(value) }
                let gradient = y * dot - 1 + diagonal * alpha[i]
                let projected = alpha[i] == 0 ? min(gradient, 0) : gradient
                largest = max(largest, projected)
                smallest = min(smallest, projected)
                guard projected != 0 else { continue }
                let old = alpha[i]
                alpha[i] = max(old - gradient / (squaredNorms[i] + diagonal), 0)
                let step = (alpha[i] - old) * y
                for (bucket, value) in zip(vector.buckets, vector.values) { w[Int(bucket)] += step * Double(value) }
                b += step
            }
            if largest - smallest <= tolerance { break }
        }
        return (w.map { Float($0) }, Float(b))
    }

    static func naiveBayesWeights(
        _ sums: [[Float]], documentsPerLabel: [Int], alpha: Double, buckets: Int
    ) -> ([Float], [Float]) {
        var weights = [Float](repeating: 0, count: sums.count * buckets)
        var bias = [Float](repeating: 0, count: sums.count)
        let documents = Double(documentsPerLabel.reduce(0, +))
        for label in sums.indices {
            let total = sums[label].reduce(0.0) { $0 + Double($1) } + alpha * Double(buckets)
            for bucket in 0..<buckets {
                weights[label * buckets + bucket] = Float(log((Double(sums[label][bucket]) + alpha) / total))
            }
            bias[label] = Float(log(Double(max(documentsPerLabel[label], 1)) / max(documents, 1)))
        }
        return (weights, bias)
    }

    /// Per label, the 15 training words or pairs with the largest weight for it relative to the other labels.
    static func topFeatures(
        _ texts: [String], weights: [Float], labels: Int, featurizer: Featurizer, buckets: Int
    ) -> [[ModelVerdict.Feature]] {
        guard labels > 0 else { return [] }
        var candidates: [Int: [(bucket: Int, weight: Float)]] = [:]
        for label in 0..<labels {
            var best: [(bucket: Int, weight: Float)] = []
            for bucket in 0..<buckets {
                var others: Float = 0
                for other in 0..<labels where other != label { others += weights[other * buckets + bucket] }
                let margin = weights[label * buckets + bucket] - (labels > 1 ? others / Float(labels - 1) : 0)
                if margin > 0 && (best.count < 15 || margin > best[best.count - 1].weight) {
                    best.append((bucket, margin))
                    best.sort { $0.weight > $1.weight }
                    if best.count > 15 { best.removeLast() }
                }
            }
            candidates[label] = best
        }
        let wanted = Set(candidates.values.flatMap { $0.map { UInt32($0.bucket) } })
        let names = featurizer.names(of: wanted, in: texts)
        return (0..<labels).map { label in
            (candidates[label] ?? []).compactMap { item in
                names[UInt32(item.bucket)].map { ModelVerdict.Feature(text: $0, weight: Double(item.weight)) }
            }
        }
    }

    // MARK: Prediction

    /// Decision values per label (SVM margins, or NB log posteriors up to a constant), for `text`.
    ///
    /// One pass over the text's distinct buckets computes the TF-IDF value, its norm and every label's dot
    /// product together; the normalisation is applied once at the end.
    public func scores(_ text: String) -> [Double] {
        let featurizer = Featurizer(bucketBits: bucketBits, bigrams: bigrams)
        var scratch: [UInt32] = []
        featurizer.buckets(text, into: &scratch)
        // Rows of the compact index instead of buckets (same order, see ``BucketIndex``); idf-0 buckets skipped.
        var rows: [UInt32] = []
        rows.reserveCapacity(scratch.count)
        for bucket in scratch {
            let row = index.row(of: bucket)
            if row >= 0 { rows.append(UInt32(row)) }
        }
        let counts = featurizer.counts(sorting: &rows, bits: index.rowBits)
        let labelCount = labels.count
        var sums = [Double](repeating: 0, count: labelCount)
        var norm = 0.0
        index.rows.withUnsafeBufferPointer { table in
            let stride = labelCount + 1
            for position in counts.buckets.indices {
                let base = Int(counts.buckets[position]) * stride
                let idf = table[base]
                let value = Double(Featurizer.sublinear(counts.counts[position]) * idf)
                norm += value * value
                for label in 0..<labelCount { sums[label] += Double(table[base + 1 + label]) * value }
            }
        }
        let scale = norm > 0 ? 1 / norm.squareRoot() : 0
        return (0..<labelCount).map { Double(bias[$0]) + sums[$0] * scale }
    }

    func scores(_ vector: SparseVector) -> [Double] {
        labels.indices.map { label in
            var total = Double(bias[label])
            for (bucket, value) in zip(vector.buckets, vector.values) {
                total += Double(weight(label, Int(bucket))) * Double(value)
            }
            return total
        }
    }

    /// The best label for `text` (the daemon's hot path: no explanation).
    public func predict(_ text: String) -> String {
        let values = scores(text)
        return labels[values.indices.max { values[$0] < values[$1] }!]
    }

    /// The best label, the others, and which of the text's words weighed most for the winner.
    ///
    /// The same arithmetic as ``Featurizer/vector(_:idf:stride:)`` followed by ``scores(_:)-(SparseVector)``, in
    /// the same order per label, so the values are bit for bit theirs; but each bucket's row (idf and the labels'
    /// weights, one cache line) is read once for all labels, where the label-by-label loop went through the
    /// document's buckets in the 6 MiB table once per label and missed the cache each time.
    public func verdict(for text: String, features count: Int = 6) -> ModelVerdict {
        var text = text
        return text.withUTF8 { verdict(bytes: $0, features: count) }
    }

    /// ``verdict(for:features:)`` of a UTF-8 text.
    func verdict(bytes: UnsafeBufferPointer<UInt8>, features count: Int = 6) -> ModelVerdict {
        let featurizer = Featurizer(bucketBits: bucketBits, bigrams: bigrams)
        // The words once, with where they are: the buckets come from them, and so do the names of the top
        // features (re-reading the text for those cost as much as the prediction).
        var words: [(hash: UInt64, start: Int, end: Int)] = []
        words.reserveCapacity(bytes.count / 5)
        featurizer.forEachWord(bytes) { hash, start, end in words.append((hash, start, end)) }
        // Each word's row in the compact index (rows are in bucket order, so sorting rows sorts buckets); words
        // whose bucket has no idf add nothing to the norm or the scores and are dropped here, before sorting.
        var scratch: [UInt32] = []
        scratch.reserveCapacity(words.count * (bigrams ? 2 : 1))
        index.withLookup { row in
            for (position, word) in words.enumerated() {
                let one = row(featurizer.unigram(word.hash))
                if one >= 0 { scratch.append(UInt32(one)) }
                if bigrams && position > 0 {
                    let pair = row(featurizer.bigram(words[position - 1].hash, word.hash))
                    if pair >= 0 { scratch.append(UInt32(pair)) }
                }
            }
        }
        let counts = featurizer.counts(sorting: &scratch, bits: index.rowBits)
        let labelCount = labels.count
        let stride = rowWidth
        // Each row starts with its bucket's idf: the row table is the idf table at stride `rowWidth`.
        let values = featurizer.vector(counts, idf: index.rows, stride: stride).values
        var scores = bias.map(Double.init)
        index.rows.withUnsafeBufferPointer { table in
            for index in counts.buckets.indices where values[index] != 0 {
                let base = Int(counts.buckets[index]) * stride + 1
                let value = Double(values[index])
                for label in 0..<labelCount { scores[label] += Double(table[base + label]) * value }
            }
        }
        guard !scores.isEmpty else { return ModelVerdict(modelName: name, label: "", score: 0, alternatives: [], features: []) }
        let probabilities = Self.softmax(scores, temperature: algorithm == .linearSVM ? 0.2 : 1)
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] }
        let winner = ranked[0]
        // The `count` largest positive contributions, ties in bucket order (what a stable sort of all of them
        // gave), kept in a short sorted list instead of sorting every bucket of the document.
        var top: [(bucket: UInt32, weight: Double)] = []
        top.reserveCapacity(count + 1)
        for (row, value) in zip(counts.buckets, values) {
            let bucket = index.buckets[Int(row)]
            let base = Int(row) * stride + 1
            var weight = Double(index.rows[base + winner])
            if algorithm == .naiveBayes {
                // What separates the winner from the rest, not what every label shares.
                var others = 0.0
                for other in labels.indices where other != winner { others += Double(index.rows[base + other]) }
                weight -= labels.count > 1 ? others / Double(labels.count - 1) : 0
            }
            let contribution = weight * Double(value)
            guard contribution > 0, count > 0 else { continue }
            if top.count == count, contribution <= top[count - 1].weight { continue }
            var position = top.count
            while position > 0 && top[position - 1].weight < contribution { position -= 1 }
            top.insert((bucket, contribution), at: position)
            if top.count > count { top.removeLast() }
        }
        // The first word or word pair in each wanted bucket, as `names(of:in:)` finds them.
        var names: [UInt32: String] = [:]
        func word(_ index: Int) -> String {
            String(decoding: bytes[words[index].start..<words[index].end], as: UTF8.self).lowercased()
        }
        if !top.isEmpty {
            for index in words.indices where names.count < top.count {
                let one = featurizer.unigram(words[index].hash)
                if top.contains(where: { $0.bucket == one }) && names[one] == nil { names[one] = word(index) }
                if bigrams && index > 0 {
                    let two = featurizer.bigram(words[index - 1].hash, words[index].hash)
                    if top.contains(where: { $0.bucket == two }) && names[two] == nil {
                        names[two] = word(index - 1) + " " + word(index)
                    }
                }
            }
        }
        return ModelVerdict(
            modelName: name, label: labels[winner], score: probabilities[winner],
            alternatives: ranked.dropFirst().prefix(3).map { .init(label: labels[$0], score: probabilities[$0]) },
            features: top.compactMap { item in names[item.bucket].map { .init(text: $0, weight: item.weight) } }
        )
    }

    static func softmax(_ values: [Double], temperature: Double) -> [Double] {
        let top = values.max() ?? 0
        let exps = values.map { exp(($0 - top) / temperature) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}

/// Bucket ids and counts of one document.
struct SparseCounts {
    var buckets: [UInt32]
    var counts: [Float]
}

/// A TF-IDF vector, L2-normalised, buckets ascending.
struct SparseVector {
    var buckets: [UInt32]
    var values: [Float]
}

/// Text → hashed word and word-pair buckets. Words are runs of letters and digits of two or more characters
/// (scikit-learn's default token pattern), ASCII letters lowercased; any non-ASCII byte counts as a letter, so
/// accented and non-Latin words are words.
struct Featurizer {
    let bucketBits: Int
    let bigrams: Bool

    var mask: UInt64 { UInt64((1 << bucketBits) - 1) }

    /// Calls `body(hash, start, end)` for each word (byte range in the UTF-8 text), lowercased hash.
    @inline(__always)
    func forEachWord(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt64, Int, Int) -> Void) {
        var index = 0
        let count = bytes.count
        // Non-ASCII characters are decoded only to ask whether they are letters ("é", "ж") or punctuation
        // ("…", "’", "—"); ASCII, most of the text, takes the byte test alone.
        @inline(__always) func isWord(_ index: Int) -> Bool {
            bytes[index] < 0x80 ? TextBytes.isWordByte(bytes[index]) : TextBytes.isWordCharacter(bytes, at: index)
        }
        while index < count {
            while index < count && !isWord(index) { index += 1 }
            let start = index
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            var characters = 0
            while index < count {
                var byte = bytes[index]
                if byte < 0x80 {
                    guard TextBytes.isWordByte(byte) else { break }
                    if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                    characters += 1
                } else if byte >= 0xC0 {
                    guard TextBytes.isWordCharacter(bytes, at: index) else { break }
                    characters += 1
                }
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                index += 1
            }
            if characters >= 2 { body(hash, start, index) }
        }
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    func unigram(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: Self.mix(hash) & mask) }

    @inline(__always)
    func bigram(_ first: UInt64, _ second: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: Self.mix(first &* 0x2545_F491_4F6C_DD1D ^ second ^ 0x5851_F42D_4C95_7F2D) & mask)
    }

    func buckets(_ text: String, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var text = text
        text.withUTF8 { bytes in
            var previous: UInt64?
            forEachWord(bytes) { hash, _, _ in
                out.append(unigram(hash))
                if bigrams, let previous { out.append(bigram(previous, hash)) }
                previous = hash
            }
        }
    }

    func counts(_ text: String, scratch: inout [UInt32]) -> SparseCounts {
        buckets(text, into: &scratch)
        return counts(sorting: &scratch)
    }

    /// Distinct buckets (ascending) and their counts, from a document's buckets (sorted in place).
    func counts(sorting scratch: inout [UInt32]) -> SparseCounts {
        counts(sorting: &scratch, bits: bucketBits)
    }

    /// The same for values below `1 << bits`.
    func counts(sorting scratch: inout [UInt32], bits: Int) -> SparseCounts {
        Self.radixSort(&scratch, bits: bits)
        var result = SparseCounts(buckets: [], counts: [])
        result.buckets.reserveCapacity(scratch.count)
        result.counts.reserveCapacity(scratch.count)
        var index = 0
        while index < scratch.count {
            let bucket = scratch[index]
            var end = index + 1
            while end < scratch.count && scratch[end] == bucket { end += 1 }
            result.buckets.append(bucket)
            result.counts.append(Float(end - index))
            index = end
        }
        return result
    }

    /// Sorts bucket ids below `1 << bits` ascending, 8 bits a pass: a few hundred ids, sorted for every document,
    /// took a comparison sort longer than hashing the words they came from.
    static func radixSort(_ values: inout [UInt32], bits: Int) {
        guard values.count > 32 else {
            values.sort()
            return
        }
        var other = [UInt32](repeating: 0, count: values.count)
        let passes = (max(bits, 1) + 7) / 8
        // Every pass's counts from one read of the values, in a stack buffer (an array per pass was two heap
        // allocations per document).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 257 * passes) { offsets in
            offsets.initialize(repeating: 0)
            values.withUnsafeBufferPointer { source in
                for value in source {
                    for pass in 0..<passes { offsets[pass * 257 + Int((value >> UInt32(pass * 8)) & 0xFF) + 1] += 1 }
                }
            }
            for pass in 0..<passes {
                for digit in 1..<257 { offsets[pass * 257 + digit] += offsets[pass * 257 + digit - 1] }
            }
            for pass in 0..<passes {
                let shift = UInt32(pass * 8)
                values.withUnsafeBufferPointer { source in
                    other.withUnsafeMutableBufferPointer { target in
                        for value in source {
                            let slot = pass * 257 + Int((value >> shift) & 0xFF)
                            target[offsets[slot]] = value
                            offsets[slot] += 1
                        }
                    }
                }
                swap(&values, &other)
            }
        }
    }

    /// 1 + ln tf, from a table for the small counts almost every word has.
    static let sublinearTable: [Float] = (0..<64).map { $0 == 0 ? 0 : 1 + logf(Float($0)) }

    @inline(__always)
    static func sublinear(_ count: Float) -> Float {
        count < 64 ? sublinearTable[Int(count)] : 1 + logf(count)
    }

    /// Sublinear TF (1 + ln tf) times idf, L2-normalised. `idf[bucket * stride]` is the bucket's idf.
    func vector(_ counts: SparseCounts, idf: [Float], stride: Int) -> SparseVector {
        var values = [Float](repeating: 0, count: counts.buckets.count)
        var norm: Float = 0
        for index in counts.buckets.indices {
            let value = Self.sublinear(counts.counts[index]) * idf[Int(counts.buckets[index]) * stride]
            values[index] = value
            norm += value * value
        }
        if norm > 0 {
            let scale = 1 / norm.squareRoot()
            for index in values.indices { values[index] *= scale }
        }
        return SparseVector(buckets: counts.buckets, values: values)
    }


    /// The words or word pairs of `texts` that fall in `wanted` buckets (the first one seen per bucket).
    func names(of wanted: Set<UInt32>, in texts: [String]) -> [UInt32: String] {
        guard !wanted.isEmpty else { return [:] }
        var names: [UInt32: String] = [:]
        for var text in texts {
            text.withUTF8 { bytes in
                var previous: (hash: UInt64, start: Int, end: Int)?
                func word(_ start: Int, _ end: Int) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self).lowercased()
                }
                forEachWord(bytes) { hash, start, end in
                    let one = unigram(hash)
                    if wanted.contains(one) && names[one] == nil { names[one] = word(start, end) }
                    if bigrams, let previous {
                        let two = bigram(previous.hash, hash)
                        if wanted.contains(two) && names[two] == nil {
                            names[two] = word(previous.start, previous.end) + " " + word(start, end)
                        }
                    }
                    previous = (hash, start, end)
                }
            }
            if names.count == wanted.count { break }
        }
        return names
    }
}

/// SplitMix64: the seeded generator the SVM shuffles with (the core reads no clock and no system randomness).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The rows of a model's table that can weigh in a prediction — buckets with a non-zero idf, a few per cent of
/// them — copied into a dense table in bucket order, and found by rank: a bitmap of the used buckets with, per
/// 64-bit word, the number of used buckets before it; a bucket's row is that count plus the used buckets below it
/// in its word (one popcount).
///
/// Why: the full table (2^18 buckets × (labels + 1) floats, 6 MiB for five labels) missed the cache on nearly every
/// word of a document. An open-addressing table of 64-bit slots (512 KiB for 2^18 buckets) still missed on most
/// words — its lookup was half of the model's own time; the rank index is 64 KiB (2^18 bits and their counts,
/// side by side so one lookup reads one cache line), needs no probing and no comparison, and gives the same rows.
/// A bucket with a zero idf has a zero TF-IDF value, so leaving it out changes no score.
struct BucketIndex: Sendable {
    /// Per 64-bit word of the bitmap, two entries: the word (bit b set: bucket 64·i + b is used), then the number
    /// of used buckets in the words before it.
    private let rank: [UInt64]
    /// `rows.count / stride` rows of `stride` floats (idf, then each label's weight), buckets ascending.
    let rows: [Float]
    /// Row → bucket id.
    let buckets: [UInt32]
    /// Rows are below `1 << rowBits` (what a radix sort of row numbers needs to look at).
    let rowBits: Int

    init(table: [Float], stride: Int) {
        var rows: [Float] = []
        var buckets: [UInt32] = []
        let bucketCount = stride > 0 ? table.count / stride : 0
        for bucket in 0..<bucketCount where table[bucket * stride] != 0 {
            buckets.append(UInt32(bucket))
            rows += table[(bucket * stride)..<((bucket + 1) * stride)]
        }
        var rowBits = 1
        while (1 << rowBits) < buckets.count { rowBits += 1 }
        let words = (bucketCount + 63) / 64
        var rank = [UInt64](repeating: 0, count: words * 2)
        for bucket in buckets { rank[Int(bucket >> 6) * 2] |= 1 << UInt64(bucket & 63) }
        var before: UInt64 = 0
        for word in 0..<words {
            rank[word * 2 + 1] = before
            before += UInt64(rank[word * 2].nonzeroBitCount)
        }
        self.rank = rank
        self.rows = rows
        self.buckets = buckets
        self.rowBits = rowBits
    }

    /// Calls `body` with a function giving ``row(of:)``, the index's buffer taken once for all lookups (one
    /// `withUnsafeBufferPointer` per word kept the lookup from being inlined into the caller's loop).
    @inline(__always)
    func withLookup<Result>(_ body: ((UInt32) -> Int) -> Result) -> Result {
        rank.withUnsafeBufferPointer { rank in
            body { bucket in Self.row(of: bucket, in: rank) }
        }
    }

    /// The row of `bucket`, or -1 when the bucket cannot weigh in.
    func row(of bucket: UInt32) -> Int {
        rank.withUnsafeBufferPointer { Self.row(of: bucket, in: $0) }
    }

    @inline(__always)
    private static func row(of bucket: UInt32, in rank: UnsafeBufferPointer<UInt64>) -> Int {
        let position = Int(bucket >> 6) * 2
        guard position + 1 < rank.count else { return -1 }
        let word = rank[position]
        let bit: UInt64 = 1 << UInt64(bucket & 63)
        guard word & bit != 0 else { return -1 }
        return Int(rank[position + 1]) + (word & (bit &- 1)).nonzeroBitCount
    }
}
