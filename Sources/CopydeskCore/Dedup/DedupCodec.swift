/// Compact binary encodings of the dedup state, for the daemon's index checkpoint.
///
/// Every encoding starts with the magic `CDDX`, a kind byte and a little-endian format version; integers are
/// little-endian, doubles are their IEEE 754 bit patterns, and unordered collections are written sorted, so equal
/// states encode to equal bytes. A composite (the state, the memory) is its parts' encodings one after the other,
/// each delimited by its own counts, so it can be written to and read from a file in pieces without ever being
/// whole in memory (version 2; version 1 length-prefixed the parts). A reader refuses an unknown kind or another
/// version rather than guess; the
/// checkpoint is derived data, so the daemon's answer to a refusal is to rebuild from the journal.
public enum DedupCodec {
    public static let magic: [UInt8] = Array("CDDX".utf8)
    public static let version: UInt16 = 2

    public enum Kind: UInt8, Sendable {
        case nearDuplicateIndex = 1
        case digestIndex = 2
        case storyClusterer = 3
        case signature = 4
        case state = 5
        /// ``DedupMemory``: the exact index and the state.
        case memory = 6
    }
}

public enum DedupCodecError: Error, Equatable, Sendable {
    case truncated(offset: Int)
    case badMagic
    case wrongKind(expected: UInt8, found: UInt8)
    case unsupportedVersion(UInt16)
    case invalid(String)
}

/// Where an encoding goes: into ``bytes``, handed to `sink` in pieces of about ``chunk`` bytes when one is given.
struct DedupWriter {
    static let chunk = 1 << 20
    var bytes: [UInt8] = []
    private let sink: (([UInt8]) -> Void)?

    init(sink: (([UInt8]) -> Void)? = nil) {
        self.sink = sink
        if sink != nil { bytes.reserveCapacity(Self.chunk + 64) }
    }

    mutating func header(_ kind: DedupCodec.Kind) {
        bytes.append(contentsOf: DedupCodec.magic)
        bytes.append(kind.rawValue)
        put(DedupCodec.version)
    }

    @inline(__always)
    private mutating func spill() {
        if let sink, bytes.count >= Self.chunk {
            sink(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        spill()
    }

    mutating func put(_ value: Double) { put(value.bitPattern) }

    mutating func put(_ values: [UInt64]) {
        put(UInt64(values.count))
        for value in values { put(value) }
    }

    mutating func put(_ values: [UInt32]) {
        put(UInt64(values.count))
        for value in values { put(value) }
    }

    /// Hands what is left to the sink.
    mutating func finish() {
        if let sink, !bytes.isEmpty {
            sink(bytes)
            bytes.removeAll()
        }
    }
}

/// Reads an encoding from bytes in memory, or from `source` a piece at a time (only what is being decoded is held).
struct DedupReader {
    private var bytes: [UInt8]
    private var offset = 0
    /// Bytes still to come from `source`.
    private var pending: Int
    private let source: (() -> [UInt8]?)?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        pending = 0
        source = nil
    }

    /// `count` bytes in all, asked of `source` piece by piece (nil: nothing more).
    init(count: Int, source: @escaping () -> [UInt8]?) {
        bytes = []
        pending = count
        self.source = source
    }

    /// Bytes not read yet.
    var remaining: Int { bytes.count - offset + pending }

    @inline(__always)
    private mutating func ensure(_ count: Int) throws(DedupCodecError) {
        if bytes.count - offset >= count { return }
        if offset > 0 {
            bytes.removeFirst(offset)
            offset = 0
        }
        while bytes.count < count, pending > 0, let piece = source?(), !piece.isEmpty {
            let take = min(piece.count, pending)
            bytes.append(contentsOf: piece.prefix(take))
            pending -= take
        }
        guard bytes.count >= count else { throw .truncated(offset: offset) }
    }

    mutating func header(_ kind: DedupCodec.Kind) throws(DedupCodecError) {
        try ensure(7)
        guard Array(bytes[offset..<offset + 4]) == DedupCodec.magic else { throw .badMagic }
        guard bytes[offset + 4] == kind.rawValue else {
            throw .wrongKind(expected: kind.rawValue, found: bytes[offset + 4])
        }
        offset += 5
        let version: UInt16 = try get()
        guard version == DedupCodec.version else { throw .unsupportedVersion(version) }
    }

    mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) throws(DedupCodecError) -> T {
        let size = MemoryLayout<T>.size
        try ensure(size)
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += size
        return value
    }

