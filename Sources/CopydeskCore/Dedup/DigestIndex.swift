/// Digest → first sequence, in 24 bytes an entry before the table's slack: the memory of the `normalized` match
/// (and a compact alternative for ``ExactIndex``, whose 32-byte keys cost about twice as much).
///
/// Keys are the first 128 bits of the SHA-256: among a million documents the chance that two different texts
/// share them is about 10⁻²⁷, far below the chance of a disk error.
public struct DigestIndex: Sendable, Equatable {
    struct Key: Hashable, Sendable {
        var a: UInt64
        var b: UInt64

        init(_ digest: Digest) {
            (a, b) = digest.bytes.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
        }

        init(a: UInt64, b: UInt64) {
            self.a = a
            self.b = b
        }
    }

    var firstSequence: [Key: UInt64] = [:]

    public init() {}

    public var count: Int { firstSequence.count }

    public func lookup(_ digest: Digest) -> UInt64? { firstSequence[Key(digest)] }

    /// Remembers `digest` unless it is already known: the first document stays the original.
    public mutating func insert(_ digest: Digest, sequence: UInt64) {
        let key = Key(digest)
        if firstSequence[key] == nil { firstSequence[key] = sequence }
    }

    public mutating func remove(_ digest: Digest) {
        firstSequence.removeValue(forKey: Key(digest))
    }
}
