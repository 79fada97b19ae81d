import CCRC32C

/// CRC-32C (Castagnoli) of a journal frame's payload; hardware-accelerated where the CPU has SSE4.2.
public enum CRC32C {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        copydesk_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
