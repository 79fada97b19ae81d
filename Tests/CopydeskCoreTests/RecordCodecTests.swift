import CopydeskCore
import CopydeskTestSupport
import Testing

@Suite struct RecordCodecTests {
    static let bodies: [RecordBody] = [
        RecordFixtures.document(1), RecordFixtures.document(6, rawSize: 5000), RecordFixtures.duplicate(2, of: 1),
        RecordFixtures.rejected(3),
    ]

    @Test(arguments: bodies)
    func roundTrip(body: RecordBody) throws {
        let record = JournalRecord(
            sequence: 42, recordedAt: Timestamp(microseconds: 1_767_225_600_123_456),
            previousHash: SHA256.hash(Array("previous".utf8)), body: body
        )
        let payload = try RecordCodec.encode(record)
        #expect(payload[0] == RecordCodec.payloadVersion)
        #expect(payload[1] == body.kind.rawValue)
        let decoded = try RecordCodec.decode(payload)
        #expect(decoded == record)
        // Deterministic: the same record always encodes to the same bytes (sorted keys), so hashes are stable.
        #expect(try RecordCodec.encode(decoded) == payload)
    }

    @Test func rawBytesTravelOutsideTheJSONAsIs() throws {
        guard case .document(let document) = RecordFixtures.document(7) else {
            Issue.record("not a document")
            return
        }
        #expect(document.raw.contains(0))
        let payload = try RecordCodec.encode(
            JournalRecord(
                sequence: 1, recordedAt: .epoch, previousHash: .zero,
                body: .document(document)))
        #expect(Array(payload.suffix(document.raw.count)) == document.raw)
        let rawLength = payload[payload.count - document.raw.count - 4..<payload.count - document.raw.count]
        #expect(Array(rawLength) == withUnsafeBytes(of: UInt32(document.raw.count).littleEndian) { Array($0) })
    }

    @Test func headerFieldsAreAtTheirDocumentedOffsets() throws {
        let record = JournalRecord(
            sequence: 0x0102_0304_0506_0708, recordedAt: Timestamp(microseconds: -2), previousHash: .zero,
            body: RecordFixtures.rejected(1)
        )
        let payload = try RecordCodec.encode(record)
        #expect(Array(payload[0..<4]) == [1, 3, 0, 0])
        #expect(Array(payload[4..<12]) == [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(Array(payload[12..<20]) == [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(Array(payload[20..<52]) == Digest.zero.bytes)
        let header = try payload.withUnsafeBytes { try RecordCodec.PayloadHeader.decode($0) }
        #expect(
            header.sequence == record.sequence && header.kind == .rejected && header.recordedAt == record.recordedAt)
        // Metadata is JSON with sorted keys; rejected records carry no raw bytes.
        let metadataLength = Int(payload[52]) | Int(payload[53]) << 8 | Int(payload[54]) << 16 | Int(payload[55]) << 24
        let json = String(decoding: payload[56..<56 + metadataLength], as: UTF8.self)
        #expect(json.hasPrefix("{\"arrival\":{\"claim\":\"1-claim.txt\",\"file\""))
        #expect(!json.contains("channel"))  // nil optionals are left out
        #expect(Array(payload.suffix(4)) == [0, 0, 0, 0])
    }

    @Test func rejectsWhatItDoesNotKnow() throws {
        let payload = try RecordCodec.encode(
            JournalRecord(
                sequence: 1, recordedAt: .epoch, previousHash: .zero, body: RecordFixtures.duplicate(1, of: 1))
        )
        var newer = payload
        newer[0] = 2
        #expect(throws: RecordCodecError.unsupportedVersion(2)) { try RecordCodec.decode(newer) }
        var unknownKind = payload
        unknownKind[1] = 9
        #expect(throws: RecordCodecError.unknownKind(9)) { try RecordCodec.decode(unknownKind) }
        var flagged = payload
        flagged[3] = 0x80
        #expect(throws: RecordCodecError.unknownFlags(0x8000)) { try RecordCodec.decode(flagged) }
        #expect(throws: RecordCodecError.trailingBytes(1)) { try RecordCodec.decode(payload + [0]) }
        #expect(throws: RecordCodecError.truncated(needed: 52, available: 51)) {
            try RecordCodec.decode(Array(payload[..<51]))
        }
        #expect(throws: RecordCodecError.self) { try RecordCodec.decode(Array(payload.dropLast())) }
    }
}
