import CopydeskCore
import CopydeskTestSupport
import Testing

@Suite struct HashChainTests {
    /// Builds `count` records the way the writer does: each links to the SHA-256 of the previous payload.
    static func chain(_ count: Int) throws -> [(record: JournalRecord, payload: [UInt8])] {
        var link = ChainLink.genesis
        var out: [(JournalRecord, [UInt8])] = []
        for body in RecordFixtures.mixed(count) {
            let record = JournalRecord(
                sequence: link.sequence + 1, recordedAt: Timestamp(microseconds: 5), previousHash: link.hash, body: body
            )
            let payload = try RecordCodec.encode(record)
            link = try link.following(record, payload: payload)
            out.append((record, payload))
        }
        return out
    }

    @Test func aWellFormedChainHolds() throws {
        let records = try Self.chain(5)
        #expect(records[0].record.previousHash == .zero)
        var link = ChainLink.genesis
        for (record, payload) in records {
            link = try link.following(record, payload: payload)
        }
        #expect(link.sequence == 5)
        #expect(link.hash == SHA256.hash(records[4].payload))
    }

    @Test func aWrongPreviousHashIsCaught() throws {
        let records = try Self.chain(3)
        let link = ChainLink(sequence: 1, hash: SHA256.hash(records[0].payload))
        var forged = records[1].record
        forged.previousHash = SHA256.hash(Array("something else".utf8))
        #expect(
            throws: ChainError.brokenLink(sequence: 2, expected: link.hash, found: forged.previousHash)
        ) { try link.check(forged) }
        // Changing the earlier record's bytes breaks the link of the next one.
        var tampered = records[0].payload
        tampered[tampered.count - 1] ^= 1
        let tamperedLink = ChainLink(sequence: 1, hash: SHA256.hash(tampered))
        #expect(throws: ChainError.self) { try tamperedLink.check(records[1].record) }
        #expect(throws: Never.self) { try link.check(records[1].record) }
    }

    @Test func aSequenceGapIsCaught() throws {
        let records = try Self.chain(3)
        let link = ChainLink(sequence: 1, hash: SHA256.hash(records[0].payload))
        #expect(throws: ChainError.sequenceGap(expected: 2, found: 3)) { try link.check(records[2].record) }
    }

    @Test func segmentHeaderCarriesTheChain() throws {
        let records = try Self.chain(3)
        let header = SegmentHeader(firstSequence: 3, chainHash: SHA256.hash(records[1].payload))
        #expect(throws: Never.self) { try ChainLink(before: header).check(records[2].record) }
        #expect(ChainLink(before: SegmentHeader(firstSequence: 1, chainHash: .zero)) == .genesis)
    }
}
