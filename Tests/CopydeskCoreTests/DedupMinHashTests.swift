@testable import CopydeskCore
import Testing

@Suite struct DedupMinHashTests {
    @Test func signaturesAreDeterministicPerSeed() {
        let text = "The quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat"
        #expect(MinHasher(seed: 7).signature(of: text) == MinHasher(seed: 7).signature(of: text))
        #expect(MinHasher(seed: 7).signature(of: text) != MinHasher(seed: 8).signature(of: text))
        #expect(MinHasher(seed: 7).parametersID != MinHasher(seed: 8).parametersID)
        #expect(MinHasher().signature(of: text).shingleCount == 13)
    }

    @Test func emptyTextHasAnEmptySignatureThatMatchesNothing() {
        let empty = MinHasher().signature(of: " — ")
        #expect(empty.isEmpty)
        #expect(empty.jaccard(empty) == 0)
    }

    /// MinHash is unbiased: on 300 synthetic pairs spanning J ≈ 0.3…1, the estimate's mean error stays near 0,
    /// and no estimate strays more than 5 standard errors from the exact Jaccard.
    @Test func estimatesTrackExactJaccard() {
        var synthetic = SyntheticText(seed: 42)
        let hasher = MinHasher()
        var errors: [Double] = []
        for pair in 0..<300 {
            let words = synthetic.words(400)
            let edited = synthetic.edited(words, edits: pair % 30 * 2)
            let exact = Shingles.jaccard(Shingles.shingleSet(words.text), Shingles.shingleSet(edited.text))
            let estimate = hasher.signature(of: words.text).jaccard(hasher.signature(of: edited.text))
            let standardError = max(0.01, (exact * (1 - exact) / 128).squareRoot())
            #expect(abs(estimate - exact) <= 5 * standardError, "pair \(pair): exact \(exact), estimate \(estimate)")
            errors.append(estimate - exact)
        }
        let bias = errors.reduce(0, +) / Double(errors.count)
        let meanAbsolute = errors.map(abs).reduce(0, +) / Double(errors.count)
        #expect(abs(bias) < 0.01, "bias \(bias)")
        #expect(meanAbsolute < 0.035, "mean absolute error \(meanAbsolute)")
    }

    /// The 4-bit sketch the index stores estimates as well as the full signature does, within its extra noise.
    @Test func sketchEstimatesTrackTheFullSignature() {
        var synthetic = SyntheticText(seed: 5)
        let hasher = MinHasher()
        var differences: [Double] = []
        for pair in 0..<200 {
            let words = synthetic.words(300)
            let a = hasher.signature(of: words.text)
            let b = hasher.signature(of: synthetic.edited(words, edits: pair % 20).text)
            let sketched = NearDuplicateIndex.Sketch.estimate(
                agreements: NearDuplicateIndex.Sketch(a).agreements(with: NearDuplicateIndex.Sketch(b)))
            differences.append(sketched - a.jaccard(b))
        }
        let bias = differences.reduce(0, +) / Double(differences.count)
        #expect(abs(bias) < 0.01, "bias \(bias)")
        #expect(differences.allSatisfy { abs($0) < 0.12 })
    }

    @Test func signatureRoundTripsThroughItsEncoding() throws {
        let signature = MinHasher().signature(of: "a b c d e f g h i j k")
        #expect(try MinHashSignature(decoding: signature.encoded()) == signature)
        #expect(throws: DedupCodecError.self) { try MinHashSignature(decoding: Array(signature.encoded().dropLast())) }
    }
}

/// The AVX2 kernel (C, chosen at run time) and the Swift SIMD kernel must give the same minima, bit for bit: a
/// signature stored by one machine is compared with one made by another.
@Suite struct DedupMinHashKernelTests {
    @Test func avx2AndSIMDKernelsGiveTheSameMinima() {
        if MinHasher.kernelInUse != .avx2 {
            print("DedupMinHashKernelTests: this CPU has no AVX2; the C kernel runs its scalar loop instead")
        }
        var generator = SeededGenerator(seed: 99)
        for seed: UInt64 in [MinHasher.defaultSeed, 1, 0xFFFF_FFFF_FFFF_FFFF] {
            let hasher = MinHasher(seed: seed)
            for count in [1, 2, 3, 7, 8, 15, 16, 17, 100, 499, 1000] {
                var shingles = (0..<count).map { _ in generator.next() }
                // Extremes the lane arithmetic could get wrong: carries out of the low half, all-ones, zero.
                shingles[0] = count % 2 == 0 ? 0 : .max
                if count > 2 { shingles[1] = 0xFFFF_FFFF; shingles[2] = 0xFFFF_FFFF_0000_0000 }
                let (avx2, simd) = shingles.withUnsafeBufferPointer {
                    (hasher.minima($0, kernel: .avx2), hasher.minima($0, kernel: .simd))
                }
                #expect(avx2 == simd, "seed \(seed), \(count) shingles")
                // And both are the definition, one permutation at a time.
                let a = hasher.coefficients[0..<MinHasher.permutations]
                let b = hasher.coefficients[MinHasher.permutations...]
                let scalar = zip(a, b).map { a, b in shingles.map { MinHasher.permute($0, a: a, b: b) }.min()! }
                #expect(simd == scalar, "seed \(seed), \(count) shingles")
                let signature = shingles.withUnsafeBufferPointer { hasher.signature(shingles: $0) }
                #expect(signature.values == simd)
            }
        }
    }
}
