import CopydeskCore
import Testing

@Suite struct DedupCodecTests {
    private func buildIndex(seed: UInt64, count: Int) -> (NearDuplicateIndex, [String]) {
        var synthetic = SyntheticText(seed: seed)
        var index = NearDuplicateIndex(configuration: .init(capacity: 64, firstGeneration: 8))
        var texts: [String] = []
        for sequence in 1...count {
            let text = synthetic.words(120).text
            texts.append(text)
            index.insert(MinHasher().signature(of: text), sequence: UInt64(sequence * 3))
        }
        return (index, texts)
    }

    @Test func nearDuplicateIndexRoundTrips() throws {
        let (index, texts) = buildIndex(seed: 4, count: 50)
        let decoded = try NearDuplicateIndex(decoding: index.encoded())
        #expect(decoded == index)
        #expect(decoded.encoded() == index.encoded())
        for text in texts.suffix(10) {
            let signature = MinHasher().signature(of: text)
            #expect(decoded.query(signature) == index.query(signature))
        }
    }

    /// Same inserts, same bytes: the index carries no process-dependent state (no hashing seeds, no clock).
    @Test func buildingIsDeterministic() {
        #expect(buildIndex(seed: 4, count: 50).0.encoded() == buildIndex(seed: 4, count: 50).0.encoded())
        #expect(buildIndex(seed: 4, count: 50).0.encoded() != buildIndex(seed: 5, count: 50).0.encoded())
    }

    @Test func refusesDamagedInput() {
        let bytes = buildIndex(seed: 4, count: 20).0.encoded()
        #expect(throws: DedupCodecError.badMagic) { try NearDuplicateIndex(decoding: [0x00] + bytes.dropFirst()) }
        #expect(throws: DedupCodecError.self) { try NearDuplicateIndex(decoding: Array(bytes.dropLast(5))) }
        var newer = bytes
        newer[5] = 9
        #expect(throws: DedupCodecError.unsupportedVersion(9)) { try NearDuplicateIndex(decoding: newer) }
        #expect(throws: DedupCodecError.wrongKind(expected: 2, found: 1)) { try DigestIndex(decoding: bytes) }
        // A huge length field fails as truncated input, without trying to allocate it.
        var lying = DigestIndex().encoded()
        lying.replaceSubrange(7..<15, with: [UInt8](repeating: 0xFF, count: 8))
        #expect(throws: DedupCodecError.self) { try DigestIndex(decoding: lying) }
    }

    @Test func digestIndexRoundTrips() throws {
        var index = DigestIndex()
        for n in 0..<100 { index.insert(Normalize.digest(headline: "h\(n)", body: ["b"]), sequence: UInt64(n)) }
        let bytes = index.encoded()
        #expect(try DigestIndex(decoding: bytes) == index)
        #expect(try DigestIndex(decoding: bytes).encoded() == bytes)
    }

    /// A clusterer restored from its encoding carries on exactly as the original would have.
    @Test func storyClustererRoundTripsAndCarriesOn() throws {
        var synthetic = SyntheticText(seed: 6)
        let events = (0..<5).map { _ in synthetic.words(30) }
        var texts: [String] = []
        for n in 0..<60 { texts.append(synthetic.edited(events[n % 5], edits: 12).text) }
        var original = StoryClusterer()
        for (n, text) in texts.prefix(30).enumerated() {
            _ = original.add(sequence: UInt64(n + 1), text: text, at: Timestamp(microseconds: Int64(n) * 60_000_000))
        }
        var restored = try StoryClusterer(decoding: original.encoded())
        #expect(restored.encoded() == original.encoded())
        for (n, text) in texts.enumerated().dropFirst(30) {
            let time = Timestamp(microseconds: Int64(n) * 60_000_000)
            #expect(restored.add(sequence: UInt64(n + 1), text: text, at: time)
                == original.add(sequence: UInt64(n + 1), text: text, at: time))
        }
        #expect(restored.openStories == original.openStories)
    }
}
