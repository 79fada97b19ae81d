import CopydeskCore
import Testing

@Suite struct CRC32CTests {
    // Known vectors: RFC 3720 appendix B.4 (iSCSI) and the classic check value.
    @Test(arguments: [
        (Array("123456789".utf8), UInt32(0xE306_9283)),
        ([UInt8](), UInt32(0)),
        ([UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ([UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
        ((0..<32).map { UInt8($0) }, UInt32(0x46DD_794E)),
        ((0..<32).map { UInt8(31 - $0) }, UInt32(0x113F_DB5C)),
    ])
    func knownVectors(bytes: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(bytes) == expected)
        #expect(CRC32C.portableChecksum(bytes) == expected)
    }

    @Test func continuationEqualsWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let whole = CRC32C.checksum(bytes)
        for cut in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let first = CRC32C.checksum(Array(bytes[..<cut]))
            #expect(CRC32C.checksum(Array(bytes[cut...]), continuing: first) == whole, "cut at \(cut)")
            let portableFirst = CRC32C.portableChecksum(Array(bytes[..<cut]))
            #expect(CRC32C.portableChecksum(Array(bytes[cut...]), continuing: portableFirst) == whole, "cut at \(cut)")
        }
    }

    @Test func hardwareAndPortableAgreeOnRandomData() {
        var generator = SystemRandomNumberGenerator()
        for length in [1, 3, 8, 15, 16, 63, 64, 100, 4096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Offsets 0..<8 exercise both paths' unaligned heads.
            for start in 0..<min(8, length) {
                let slice = Array(bytes[start...])
                #expect(CRC32C.checksum(slice) == CRC32C.portableChecksum(slice), "length \(length) start \(start)")
            }
        }
    }

    @Test func thisMachineUsesTheHardwarePath() {
        // Every x86-64 CPU this project targets has SSE4.2; if this fails, the dispatch is broken, not the CPU.
        #if arch(x86_64)
        #expect(CRC32C.isHardwareAccelerated)
        #endif
    }
}