    mutating func getDouble() throws(DedupCodecError) -> Double { Double(bitPattern: try get(UInt64.self)) }

    /// A count that must fit in what is left of the input at `elementSize` bytes each: a corrupt length fails
    /// here instead of asking for gigabytes.
    mutating func getCount(elementSize: Int) throws(DedupCodecError) -> Int {
        let raw: UInt64 = try get()
        guard raw <= UInt64(remaining / max(1, elementSize)) else { throw .truncated(offset: offset) }
        return Int(raw)
    }

    mutating func getArray64() throws(DedupCodecError) -> [UInt64] {
        let count = try getCount(elementSize: 8)
        var out = [UInt64]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try get()) }
        return out
    }

    mutating func getArray32() throws(DedupCodecError) -> [UInt32] {
        let count = try getCount(elementSize: 4)
        var out = [UInt32]()
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try get()) }
        return out
    }

    func finish() throws(DedupCodecError) {
        guard remaining == 0 else { throw .invalid("\(remaining) trailing bytes") }
    }
}

extension MinHashSignature {
    /// 4 + 128 × 4 bytes after the header: what a document record can carry so the index is rebuilt from the
    /// journal without re-reading text.
    public func encoded() -> [UInt8] {
        var writer = DedupWriter()
        encode(to: &writer)
        return writer.bytes
    }

    func encode(to writer: inout DedupWriter) {
        writer.header(.signature)
        writer.put(UInt32(clamping: shingleCount))
        for value in values { writer.put(value) }
    }

    public init(decoding bytes: [UInt8]) throws(DedupCodecError) {
        var reader = DedupReader(bytes)
        try self.init(from: &reader)
        try reader.finish()
    }

    init(from reader: inout DedupReader) throws(DedupCodecError) {
        try reader.header(.signature)
        let count = Int(try reader.get(UInt32.self))
        var values = [UInt32]()
        values.reserveCapacity(MinHasher.permutations)
        for _ in 0..<MinHasher.permutations { values.append(try reader.get()) }
        self.init(values: values, shingleCount: count)
    }
}

extension NearDuplicateIndex {
    public func encoded() -> [UInt8] {
        var writer = DedupWriter()
        encode(to: &writer)
        return writer.bytes
    }

    func encode(to writer: inout DedupWriter) {
        writer.header(.nearDuplicateIndex)
        let c = configuration
        writer.put(c.threshold)
        writer.put(UInt32(c.bands))
        writer.put(UInt32(c.rows))
        writer.put(UInt64(c.capacity))
        writer.put(UInt32(c.maxCandidatesPerBand))
        writer.put(UInt64(c.firstGeneration))
        writer.put(UInt32(generations.count))
        for generation in generations {
            writer.put(UInt64(generation.capacity))
            writer.put(UInt64(generation.tableSize))
            writer.put(generation.sequences)
            writer.put(generation.sketches)
            writer.put(generation.tables)
        }
    }

    public init(decoding bytes: [UInt8]) throws(DedupCodecError) {
        var reader = DedupReader(bytes)
        try self.init(from: &reader)
        try reader.finish()
    }

