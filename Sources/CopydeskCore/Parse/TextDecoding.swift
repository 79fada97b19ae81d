/// Turns screened bytes into a `String`, strictly: a file that is not valid in a charset Copydesk knows is
/// rejected with the offset of the first bad byte, never silently repaired with U+FFFD, because a repaired
/// story would be stored and deduplicated as if it were what the agency sent.
public enum TextDecoding {
    /// The charsets Copydesk decodes; the raw value is what the journal records as `charset`.
    public enum Charset: String, Sendable, Codable, CaseIterable {
        case utf8 = "utf-8"
        case utf16LE = "utf-16le"
        case utf16BE = "utf-16be"
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
