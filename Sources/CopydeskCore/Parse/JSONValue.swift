/// A JSON document as a value, read by a small hand-written reader rather than Foundation's.
///
/// Why not `JSONSerialization`: it lives in full Foundation (the core prefers FoundationEssentials), and
/// `JSONDecoder` into a recursive enum recurses once per nesting level with no limit of ours. This reader
/// refuses nesting deeper than ``JSONValue/maxDepth`` with a reason, keeps object members in file order
/// (so "the first body" means the first in the file), and never traps on any input.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written (`6`, `3.5e2`): ninjs versions are sometimes numbers, sometimes strings, and the
    /// literal is what the agency sent.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order; a repeated key keeps every occurrence, ``subscript(_:)`` finds the first.
    case object([(key: String, value: JSONValue)])

    /// Deeper nesting than this is refused: no news item needs it, and a hostile file could use it.
    public static let maxDepth = 64

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// The first member called `key`, if this is an object.
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A string, or a number or boolean written as text; nil for anything else or an empty string.
    public var text: String? {
        switch self {
        case .string(let value): value.isEmpty ? nil : value
        case .number(let literal): literal
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    /// An integer number, or a string holding one.
    public var integer: Int? {
        switch self {
        case .number(let literal):
            Int(literal) ?? Double(literal).flatMap { $0.isFinite && abs($0) < 1e15 ? Int($0) : nil }
        case .string(let value): Int(value.trimmingSpaces)
        default: nil
        }
    }

    public var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var members: [(key: String, value: JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Parses UTF-8 JSON text.
    public static func parse(_ text: String) -> Result<JSONValue, RejectReason> {
        var reader = Reader(bytes: Array(text.utf8))
        do throws(Reader.Failure) {
            reader.skipWhitespace()
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.atEnd else { throw Reader.Failure(offset: reader.offset, "text after the JSON value") }
            return .success(value)
        } catch {
            return .failure(RejectReason(.unparsable, "invalid JSON at byte \(error.offset): \(error.message)"))
        }
    }

    private struct Reader {
        struct Failure: Error {
            var offset: Int
            var message: String
            init(offset: Int, _ message: String) {
                self.offset = offset
                self.message = message
            }
        }

        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset >= bytes.count }

        mutating func skipWhitespace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

        mutating func expect(_ literal: String) throws(Failure) {
            for byte in literal.utf8 {
                guard offset < bytes.count, bytes[offset] == byte else {
                    throw Failure(offset: offset, "expected \(literal)")
                }
                offset += 1
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard let byte = peek() else { throw Failure(offset: offset, "unexpected end") }
            switch byte {
            case UInt8(ascii: "{"):
                guard depth < JSONValue.maxDepth else {
                    throw Failure(offset: offset, "nested deeper than \(JSONValue.maxDepth) levels")
                }
                return try object(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < JSONValue.maxDepth else {
                    throw Failure(offset: offset, "nested deeper than \(JSONValue.maxDepth) levels")
                }
                return try array(depth: depth + 1)
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .number(try number())
            default:
                throw Failure(offset: offset, "unexpected character")
            }
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            offset += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw Failure(offset: offset, "expected a member name") }
                let key = try string()
                skipWhitespace()
                try expect(":")
                skipWhitespace()
                members.append((key, try value(depth: depth)))
                skipWhitespace()
                guard let next = peek() else { throw Failure(offset: offset, "unterminated object") }
                offset += 1
                if next == UInt8(ascii: "}") { return .object(members) }
                guard next == UInt8(ascii: ",") else { throw Failure(offset: offset - 1, "expected , or }") }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            offset += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                offset += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                guard let next = peek() else { throw Failure(offset: offset, "unterminated array") }
                offset += 1
                if next == UInt8(ascii: "]") { return .array(items) }
                guard next == UInt8(ascii: ",") else { throw Failure(offset: offset - 1, "expected , or ]") }
            }
        }

        mutating func number() throws(Failure) -> String {
            let start = offset
            if peek() == UInt8(ascii: "-") { offset += 1 }
            var digits = 0
            while let byte = peek(), byte >= 0x30 && byte <= 0x39 || "+-.eE".utf8.contains(byte) {
                offset += 1
                digits += 1
            }
            guard digits > 0 else { throw Failure(offset: start, "invalid number") }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        /// A string; raw control characters are tolerated (some feeds put raw line breaks in strings), a lone
        /// surrogate escape becomes U+FFFD.
        mutating func string() throws(Failure) -> String {
            let start = offset
            offset += 1
            var out: [UInt8] = []
            var pendingHigh: UInt32?
            func appendScalar(_ value: UInt32) {
                let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            while true {
                guard offset < bytes.count else { throw Failure(offset: start, "unterminated string") }
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "\"") {
                    if pendingHigh != nil { appendScalar(0xFFFD) }
                    return String(decoding: out, as: UTF8.self)
                }
                guard byte == UInt8(ascii: "\\") else {
                    if pendingHigh != nil {
                        appendScalar(0xFFFD)
                        pendingHigh = nil
                    }
                    out.append(byte)
                    continue
                }
                guard offset < bytes.count else { throw Failure(offset: start, "unterminated string") }
                let escape = bytes[offset]
                offset += 1
                if escape == UInt8(ascii: "u") {
                    guard offset + 4 <= bytes.count,
                        let unit = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
                    else { throw Failure(offset: offset, "invalid \\u escape") }
                    offset += 4
                    if (0xD800...0xDBFF).contains(unit) {
                        if pendingHigh != nil { appendScalar(0xFFFD) }
                        pendingHigh = unit
                    } else if (0xDC00...0xDFFF).contains(unit) {
                        if let high = pendingHigh {
                            appendScalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00))
                            pendingHigh = nil
                        } else {
                            appendScalar(0xFFFD)
                        }
                    } else {
                        if pendingHigh != nil {
                            appendScalar(0xFFFD)
                            pendingHigh = nil
                        }
                        appendScalar(unit)
                    }
                    continue
                }
                if pendingHigh != nil {
                    appendScalar(0xFFFD)
                    pendingHigh = nil
                }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                default: throw Failure(offset: offset - 1, "invalid escape")
                }
            }
        }
    }
}