    init(from reader: inout DedupReader) throws(DedupCodecError) {
        try reader.header(.nearDuplicateIndex)
        let configuration = Configuration(
            threshold: try reader.getDouble(), bands: Int(try reader.get(UInt32.self)),
            rows: Int(try reader.get(UInt32.self)), capacity: Int(clamping: try reader.get(UInt64.self)),
            maxCandidatesPerBand: Int(try reader.get(UInt32.self)),
            firstGeneration: Int(clamping: try reader.get(UInt64.self)))
        guard configuration.isValid else { throw .invalid("configuration \(configuration)") }
        self.init(configuration: configuration)
        let count = Int(try reader.get(UInt32.self))
        for _ in 0..<count {
            let capacity = Int(clamping: try reader.get(UInt64.self))
            let tableSize = Int(clamping: try reader.get(UInt64.self))
            let sequences = try reader.getArray64()
            let sketches = try reader.getArray64()
            let tables = try reader.getArray32()
            guard capacity > 0, capacity < Int(Generation.slotMask), sequences.count <= capacity,
                  sketches.count == sequences.count * 8, tableSize > capacity,
                  tables.count == tableSize * configuration.bands,
                  tables.allSatisfy({ Int($0 & Generation.slotMask) <= sequences.count }),
                  zip(sequences, sequences.dropFirst()).allSatisfy({ $0 < $1 })
            else { throw .invalid("generation arrays disagree") }
            generations.append(Generation(
                capacity: capacity, bands: configuration.bands, tableSize: tableSize, sequences: sequences,
                sketches: sketches, tables: tables))
        }
    }
}

extension DigestIndex {
    public func encoded() -> [UInt8] {
        var writer = DedupWriter()
        encode(to: &writer)
        return writer.bytes
    }

    func encode(to writer: inout DedupWriter) {
        writer.header(.digestIndex)
        let slots = sortedSlots()
        writer.put(UInt64(slots.count))
        for slot in slots {
            let i = Int(slot)
            writer.put(keys[i])
            writer.put(checks[i])
            writer.put(sequences[i])
        }
    }

    public init(decoding bytes: [UInt8]) throws(DedupCodecError) {
        var reader = DedupReader(bytes)
        try self.init(from: &reader)
        try reader.finish()
    }

    init(from reader: inout DedupReader) throws(DedupCodecError) {
        try reader.header(.digestIndex)
        let count = try reader.getCount(elementSize: 20)
        self.init(minimumCapacity: count)
        for _ in 0..<count {
            let key: UInt64 = try reader.get()
            guard key != 0 else { throw .invalid("zero digest key") }
            insert(key: key, check: try reader.get(), sequence: try reader.get())
        }
    }
}

extension StoryClusterer {
    public func encoded() -> [UInt8] {
        var writer = DedupWriter()
        encode(to: &writer)
        return writer.bytes
    }

    func encode(to writer: inout DedupWriter) {
        writer.header(.storyClusterer)
        let c = configuration
        writer.put(c.threshold)
        writer.put(c.window)
        writer.put(UInt32(c.keptTerms))
        writer.put(UInt32(c.centroidTerms))
        writer.put(UInt32(c.maxOpenStories))
        writer.put(stopWords.sorted())
        writer.put(documents.count)
        writer.put(documents.updated.microseconds)
        writer.put(UInt64(additions))
        writer.put(lastSweep.microseconds)
        let terms = frequencies.sorted()
        writer.put(UInt64(terms.count))
        for (term, frequency) in terms {
            writer.put(term)
            writer.put(frequency.count)
            writer.put(frequency.updated.microseconds)
        }
        let open = stories.values.sorted { $0.id < $1.id }
        writer.put(UInt64(open.count))
        for story in open {
            writer.put(story.id)
            writer.put(story.firstSeen.microseconds)
            writer.put(story.lastSeen.microseconds)
            writer.put(story.norm)
            writer.put(story.members)
            writer.put(UInt64(story.terms.count))
            for (term, weight) in zip(story.terms, story.weights) {
                writer.put(term)
                writer.put(weight)
            }
        }
    }

    public init(decoding bytes: [UInt8]) throws(DedupCodecError) {
        var reader = DedupReader(bytes)
        try self.init(from: &reader)
        try reader.finish()
    }

