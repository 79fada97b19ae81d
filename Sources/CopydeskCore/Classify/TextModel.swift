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
        /// Word pairs as features as well as words.
        public var bigrams = true
        /// SVM: inverse regularisation strength (scikit-learn's `C`).
        public var c = 1.0
        /// SVM: passes over the data at most (stops earlier once converged).
        public var epochs = 30
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

    /// Documents each bucket occurred in (training set).
    let documentFrequency: [UInt32]
    let idf: [Float]
    /// Label-major: `weights[label << bucketBits | bucket]` (SVM weights, or NB log probabilities).
    let weights: [Float]
    /// SVM intercepts, or NB log priors.
    let bias: [Float]
    /// NB only: per label, the sum of feature weights per bucket (what `weights` is derived from).
    let featureSums: [[Float]]
    /// NB only: the smoothing the weights were derived with.
    let naiveBayesAlpha: Double

    var mask: UInt32 { UInt32((1 << bucketBits) - 1) }

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
        let idf = Self.idf(df, documents: examples.count)
        let vectors = documents.map { featurizer.vector($0, idf: idf) }
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
                    generator: &generator
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
            bigrams: options.bigrams, documentCount: examples.count, topFeatures: top, documentFrequency: df,
            idf: idf, weights: weights, bias: bias, featureSums: featureSums,
            naiveBayesAlpha: options.algorithm == .naiveBayes ? options.alpha : 0
        )
    }

    /// scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1.
    static func idf(_ df: [UInt32], documents: Int) -> [Float] {
        df.map { Float(log(Double(1 + documents) / Double(1 + $0)) + 1) }
    }

    /// Dual coordinate descent for the L2-loss SVM (Hsieh et al. 2008, liblinear `-s 1`), with the intercept as a
    /// feature of constant value 1 (regularised, as liblinear does).
    static func trainBinarySVM(
        _ vectors: [SparseVector], positive: [Bool], buckets: Int, c: Double, epochs: Int,
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
            var largestStep = 0.0
            for i in order {
                let vector = vectors[i]
                let y = positive[i] ? 1.0 : -1.0
                var dot = b
                for (bucket, value) in zip(vector.buckets, vector.values) { dot += w[Int(bucket)] * Double(value) }
                let gradient = y * dot - 1 + diagonal * alpha[i]
                let projected = alpha[i] == 0 ? min(gradient, 0) : gradient
                guard projected != 0 else { continue }
                let old = alpha[i]
                alpha[i] = max(old - gradient / (squaredNorms[i] + diagonal), 0)
                let step = (alpha[i] - old) * y
                largestStep = max(largestStep, abs(projected))
                for (bucket, value) in zip(vector.buckets, vector.values) { w[Int(bucket)] += step * Double(value) }
                b += step
            }
            if largestStep < 0.01 { break }
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
    public func scores(_ text: String) -> [Double] {
        var scratch: [UInt32] = []
        return scores(Featurizer(bucketBits: bucketBits, bigrams: bigrams).vector(text, idf: idf, scratch: &scratch))
    }

    func scores(_ vector: SparseVector) -> [Double] {
        let buckets = 1 << bucketBits
        return weights.withUnsafeBufferPointer { weights in
            labels.indices.map { label in
                var total = Double(bias[label])
                let base = label * buckets
                for (bucket, value) in zip(vector.buckets, vector.values) {
                    total += Double(weights[base + Int(bucket)]) * Double(value)
                }
                return total
            }
        }
    }

    /// The best label for `text` (the daemon's hot path: no explanation).
    public func predict(_ text: String) -> String {
        let values = scores(text)
        return labels[values.indices.max { values[$0] < values[$1] }!]
    }

    /// The best label, the others, and which of the text's words weighed most for the winner.
    public func verdict(for text: String, features count: Int = 6) -> ModelVerdict {
        let featurizer = Featurizer(bucketBits: bucketBits, bigrams: bigrams)
        var scratch: [UInt32] = []
        let vector = featurizer.vector(text, idf: idf, scratch: &scratch)
        let values = scores(vector)
        guard !values.isEmpty else { return ModelVerdict(modelName: name, label: "", score: 0, alternatives: [], features: []) }
        let probabilities = Self.softmax(values, temperature: algorithm == .linearSVM ? 0.2 : 1)
        let ranked = values.indices.sorted { values[$0] > values[$1] }
        let winner = ranked[0]
        let buckets = 1 << bucketBits
        var contributions: [(bucket: UInt32, weight: Double)] = []
        for (bucket, value) in zip(vector.buckets, vector.values) {
            var weight = Double(weights[winner * buckets + Int(bucket)])
            if algorithm == .naiveBayes {
                // What separates the winner from the rest, not what every label shares.
                var others = 0.0
                for other in labels.indices where other != winner { others += Double(weights[other * buckets + Int(bucket)]) }
                weight -= labels.count > 1 ? others / Double(labels.count - 1) : 0
            }
            contributions.append((bucket, weight * Double(value)))
        }
        let top = contributions.sorted { $0.weight > $1.weight }.prefix(count).filter { $0.weight > 0 }
        let names = featurizer.names(of: Set(top.map(\.bucket)), in: [text])
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
        scratch.sort()
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

    /// Sublinear TF (1 + ln tf) times idf, L2-normalised.
    func vector(_ counts: SparseCounts, idf: [Float]) -> SparseVector {
        var values = [Float](repeating: 0, count: counts.buckets.count)
        var norm: Float = 0
        for index in counts.buckets.indices {
            let value = (1 + logf(counts.counts[index])) * idf[Int(counts.buckets[index])]
            values[index] = value
            norm += value * value
        }
        if norm > 0 {
            let scale = 1 / norm.squareRoot()
            for index in values.indices { values[index] *= scale }
        }
        return SparseVector(buckets: counts.buckets, values: values)
    }

    func vector(_ text: String, idf: [Float], scratch: inout [UInt32]) -> SparseVector {
        vector(counts(text, scratch: &scratch), idf: idf)
    }

    /// The words or word pairs of `texts` that fall in `wanted` buckets (the first one seen per bucket).
    func names(of wanted: Set<UInt32>, in texts: [String]) -> [UInt32: String] {
        guard !wanted.isEmpty else { return [:] }
        var names: [UInt32: String] = [:]
        for var text in texts {
            text.withUTF8 { bytes in
                var previous: (hash: UInt64, start: Int, end: Int)?
                forEachWord(bytes) { hash, start, end in
                    let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                    let one = unigram(hash)
                    if wanted.contains(one) && names[one] == nil { names[one] = word.lowercased() }
                    if bigrams, let previous {
                        let two = bigram(previous.hash, hash)
                        if wanted.contains(two) && names[two] == nil {
                            let first = String(
                                decoding: UnsafeBufferPointer(rebasing: bytes[previous.start..<previous.end]),
                                as: UTF8.self
                            )
                            names[two] = (first + " " + word).lowercased()
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
