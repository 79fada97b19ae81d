import CopydeskCore
import CopydeskTestSupport
import Testing

/// The decision the pipeline will call, walked through the cases of the issue: redelivery after
/// re-wrapping, an agency's update chain, the same story from another wire, and an unrelated story.
@Suite struct DedupStateTests {
    let hasher = MinHasher()

    private func article(_ headline: String, _ body: [String], source: String? = "Reuters", id: String? = nil)
        -> Article {
        var article = Article(headline: headline, source: source, paragraphs: body)
        article.itemID = id
        return article
    }

    private static let body = TextFixtures.bahiaCocoa

    @Test func walksTheWireEditorsCases() throws {
        var state = DedupState()
        func file(_ article: Article, _ sequence: UInt64) -> DedupVerdict {
            let fingerprint = DedupFingerprint(article, hasher: hasher)
            let verdict = state.verdict(for: fingerprint)
            state.remember(fingerprint, sequence: sequence, verdict: verdict)
            return verdict
        }
        #expect(file(article("Bahia cocoa review", Self.body), 1) == .new)
        // Re-wrapped, re-cased and re-punctuated: the same normalized text.
        let rewrapped = [Self.body.joined(separator: "\n").uppercased().replacingOccurrences(of: ",", with: " ,")]
        #expect(file(article("BAHIA COCOA REVIEW", rewrapped), 2) == .duplicate(of: 1))
        // An update from the same agency: more text, a marker.
        let update = file(article("UPDATE 1-Bahia cocoa review", Self.body + [
            "Bahia exporters said shipments would resume next week after the rains, with the first cargo due in "
                + "Ilheus on Monday and a second later in the month, traders said.",
        ]), 3)
        guard case .version(of: 1, reason: .updateMarker, _) = update else {
            Issue.record("expected a version of 1, got \(update)")
            return
        }
        // The same story re-issued by another wire with a new headline and a credit line: a near-duplicate.
        let other = file(article("Rains ease Bahia drought", Self.body + ["(Reporting by Jane Doe)"], source: "AP"), 4)
        guard case .nearDuplicate(let original, let similarity) = other else {
            Issue.record("expected a near-duplicate, got \(other)")
            return
        }
        #expect([1, 3].contains(original) && similarity >= 0.8)
        #expect(file(article("Fed holds rates", ["The Federal Reserve held interest rates steady on Wednesday."]), 5)
            == .new)
        // The agency's own item id links revisions whatever the text.
        let v1 = file(article("Flood", ["Water rises in the south."], id: "urn:newsml:afp.com:20140829:TX-1:1"), 6)
        let v2 = file(article("Floods spread", ["Rivers burst banks."], id: "urn:newsml:afp.com:20140829:TX-1:2"), 7)
        #expect(v1 == .new)
        guard case .version(of: 6, reason: .sameItem, _) = v2 else {
            Issue.record("expected a version of 6 by item id, got \(v2)")
            return
        }

        // The checkpoint round trip keeps every decision.
        let restored = try DedupState(decoding: state.encoded())
        #expect(restored.encoded() == state.encoded())
        let probe = DedupFingerprint(article("UPDATE 2-Bahia cocoa review", Self.body), hasher: hasher)
        #expect(restored.verdict(for: probe) == state.verdict(for: probe))
    }
}
