/// Everything the daemon's serial stage remembers to tell a new document from an old one: the exact-bytes
/// digests of stored documents and the ``DedupState`` (normalized digests, near-duplicate index, version keys,
/// open stories).
///
/// It is derived from the journal alone: ``decide(_:arrival:prepared:sequence:rejectedAs:)`` on a new file
/// and ``replay(_:)`` on a journal record make the same changes, so a rebuild from records gives the state the
/// live daemon had. Both change the state at once (a document staged in a batch is a duplicate target for the
/// next file of the same batch); a batch that is then not written leaves the state ahead of the journal, and the
/// daemon rebuilds it (a full disk is the only such case).
public struct DedupMemory: Sendable {
    public let settings: DedupSettings
    /// SHA-256 of the bytes of every stored document → its sequence (the `exact` match).
    public internal(set) var exact = DigestIndex()
    public internal(set) var state: DedupState

    /// The shingle hasher every fingerprint is made with; fixed, so stored articles give the same signatures.
    public static let hasher = MinHasher()

    public init(settings: DedupSettings = DedupSettings()) {
        self.settings = settings
        state = DedupState(configuration: settings.stateConfiguration)
    }

    /// An empty memory whose digest tables already hold `documents` entries without growing: a rebuild knows how
    /// many records it will read, and a table doubling holds the old table beside the new one (+20 MB at 1M).
    public init(settings: DedupSettings, expectedDocuments documents: Int) {
        self.init(settings: settings)
        exact = DigestIndex(minimumCapacity: documents)
        state.normalized = DigestIndex(minimumCapacity: documents)
    }

    /// The fingerprint the prepare stage computes (pure; any core).
    public static func fingerprint(_ article: Article) -> DedupFingerprint {
        DedupFingerprint(article, hasher: hasher)
    }

    /// The record body for one file and the state updated with it, if it becomes a document:
    /// - same bytes as a stored document → `duplicate` (`exact`);
    /// - unparsable → `rejected`;
    /// - same normalized words → `duplicate` (`normalized`);
    /// - a version of a stored document → a document linked `version of N`;
    /// - a near-duplicate → a document linked `near-duplicate of N`, or a `duplicate` (`near-duplicate`) when
    ///   the settings drop them;
    /// - else a new document. Every document is filed into a story (``DocumentRecord/story``).
    ///
    /// `arrival.sha256` must be the digest of `bytes`; `sequence` is the one the record will get.
    public mutating func decide(
        _ bytes: [UInt8], arrival: Arrival, prepared: Result<PreparedDocument, RejectReason>, sequence: UInt64,
        rejectedAs: @autoclosure () -> String
    ) -> RecordBody {
        if let digest = arrival.sha256, let original = exact.lookup(digest) {
            return .duplicate(DuplicateRecord(arrival: arrival, duplicateOf: original, match: "exact"))
        }
        let document: PreparedDocument
        switch prepared {
        case .success(let value): document = value
        case .failure(let reason):
            return .rejected(RejectedRecord(arrival: arrival, reason: reason, rejectedAs: rejectedAs()))
        }
        let fingerprint = document.fingerprint ?? Self.fingerprint(document.article)
        let keys = DedupState.Keys(fingerprint, state.configuration.nearDuplicates)
        let verdict = state.verdict(for: fingerprint, keys: keys)
        var link: DedupLink?
        switch verdict {
        case .new:
            break
        case .duplicate(let original):
            return .duplicate(DuplicateRecord(arrival: arrival, duplicateOf: original, match: "normalized"))
        case .nearDuplicate(let original, let similarity):
            if settings.nearDuplicates == .drop {
                return .duplicate(DuplicateRecord(
                    arrival: arrival, duplicateOf: original, match: "near-duplicate",
                    similarityPermille: DedupLink.permille(similarity)))
            }
            link = DedupLink(relation: .nearDuplicate, of: original, similarity: similarity)
        case .version(let original, let reason, let similarity):
            link = DedupLink(relation: .version, of: original, similarity: similarity, reason: reason.name)
        }
        var record = DocumentRecord(
            arrival: arrival, format: document.format, charset: document.charset, article: document.article,
            raw: bytes, classification: document.classification, link: link)
        record.story = remember(arrival, fingerprint: fingerprint, keys: keys, sequence: sequence, verdict: verdict)
        return .document(record)
    }

