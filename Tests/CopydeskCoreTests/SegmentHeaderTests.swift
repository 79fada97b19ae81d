import CopydeskCore
import Testing

@Suite struct SegmentHeaderTests {
    let header = SegmentHeader(firstSequence: 1234, chainHash: SHA256.hash(Array("last payload".utf8)))

    @Test func roundTripAndLayout() throws {
        let bytes = header.encoded()
        #expect(bytes.count == SegmentHeader.size)
        #expect(Array(bytes[0..<8]) == SegmentHeader.magic)
        #expect(Array(bytes[8..<12]) == [2, 0, 64, 0])
        #expect(Array(bytes[20..<28]) == [0xD2, 0x04, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[28..<60]) == header.chainHash.bytes)
        #expect(try SegmentHeader.decode(bytes) == header)
        #expect(try SegmentHeader.decode(bytes + [9, 9, 9]) == header)
    }

    @Test func unknownIncompatibleFlagIsRefused() {
        let newer = SegmentHeader(firstSequence: 1, chainHash: .zero, incompatibleFlags: 0x4)
        #expect(throws: SegmentHeaderError.unknownIncompatibleFlags(0x4)) { try SegmentHeader.decode(newer.encoded()) }
    }

    @Test func unknownCompatibleFlagReadsButDoesNotWrite() throws {
        let newer = SegmentHeader(firstSequence: 1, chainHash: .zero, compatibleFlags: 0x10)
        let decoded = try SegmentHeader.decode(newer.encoded())
        #expect(decoded.compatibleFlags == 0x10)
        #expect(throws: SegmentHeaderError.unknownCompatibleFlags(0x10)) { try decoded.checkWritable() }
        #expect(throws: Never.self) { try header.checkWritable() }
    }

    @Test func damageIsNamed() {
        let bytes = header.encoded()
        #expect(throws: SegmentHeaderError.truncated(available: 63)) { try SegmentHeader.decode(Array(bytes[..<63])) }
        var magic = bytes
        magic[2] = UInt8(ascii: "X")
        #expect(throws: SegmentHeaderError.badMagic) { try SegmentHeader.decode(magic) }
        var version = bytes
        version[8] = 3
        #expect(throws: SegmentHeaderError.unsupportedVersion(3)) { try SegmentHeader.decode(version) }
        version[8] = 0
        #expect(throws: SegmentHeaderError.unsupportedVersion(0)) { try SegmentHeader.decode(version) }
        for index in 12..<64 {
            var flipped = bytes
            flipped[index] ^= 0x20
            #expect(throws: SegmentHeaderError.self) { try SegmentHeader.decode(flipped) }
        }
    }

    @Test func fileNames() {
        #expect(SegmentHeader.fileName(firstSequence: 1) == "00000000000000000001.cdj")
        #expect(SegmentHeader.fileName(firstSequence: UInt64.max) == "18446744073709551615.cdj")
        #expect(SegmentHeader.firstSequence(fileName: "00000000000000001234.cdj") == 1234)
        #expect(SegmentHeader.firstSequence(fileName: "00000000000000001234.cdj.tmp") == nil)
        #expect(SegmentHeader.firstSequence(fileName: "0000000000000001234.cdj") == nil)
        #expect(SegmentHeader.firstSequence(fileName: "00000000000000000000.cdj") == nil)
        #expect(SegmentHeader.firstSequence(fileName: "99999999999999999999.cdj") == nil)
        #expect(SegmentHeader.firstSequence(fileName: "LOCK") == nil)
    }
}
