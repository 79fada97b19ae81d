/// The "normalized" exact match: two texts are the same story if they have the same words in the same order.
///
/// Normalizing keeps exactly what ``Shingles`` calls words (Unicode letters and digits, lowercased with full
/// case mapping; each ideograph alone) and joins them with single spaces. So case, whitespace and line
/// wrapping, punctuation, typographic quotes, dashes and ellipses, bullets and markup left-overs all fold
/// away; digits stay (`4.75%` is `4 75`, never `475`), and so do diacritics (`résumé` is not `resume`), because
/// a normalized duplicate is dropped as a `duplicate` record and must not merge texts that say different
/// things. What differs only in such noise (re-wrapped copies, a redelivery through a 7-bit channel that kept
/// the accents but lost the curly quotes) gets one digest.
public enum Normalize {
    /// The normalized form: words separated by single spaces.
    public static func text(_ text: String) -> String {
        // Written by ``WordPass``'s reader, which writes these bytes for the fingerprint anyway and costs a third
        // of ``appendWords(of:to:at:)`` per byte (`VersionInfo` normalizes every headline); the word hashes it
        // also writes are not used. ``textByAppending(_:)`` is the definition.
        var text = text
        return text.withUTF8 { p in
            let wordBound = p.count / 2 + 2
            let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * wordBound)
            defer { hashes.deallocate() }
            return String(unsafeUninitializedCapacity: p.count * 2 + 2) { out in
                var state = WordPass.State(out: out.baseAddress!, words: hashes, long: hashes + wordBound)
                Shingles.asciiFold.withUnsafeBufferPointer { state.read(p, fold: $0.baseAddress!) }
                return state.n
            }
        }
    }

    /// ``text(_:)`` by ``bytes(_:separator:)``, as it was first written: what the tests compare it with.
    static func textByAppending(_ text: String) -> String {
        String(decoding: bytes([text], separator: nil), as: UTF8.self)
    }

    /// SHA-256 of the normalized headline, a newline, and the normalized body (paragraphs in order): the key of
    /// the `normalized` match. The headline counts: the same body under a new headline is a version or a
    /// near-duplicate, which keeps the new headline, not a duplicate, which would drop it.
    public static func digest(headline: String, body: [String]) -> Digest {
        SHA256.hash(bytes([headline] + body, separator: 1))
    }

    /// The digest of an article's headline and paragraphs.
    public static func digest(_ article: Article) -> Digest {
        digest(headline: article.headline, body: article.paragraphs)
    }

    /// The normalized words of `texts`, one space between words, and a newline after text number `separator`
    /// (the headline) when given. Written into one buffer sized for the worst case (case mapping turns at most
    /// two bytes into three, plus a space per word), so nothing grows per word.
    static func bytes(_ texts: [String], separator: Int?) -> [UInt8] {
        let bound = texts.reduce(2) { $0 + $1.utf8.count * 2 + 2 }
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            var n = 0
            for (position, text) in texts.enumerated() {
                if position == separator { out[n] = 0x0A; n += 1 }
                var text = text
                text.withUTF8 { n = appendWords(of: $0, to: out, at: n) }
            }
            count = n
        }
    }

    /// Appends the words of `p` to `out` from `n` on, a space before each word unless `out` is empty there or
    /// ends in a space or newline; returns the new length.
    static func appendWords(of p: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>, at start: Int)
        -> Int {
        var n = start
        var inWord = false
        var i = 0
        let count = p.count
        @inline(__always) func startWord() {
            if !inWord {
                if n > 0, out[n - 1] != 0x20, out[n - 1] != 0x0A { out[n] = 0x20; n += 1 }
                inWord = true
            }
        }
        Shingles.asciiFold.withUnsafeBufferPointer { fold in
            while i < count {
                let c = p[i]
                if c < 0x80 {
                    let folded = fold[Int(c)]
                    if folded != 0 {
                        startWord()
                        out[n] = folded
                        n += 1
                    } else {
                        inWord = false
                    }
                    i += 1
                    continue
                }
                let width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
                var value = UInt32(c) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                for k in 1..<width where i + k < count { value = value << 6 | UInt32(p[i + k] & 0x3F) }
                let first = i
                i += width
                guard let scalar = Unicode.Scalar(value) else { inWord = false; continue }
                let properties = scalar.properties
                if properties.isIdeographic || properties.isAlphabetic || properties.numericType != nil {
                    if properties.isIdeographic { inWord = false }
                    startWord()
                    if properties.changesWhenLowercased {
                        for byte in properties.lowercaseMapping.utf8 { out[n] = byte; n += 1 }
                    } else {
                        for k in first..<min(count, i) { out[n] = p[k]; n += 1 }
                    }
                    if properties.isIdeographic { inWord = false }
                } else {
                    inWord = false
                }
            }
        }
        return n
    }
}
