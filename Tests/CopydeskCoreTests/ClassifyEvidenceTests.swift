@testable import CopydeskCore
import Testing

/// A rule's matched patterns kept in pattern order by ``RuleEvidence/Hit/record(_:_:)`` (appended and moved into
/// place) against `Array.insert(_:at:)` at the same position, the code it replaced: same patterns, counts and
/// first fields, in the same order.
@Suite("Classify: rule evidence")
struct ClassifyEvidenceTests {
    @Test("random occurrence orders: same patterns, counts and fields as sorted insertion")
    func recordKeepsPatternOrder() {
        var generator = SplitMix64(seed: 41)
        let fieldChoices: [ClassificationRules.Fields] = [.headline, .lead, .body, .tail, [.headline, .body]]
        for round in 0..<2_000 {
            var hit = RuleEvidence.Hit(rule: 0)
            var reference: [RuleEvidence.Hit.Match] = []
            let occurrences = Int(generator.next() % 30)
            let spread = Int(1 + generator.next() % 12)
            for _ in 0..<occurrences {
                let pattern = Int(generator.next() % UInt64(spread))
                let fields = fieldChoices[Int(generator.next() % UInt64(fieldChoices.count))]
                hit.record(pattern, fields)
                if let known = reference.firstIndex(where: { $0.pattern == pattern }) {
                    reference[known].count += 1
                } else {
                    let position = reference.firstIndex { $0.pattern > pattern } ?? reference.count
                    reference.insert(.init(pattern: pattern, count: 1, fields: fields), at: position)
                }
            }
            #expect(hit.patterns.map(\.pattern) == reference.map(\.pattern), "round \(round)")
            #expect(hit.patterns.map(\.count) == reference.map(\.count), "round \(round)")
            #expect(hit.patterns.map(\.fields) == reference.map(\.fields), "round \(round)")
        }
    }
}
