/// JSON for a record's metadata, written field by field straight into bytes: byte for byte what `JSONEncoder`
/// with `[.sortedKeys, .withoutEscapingSlashes]` writes on Linux — keys sorted by their UTF-8 bytes; `"`, `\` and
/// control characters escaped (`\n`, `\u001f` …), nothing else; integers in decimal; absent optionals left out.
///
/// Why by hand: the metadata is written for every record inside the group commit, and going through `Encoder`
/// (even a lean one building a tree of nodes) cost about half of an append's CPU at 512 records per `fdatasync`:
/// a container and a node per value, retain/release and metadata lookups on every field. The format does not
/// change — records are still decoded with `JSONDecoder` — and `CompactJSONTests` compares the bytes with
/// `JSONEncoder`'s for every record type, on values where every field is filled (checked by reflection, so a field
/// added to a record type and not written here fails that test instead of vanishing from the journal).
enum CompactJSON {
    static func encode<T: CompactJSONWritable>(_ value: T) -> [UInt8] {
        var writer = CompactJSONWriter()
        value.write(to: &writer)
        return writer.bytes
    }
}

/// A record type that writes its own JSON; keys must be written in sorted (UTF-8 byte) order.
protocol CompactJSONWritable {
    func write(to json: inout CompactJSONWriter)
}

/// Appends JSON tokens to a byte buffer. Commas are placed by looking at the previous byte, so nested writers
/// need no state of their own.
struct CompactJSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    private mutating func separate() {
        if let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Writes `value` as an object: `body` writes its members with the `field` methods.
    mutating func object(_ body: (inout CompactJSONWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        body(&self)
        bytes.append(UInt8(ascii: "}"))
    }

    /// `"key":` after a comma when needed. Keys are plain ASCII identifiers, written as they are.
    @inline(__always)
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        string(value)
    }

    mutating func field(_ key: StaticString, _ value: String?) {
        if let value { field(key, value) }
    }

    mutating func field<N: BinaryInteger>(_ key: StaticString, _ value: N) {
        self.key(key)
        integer(value)
    }

    mutating func field<N: BinaryInteger>(_ key: StaticString, _ value: N?) {
        if let value { field(key, value) }
    }

    mutating func field(_ key: StaticString, _ value: Bool) {
        self.key(key)
        if value {
            bytes.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            bytes.append(contentsOf: [
                UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e"),
            ])
        }
    }

    mutating func field<T: CompactJSONWritable>(_ key: StaticString, _ value: T) {
        self.key(key)
        value.write(to: &self)
    }

    mutating func field<T: CompactJSONWritable>(_ key: StaticString, _ value: T?) {
        if let value { field(key, value) }
    }

