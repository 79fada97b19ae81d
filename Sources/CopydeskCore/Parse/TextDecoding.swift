/// Turns screened bytes into a `String`, strictly: a file that is not valid in a charset Copydesk knows is
/// rejected with the offset of the first bad byte, never silently repaired with U+FFFD, because a repaired
/// story would be stored and deduplicated as if it were what the agency sent.
public enum TextDecoding {
    /// The charsets Copydesk decodes; the raw value is what the journal records as `charset`.
    public enum Charset: String, Sendable, Codable, CaseIterable {
        case utf8 = "utf-8"
        case utf16LE = "utf-16le"
        case utf16BE = "utf-16be"
        case windows1252 = "windows-1252"
        case iso88591 = "iso-8859-1"

        /// The charset a declaration names (XML `encoding=`, HTML `meta charset`, MIME `charset=`), by the
        /// common labels; nil for one Copydesk does not decode.
        public init?(label: String) {
            let key = String(label.lowercased().filter { !$0.isWhitespace && $0 != "\"" && $0 != "'" })
            switch key {
            case "utf-8", "utf8", "unicode-1-1-utf-8": self = .utf8
            case "utf-16le": self = .utf16LE
            case "utf-16be": self = .utf16BE
            case "windows-1252", "cp1252", "x-cp1252", "cp-1252", "win-1252": self = .windows1252
            case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819", "ibm819",
                "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us":
                // ASCII is a subset; Latin-1 decodes every byte, so an "ASCII" file with a stray 8-bit byte
                // still decodes instead of being refused on a technicality.
                self = .iso88591
            default: return nil
            }
        }
    }

    /// Decodes `bytes` (no byte-order mark) as `charset`. The single-byte charsets never fail; UTF-8 and
    /// UTF-16 fail with the offset of the first invalid byte.
    public static func decode(_ bytes: [UInt8], as charset: Charset) -> Result<Decoded, RejectReason> {
        switch charset {
        case .utf8: return decodeUTF8(bytes[...], base: 0)
        case .utf16LE: return decodeUTF16(bytes, bigEndian: false)
        case .utf16BE: return decodeUTF16(bytes, bigEndian: true)
        case .windows1252: return .success(Decoded(text: decodeSingleByte(bytes, table: windows1252High), charset: charset))
        case .iso88591: return .success(Decoded(text: decodeSingleByte(bytes, table: nil), charset: charset))
        }
    }

    /// Windows-1252's 0x80–0x9F (the rest of its upper half is Latin-1). The five undefined bytes map to the C1
    /// controls of the same value, as the WHATWG encoding standard does.
    private static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Table-driven: about ten times Foundation's legacy converters here (NOTES-toolchain.md), and never nil.
    private static func decodeSingleByte(_ bytes: [UInt8], table: [UInt16]?) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
                continue
            }
            let scalar: UInt16 = if let table, byte < 0xA0 { table[Int(byte - 0x80)] } else { UInt16(byte) }
            if scalar < 0x800 {
                out.append(UInt8(0xC0 | (scalar >> 6)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (scalar >> 12)))
                out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decoded text and the charset it came from. A byte-order mark is not part of `text`.
    public struct Decoded: Sendable, Equatable {
        public var text: String
        public var charset: Charset

        public init(text: String, charset: Charset) {
            self.text = text
            self.charset = charset
        }
    }

    /// Decodes `bytes`: a UTF-8 byte-order mark is stripped; UTF-16 with a byte-order mark is decoded in its
    /// byte order; everything else must be valid UTF-8.
    public static func decode(_ bytes: [UInt8]) -> Result<Decoded, RejectReason> {
        switch ByteOrderMark.detect(bytes) {
        case .utf8:
            return decodeUTF8(bytes[3...], base: 3)
        case .utf16LE:
            return decodeUTF16(bytes, bigEndian: false)
        case .utf16BE:
            return decodeUTF16(bytes, bigEndian: true)
        case .utf32LE, .utf32BE:
            return .failure(RejectReason(.undecodable, "UTF-32 byte-order mark: UTF-32 is not supported"))
        case nil:
            // Seam for the formats issue: before giving up on invalid UTF-8, honour a declared charset
            // (XML `encoding=`, HTML `<meta charset>`, MIME `charset=`) and fall back to Windows-1252,
            // adding its case to `Charset`. Until then, anything but UTF-8 is undecodable.
            return decodeUTF8(bytes[...], base: 0)
        }
    }

    private static func decodeUTF8(_ bytes: ArraySlice<UInt8>, base: Int) -> Result<Decoded, RejectReason> {
        if let text = String(validating: bytes, as: UTF8.self) { return .success(Decoded(text: text, charset: .utf8)) }
        guard let index = firstInvalidUnit(bytes, parser: Unicode.UTF8.ForwardParser()) else {
            return .failure(RejectReason(.undecodable, "invalid UTF-8"))
        }
        let offset = base + index
        let byte = bytes[bytes.startIndex + index]
        let hex = String(byte, radix: 16, uppercase: true)
        return .failure(RejectReason(.undecodable, "invalid UTF-8 at byte offset \(offset) (0x\(hex))"))
    }

    private static func decodeUTF16(_ bytes: [UInt8], bigEndian: Bool) -> Result<Decoded, RejectReason> {
        let name = bigEndian ? "UTF-16BE" : "UTF-16LE"
        if bytes.count % 2 != 0 {
            return .failure(RejectReason(.undecodable, "\(name) with an odd number of bytes (\(bytes.count))"))
        }
        let units = ByteOrderMark.utf16Units(bytes, bigEndian: bigEndian)
        if let text = String(validating: units, as: UTF16.self) {
            return .success(Decoded(text: text, charset: bigEndian ? .utf16BE : .utf16LE))
        }
        guard let index = firstInvalidUnit(units, parser: Unicode.UTF16.ForwardParser()) else {
            return .failure(RejectReason(.undecodable, "invalid \(name)"))
        }
        let hex = String(units[index], radix: 16, uppercase: true)
        return .failure(
            RejectReason(.undecodable, "invalid \(name) at byte offset \(2 + index * 2) (unpaired surrogate 0x\(hex))")
        )
    }

    /// Index of the code unit where the first ill-formed sequence starts, or nil if there is none.
    static func firstInvalidUnit<P: Unicode.Parser, S: Sequence>(_ units: S, parser: P) -> Int?
    where S.Element == P.Encoding.CodeUnit {
        var parser = parser
        var iterator = units.makeIterator()
        var index = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): index += scalar.count
            case .emptyInput: return nil
            case .error: return index
            }
        }
    }
}
