/// SplitMix64 (Steele, Lea & Flood 2014): the one source of randomness in Dedup.
///
/// The core never reaches for `SystemRandomNumberGenerator`: every random choice (MinHash permutations, test
/// and benchmark edits) comes from a generator seeded by the caller, so the same seed gives the same index,
/// bit for bit, on every machine and after every restart.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 / MurmurHash3 finaliser: a bijection on 64 bits whose output bits each depend on all
    /// input bits. Used on its own to spread shingle hashes.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
}
