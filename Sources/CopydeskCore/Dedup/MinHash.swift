import CMinHash

/// 128-permutation MinHash over 64-bit shingle hashes.
///
/// Permutation `j` is the multiply-shift hash `h_j(x) = ⌊((a_j·x + b_j) mod 2^64) / 2^32⌋` (Dietzfelbinger) with
/// an odd 32-bit `a_j` and a 64-bit `b_j` drawn from a ``SeededGenerator``; the signature keeps, for every `j`,
/// the smallest `h_j` over the document's shingles. Two documents agree at position `j` with probability equal
/// to the Jaccard similarity of their shingle sets, so the share of agreeing positions estimates it (standard
/// error `√(J(1−J)/128)`, 0.035 at J = 0.8).
///
/// Why multiply-shift and not datasketch's `(a·x + b) mod (2^61 − 1)`: the shingle hashes are already finalised
/// 64-bit values, so the cheap family loses nothing measurable (`DEDUP.md`: estimates against exact Jaccard),
/// and it needs no modulo (RESULTS.md §2: 3.5× cheaper in C). Why a 32-bit `a_j`: then `a_j·x mod 2^64` is
/// `a_j·x_lo + 2^32·(a_j·x_hi)`, two 32×32→64 multiplies that SSE2 does two lanes at a time (`pmuludq`), where a
/// 64-bit `a_j` needs three plus shifts; for a fixed `x_lo` the map `x_hi ↦ h` is still a bijection (odd
/// `a_j`), and on the benchmark corpus the kernel drops from 39 to 29 µs per 3 KiB document. Swift's baseline
/// x86-64 target has SSE2 only, so the kernel keeps eight permutations' state in registers (`SIMD8`) and runs
/// the shingles past them, rather than relying on the auto-vectoriser (61 µs). Where the CPU has AVX2 (checked
/// once at run time), the C kernel of `CMinHash` computes the same minima with 256-bit lanes and an unsigned
/// 32-bit minimum, which SSE2 lacks; `DedupMinHashKernelTests` compares the two.
public struct MinHasher: Sendable {
    public static let permutations = 128
    /// The seed Copydesk ships with. Changing it changes every signature: stored fingerprints carry
    /// ``parametersID`` so a reader can tell.
    public static let defaultSeed: UInt64 = 0x436F_7079_6465_736B  // "Copydesk"

    public let seed: UInt64
    public let shingleSize: Int
    /// Interleaved (a, b) pairs; one array so the kernel walks one stream.
    let coefficients: [UInt64]

    public init(seed: UInt64 = MinHasher.defaultSeed, shingleSize: Int = Shingles.defaultSize) {
        self.seed = seed
        self.shingleSize = shingleSize
        var generator = SeededGenerator(seed: seed)
        var a = [UInt64](), b = [UInt64]()
        for _ in 0..<Self.permutations {
            a.append((generator.next() & 0xFFFF_FFFF) | 1)
            b.append(generator.next())
        }
        coefficients = a + b
    }

    /// Identifies everything that shapes a signature (seed, shingle size, permutation count, tokenizer
    /// version), so a stored signature made under other parameters is recomputed, never compared.
    public var parametersID: UInt64 {
        SeededGenerator.mix(seed ^ UInt64(shingleSize) << 56 ^ UInt64(Self.permutations) << 40 ^ 1)
    }

    /// The signature of `text` (words, then shingles, then MinHash; one scratch buffer per call).
    public func signature(of text: String) -> MinHashSignature {
        Shingles.withShingleHashes(text, size: shingleSize) { signature(shingles: $0) }
    }

    /// The signature of a list of shingle hashes (repeats do not matter).
    public func signature(shingles: UnsafeBufferPointer<UInt64>) -> MinHashSignature {
        MinHashSignature(values: minima(shingles, kernel: Self.kernelInUse), shingleCount: shingles.count)
    }

    /// The two implementations of the hot loop; they give the same minima.
    enum Kernel: Sendable {
        /// `CMinHash`'s C kernel, on CPUs with AVX2.
        case avx2
        /// ``kernel(_:_:_:_:)``: Swift's SIMD types on baseline x86-64 (SSE2) or any other CPU.
        case simd
    }

