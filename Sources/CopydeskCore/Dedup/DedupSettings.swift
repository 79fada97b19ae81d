/// The `[dedup]` section of `copydesk.toml`: how the daemon decides duplicates, near-duplicates, versions and
/// stories. Read at start; a change needs a restart (the dedup state is built for one configuration, and a
/// checkpoint made under another is rebuilt from the journal).
public struct DedupSettings: Sendable, Equatable {
    /// What to do with a confirmed near-duplicate.
    public enum NearDuplicatePolicy: String, Sendable, Equatable, CaseIterable {
        /// Store it as a document linked `near-duplicate of N` (nothing is lost; the default).
        case store
        /// Record a `duplicate` record (`match: "near-duplicate"`) pointing at the first: no new document.
        case drop
    }

    /// Estimated Jaccard of the 5-word shingle sets at or above which a document is a near-duplicate.
    public var threshold: Double
    public var nearDuplicates: NearDuplicatePolicy
    /// The similarity an update needs to its original when the link rests on an update marker.
    public var versionSimilarity: Double
    /// Cosine similarity to a story's centroid needed to join it.
    public var storyThreshold: Double
    /// How long a story stays open after its last document (seconds).
    public var storyWindow: Double
    /// The most documents the near-duplicate index remembers (about 125 bytes each; the oldest generations are
    /// dropped past it, keeping at least the newest half). Exact and normalized matches remember every document.
    /// 2^18 (at most ~33 MB; the newest 131,072–262,144 documents, days of a busy desk) keeps the whole daemon
    /// under 256 MiB at a million documents (`Benchmarks/DEDUP.md`: 259 MiB measured with 2^19).
    public var nearDuplicateCapacity: Int

    public init(
        threshold: Double = 0.8, nearDuplicates: NearDuplicatePolicy = .store,
        versionSimilarity: Double = VersionCheck.defaultMinimumSimilarity, storyThreshold: Double = 0.1,
        storyWindow: Double = 48 * 3600, nearDuplicateCapacity: Int = 1 << 18
    ) {
        self.threshold = threshold
        self.nearDuplicates = nearDuplicates
        self.versionSimilarity = versionSimilarity
        self.storyThreshold = storyThreshold
        self.storyWindow = storyWindow
        self.nearDuplicateCapacity = nearDuplicateCapacity
    }

    /// The configuration of the state these settings build.
    public var stateConfiguration: DedupState.Configuration {
        DedupState.Configuration(
            nearDuplicates: NearDuplicateIndex.Configuration(
                threshold: threshold, capacity: nearDuplicateCapacity,
                firstGeneration: min(1 << 14, max(1, nearDuplicateCapacity / 2))),
            stories: StoryClusterer.Configuration(
                threshold: storyThreshold, window: Int64((storyWindow * 1_000_000).rounded())),
            minimumVersionSimilarity: versionSimilarity)
    }
}
