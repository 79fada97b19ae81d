import CCrypto

/// A SHA-256 digest: the exact-duplicate key of a document and a link of the journal's hash chain.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible {
    public static let byteCount = 32
    /// The chain hash before the first record of a journal.
    public static let zero = Digest(unchecked: [UInt8](repeating: 0, count: 32))

    public let bytes: [UInt8]

    /// Returns nil unless `bytes` holds exactly 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Parses 64 hexadecimal digits.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let hi = Self.nibble(utf8[index]), let lo = Self.nibble(utf8[index + 1]) else { return nil }
            out.append(hi << 4 | lo)
            index += 2
        }
        self.bytes = out
    }

    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let digest = Digest(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a SHA-256 hex digest")
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// SHA-256 through OpenSSL's libcrypto: as fast as swift-crypto (the SHA extensions where the CPU has them) and costs
/// no build time.
public enum SHA256 {
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        digest { _ = SHA256_Update(&$0, bytes.baseAddress, bytes.count) }
    }

    public static func hash(_ bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// SHA-256 over the concatenation of the parts, without copying them together.
    public static func hash(_ parts: [UInt8]...) -> Digest {
        digest { context in
            for part in parts { part.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) } }
        }
    }

    // Init/Update/Final rather than the one-call `SHA256()`: in OpenSSL 3 that one fetches the digest through EVP on
    // every call (a lock and an allocation), ≈ 0.5 µs each, and every file is hashed three times.
    @inline(__always)
    private static func digest(_ feed: (inout SHA256_CTX) -> Void) -> Digest {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        feed(&context)
        var out = [UInt8](repeating: 0, count: Digest.byteCount)
        out.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, &context) }
        return Digest(unchecked: out)
    }
}
