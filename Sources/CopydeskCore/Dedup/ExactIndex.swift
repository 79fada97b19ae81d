/// Exact-duplicate memory: SHA-256 of the bytes → sequence number of the first document with them.
///
/// Keys are four machine words, not `[UInt8]`, so a million documents cost tens of megabytes rather than
/// a heap array each.
public struct ExactIndex: Sendable {
    private var firstSequence: [Key: UInt64] = [:]

    public init() {}

    public var count: Int { firstSequence.count }

    public func lookup(_ digest: Digest) -> UInt64? {
        firstSequence[Key(digest)]
    }

    /// Remembers `digest` unless it is already known (the first document stays the original).
    public mutating func insert(_ digest: Digest, sequence: UInt64) {
        let key = Key(digest)
        if firstSequence[key] == nil { firstSequence[key] = sequence }
    }

    public mutating func remove(_ digest: Digest) {
        firstSequence.removeValue(forKey: Key(digest))
    }

    private struct Key: Hashable, Sendable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init(_ digest: Digest) {
            (a, b, c, d) = digest.bytes.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            }
        }
    }
}
