/// Everything dedup knows, and the decision for one document: the piece the pipeline's serial stage calls.
///
/// The parallel prepare stage computes a ``DedupFingerprint`` per document (pure, ~50 µs for 3 KiB). The serial
/// stage asks ``verdict(for:)`` against one consistent state, appends the record, and once it is durable calls
/// ``remember(_:sequence:verdict:)``; rebuilding from the journal is the same `remember` calls in journal order.
/// The state encodes to bytes (``encoded()``) for the index checkpoint.
public struct DedupState: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var nearDuplicates: NearDuplicateIndex.Configuration
        public var stories: StoryClusterer.Configuration
        /// Recent documents whose version keys are kept (for "version of N" by item id or headline).
        public var versionMemory: Int
        public var minimumVersionSimilarity: Double

        public init(
            nearDuplicates: NearDuplicateIndex.Configuration = .default,
            stories: StoryClusterer.Configuration = .default, versionMemory: Int = 1 << 18,
            minimumVersionSimilarity: Double = VersionCheck.defaultMinimumSimilarity
        ) {
            self.nearDuplicates = nearDuplicates
            self.stories = stories
            self.versionMemory = versionMemory
            self.minimumVersionSimilarity = minimumVersionSimilarity
        }
    }

    public let configuration: Configuration
    public internal(set) var normalized = DigestIndex()
    public internal(set) var nearDuplicates: NearDuplicateIndex
    public internal(set) var stories: StoryClusterer
    /// Two generations of recent version keys; the older is dropped when the newer fills half the memory.
    var recentKeys: [[UInt64: VersionInfo.Key]] = [[:], [:]]
    /// Latest sequence per item family and per (source, stripped headline), same generations.
    var latest: [[UInt64: UInt64]] = [[:], [:]]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        nearDuplicates = NearDuplicateIndex(configuration: configuration.nearDuplicates)
        stories = StoryClusterer(configuration: configuration.stories)
    }

    /// The decision for a prepared document, before it has a sequence number. Exact (same bytes) matches are
    /// the caller's, by the arrival's SHA-256, before parsing.
    public func verdict(for fingerprint: DedupFingerprint) -> DedupVerdict {
        verdict(for: fingerprint, keys: Keys(fingerprint, configuration.nearDuplicates))
    }

    /// What ``verdict(for:)`` and ``remember(_:sequence:verdict:)`` derive from a fingerprint: made once when a
    /// decision is followed by remembering the document (the band hashes and sketch are a pass over the
    /// signature, the version key hashes strings).
    struct Keys: Sendable, Equatable {
        var nearDuplicate: NearDuplicateIndex.Key?
        var version: VersionInfo.Key

        /// The fingerprint's own keys when it carries them for these bands and rows (the prepare stage makes them
        /// for the default ones, on any core), else made here.
        init(_ fingerprint: DedupFingerprint, _ configuration: NearDuplicateIndex.Configuration) {
            if let keys = fingerprint.keys, configuration.bands == NearDuplicateIndex.Configuration.default.bands,
               configuration.rows == NearDuplicateIndex.Configuration.default.rows {
                self = keys
                return
            }
            self.init(signature: fingerprint.signature, version: fingerprint.version, configuration)
        }

        init(signature: MinHashSignature, version info: VersionInfo, _ configuration: NearDuplicateIndex.Configuration) {
            nearDuplicate = signature.isEmpty
                ? nil : NearDuplicateIndex.Key(signature, bands: configuration.bands, rows: configuration.rows)
            version = VersionInfo.Key(info)
        }
    }

    func verdict(for fingerprint: DedupFingerprint, keys: Keys) -> DedupVerdict {
        if let original = normalized.lookup(fingerprint.normalized) { return .duplicate(of: original) }
        let key = keys.version
        // Versions by metadata: the item family, then the same source and stripped headline.
        for candidate in [lookupLatest(familyKey(key)), lookupLatest(headlineKey(key))].compactMap({ $0 }) {
            guard let earlier = lookupKey(candidate) else { continue }
            let similarity = nearDuplicates.similarity(fingerprint.signature, toSequence: candidate)
            if let reason = VersionCheck.reason(
                key, of: earlier, similarity: similarity, minimumSimilarity: configuration.minimumVersionSimilarity) {
                return .version(of: candidate, reason: reason, similarity: similarity)
            }
        }
        // Versions and near-duplicates by text.
        let matches = keys.nearDuplicate.map {
            nearDuplicates.query($0, threshold: configuration.minimumVersionSimilarity)
        } ?? []
        for match in matches {
            if let earlier = lookupKey(match.sequence),
               let reason = VersionCheck.reason(
                key, of: earlier, similarity: match.similarity,
                minimumSimilarity: configuration.minimumVersionSimilarity) {
                return .version(of: match.sequence, reason: reason, similarity: match.similarity)
            }
        }
        if let best = matches.first, best.similarity >= configuration.nearDuplicates.threshold {
            return .nearDuplicate(of: best.sequence, similarity: best.similarity)
        }
        return .new
    }

    /// Records a durable document. Duplicates are not remembered (they have no document of their own);
    /// near-duplicates are, so a drifting chain of copies still finds its latest member.
    public mutating func remember(_ fingerprint: DedupFingerprint, sequence: UInt64, verdict: DedupVerdict) {
        remember(fingerprint, keys: Keys(fingerprint, configuration.nearDuplicates), sequence: sequence, verdict: verdict)
    }

    mutating func remember(_ fingerprint: DedupFingerprint, keys: Keys, sequence: UInt64, verdict: DedupVerdict) {
        if case .duplicate = verdict { return }
        normalized.insert(fingerprint.normalized, sequence: sequence)
        if let nearDuplicate = keys.nearDuplicate { nearDuplicates.insert(nearDuplicate, sequence: sequence) }
        let key = keys.version
        if recentKeys[1].count >= max(1, configuration.versionMemory / 2) {
            recentKeys = [recentKeys[1], [:]]
            latest = [latest[1], [:]]
        }
        recentKeys[1][sequence] = key
        if let family = familyKey(key) { latest[1][family] = sequence }
        if let headline = headlineKey(key) { latest[1][headline] = sequence }
    }

    /// Files a document into a story by its fingerprint's terms (its cleaned headline and body) and arrival time.
    public mutating func assignStory(
        sequence: UInt64, terms: StoryClusterer.Terms, at time: Timestamp
    ) -> StoryClusterer.Assignment {
        stories.add(sequence: sequence, terms: terms, at: time)
    }

    func lookupKey(_ sequence: UInt64) -> VersionInfo.Key? { recentKeys[1][sequence] ?? recentKeys[0][sequence] }
    func lookupLatest(_ key: UInt64?) -> UInt64? { key.flatMap { latest[1][$0] ?? latest[0][$0] } }
    func familyKey(_ key: VersionInfo.Key) -> UInt64? { key.family == 0 ? nil : key.family }
    func headlineKey(_ key: VersionInfo.Key) -> UInt64? {
        key.source == 0 || key.headline == 0 ? nil : SeededGenerator.mix(key.source ^ key.headline &* 31)
    }
}

