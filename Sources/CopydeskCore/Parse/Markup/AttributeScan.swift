#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds start tags with more attributes than a limit, before libxml2 reads the markup.
///
/// libxml2 2.9 spends time quadratic in the attributes of one element: its XML parser checks each new attribute
/// against all before it, its HTML parser does the same with string comparisons and then appends each to the end
/// of a linked list. A 256 KiB tag of `a0=x a1=x …` took 0.6 s as XML and 12 s as HTML; the 16 MiB a file may
/// have would take hours. No real element has hundreds of attributes, so Copydesk refuses such XML and drops the
/// attributes past the limit from HTML (whose text it still wants).
///
/// The count errs upwards (`a = "1"` counts three, and a `<` in text that looks like a tag counts its words), which
/// only matters past the limit; attributes run together after a quoted value (`a="1"b="2"`, which libxml2's HTML
/// parser reads as two) count as two. Comments, CDATA sections and processing instructions are skipped.
enum AttributeScan {
    /// Within a start tag that has more than `limit` attributes, the bytes from its `limit + 1`-th attribute to the
    /// end of the tag (before the `>`). Empty for ordinary markup. One pass over the bytes.
    static func excess(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int, html: Bool = false) -> [Range<Int>] {
        guard let base = bytes.baseAddress else { return [] }
        let count = bytes.count
        var ranges: [Range<Int>] = []
        var position = 0
        while position < count {
            guard let found = memchr(base + position, 0x3C, count - position) else { break }
            let open = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            position = open + 1
            guard position < count else { break }
            let first = bytes[position]
            if first == 0x21 {  // `<!`
                if has("!--", at: position, in: bytes) {
                    position = end(of: "-->", from: position + 3, in: bytes)
                } else if has("![CDATA[", at: position, in: bytes) {
                    position = end(of: "]]>", from: position + 8, in: bytes)
                }
                continue
            }
            if first == 0x3F {  // `<?`
                position = end(of: "?>", from: position + 1, in: bytes)
                continue
            }
            // A start tag's name begins with a letter, `_`, `:` (or, in XML, a non-ASCII character).
            guard isLetter(first) || first == 0x5F || first == 0x3A || (!html && first >= 0x80) else { continue }
            let nameStart = position
            while position < count, !isSpace(bytes[position]), bytes[position] != 0x3E { position += 1 }
            let name = nameStart..<position
            var attributes = 0
            var cut = -1
            // Whether the last thing read was an `=` still waiting for its value (`a = "1"` is one attribute).
            var awaitingValue = false
            while position < count {
                let byte = bytes[position]
                if isSpace(byte) {
                    position += 1
                    continue
                }
                if byte == 0x3E { break }
                if byte == 0x2F, position + 1 < count, bytes[position + 1] == 0x3E {  // `/>`
                    position += 1
                    continue
                }
                let isValue = awaitingValue || byte == 0x3D
                if !isValue {
                    attributes += 1
                    if attributes == limit + 1 { cut = position }
                }
                awaitingValue = false
                // One token: up to a space or `>`, or just past a quoted value. A quote opens a value only where
                // an `=` came before it, as libxml2 reads it.
                var afterEquals = isValue && byte != 0x3D
                while position < count {
                    let byte = bytes[position]
                    if afterEquals, byte == 0x22 || byte == 0x27 {
                        let rest = count - position - 1
                        if rest > 0, let close = memchr(base + position + 1, Int32(byte), rest) {
                            position = base.distance(to: close.assumingMemoryBound(to: UInt8.self)) + 1
                        } else {
                            position = count
                        }
                        afterEquals = false
                        break
                    }
                    if isSpace(byte) || byte == 0x3E { break }
                    afterEquals = byte == 0x3D
                    position += 1
                }
                awaitingValue = afterEquals
            }
            if cut >= 0 { ranges.append(cut..<position) }
            // HTML's script and style hold text, not tags, up to their end tag (libxml2 reads them so).
            if html, position < count, let raw = rawTextEnd(name, in: bytes) {
                position = end(ofTag: raw, from: position + 1, in: bytes)
            }
        }
        return ranges
    }

    /// `bytes` without the excess attributes of ``excess(_:limit:)``, or nil when there are none.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int, html: Bool = false) -> [UInt8]? {
        let ranges = excess(bytes, limit: limit, html: html)
        guard !ranges.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var start = 0
        for range in ranges {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<range.lowerBound]))
            start = range.upperBound
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        return out
    }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
    }

    /// `</script` or `</style` for a tag of that name (any case), else nil.
    private static func rawTextEnd(_ name: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        for element in ["script", "style"] {
            let wanted = Array(element.utf8)
            if name.count == wanted.count, zip(bytes[name], wanted).allSatisfy({ ($0 | 0x20) == $1 }) {
                return Array("</".utf8) + wanted
            }
        }
        return nil
    }

    /// The position of the first `tag` (ASCII letters compared without case) at or after `position`, or the end.
    private static func end(ofTag tag: [UInt8], from position: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = position
        while index < bytes.count {
            guard let found = memchr(bytes.baseAddress! + index, 0x3C, bytes.count - index) else { return bytes.count }
            index = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if index + tag.count <= bytes.count,
                zip(bytes[index..<(index + tag.count)], tag).allSatisfy({ ($0 | 0x20) == ($1 | 0x20) })
            {
                return index
            }
            index += 1
        }
        return bytes.count
    }

    @inline(__always)
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private static func has(_ text: StaticString, at position: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let length = text.utf8CodeUnitCount
        guard position + length <= bytes.count else { return false }
        return memcmp(bytes.baseAddress! + position, text.utf8Start, length) == 0
    }

    /// Just past the first `terminator` at or after `position`, or the end.
    private static func end(of terminator: StaticString, from position: Int, in bytes: UnsafeBufferPointer<UInt8>)
        -> Int
    {
        var index = position
        let first = terminator.utf8Start.pointee
        while index < bytes.count {
            guard let found = memchr(bytes.baseAddress! + index, Int32(first), bytes.count - index) else {
                return bytes.count
            }
            index = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if has(terminator, at: index, in: bytes) { return index + terminator.utf8CodeUnitCount }
            index += 1
        }
        return bytes.count
    }
}
