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
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        appendWords(of: text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// SHA-256 of the normalized headline, a newline, and the normalized body (paragraphs in order): the key of
    /// the `normalized` match. The headline counts: the same body under a new headline is a version or a
    /// near-duplicate, which keeps the new headline, not a duplicate, which would drop it.
    public static func digest(headline: String, body: [String]) -> Digest {
        var out: [UInt8] = []
        out.reserveCapacity(headline.utf8.count + body.reduce(0) { $0 + $1.utf8.count } + 2)
        appendWords(of: headline, to: &out)
        out.append(0x0A)
        for paragraph in body { appendWords(of: paragraph, to: &out) }
        return SHA256.hash(out)
    }

    /// The digest of an article's headline and paragraphs.
    public static func digest(_ article: Article) -> Digest {
        digest(headline: article.headline, body: article.paragraphs)
    }

    /// Appends the words of `text` to `out`, a space between words (and before the first if `out` is not empty
    /// and does not end in a space or newline).
    static func appendWords(of text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { p in
            var inWord = false
            var i = 0
            let n = p.count
            func separate() { inWord = false }
            func startWord() {
                if !inWord {
                    if let last = out.last, last != 0x20, last != 0x0A { out.append(0x20) }
                    inWord = true
                }
            }
            while i < n {
                let c = p[i]
                if c < 0x80 {
                    let folded = Shingles.asciiFold[Int(c)]
                    if folded != 0 {
                        startWord()
                        out.append(folded)
                    } else {
                        separate()
                    }
                    i += 1
                    continue
                }
                let width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
                var value = UInt32(c) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                for k in 1..<width where i + k < n { value = value << 6 | UInt32(p[i + k] & 0x3F) }
                let bytes = UnsafeBufferPointer(rebasing: p[i..<min(n, i + width)])
                i += width
                guard let scalar = Unicode.Scalar(value) else { separate(); continue }
                let properties = scalar.properties
                if properties.isIdeographic {
                    separate()
                    startWord()
                    out.append(contentsOf: bytes)
                    separate()
                } else if properties.isAlphabetic || properties.numericType != nil {
                    startWord()
                    if properties.changesWhenLowercased {
                        out.append(contentsOf: properties.lowercaseMapping.utf8)
                    } else {
                        out.append(contentsOf: bytes)
                    }
                } else {
                    separate()
                }
            }
        }
    }
}