extension String {
    /// Without leading and trailing whitespace (Unicode whitespace, so no-break spaces go too).
    var trimmingSpaces: String {
        // On the UTF-8 bytes: `unicodeScalars` with `properties.isWhitespace` cost tens of nanoseconds a scalar.
        TextScan.withUTF8(self) { bytes -> String in
            let kept = TextScan.trimmedRange(bytes)
            if kept.isEmpty { return "" }
            if kept.count == bytes.count { return self }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[kept]), as: UTF8.self)
        }
    }

    /// Runs of whitespace as one space, trimmed. Works on scalars, not characters: this runs over every
    /// paragraph of every page, and grapheme breaking is the expensive part of `split(whereSeparator:)`.
    var collapsingSpaces: String {
        TextScan.withUTF8(self) { bytes -> String in
            // Nothing to do, the usual case for a line: no leading, trailing or doubled whitespace, no
            // whitespace but the space.
            var clean = true
            var previousSpace = true
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    let space = byte == 0x20
                    if space ? previousSpace : (0x09...0x0D).contains(byte) {
                        clean = false
                        break
                    }
                    previousSpace = space
                    index += 1
                } else {
                    let (value, length) = TextScan.scalar(at: index, in: bytes)
                    if TextScan.isWhitespace(value) {
                        clean = false
                        break
                    }
                    previousSpace = false
                    index += length
                }
            }
            if clean && (!previousSpace || bytes.isEmpty) { return self }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let value: UInt32
                let length: Int
                if byte < 0x80 {
                    (value, length) = (UInt32(byte), 1)
                } else {
                    (value, length) = TextScan.scalar(at: index, in: bytes)
                }
                if TextScan.isWhitespace(value) {
                    pendingSpace = !out.isEmpty
                } else {
                    if pendingSpace { out.append(0x20) }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]))
                    pendingSpace = false
                }
                index += length
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
