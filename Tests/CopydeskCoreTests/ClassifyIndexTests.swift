@testable import CopydeskCore
import Testing

/// The model's lookup structures against plain references: the rank index must give every used bucket the row a
/// search of the used buckets gives (and -1 to every other bucket), and the radix sort must sort.
@Suite("Classify: model index")
struct ClassifyIndexTests {
    @Test("rank index: the row of each used bucket, -1 for the others, over all 2^14 buckets", arguments: [1, 5])
    func rankIndexMatchesASearch(labels: Int) {
        var generator = SplitMix64(seed: 3)
        let buckets = 1 << 14
        let stride = labels + 1
        var table = [Float](repeating: 0, count: buckets * stride)
        var used: [UInt32] = []
        // Runs and gaps: whole words of the bitmap used, empty, the first and last bucket.
        for bucket in 0..<buckets {
            let take = bucket == 0 || bucket == buckets - 1 || (bucket >= 640 && bucket < 768)
                || (bucket >= 1024 && generator.next() % 10 == 0)
            guard take else { continue }
            used.append(UInt32(bucket))
            table[bucket * stride] = Float(1 + bucket % 7)
            for label in 0..<labels { table[bucket * stride + 1 + label] = Float(label) - 0.5 }
        }
        let index = BucketIndex(table: table, stride: stride)
        #expect(index.buckets == used)
        #expect(index.rows.count == used.count * stride)
        var found = 0
        index.withLookup { row in
            for bucket in 0..<UInt32(buckets) {
                let expected = used.firstIndex(of: bucket) ?? -1
                #expect(row(bucket) == expected, "bucket \(bucket)")
                #expect(index.row(of: bucket) == expected, "bucket \(bucket)")
                if expected >= 0 {
                    #expect(index.rows[expected * stride] == table[Int(bucket) * stride])
                    found += 1
                }
            }
            // Past the table: no row, no crash.
            #expect(row(UInt32(buckets + 100)) == -1)
        }
        #expect(found == used.count)
    }

    @Test("radix sort: the same order as sort(), for 1 to 3 passes and short inputs", arguments: [8, 15, 18])
    func radixSortSorts(bits: Int) {
        var generator = SplitMix64(seed: UInt64(bits))
        for count in [0, 5, 33, 400, 2_000] {
            var values = (0..<count).map { _ in UInt32(truncatingIfNeeded: generator.next()) & ((1 << UInt32(bits)) - 1) }
            let expected = values.sorted()
            Featurizer.radixSort(&values, bits: bits)
            #expect(values == expected, "\(count) values of \(bits) bits")
        }
    }
}