    /// The kernel ``signature(shingles:)`` uses on this CPU.
    static let kernelInUse: Kernel = copydesk_minhash_avx2_available() != 0 ? .avx2 : .simd

    /// The minima of `shingles` by the given kernel (all `.max` for none); tests compare the kernels through it.
    func minima(_ shingles: UnsafeBufferPointer<UInt64>, kernel: Kernel) -> [UInt32] {
        var values = [UInt32](repeating: .max, count: Self.permutations)
        guard !shingles.isEmpty else { return values }
        coefficients.withUnsafeBufferPointer { coefficients in
            values.withUnsafeMutableBufferPointer { minima in
                switch kernel {
                case .avx2:
                    copydesk_minhash_avx2(
                        shingles.baseAddress!, shingles.count, coefficients.baseAddress!, Self.permutations,
                        minima.baseAddress!)
                case .simd:
                    Self.kernel(shingles.baseAddress!, shingles.count, coefficients.baseAddress!, minima.baseAddress!)
                }
            }
        }
        return values
    }

    /// The hot loop. Sixteen blocks of eight permutations; each block's multipliers, offsets and minima stay in
    /// registers while every shingle passes by, so the only memory traffic is one read per shingle per block.
    @inline(never)
    static func kernel(
        _ shingles: UnsafePointer<UInt64>, _ count: Int, _ coefficients: UnsafePointer<UInt64>,
        _ minima: UnsafeMutablePointer<UInt32>
    ) {
        let raw = UnsafeRawPointer(coefficients)
        let offsets = permutations * MemoryLayout<UInt64>.stride
        for block in 0..<(permutations / 8) {
            // The mask is a no-op on the values (the multipliers are 32-bit) but tells the compiler so, and
            // turns each 64-bit lane multiply into one `pmuludq` instead of three.
            let a = raw.loadUnaligned(fromByteOffset: block * 64, as: SIMD8<UInt64>.self) & SIMD8(repeating: 0xFFFF_FFFF)
            let b = raw.loadUnaligned(fromByteOffset: offsets + block * 64, as: SIMD8<UInt64>.self)
            var m = SIMD8<UInt32>(repeating: .max)
            for i in 0..<count {
                let x = shingles[i]
                let low = SIMD8<UInt64>(repeating: x & 0xFFFF_FFFF), high = SIMD8<UInt64>(repeating: x &>> 32)
                let h = SIMD8<UInt32>(truncatingIfNeeded: (a &* low &+ b) &>> 32)
                    &+ SIMD8<UInt32>(truncatingIfNeeded: a &* high)
                m = pointwiseMin(m, h)
            }
            for k in 0..<8 { minima[block * 8 + k] = m[k] }
        }
    }

    /// The permutation values of one shingle, in the scalar form the kernel vectorises; for tests.
    static func permute(_ x: UInt64, a: UInt64, b: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (a &* x &+ b) &>> 32)
    }
}

/// A MinHash signature: 128 minima and how many shingles made them.
public struct MinHashSignature: Sendable, Hashable {
    public var values: [UInt32]
    /// Shingle positions in the document (repeats counted): small documents estimate poorly, and the
    /// decision may want to know.
    public var shingleCount: Int

    public init(values: [UInt32], shingleCount: Int) {
        precondition(values.count == MinHasher.permutations, "a signature has \(MinHasher.permutations) values")
        self.values = values
        self.shingleCount = shingleCount
    }

    /// A document with no words: it matches nothing and is never indexed.
    public var isEmpty: Bool { shingleCount == 0 }

    /// Estimated Jaccard similarity: the share of positions where the minima agree.
    public func jaccard(_ other: MinHashSignature) -> Double {
        if isEmpty || other.isEmpty { return 0 }
        var same = 0
        for j in 0..<MinHasher.permutations where values[j] == other.values[j] { same += 1 }
        return Double(same) / Double(MinHasher.permutations)
    }
}
