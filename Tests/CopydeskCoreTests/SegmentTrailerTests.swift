import CopydeskCore
import Testing

@Suite struct SegmentTrailerTests {
    let trailer = SegmentTrailer(
        recordCount: 3, firstSequence: 1234, lastSequence: 1236,
        lastRecordedAt: Timestamp(microseconds: 1_767_225_600_123_456), offset: 9000,
        chainHash: SHA256.hash(Array("last payload".utf8))
    )

    @Test func roundTripAndLayout() throws {
        let bytes = trailer.encoded()
        #expect(bytes.count == SegmentTrailer.size)
        #expect(Array(bytes[0..<8]) == SegmentTrailer.magic)
        #expect(Array(bytes[8..<16]) == [3, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[16..<24]) == [0xD2, 0x04, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[40..<48]) == [0x28, 0x23, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[48..<80]) == trailer.chainHash.bytes)
        #expect(Array(bytes[80..<84]) == [0, 0, 0, 0])
        #expect(try SegmentTrailer.decode(bytes) == trailer)
    }

    /// A frame walk that reaches the trailer must see an impossible length, never a record.
    @Test func itsFirstBytesAreNotAFrameLength() {
        let bytes = trailer.encoded()
        #expect(throws: FrameError.corrupt(offset: 0, reason: .lengthOutOfRange(0x534A_4443))) {
            try Frame.decodeHeader(bytes.withUnsafeBytes { UnsafeRawBufferPointer($0) }, at: 0)
        }
    }

    @Test func damageIsNamed() {
        let bytes = trailer.encoded()
        #expect(throws: SegmentTrailerError.wrongSize(87)) { try SegmentTrailer.decode(Array(bytes.dropLast())) }
        #expect(throws: SegmentTrailerError.wrongSize(89)) { try SegmentTrailer.decode(bytes + [0]) }
        var magic = bytes
        magic[3] = UInt8(ascii: "X")
        #expect(throws: SegmentTrailerError.badMagic) { try SegmentTrailer.decode(magic) }
        for index in 8..<SegmentTrailer.size {
            var flipped = bytes
            flipped[index] ^= 0x01
            #expect(throws: SegmentTrailerError.self) { try SegmentTrailer.decode(flipped) }
        }
        var inconsistent = trailer
        inconsistent.recordCount = 4
        #expect(throws: SegmentTrailerError.inconsistent) { try SegmentTrailer.decode(inconsistent.encoded()) }
        inconsistent = trailer
        inconsistent.offset = 10
        #expect(throws: SegmentTrailerError.inconsistent) { try SegmentTrailer.decode(inconsistent.encoded()) }
    }

    @Test func onlyFormatTwoSegmentsAreSealable() throws {
        #expect(SegmentHeader(firstSequence: 1, chainHash: .zero).isSealable)
        let old = try SegmentHeader.decode(SegmentHeader(firstSequence: 1, chainHash: .zero, version: 1).encoded())
        #expect(old.version == 1)
        #expect(!old.isSealable)
    }
}