/// What the prepare stage computes for dedup, per document (pure, parallel).
public struct DedupFingerprint: Sendable, Equatable {
    /// SHA-256 of the normalized headline and body (``Normalize/digest(headline:body:)``).
    public var normalized: Digest
    public var signature: MinHashSignature { didSet { keys = nil } }
    public var version: VersionInfo { didSet { keys = nil } }
    /// The words the story clusterer weighs (headline and body), counted here so the serial stage does not.
    public var terms: StoryClusterer.Terms
    /// The near-duplicate key (band hashes and sketch, for the default bands and rows) and the version key, made
    /// from `signature` and `version` with the rest of the fingerprint: the serial stage needed them for every
    /// document and made them there. Dropped when either changes; not part of equality (it is derived).
    var keys: DedupState.Keys?

    public static func == (lhs: DedupFingerprint, rhs: DedupFingerprint) -> Bool {
        lhs.normalized == rhs.normalized && lhs.signature == rhs.signature && lhs.version == rhs.version
            && lhs.terms == rhs.terms
    }

    public init(
        normalized: Digest, signature: MinHashSignature, version: VersionInfo,
        terms: StoryClusterer.Terms = StoryClusterer.Terms()
    ) {
        self.normalized = normalized
        self.signature = signature
        self.version = version
        self.terms = terms
    }

    /// The fingerprint of a cleaned article: the signature covers headline and body, so a re-issued story
    /// with a new headline stays a near-duplicate of the first.
    /// One pass over the words makes the normalized digest, the signature and the terms (``WordPass``); the same
    /// values as ``init(separately:hasher:)``.
    public init(_ article: Article, hasher: MinHasher) {
        let parts = WordPass.fingerprint(article, hasher: hasher)
        normalized = parts.normalized
        signature = parts.signature
        terms = parts.terms
        version = VersionInfo(article)
        keys = DedupState.Keys(signature: signature, version: version, .default)
    }

    /// The fingerprint made by the separate functions, each reading the text on its own: the definition the
    /// one-pass ``init(_:hasher:)`` is tested against.
    public init(separately article: Article, hasher: MinHasher) {
        normalized = Normalize.digest(article)
        let text = article.headline + "\n\n" + article.bodyText
        signature = hasher.signature(of: text)
        version = VersionInfo(article)
        terms = StoryClusterer.terms(of: text)
    }
}

/// The dedup decision for one document.
public enum DedupVerdict: Sendable, Equatable {
    /// A new document.
    case new
    /// The same normalized text as document N: a `duplicate` record (match `normalized`), no new document.
    case duplicate(of: UInt64)
    /// A later version of document N: stored, linked `version of N`.
    case version(of: UInt64, reason: VersionReason, similarity: Double?)
    /// Near-identical text to document N: stored and linked `near-duplicate of N` (or dropped, by configuration).
    case nearDuplicate(of: UInt64, similarity: Double)
}
