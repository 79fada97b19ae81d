/// Digest → first sequence in an open-addressing table of 20-byte slots: the memory of the `normalized` match
/// (and the exact-duplicate memory: the `Dictionary` of 32-byte keys it replaced measured 126 bytes a
/// document at a million, against 52 for a `Dictionary` of 128-bit keys and ~30 for this table; `DEDUP.md`).
///
/// A slot keeps the first 96 bits of the SHA-256 (64 + 32): among a million documents the chance that two
/// different texts share them is about 10⁻¹⁷. Linear probing, power-of-two size, at most 3/4 full.
public struct DigestIndex: Sendable, Equatable {
    /// First 64 bits of the digest, never 0 (0 marks an empty slot; a digest starting with 0 is stored as 1,
    /// which the 32-bit check still tells apart).
    var keys: [UInt64]
    var checks: [UInt32]
    var sequences: [UInt64]
    public private(set) var count = 0

    public init() {
        self.init(minimumCapacity: 0)
    }

    /// A table that takes `count` entries without growing: a checkpoint of a million is loaded into its final
    /// size at once, instead of holding the table before the last doubling beside the one after it.
    public init(minimumCapacity count: Int) {
        var size = 16
        while count * 4 > size * 3 { size *= 2 }
        keys = [UInt64](repeating: 0, count: size)
        checks = [UInt32](repeating: 0, count: size)
        sequences = [UInt64](repeating: 0, count: size)
    }

    /// Bytes held by the table.
    public var memoryBytes: Int { keys.capacity * 8 + checks.capacity * 4 + sequences.capacity * 8 }

    static func split(_ digest: Digest) -> (UInt64, UInt32) {
        digest.bytes.withUnsafeBytes { raw in
            let key = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            return (key == 0 ? 1 : key, raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        }
    }

    func slot(_ key: UInt64, _ check: UInt32) -> (index: Int, found: Bool) {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: SeededGenerator.mix(key)) & mask
        while keys[i] != 0 {
            if keys[i] == key && checks[i] == check { return (i, true) }
            i = (i + 1) & mask
        }
        return (i, false)
    }

    public func lookup(_ digest: Digest) -> UInt64? {
        let (key, check) = Self.split(digest)
        let (i, found) = slot(key, check)
        return found ? sequences[i] : nil
    }

    /// Remembers `digest` unless it is already known: the first document stays the original.
    public mutating func insert(_ digest: Digest, sequence: UInt64) {
        let (key, check) = Self.split(digest)
        insert(key: key, check: check, sequence: sequence)
    }

    mutating func insert(key: UInt64, check: UInt32, sequence: UInt64) {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let (i, found) = slot(key, check)
        if found { return }
        keys[i] = key
        checks[i] = check
        sequences[i] = sequence
        count += 1
    }

    mutating func grow() {
        let old = (keys, checks, sequences)
        let size = keys.count * 2
        keys = [UInt64](repeating: 0, count: size)
        checks = [UInt32](repeating: 0, count: size)
        sequences = [UInt64](repeating: 0, count: size)
        count = 0
        for i in 0..<old.0.count where old.0[i] != 0 { insert(key: old.0[i], check: old.1[i], sequence: old.2[i]) }
    }

    /// Occupied slots in (key, check) order, as 32-bit slot numbers: the encoding walks a million entries in a
    /// deterministic order with 4 MB of scratch instead of a sorted copy of every entry (~50 MB).
    func sortedSlots() -> [UInt32] {
        var slots = [UInt32]()
        slots.reserveCapacity(count)
        for i in 0..<keys.count where keys[i] != 0 { slots.append(UInt32(truncatingIfNeeded: i)) }
        keys.withUnsafeBufferPointer { k in
            checks.withUnsafeBufferPointer { c in
                slots.sort { a, b in (k[Int(a)], c[Int(a)]) < (k[Int(b)], c[Int(b)]) }
            }
        }
        return slots
    }

    /// Entries in key order (for the deterministic encoding).
    var entries: [(key: UInt64, check: UInt32, sequence: UInt64)] {
        (0..<keys.count).filter { keys[$0] != 0 }.map { (keys[$0], checks[$0], sequences[$0]) }
            .sorted { ($0.key, $0.check) < ($1.key, $1.check) }
    }

    public static func == (lhs: DigestIndex, rhs: DigestIndex) -> Bool {
        lhs.count == rhs.count && lhs.entries.elementsEqual(rhs.entries) { $0 == $1 }
    }
}