    init(from reader: inout DedupReader) throws(DedupCodecError) {
        try reader.header(.storyClusterer)
        let configuration = Configuration(
            threshold: try reader.getDouble(), window: try reader.get(), keptTerms: Int(try reader.get(UInt32.self)),
            centroidTerms: Int(try reader.get(UInt32.self)), maxOpenStories: Int(try reader.get(UInt32.self)))
        let stopWords = Set(try reader.getArray64())
        self.init(configuration: configuration, stopWords: stopWords)
        documents = Frequency(count: try reader.getDouble(), updated: Timestamp(microseconds: try reader.get()))
        additions = Int(clamping: try reader.get(UInt64.self))
        lastSweep = Timestamp(microseconds: try reader.get())
        let termCount = try reader.getCount(elementSize: 24)
        frequencies = TermTable(minimumCapacity: termCount)
        for _ in 0..<termCount {
            let term: UInt64 = try reader.get()
            frequencies[term] = Frequency(
                count: try reader.getDouble(), updated: Timestamp(microseconds: try reader.get()))
        }
        let storyCount = try reader.getCount(elementSize: 48)
        for _ in 0..<storyCount {
            let id: UInt64 = try reader.get()
            var story = Story(
                id: id, members: [], firstSeen: Timestamp(microseconds: try reader.get()),
                lastSeen: Timestamp(microseconds: try reader.get()), terms: [], weights: [], norm: try reader.getDouble())
            story.members = try reader.getArray64()
            let terms = try reader.getCount(elementSize: 16)
            for _ in 0..<terms {
                let term: UInt64 = try reader.get()
                // Encoded in ascending term order; the merge in `join` relies on it.
                if let last = story.terms.last, term <= last { throw .invalid("centroid terms out of order") }
                story.terms.append(term)
                story.weights.append(try reader.getDouble())
            }
            insert(story)
        }
    }
}

extension DedupState {
    /// The whole state: the three indexes' own encodings, one after the other, and the recent version keys.
    public func encoded() -> [UInt8] {
        var writer = DedupWriter()
        encode(to: &writer)
        return writer.bytes
    }

    func encode(to writer: inout DedupWriter) {
        writer.header(.state)
        normalized.encode(to: &writer)
        nearDuplicates.encode(to: &writer)
        stories.encode(to: &writer)
        writer.put(UInt64(configuration.versionMemory))
        writer.put(configuration.minimumVersionSimilarity)
        for generation in 0..<2 {
            let keys = recentKeys[generation].sorted { $0.key < $1.key }
            writer.put(UInt64(keys.count))
            for (sequence, key) in keys {
                writer.put(sequence)
                writer.put(key.source)
                writer.put(key.family)
                writer.put(key.headline)
                writer.put(Int64(key.version ?? -1))
                writer.put(UInt8(key.hasUpdateMarker ? 1 : 0))
            }
            let latest = latest[generation].sorted { $0.key < $1.key }
            writer.put(UInt64(latest.count))
            for (key, sequence) in latest {
                writer.put(key)
                writer.put(sequence)
            }
        }
    }

    public init(decoding bytes: [UInt8]) throws(DedupCodecError) {
        var reader = DedupReader(bytes)
        try self.init(from: &reader)
        try reader.finish()
    }

    init(from reader: inout DedupReader) throws(DedupCodecError) {
        try reader.header(.state)
        let normalized = try DigestIndex(from: &reader)
        let nearDuplicates = try NearDuplicateIndex(from: &reader)
        let stories = try StoryClusterer(from: &reader)
        let versionMemory = Int(clamping: try reader.get(UInt64.self))
        let minimumVersionSimilarity = try reader.getDouble()
        self.init(configuration: Configuration(
            nearDuplicates: nearDuplicates.configuration, stories: stories.configuration,
            versionMemory: versionMemory, minimumVersionSimilarity: minimumVersionSimilarity))
        self.normalized = normalized
        self.nearDuplicates = nearDuplicates
        self.stories = stories
        for generation in 0..<2 {
            let keyCount = try reader.getCount(elementSize: 41)
            for _ in 0..<keyCount {
                let sequence: UInt64 = try reader.get()
                var key = VersionInfo.Key(VersionInfo(
                    source: nil, itemFamily: nil, version: nil, headlineBase: "", markers: []))
                key.source = try reader.get()
                key.family = try reader.get()
                key.headline = try reader.get()
                let version = try reader.get(Int64.self)
                key.version = version < 0 ? nil : Int(clamping: version)
                key.hasUpdateMarker = try reader.get(UInt8.self) != 0
                recentKeys[generation][sequence] = key
            }
            let latestCount = try reader.getCount(elementSize: 16)
            for _ in 0..<latestCount {
                let key: UInt64 = try reader.get()
                latest[generation][key] = try reader.get()
            }
        }
    }
}
