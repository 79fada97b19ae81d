import CCRC32C

/// CRC-32C (Castagnoli) of a journal frame's payload; hardware-accelerated where the CPU has SSE4.2.
public enum CRC32C {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        copydesk_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }

    /// The table-driven path alone, whatever the CPU has; for tests that compare it with the hardware path.
    public static func portableChecksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { copydesk_crc32c_portable(crc, $0.baseAddress, $0.count) }
    }

    /// Whether ``checksum(_:continuing:)`` uses the SSE4.2 instruction.
    public static var isHardwareAccelerated: Bool { copydesk_crc32c_hardware_available() != 0 }
}
