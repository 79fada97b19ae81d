/// Word tokens and word shingles: the units MinHash, exact Jaccard and story clustering see.
///
/// A word is a maximal run of Unicode letters and digits (the `\w+` of the peers, less `_`), lowercased with
/// full Unicode case mapping; every ideograph (Han, kana) is a word of its own, because Chinese and Japanese
/// put no spaces between words and a whole sentence would otherwise be one token. Words are hashed with
/// 64-bit FNV-1a over their lowercased UTF-8 bytes as they are read, so nothing is allocated per word or per
/// shingle; a shingle of `size` consecutive words is the finalised rotate-xor of their hashes (order matters).
///
/// ASCII takes a table-driven fast path; other scalars are classified through the Unicode properties.
public enum Shingles {
    /// Five-word shingles: long enough that shared stock phrases ("said in a statement on") rarely make two
    /// unrelated stories look alike, short enough that one changed word costs only five shingles.
    public static let defaultSize = 5

    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// The 64-bit FNV-1a hashes of the document's words, in order.
    public static func wordHashes(_ text: String) -> [UInt64] {
        var out: [UInt64] = []
        forEachWord(text) { hash, _ in out.append(hash) }
        return out
    }

    /// The FNV-1a hash a single (already lowercase) word gets; for stop-word tables and tests.
    public static func hashWord(_ word: String) -> UInt64 {
        // On the contiguous bytes: iterating `utf8` took ~60 instructions a byte (version keys hash headlines).
        var word = word
        return word.withUTF8 { bytes in
            var h = fnvOffset
            for byte in bytes { h = (h ^ UInt64(byte)) &* fnvPrime }
            return h
        }
    }

    /// The distinct shingle hashes of `text`, sorted: the exact set whose Jaccard MinHash estimates.
    public static func shingleSet(_ text: String, size: Int = defaultSize) -> [UInt64] {
        withShingleHashes(text, size: size) { Array(Set($0)).sorted() }
    }

    /// Exact Jaccard similarity of two sorted, duplicate-free hash sets (from ``shingleSet(_:size:)``).
    public static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var i = 0, j = 0, shared = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                shared += 1; i += 1; j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(shared) / Double(a.count + b.count - shared)
    }

    /// Calls `body` with the shingle hashes of `text` (one per position, repeats kept) in a scratch buffer that
    /// lives only for the call. A text of fewer than `size` words is one shingle of all its words; a text with
    /// no words has no shingles.
    public static func withShingleHashes<R>(
        _ text: String, size: Int = defaultSize, _ body: (UnsafeBufferPointer<UInt64>) throws -> R
    ) rethrows -> R {
        precondition(size >= 1 && size <= 8, "shingle size must be 1…8")
        // A word takes at least one byte plus a separator, so utf8.count / 2 + 1 bounds the word count.
        let capacity = text.utf8.count / 2 + 2
        return try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: capacity) { buffer in
            var count = 0
            forEachWord(text) { hash, _ in
                buffer[count] = hash
                count += 1
            }
            let shingles = shingle(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), size: size)
            return try body(UnsafeBufferPointer(rebasing: buffer[0..<shingles]))
        }
    }

    /// Turns word hashes into shingle hashes in place; returns how many shingles there are.
    @inline(__always)
    static func shingle(_ words: UnsafeMutableBufferPointer<UInt64>, size: Int) -> Int {
        let n = words.count
        if n == 0 { return 0 }
        if n < size {
            var h: UInt64 = 0
            for i in 0..<n { h ^= rotate(words[i], by: 13 &* i) }
            words[0] = SeededGenerator.mix(h ^ UInt64(n))
            return 1
        }
        let count = n - size + 1
        if size == 5 {
            // The common case unrolled; in place is safe because shingle i reads words i…i+4 only.
            for i in 0..<count {
                let h = words[i] ^ rotate(words[i + 1], by: 13) ^ rotate(words[i + 2], by: 26)
                    ^ rotate(words[i + 3], by: 39) ^ rotate(words[i + 4], by: 52)
                words[i] = SeededGenerator.mix(h)
            }
        } else {
            for i in 0..<count {
                var h: UInt64 = 0
                for k in 0..<size { h ^= rotate(words[i + k], by: 13 &* k) }
                words[i] = SeededGenerator.mix(h)
            }
        }
        return count
    }

    @inline(__always)
    static func rotate(_ x: UInt64, by r: Int) -> UInt64 {
        let s = UInt64(truncatingIfNeeded: r & 63)
        return s == 0 ? x : (x &<< s) | (x &>> (64 &- s))
    }

    /// Calls `body(hash, utf8Length)` for every word of `text`, in order.
    @inline(__always)
    public static func forEachWord(_ text: String, _ body: (UInt64, Int) -> Void) {
        var text = text
        text.withUTF8 { utf8 in forEachWord(utf8: utf8, body) }
    }

    @inline(__always)
    static func forEachWord(utf8 p: UnsafeBufferPointer<UInt8>, _ body: (UInt64, Int) -> Void) {
        asciiFold.withUnsafeBufferPointer { fold in forEachWord(utf8: p, fold: fold, body) }
    }

    @inline(__always)
    static func forEachWord(
        utf8 p: UnsafeBufferPointer<UInt8>, fold asciiFold: UnsafeBufferPointer<UInt8>, _ body: (UInt64, Int) -> Void
    ) {
        let n = p.count
        var i = 0
        var h = fnvOffset
        var length = 0
        while i < n {
            let c = p[i]
            if c < 0x80 {
                let folded = asciiFold[Int(c)]
                if folded != 0 {
                    h = (h ^ UInt64(folded)) &* fnvPrime
                    length &+= 1
                } else if length > 0 {
                    body(h, length)
                    h = fnvOffset
                    length = 0
                }
                i &+= 1
                continue
            }
            // A multi-byte scalar: Swift strings hold valid UTF-8, so the lead byte gives the length.
            let width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
            var value = UInt32(c) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
            for k in 1..<width where i + k < n { value = value << 6 | UInt32(p[i + k] & 0x3F) }
            i &+= width
            guard let scalar = Unicode.Scalar(value) else { continue }
            let properties = scalar.properties
            if properties.isIdeographic {
                if length > 0 { body(h, length) }
                var single = fnvOffset
                for byte in String(scalar).utf8 { single = (single ^ UInt64(byte)) &* fnvPrime }
                body(single, width)
                h = fnvOffset
                length = 0
            } else if properties.isAlphabetic || properties.numericType != nil {
                if properties.changesWhenLowercased {
                    for byte in properties.lowercaseMapping.utf8 { h = (h ^ UInt64(byte)) &* fnvPrime }
                } else {
                    for k in 0..<width { h = (h ^ UInt64(p[i - width + k])) &* fnvPrime }
                }
                length &+= width
            } else if length > 0 {
                body(h, length)
                h = fnvOffset
                length = 0
            }
        }
        if length > 0 { body(h, length) }
    }

    /// ASCII byte → its lowercase form if it belongs to a word (letter or digit), else 0.
    static let asciiFold: [UInt8] = (0..<128).map { (c: Int) -> UInt8 in
        switch UInt8(c) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(c)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(c) + 32
        default: 0
        }
    }
}
