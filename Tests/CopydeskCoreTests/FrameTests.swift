import CopydeskCore
import CopydeskTestSupport
import Testing

@Suite struct FrameTests {
    static func samplePayload() throws -> [UInt8] {
        try RecordCodec.encode(
            JournalRecord(sequence: 7, recordedAt: .epoch, previousHash: .zero, body: RecordFixtures.document(7))
        )
    }

    @Test func layoutAndDecode() throws {
        let payload = try Self.samplePayload()
        let frame = Frame.encode(payload)
        #expect(frame.count == 8 + payload.count)
        #expect(Array(frame[0..<4]) == withUnsafeBytes(of: UInt32(payload.count).littleEndian) { Array($0) })
        #expect(Array(frame[4..<8]) == withUnsafeBytes(of: CRC32C.checksum(payload).littleEndian) { Array($0) })

        let buffer = [0xAA, 0xBB] + frame + Frame.encode([1, 2, 3])
        let first = try Frame.decode(buffer, at: 2)
        #expect(Array(buffer[first.payload]) == payload)
        #expect(first.next == 2 + frame.count)
        let second = try Frame.decode(buffer, at: first.next)
        #expect(Array(buffer[second.payload]) == [1, 2, 3])
        #expect(second.next == buffer.count)
    }

    @Test func everyFlippedPayloadBitIsCaught() throws {
        let frame = Frame.encode(try Self.samplePayload())
        for byte in Frame.headerSize..<frame.count {
            for bit in 0..<8 {
                var damaged = frame
                damaged[byte] ^= 1 << bit
                #expect(throws: FrameError.self) { try Frame.decode(damaged, at: 0) }
                do {
                    _ = try Frame.decode(damaged, at: 0)
                } catch {
                    guard case .corrupt(0, .checksumMismatch) = error else {
                        Issue.record("byte \(byte) bit \(bit): \(error)")
                        continue
                    }
                }
            }
        }
    }

    @Test func shortBuffersAreTorn() throws {
        let frame = Frame.encode(try Self.samplePayload())
        for cut in 0..<frame.count {
            let needed = cut < Frame.headerSize ? Frame.headerSize : frame.count
            #expect(throws: FrameError.torn(offset: 0, needed: needed, available: cut)) {
                try Frame.decode(Array(frame[..<cut]), at: 0)
            }
        }
    }

    @Test func absurdLengthsAreCorruptNotTorn() {
        let zero: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: FrameError.corrupt(offset: 0, reason: .lengthOutOfRange(0))) { try Frame.decode(zero, at: 0) }
        let huge: [UInt8] = [0, 0, 0, 0x40 + 1, 0, 0, 0, 0, 1, 2, 3]
        #expect(throws: FrameError.corrupt(offset: 0, reason: .lengthOutOfRange(0x4100_0000))) {
            try Frame.decode(huge, at: 0)
        }
    }
}
