/// A byte-order mark at the start of a file: the one charset signal that is certain, so both
/// ``Screening`` (which must not mistake UTF-16's zero bytes for binary) and ``TextDecoding`` read it.
enum ByteOrderMark: Sendable, Equatable {
    case utf8
    case utf16LE
    case utf16BE
    case utf32LE
    case utf32BE

    /// The mark `bytes` start with, if any. UTF-32 is tested first: its little-endian mark begins with
    /// UTF-16's.
    static func detect(_ bytes: [UInt8]) -> ByteOrderMark? {
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return .utf32LE }
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return .utf32BE }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        if bytes.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if bytes.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        return nil
    }

    /// Length of the mark in bytes.
    var length: Int {
        switch self {
        case .utf8: 3
        case .utf16LE, .utf16BE: 2
        case .utf32LE, .utf32BE: 4
        }
    }

    /// The UTF-16 code units after the mark; a trailing odd byte is ignored (the decoder rejects it).
    static func utf16Units(_ bytes: [UInt8], bigEndian: Bool) -> [UInt16] {
        let pairs = (bytes.count - 2) / 2
        var units: [UInt16] = []
        units.reserveCapacity(max(pairs, 0))
        var index = 2
        while index + 1 < bytes.count {
            let first = UInt16(bytes[index]), second = UInt16(bytes[index + 1])
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        return units
    }
}
