import CopydeskCore

/// The daemon's former exact-duplicate memory (SHA-256 → first sequence in a `Dictionary`), kept here only as the
/// baseline `digest-memory` measures ``DigestIndex`` against; the daemon uses ``DigestIndex``.
///
/// Keys are four machine words, not `[UInt8]`, so a million documents cost tens of megabytes rather than
/// a heap array each.
struct ExactIndex: Sendable {
    private var firstSequence: [Key: UInt64] = [:]

    init() {}

    var count: Int { firstSequence.count }

    func lookup(_ digest: Digest) -> UInt64? {
        firstSequence[Key(digest)]
    }

    /// Remembers `digest` unless it is already known (the first document stays the original).
    mutating func insert(_ digest: Digest, sequence: UInt64) {
        Self.keep(&firstSequence[Key(digest), default: sequence])
    }

    /// Touching the `default:` subscript in place inserts the default when the key is absent and leaves an existing
    /// value alone: one hash lookup instead of a lookup and an insert.
    private static func keep(_ value: inout UInt64) {}

    mutating func remove(_ digest: Digest) {
        firstSequence.removeValue(forKey: Key(digest))
    }

    /// Makes room for `count` entries at once, so loading a checkpoint of a million does not rehash as it grows.
    mutating func reserveCapacity(_ count: Int) {
        firstSequence.reserveCapacity(count)
    }

    /// Remembers the digest in the 32 bytes at `digest` (as ``insert(_:sequence:)`` does), without making a
    /// ``Digest`` first: the index checkpoint loads a million entries this way.
    mutating func insert(digestBytes digest: UnsafeRawBufferPointer, sequence: UInt64) {
        precondition(digest.count == Digest.byteCount, "a SHA-256 digest is 32 bytes")
        Self.keep(&firstSequence[Key(digest), default: sequence])
    }

    /// Every entry, as the digest's 32 bytes and the first sequence number, in no particular order.
    func forEachEntry(_ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) rethrows {
        for (key, sequence) in firstSequence {
            try withUnsafeBytes(of: key) { try body($0, sequence) }
        }
    }

    private struct Key: Hashable, Sendable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init(_ digest: Digest) {
            self = digest.bytes.withUnsafeBytes { Key($0) }
        }

        /// The words in memory order, so `withUnsafeBytes(of: key)` gives back the digest's bytes.
        init(_ raw: UnsafeRawBufferPointer) {
            (a, b, c, d) = (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }
}
