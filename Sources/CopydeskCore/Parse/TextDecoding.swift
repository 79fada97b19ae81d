#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns screened bytes into a `String`, strictly: a file that is not valid in a charset Copydesk knows is
/// rejected with the offset of the first bad byte, never silently repaired with U+FFFD, because a repaired
/// story would be stored and deduplicated as if it were what the agency sent.
///
/// The charset is decided in this order (``decode(_:)``), and the one actually used is recorded:
/// 1. **A byte-order mark** is certain: UTF-8, UTF-16LE/BE (UTF-32 is refused).
/// 2. **A declared charset** (``declaredCharset(_:)``): the XML declaration's `encoding=`, else an HTML
///    `<meta charset>` or `http-equiv` content type, in the first 1 KiB.
///    - Declared UTF-8 must be valid UTF-8; if it is not, the file is refused with the offset of the first bad
///      byte: the sender said UTF-8, so anything else is damage, not a different charset.
///    - Declared single-byte (ISO-8859-1, ISO-8859-15, Windows-1252, ASCII): if the bytes are valid UTF-8 *and
///      contain multi-byte sequences*, UTF-8 wins and the declaration is ignored. Feeds that re-encode text
///      without updating the header do this (AFP, PA and others: see the corpus MANIFEST); the reverse mistake
///      is all but impossible, because Latin-1 text only forms valid UTF-8 multi-byte sequences by accident
///      (`Ã©`-like pairs of an accented capital and a symbol, over the whole file), which real text does not do.
///      ASCII-only bytes read the same in either, and are recorded as declared.
///    - ISO-8859-1 (and ASCII) with bytes in 0x80–0x9F is decoded as Windows-1252 and recorded so: those bytes are
///      C1 control characters in Latin-1 and never text, while every sender that writes them means Windows-1252's
///      quotes and dashes (this is also what the WHATWG encoding standard does for the label).
///    - A charset Copydesk does not decode (KOI8-R, Shift_JIS …) is refused by name unless the bytes are valid
///      UTF-8; guessing would mangle the text.
///    - A declaration of UTF-16 in bytes that are readable as ASCII is false on its face and ignored.
/// 3. **No declaration: strict UTF-8**, the default of every current format.
/// 4. **Then Windows-1252**, the charset of nearly all legacy Western files, unless the bytes include one of the
///    five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): then the file is in some other
///    charset and is refused, with the offsets, rather than decoded wrong.
public enum TextDecoding {
    /// The charsets Copydesk decodes; the raw value is what the journal records as `charset`.
    public enum Charset: String, Sendable, Codable, CaseIterable {
        case utf8 = "utf-8"
        case utf16LE = "utf-16le"
        case utf16BE = "utf-16be"
        case windows1252 = "windows-1252"
        case iso88591 = "iso-8859-1"
        case iso885915 = "iso-8859-15"

        /// Whether one byte is one character.
        public var isSingleByte: Bool { self == .windows1252 || self == .iso88591 || self == .iso885915 }

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
            case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9", "csisolatin9", "iso-ir-203":
                self = .iso885915
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
        case .windows1252:
            return .success(Decoded(text: decodeSingleByte(bytes, table: windows1252Upper), charset: charset))
        case .iso88591: return .success(Decoded(text: decodeSingleByte(bytes, table: nil), charset: charset))
        case .iso885915:
            return .success(Decoded(text: decodeSingleByte(bytes, table: iso885915Upper), charset: charset))
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

    /// The bytes Windows-1252 leaves undefined.
    static let windows1252Undefined: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]

    /// 0x80–0xFF of Windows-1252.
    private static let windows1252Upper: [UInt16] = windows1252High + (0xA0...0xFF).map { UInt16($0) }

