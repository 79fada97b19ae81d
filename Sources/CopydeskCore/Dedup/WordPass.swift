/// One reading of an article's words for its whole ``DedupFingerprint``.
///
/// The fingerprint needs the article's words three ways: normalized bytes for the `normalized` SHA-256
/// (``Normalize/digest(headline:body:)``), word hashes for the MinHash shingles (``MinHasher/signature(of:)`` of
/// headline + body) and the counted terms of the story clusterer (``StoryClusterer/terms(of:)``). Each used to
/// walk the text on its own, through a headline + body string built for the purpose. This pass decodes every
/// scalar once and feeds all three; the results are those of the separate functions, bit for bit
/// (`DedupNormalizeTests`), because the three agree on what a word is: the joins between headline and paragraphs
/// are never inside a word, so reading the pieces one after the other gives the words of the joined text.
enum WordPass {
    /// A struct, not a tuple: a tuple as the temporary allocations' result type had its metadata looked up at
    /// run time on every call.
    struct Parts {
        var normalized: Digest
        var signature: MinHashSignature
        var terms: StoryClusterer.Terms
    }

    /// The normalized digest, the MinHash signature and the story terms of `article`.
    static func fingerprint(_ article: Article, hasher: MinHasher) -> Parts {
        var byteBound = 2, wordBound = 2
        byteBound += article.headline.utf8.count * 2 + 2
        wordBound += article.headline.utf8.count / 2 + 2
        for paragraph in article.paragraphs {
            byteBound += paragraph.utf8.count * 2 + 2
            wordBound += paragraph.utf8.count / 2 + 2
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteBound) { out in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * wordBound) { hashes in
                let words = UnsafeMutableBufferPointer(rebasing: hashes[0..<wordBound])
                let long = UnsafeMutableBufferPointer(rebasing: hashes[wordBound...])
                var state = State(out: out.baseAddress!, words: words.baseAddress!, long: long.baseAddress!)
                Shingles.asciiFold.withUnsafeBufferPointer { fold in
                    var headline = article.headline
                    headline.withUTF8 { state.read($0, fold: fold.baseAddress!) }
                    // `Normalize.digest`: a newline before the first paragraph, even when the headline has no
                    // words (and none without paragraphs).
                    if !article.paragraphs.isEmpty {
                        state.out[state.n] = 0x0A
                        state.n += 1
                    }
                    for paragraph in article.paragraphs {
                        var paragraph = paragraph
                        paragraph.withUTF8 { state.read($0, fold: fold.baseAddress!) }
                    }
                }
                let normalized = SHA256.hash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: out[0..<state.n])))
                let terms = StoryClusterer.terms(
                    counting: UnsafeMutableBufferPointer(rebasing: long[0..<state.longCount]))
                let shingles = Shingles.shingle(
                    UnsafeMutableBufferPointer(rebasing: words[0..<state.wordCount]), size: hasher.shingleSize)
                let signature = hasher.signature(shingles: UnsafeBufferPointer(rebasing: words[0..<shingles]))
                return Parts(normalized: normalized, signature: signature, terms: terms)
            }
        }
    }

    /// Where the pass writes: normalized bytes (`out`, `n` of them), every word's FNV-1a hash (`words`) and the
    /// hashes of the words of three or more bytes, the clusterer's terms (`long`).
    struct State {
        let out: UnsafeMutablePointer<UInt8>
        var n = 0
        let words: UnsafeMutablePointer<UInt64>
        var wordCount = 0
        let long: UnsafeMutablePointer<UInt64>
        var longCount = 0

        init(out: UnsafeMutablePointer<UInt8>, words: UnsafeMutablePointer<UInt64>, long: UnsafeMutablePointer<UInt64>) {
            self.out = out
            self.words = words
            self.long = long
        }

        /// One piece (headline or paragraph): the loop of ``Shingles/forEachWord(utf8:fold:_:)`` writing the
        /// bytes of ``Normalize/appendWords(of:to:at:)`` as it goes. The counts live in locals for the loop rather
        /// than in `self`, which the writes through `out` might alias, and the rest of an ASCII word runs in a loop
        /// of its own without the word-start tests (73 k → 60 k instructions per document on mixed12k).
        mutating func read(_ p: UnsafeBufferPointer<UInt8>, fold: UnsafePointer<UInt8>) {
            let out = self.out, words = self.words, long = self.long
            var n = self.n, wordCount = self.wordCount, longCount = self.longCount
            defer {
                self.n = n
                self.wordCount = wordCount
                self.longCount = longCount
            }
            // A word begins: one space before it, unless the output is empty or ends in a space or newline (the
            // start of a piece after the headline's newline).
            @inline(__always) func space() {
                if n > 0, out[n - 1] != 0x20, out[n - 1] != 0x0A {
                    out[n] = 0x20
                    n &+= 1
                }
            }
            // A word ends: its hash and source length (``Shingles/forEachWord(_:_:)``'s).
            @inline(__always) func emit(_ hash: UInt64, _ length: Int) {
                words[wordCount] = hash
                wordCount &+= 1
                if length >= 3 {
                    long[longCount] = hash
                    longCount &+= 1
                }
            }
            let count = p.count
            var i = 0
            var h = Shingles.fnvOffset
            var length = 0
            while i < count {
                let c = p[i]
                if c < 0x80 {
                    let folded = fold[Int(c)]
                    if folded != 0 {
                        if length == 0 { space() }
                        out[n] = folded
                        n &+= 1
                        h = (h ^ UInt64(folded)) &* Shingles.fnvPrime
                        length &+= 1
                        i &+= 1
                        while i < count {
                            let d = p[i]
                            if d >= 0x80 { break }
                            let next = fold[Int(d)]
                            if next == 0 { break }
                            out[n] = next
                            n &+= 1
                            h = (h ^ UInt64(next)) &* Shingles.fnvPrime
                            length &+= 1
                            i &+= 1
                        }
                        continue
                    } else if length > 0 {
                        emit(h, length)
                        h = Shingles.fnvOffset
                        length = 0
                    }
                    i &+= 1
                    continue
                }
                let width = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
                var value = UInt32(c) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                for k in 1..<width where i + k < count { value = value << 6 | UInt32(p[i + k] & 0x3F) }
                let first = i
                i &+= width
                // Swift strings hold valid UTF-8, so this is never nil; both tokenizers skip such a scalar.
                guard let scalar = Unicode.Scalar(value) else { continue }
                let properties = scalar.properties
                if properties.isIdeographic {
                    // A word of its own, hashed over its (unchanged) bytes.
                    if length > 0 { emit(h, length) }
                    space()
                    var single = Shingles.fnvOffset
                    for k in first..<min(count, i) {
                        out[n] = p[k]
                        n &+= 1
                        single = (single ^ UInt64(p[k])) &* Shingles.fnvPrime
                    }
                    emit(single, width)
                    h = Shingles.fnvOffset
                    length = 0
                } else if properties.isAlphabetic || properties.numericType != nil {
                    if length == 0 { space() }
                    if properties.changesWhenLowercased {
                        for byte in properties.lowercaseMapping.utf8 {
                            out[n] = byte
                            n &+= 1
                            h = (h ^ UInt64(byte)) &* Shingles.fnvPrime
                        }
                    } else {
                        for k in first..<min(count, i) {
                            out[n] = p[k]
                            n &+= 1
                            h = (h ^ UInt64(p[k])) &* Shingles.fnvPrime
                        }
                    }
                    length &+= width
                } else if length > 0 {
                    emit(h, length)
                    h = Shingles.fnvOffset
                    length = 0
                }
            }
            if length > 0 { emit(h, length) }
        }
    }
}