    /// Applies a journal record, in journal order: what ``decide(_:arrival:prepared:sequence:rejectedAs:)`` did
    /// when the record was made. Only documents change the state.
    public mutating func replay(_ record: JournalRecord) {
        replay(record, fingerprint: nil)
    }

    /// ``replay(_:)`` with the document's fingerprint already made (``DedupMemory/fingerprint(_:)`` of its
    /// article): a rebuild computes them on every core and applies them in order.
    public mutating func replay(_ record: JournalRecord, fingerprint: DedupFingerprint?) {
        guard case .document(let document) = record.body else { return }
        let verdict: DedupVerdict = switch document.link?.relation {
        case .nearDuplicate: .nearDuplicate(of: document.link!.of, similarity: document.link!.similarity ?? 1)
        case .version: .version(of: document.link!.of, reason: .sameItem, similarity: document.link!.similarity)
        case nil: .new
        }
        let fingerprint = fingerprint ?? Self.fingerprint(document.article)
        _ = remember(document.arrival, fingerprint: fingerprint, keys: DedupState.Keys(fingerprint, state.configuration.nearDuplicates),
                     sequence: record.sequence, verdict: verdict)
    }

    /// Remembers a document that will be (or is) in the journal at `sequence`; returns its story. Takes the
    /// arrival, all it reads of the record, so the record is not copied for it.
    mutating func remember(
        _ arrival: Arrival, fingerprint: DedupFingerprint, keys: DedupState.Keys, sequence: UInt64,
        verdict: DedupVerdict
    ) -> UInt64 {
        if let digest = arrival.sha256 { exact.insert(digest, sequence: sequence) }
        state.remember(fingerprint, keys: keys, sequence: sequence, verdict: verdict)
        return state.assignStory(sequence: sequence, terms: fingerprint.terms, at: arrival.receivedAt).story
    }

    /// Bytes held by the indexes' arrays (the story clusterer's dictionaries and the version keys are not
    /// counted: `DEDUP.md` measures them).
    public var memoryBytes: Int { exact.memoryBytes + state.normalized.memoryBytes + state.nearDuplicates.memoryBytes }
}

extension DedupMemory {
    /// The exact index and the state, for the index checkpoint.
    public func encoded() -> [UInt8] {
        var writer = DedupWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// The same bytes as ``encoded()``, handed to `sink` in pieces of about 1 MiB as they are made: a million
    /// documents encode to ~150–200 MB, which the checkpoint writer streams to its file instead of holding.
    public func encode(into sink: ([UInt8]) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            var writer = DedupWriter(sink: sink)
            encode(to: &writer)
            writer.finish()
        }
    }

    func encode(to writer: inout DedupWriter) {
        writer.header(.memory)
        exact.encode(to: &writer)
        state.encode(to: &writer)
    }

    /// Decodes a checkpointed memory; fails (and the daemon rebuilds) when it was made under other settings.
    public init(decoding bytes: [UInt8], settings: DedupSettings) throws(DedupCodecError) {
        var reader = DedupReader(bytes)
        try self.init(from: &reader, settings: settings)
        try reader.finish()
    }

    /// Decodes `count` bytes asked of `source` a piece at a time (nil: no more), so a checkpoint is never read
    /// whole into memory beside what it decodes to.
    public init(
        reading count: Int, from source: () -> [UInt8]?, settings: DedupSettings
    ) throws(DedupCodecError) {
        let result = withoutActuallyEscaping(source) { source -> Result<DedupMemory, DedupCodecError> in
            var reader = DedupReader(count: count, source: source)
            return Result { () throws(DedupCodecError) -> DedupMemory in
                let memory = try DedupMemory(from: &reader, settings: settings)
                try reader.finish()
                return memory
            }
        }
        self = try result.get()
    }

    init(from reader: inout DedupReader, settings: DedupSettings) throws(DedupCodecError) {
        try reader.header(.memory)
        let exact = try DigestIndex(from: &reader)
        let state = try DedupState(from: &reader)
        guard state.configuration == settings.stateConfiguration else {
            throw .invalid("made under other [dedup] settings")
        }
        self.init(settings: settings)
        self.exact = exact
        self.state = state
    }
}

extension PreparedDocument {
    /// The document with its dedup fingerprint computed (the prepare stage's last step, on any core).
    public func fingerprinted() -> PreparedDocument {
        var document = self
        document.fingerprint = DedupMemory.fingerprint(article)
        return document
    }
}