    /// 0x80–0xFF of ISO-8859-15: Latin-1 with eight letters and the euro sign in place of rarely used symbols.
    private static let iso885915Upper: [UInt16] = (0x80...0xFF).map { byte in
        switch byte {
        case 0xA4: 0x20AC
        case 0xA6: 0x0160
        case 0xA8: 0x0161
        case 0xB4: 0x017D
        case 0xB8: 0x017E
        case 0xBC: 0x0152
        case 0xBD: 0x0153
        case 0xBE: 0x0178
        default: UInt16(byte)
        }
    }

    /// Table-driven: about ten times Foundation's legacy converters here (NOTES-toolchain.md), and never nil.
    /// `table` maps 0x80–0xFF; nil is Latin-1 (the identity).
    private static func decodeSingleByte(_ bytes: [UInt8], table: [UInt16]?) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
                continue
            }
            let scalar: UInt16 = if let table { table[Int(byte - 0x80)] } else { UInt16(byte) }
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

    /// Decodes `bytes` in the order the type's documentation gives: byte-order mark (stripped), declared charset,
    /// strict UTF-8, Windows-1252.
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
            return decodeWithoutMark(bytes)
        }
    }

    /// Steps 2–4 of the order in the type's documentation.
    private static func decodeWithoutMark(_ bytes: [UInt8]) -> Result<Decoded, RejectReason> {
        let utf8 = decodeUTF8(bytes[...], base: 0)
        guard let declaration = declaredCharset(bytes) else {
            if case .success = utf8 { return utf8 }
            return fallback(bytes, utf8Failure: utf8.failureMessage)
        }
        let origin = "declared in the \(declaration.origin.rawValue)"
        switch declaration.charset {
        case .utf8?:
            return utf8.mapError { RejectReason(.undecodable, "\($0.message), but UTF-8 is \(origin)") }
        case let charset? where charset.isSingleByte:
            if case .success = utf8, bytes.contains(where: { $0 >= 0x80 }) { return utf8 }
            let hasC1 = bytes.contains { (0x80...0x9F).contains($0) }
            return decode(bytes, as: charset == .iso88591 && hasC1 ? .windows1252 : charset)
        case .utf16LE?, .utf16BE?:
            if case .success = utf8 { return utf8 }  // A UTF-16 declaration in ASCII-readable bytes is false.
            return fallback(bytes, utf8Failure: utf8.failureMessage)
        case nil
        where ["utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs-4"].contains(declaration.label.lowercased()):
            if case .success = utf8 { return utf8 }  // Likewise any wide charset: its ASCII would have zero bytes.
            return fallback(bytes, utf8Failure: utf8.failureMessage)
        default:
            if case .success = utf8 { return utf8 }
            return .failure(
                RejectReason(
                    .undecodable,
                    "charset '\(declaration.label)' (\(origin)) is not one Copydesk decodes, and the bytes are "
                        + "not UTF-8 (\(utf8.failureMessage ?? "invalid"))"
                ))
        }
    }

    /// Windows-1252 for undeclared bytes that are not UTF-8, unless a byte undefined in Windows-1252 shows the
    /// file is in some other charset.
    private static func fallback(_ bytes: [UInt8], utf8Failure: String?) -> Result<Decoded, RejectReason> {
        if let offset = bytes.firstIndex(where: { windows1252Undefined.contains($0) }) {
            let hex = String(bytes[offset], radix: 16, uppercase: true)
            return .failure(
                RejectReason(
                    .undecodable,
                    "\(utf8Failure ?? "invalid UTF-8"), and not Windows-1252 either (0x\(hex), undefined there, "
                        + "at byte offset \(offset)); no charset declared"
                ))
        }
        return decode(bytes, as: .windows1252)
    }

    /// Where a charset was declared.
    public enum DeclarationOrigin: String, Sendable {
        case xmlDeclaration = "XML declaration"
        case htmlMeta = "HTML meta element"
    }

    /// A charset a file names for itself.
    public struct Declaration: Sendable, Equatable {
        /// The label as written (`ISO-8859-1`).
        public var label: String
        /// The charset it names, or nil for one Copydesk does not decode.
        public var charset: Charset?
        public var origin: DeclarationOrigin

        public init(label: String, charset: Charset?, origin: DeclarationOrigin) {
            self.label = label
            self.charset = charset
            self.origin = origin
        }
    }

    /// How far into a file a declaration is looked for; an HTML `<meta>` must be in the first 1,024 bytes, as in
    /// the WHATWG prescan, and an XML declaration comes first anyway.
    public static let declarationWindow = 1024

    /// The charset a file declares for itself: the `encoding` of an XML declaration at its start, else the
    /// `charset` of an HTML `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">`.
    /// Read from the bytes as ASCII, before any decoding; nil when there is none. (MIME `charset=` parameters
    /// belong to the parts of a message, which its parser decodes one by one with ``decode(_:as:)``.)
    public static func declaredCharset(_ bytes: [UInt8]) -> Declaration? {
        let window = bytes.prefix(declarationWindow)
        // Both declarations start with `<`: most text has none in its first kilobyte.
        let hasTag = window.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { memchr($0, Int32(UInt8(ascii: "<")), buffer.count) != nil } ?? false
        }
        guard hasTag else { return nil }
        var start = window.startIndex
        while start < window.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(window[start]) { start += 1 }
        if window[start...].starts(with: Array("<?xml".utf8)) {
            let end = firstIndex(of: Array("?>".utf8), in: window, from: start) ?? window.endIndex
            if let label = attributeValue(named: "encoding", in: window[start..<end]) {
                return Declaration(label: label, charset: Charset(label: label), origin: .xmlDeclaration)
            }
        }
        var index = window.startIndex
        while let meta = firstIndex(ofCaseInsensitive: "<meta", in: window, from: index) {
            let end = window[meta...].firstIndex(of: UInt8(ascii: ">")) ?? window.endIndex
            if let label = attributeValue(named: "charset", in: window[meta..<end]) {
                return Declaration(label: label, charset: Charset(label: label), origin: .htmlMeta)
            }
            index = end
        }
        return nil
    }

    /// The value after `name` `=` (optionally quoted), case-insensitively, in an ASCII byte range.
    private static func attributeValue(named name: String, in bytes: ArraySlice<UInt8>) -> String? {
        var index = bytes.startIndex
        while let found = firstIndex(ofCaseInsensitive: name, in: bytes, from: index) {
            var position = found + name.utf8.count
            index = position
            while position < bytes.endIndex, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
            guard position < bytes.endIndex, bytes[position] == UInt8(ascii: "=") else { continue }
            position += 1
            while position < bytes.endIndex, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
            if position < bytes.endIndex, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'")
            {
                position += 1
            }
            let valueStart = position
            while position < bytes.endIndex, isLabelByte(bytes[position]) { position += 1 }
            if position > valueStart { return String(decoding: bytes[valueStart..<position], as: UTF8.self) }
        }
        return nil
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ":")
    }

    private static func firstIndex(of needle: [UInt8], in bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.endIndex - needle.count >= start else { return nil }
        for index in start...(bytes.endIndex - needle.count)
        where bytes[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    private static func firstIndex(ofCaseInsensitive needle: String, in bytes: ArraySlice<UInt8>, from start: Int)
        -> Int?
    {
        let lower = Array(needle.lowercased().utf8)
        guard bytes.endIndex - lower.count >= start else { return nil }
        for index in start...(bytes.endIndex - lower.count) {
            var matched = true
            for (offset, expected) in lower.enumerated() {
                var byte = bytes[index + offset]
                if (0x41...0x5A).contains(byte) { byte += 0x20 }
                if byte != expected {
                    matched = false
                    break
                }
            }
            if matched { return index }
        }
        return nil
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

extension Result where Failure == RejectReason {
    /// The reason's message, if this is a failure.
    fileprivate var failureMessage: String? {
        if case .failure(let reason) = self { return reason.message }
        return nil
    }
}
