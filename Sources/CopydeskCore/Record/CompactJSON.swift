#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JSON for a record's metadata, byte for byte what `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]`
/// writes on Linux — keys sorted by their UTF-8 bytes; `"`, `\` and control characters escaped (`\n`, `\u001f` …),
/// nothing else; integers in decimal; absent optionals left out — at a fraction of its cost.
///
/// Why: encoding the metadata with `JSONEncoder` took most of the CPU time of a journal append (about 25 µs of
/// 35 µs per 3 KiB record), which capped a 512-record group commit far below what the disk does. The format does not
/// change: the bytes are the same, and `RecordCodecTests` compares them with `JSONEncoder`'s for every record kind.
///
/// It is a general `Encoder`, so fields added to ``Article`` or ``Arrival`` later are encoded without touching this
/// file. Coding paths are not tracked (they only name the place of an encoding error, and allocating one per value
/// cost more than the rest). What it does not do exactly as `JSONEncoder` (floating-point numbers, `Date`, `Data`, `URL`, `Decimal`,
/// which `JSONEncoder` special-cases) throws ``Unsupported``, and ``RecordCodec`` then uses `JSONEncoder` itself.
enum CompactJSON {
    struct Unsupported: Error {
        var type: String
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = Node()
        try Self.encode(value, into: root, path: [])
        var out: [UInt8] = []
        out.reserveCapacity(root.estimatedSize)
        root.write(into: &out)
        return out
    }

    fileprivate static func encode<T: Encodable>(_ value: T, into node: Node, path: [any CodingKey]) throws {
        // Strings (most values) straight in, without their own encode(to:) and a container; metatype checks, not
        // casts, because this runs for every value.
        if T.self == String.self {
            node.setString(unsafeBitCast(value, to: String.self))
            return
        }
        // Types JSONEncoder encodes its own way (by strategy), which this encoder does not imitate.
        if T.self is any BinaryFloatingPoint.Type || T.self == Date.self || T.self == Data.self || T.self == URL.self
            || T.self == Decimal.self {
            throw Unsupported(type: String(describing: T.self))
        }
        try value.encode(to: NodeEncoder(node: node, codingPath: path))
    }

    fileprivate static func number<N: BinaryInteger & CustomStringConvertible>(_ value: N) -> [UInt8] {
        Array(value.description.utf8)
    }
}

/// One JSON value being built: a scalar's bytes, an object's members or an array's elements. A class, because the
/// containers an `Encoder` hands out must all write into the same value.
private final class Node {
    enum Shape { case empty, scalar, object, array }

    var shape = Shape.empty
    var scalar: [UInt8] = []
    var keys: [String] = []
    var children: [Node] = []

    func setScalar(_ bytes: [UInt8]) {
        shape = .scalar
        scalar = bytes
    }

    func setString(_ string: String) {
        shape = .scalar
        scalar = []
        scalar.reserveCapacity(string.utf8.count + 2)
        Node.appendQuoted(string, to: &scalar)
    }

    /// A new member `key`. A key encoded twice keeps its last value, as in `JSONEncoder`'s dictionary (settled
    /// when writing, so adding stays cheap).
    func member(_ key: String) -> Node {
        shape = .object
        let child = Node()
        keys.append(key)
        children.append(child)
        return child
    }

    func element() -> Node {
        shape = .array
        let child = Node()
        children.append(child)
        return child
    }

    var estimatedSize: Int {
        switch shape {
        case .empty: 2
        case .scalar: scalar.count
        case .object: 2 + zip(keys, children).reduce(0) { $0 + $1.0.utf8.count + 4 + $1.1.estimatedSize }
        case .array: 2 + children.reduce(0) { $0 + 1 + $1.estimatedSize }
        }
    }

    func write(into out: inout [UInt8]) {
        switch shape {
        case .empty:
            // A value that asked for no container at all: JSONEncoder writes an empty object.
            out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .scalar:
            out.append(contentsOf: scalar)
        case .object:
            out.append(UInt8(ascii: "{"))
            let order = keys.indices.sorted {
                keys[$0] == keys[$1] ? $0 < $1 : keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8)
            }
            var first = true
            for (position, index) in order.enumerated() {
                if position + 1 < order.count, keys[order[position + 1]] == keys[index] { continue }  // overwritten
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Node.appendQuoted(keys[index], to: &out)
                out.append(UInt8(ascii: ":"))
                children[index].write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array:
            out.append(UInt8(ascii: "["))
            for (position, child) in children.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                child.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `"…"` with JSONEncoder's escapes: `\"`, `\\`, `\b \f \n \r \t`, `\u00XX` (lowercase hex) for the other
    /// control characters; everything else, `/` and non-ASCII included, as its UTF-8 bytes.
    static func appendQuoted(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var copy = string
        copy.withUTF8 { bytes in
            var mark = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if index > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[mark..<index])) }
                mark = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [
                        UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                    ])
                }
            }
            if bytes.count > mark { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[mark...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.shape = .object
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.shape = .array
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).setScalar(Array("null".utf8)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        node.member(key.stringValue).setScalar(Array((value ? "true" : "false").utf8))
    }
    mutating func encode(_ value: String, forKey key: Key) throws { node.member(key.stringValue).setString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw CompactJSON.Unsupported(type: "Double") }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw CompactJSON.Unsupported(type: "Float") }
    mutating func encode(_ value: Int, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { integer(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try CompactJSON.encode(value, into: node.member(key.stringValue), path: codingPath)
    }

    private func integer<N: BinaryInteger & CustomStringConvertible>(_ value: N, _ key: Key) {
        node.member(key.stringValue).setScalar(CompactJSON.number(value))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.member(key.stringValue)
        child.shape = .object
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.member(key.stringValue)
        child.shape = .array
        return UnkeyedContainer(node: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.member("super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    var count: Int { node.children.count }

    mutating func encodeNil() throws { node.element().setScalar(Array("null".utf8)) }
    mutating func encode(_ value: Bool) throws { node.element().setScalar(Array((value ? "true" : "false").utf8)) }
    mutating func encode(_ value: String) throws { node.element().setString(value) }
    mutating func encode(_ value: Double) throws { throw CompactJSON.Unsupported(type: "Double") }
    mutating func encode(_ value: Float) throws { throw CompactJSON.Unsupported(type: "Float") }
    mutating func encode(_ value: Int) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int8) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int16) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int32) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int64) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt8) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt16) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt32) throws { node.element().setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt64) throws { node.element().setScalar(CompactJSON.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try CompactJSON.encode(value, into: node.element(), path: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.element()
        child.shape = .object
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.element()
        child.shape = .array
        return UnkeyedContainer(node: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.element(), codingPath: codingPath)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.setScalar(Array("null".utf8)) }
    mutating func encode(_ value: Bool) throws { node.setScalar(Array((value ? "true" : "false").utf8)) }
    mutating func encode(_ value: String) throws { node.setString(value) }
    mutating func encode(_ value: Double) throws { throw CompactJSON.Unsupported(type: "Double") }
    mutating func encode(_ value: Float) throws { throw CompactJSON.Unsupported(type: "Float") }
    mutating func encode(_ value: Int) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int8) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int16) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int32) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: Int64) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt8) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt16) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt32) throws { node.setScalar(CompactJSON.number(value)) }
    mutating func encode(_ value: UInt64) throws { node.setScalar(CompactJSON.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try CompactJSON.encode(value, into: node, path: codingPath)
    }
}