    mutating func field<T: CompactJSONWritable>(_ key: StaticString, _ values: [T]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for value in values {
            separate()
            value.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func field(_ key: StaticString, _ values: [String]) {
        self.key(key)
        bytes.append(UInt8(ascii: "["))
        for value in values {
            separate()
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func field(_ key: StaticString, _ values: [String]?) {
        if let values { field(key, values) }
    }

    /// A string-to-string dictionary: its keys sorted by their UTF-8 bytes, as `.sortedKeys` does.
    mutating func field(_ key: StaticString, _ dictionary: [String: String]?) {
        guard let dictionary else { return }
        self.key(key)
        bytes.append(UInt8(ascii: "{"))
        for name in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            separate()
            string(name)
            bytes.append(UInt8(ascii: ":"))
            string(dictionary[name]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// 64 lowercase hexadecimal digits in quotes, as ``Digest`` encodes itself, without making the `String`.
    mutating func field(_ key: StaticString, _ digest: Digest?) {
        guard let digest else { return }
        self.key(key)
        bytes.append(UInt8(ascii: "\""))
        for byte in digest.bytes {
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func integer<N: BinaryInteger>(_ value: N) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        // Digits of the magnitude, least significant first, then reversed in place: no String per number.
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        var rest = value.magnitude
        while rest != 0 {
            let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
            bytes.append(UInt8(ascii: "0") + UInt8(digit))
            rest = quotient
        }
        bytes[start...].reverse()
    }

    /// `"…"` with JSONEncoder's escapes: `\"`, `\\`, `\b \f \n \r \t`, `\u00XX` (lowercase hex) for the other
    /// control characters; everything else, `/` and non-ASCII included, as its UTF-8 bytes.
    mutating func string(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var copy = string
        copy.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            var mark = 0
            var index = 0
            while index < utf8.count {
                // Article text is a few KiB per record and almost never needs escaping: skip eight bytes at a time
                // while none of them does.
                if index + 8 <= utf8.count,
                   !Self.mayNeedEscaping(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                    index += 8
                    continue
                }
                let byte = utf8[index]
                index += 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if index - 1 > mark { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<(index - 1)])) }
                mark = index
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [
                        UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                        Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)],
                    ])
                }
            }
            if utf8.count > mark { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether any of the eight bytes is a control character, `"` or `\`. Exact (no byte is missed, and a word
    /// without one says false), though not which byte: borrows may mark a later byte too.
    @inline(__always)
    static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote & highs
        let zeroBackslash = (backslash &- ones) & ~backslash & highs
        return (below | zeroQuote | zeroBackslash) != 0
    }
}

// MARK: - The record types, keys in UTF-8 byte order (uppercase before lowercase, a prefix before its extensions)

extension DocumentMetadata: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        record(raw: []).write(to: &json)
    }
}

/// A document's metadata (``DocumentMetadata``'s keys) written from the record itself: the journal writer calls this
/// for every document, and copying the record into a ``DocumentMetadata`` first retained every field of it.
extension DocumentRecord: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("arrival", arrival)
            json.field("article", article)
            json.field("charset", charset)
            json.field("classification", classification)
            json.field("format", format)
            json.field("link", link)
            json.field("story", story)
        }
    }
}

extension Arrival: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("channel", channel)
            json.field("claim", claim)
            json.field("file", file)
            json.field("receivedAt", receivedAt.microseconds)
            json.field("sha256", sha256)
            json.field("size", size)
        }
    }
}

extension Article: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("byline", byline)
            json.field("created", created)
            json.field("dateline", dateline)
            json.field("datelineDate", datelineDate)
            json.field("datelinePlace", datelinePlace)
            json.field("editorNote", editorNote)
            json.field("genre", genre)
            json.field("headline", headline)
            json.field("itemID", itemID)
            json.field("keywords", keywords)
            json.field("language", language)
            json.field("metadata", metadata)
            json.field("paragraphs", paragraphs)
            json.field("priority", priority)
            json.field("published", published)
            json.field("slugline", slugline)
            json.field("source", source)
            json.field("subheadline", subheadline)
            json.field("subjects", subjects)
            json.field("summary", summary)
            json.field("takeKey", takeKey)
            json.field("urgency", urgency)
            json.field("version", version)
            json.field("versionCreated", versionCreated)
        }
    }
}

extension DedupLink: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("of", of)
            json.field("reason", reason)
            json.field("relation", relation.rawValue)
            json.field("similarityPermille", similarityPermille)
        }
    }
}

extension DuplicateRecord: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("arrival", arrival)
            json.field("duplicateOf", duplicateOf)
            json.field("match", match)
            json.field("similarityPermille", similarityPermille)
        }
    }
}

extension RejectedRecord: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("arrival", arrival)
            json.field("reason", reason)
            json.field("rejectedAs", rejectedAs)
        }
    }
}

extension RejectReason: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("code", code.rawValue)
            json.field("message", message)
        }
    }
}

// Classification: scores and weights are stored as integers in thousandths (``Thousandths``), as their
// `encode(to:)` does.

extension Classification: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("entities", entities)
            json.field("kind", kind)
            json.field("language", language)
            json.field("model", model)
            json.field("source", source)
            json.field("topics", topics)
            json.field("urgency", urgency)
            json.field("version", version)
        }
    }
}

extension Cue: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("field", field)
            json.field("line", line)
            json.field("text", text)
            json.field("weight", Thousandths.stored(weight))
        }
    }
}

extension KindLabel: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("cues", cues)
            json.field("detail", detail)
            json.field("kind", kind.rawValue)
            json.field("score", Thousandths.stored(score))
        }
    }
}

extension SourceLabel: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("cues", cues)
            json.field("isAgency", isAgency)
            json.field("name", name)
            json.field("score", Thousandths.stored(score))
        }
    }
}

extension TopicLabel: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("code", code)
            json.field("cues", cues)
            json.field("label", label)
            json.field("parent", parent)
            json.field("score", Thousandths.stored(score))
        }
    }
}

extension LanguageLabel: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("code", code)
            json.field("cues", cues)
            json.field("score", Thousandths.stored(score))
        }
    }
}

extension Entity: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("count", count)
            json.field("name", name)
            json.field("type", type.rawValue)
        }
    }
}

extension UrgencyLabel: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("cues", cues)
            json.field("level", level)
            json.field("marker", marker)
        }
    }
}

extension ModelVerdict: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("alternatives", alternatives)
            json.field("features", features)
            json.field("label", label)
            json.field("modelName", modelName)
            json.field("score", Thousandths.stored(score))
        }
    }
}

extension ModelVerdict.Alternative: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("label", label)
            json.field("score", Thousandths.stored(score))
        }
    }
}

extension ModelVerdict.Feature: CompactJSONWritable {
    func write(to json: inout CompactJSONWriter) {
        json.object { json in
            json.field("text", text)
            json.field("weight", Thousandths.stored(weight))
        }
    }
}
