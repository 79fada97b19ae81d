/// Where the hash chain stands after one record, and the rule the next record must follow.
///
/// Each record carries the SHA-256 of the previous record's whole payload, so changing, dropping or reordering any
/// record breaks the link after it; a segment header carries the same hash across a segment boundary. Checking
/// a link is pure, so `verify`, the writer and tests share one definition.
public struct ChainLink: Sendable, Equatable {
    /// Sequence number of the record this link follows (0 before the first record).
    public var sequence: UInt64
    /// SHA-256 of that record's payload (``Digest/zero`` before the first record).
    public var hash: Digest

    public init(sequence: UInt64, hash: Digest) {
        self.sequence = sequence
        self.hash = hash
    }

    /// Before the first record of a journal.
    public static let genesis = ChainLink(sequence: 0, hash: .zero)

    /// Before the first record of the segment with this header.
    public init(before header: SegmentHeader) {
        self.init(sequence: header.firstSequence - 1, hash: header.chainHash)
    }

    /// The hash the next record must carry as its `previousHash`.
    public static func hash(ofPayload payload: UnsafeRawBufferPointer) -> Digest { SHA256.hash(payload) }

    public static func hash(ofPayload payload: [UInt8]) -> Digest { SHA256.hash(payload) }

    /// Checks that a record with this sequence and `previousHash` directly follows this link.
    public func check(sequence next: UInt64, previousHash: Digest) throws(ChainError) {
        guard next == sequence &+ 1 else { throw .sequenceGap(expected: sequence &+ 1, found: next) }
        guard previousHash == hash else { throw .brokenLink(sequence: next, expected: hash, found: previousHash) }
    }

    public func check(_ record: JournalRecord) throws(ChainError) {
        try check(sequence: record.sequence, previousHash: record.previousHash)
    }

    /// Checks `record` (whose encoded payload is `payload`) and returns the link after it.
    public func following(_ record: JournalRecord, payload: [UInt8]) throws(ChainError) -> ChainLink {
        try check(record)
        return ChainLink(sequence: record.sequence, hash: Self.hash(ofPayload: payload))
    }
}

/// How a record fails to follow the one before it.
public enum ChainError: Error, Equatable, Sendable {
    case sequenceGap(expected: UInt64, found: UInt64)
    /// The record's `previousHash` is not the SHA-256 of the previous payload.
    case brokenLink(sequence: UInt64, expected: Digest, found: Digest)
}

extension ChainError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sequenceGap(let expected, let found): "expected sequence \(expected), found \(found)"
        case .brokenLink(let sequence, let expected, let found):
            "record \(sequence) links to \(found.hex), but the previous payload hashes to \(expected.hex)"
        }
    }
}
