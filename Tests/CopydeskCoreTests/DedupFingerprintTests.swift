import CCrypto
@testable import CopydeskCore
import Testing

/// The one-pass fingerprint (``WordPass``) and the clusterer's flat tables must give what the separate,
/// straightforward definitions give: stored signatures, digests and stories depend on it.
@Suite struct DedupFingerprintTests {
    /// Words and separators that exercise every branch of the tokenizers: ASCII case, digits, typographic
    /// punctuation, case mappings that change the byte count (İ, ẞ), title case, Roman numerals, ideographs and
    /// kana, combining marks, emoji, Arabic-Indic digits and short words the terms leave out.
    static let pieces = [
        "The", "NATO", "summit", "said", "a", "an", "Été", "ÉCOLE", "Straße", "İSTANBUL", "ẞ", "ǅemal", "Ⅻ", "ΟΔΥΣΣΕΥΣ",
        "東京で地震", "カタカナ", "e\u{301}te", "😀", "٣٤٥", "4.75%", "—", "“quoted”", "it’s", "...", "\n", "\t", "  ",
        "x", "ab", "abc", "Reuters", "UPDATE 2-", "(Adds quotes)", "naïve", "ﬁnance", "Ωmega", "µs", "ŉ",
    ]

    static func randomText(_ generator: inout SeededGenerator, words: Int) -> String {
        var text = ""
        for _ in 0..<words {
            text += pieces[Int(generator.next() % UInt64(pieces.count))]
            text += ["", " ", ", ", "-", "\n"][Int(generator.next() % 5)]
        }
        return text
    }

    @Test func onePassFingerprintEqualsTheSeparateFunctions() {
        var generator = SeededGenerator(seed: 11)
        let hasher = MinHasher()
        var articles = [
            Article(headline: "", paragraphs: []),
            Article(headline: "Only a headline here", paragraphs: []),
            Article(headline: "", paragraphs: ["", "body without headline"]),
            Article(headline: "—", paragraphs: ["…", "東京で地震", ""]),
            Article(headline: "four words only here", paragraphs: ["x"]),
        ]
        for _ in 0..<300 {
            let paragraphs = (0..<Int(generator.next() % 6)).map { _ in
                Self.randomText(&generator, words: Int(generator.next() % 60))
            }
            articles.append(Article(headline: Self.randomText(&generator, words: Int(generator.next() % 8)),
                                    paragraphs: paragraphs))
        }
        for article in articles {
            let onePass = DedupFingerprint(article, hasher: hasher)
            let separate = DedupFingerprint(separately: article, hasher: hasher)
            #expect(onePass == separate, "\(article.headline) / \(article.paragraphs)")
        }
        // Not vacuous: the texts have words, terms and several shingles.
        #expect(articles.filter { DedupFingerprint(separately: $0, hasher: hasher).signature.shingleCount > 20 }.count
            > 100)
    }

    @Test func stopWordTableMatchesTheSet() {
        let table = StoryClusterer.englishStopWordTable
        for word in StoryClusterer.englishStopWords { #expect(table.contains(word)) }
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<10_000 {
            let key = generator.next()
            #expect(table.contains(key) == StoryClusterer.englishStopWords.contains(key))
        }
        #expect(!table.contains(0))
        #expect(!table.contains(Shingles.hashWord("summit")))
        // A key in every slot (the multiplier is odd, so invertible mod 2^64): empty slots hold a member whose own
        // slot is elsewhere, so none of these may match unless it is a member.
        var inverse: UInt64 = 1
        for _ in 0..<6 { inverse = inverse &* (2 &- table.multiplier &* inverse) }
        #expect(table.multiplier &* inverse == 1)
        for slot in table.slots.indices {
            for low: UInt64 in [0, 1, (1 << table.shift) - 1] {
                let key = (UInt64(slot) << table.shift | low) &* inverse
                #expect(table.slot(of: key) == slot)
                #expect(table.contains(key) == StoryClusterer.englishStopWords.contains(key))
                #expect(table.contains(table.slots[slot]))
            }
        }
    }

    @Test func termTableRemovalMatchesADictionary() {
        var generator = SeededGenerator(seed: 3)
        var table = TermTable<Int>()
        var reference: [UInt64: Int] = [:]
        // Keys from a small range (so probe runs collide and wrap) plus 0; inserts, in-place changes and removals.
        for step in 0..<20_000 {
            let key = step % 97 == 0 ? 0 : generator.next() % 700
            switch generator.next() % 3 {
            case 0:
                table.update(key, default: 0) { $0 += 1 }
                reference[key, default: 0] += 1
            case 1:
                let removeIt = generator.next() % 2 == 0
                let seen = table.modify(key) { value, remove in
                    value += 10
                    remove = removeIt
                    return value
                }
                #expect(seen == reference[key].map { $0 + 10 })
                if reference[key] != nil { reference[key] = removeIt ? nil : reference[key]! + 10 }
            default:
                table[key] = nil
                reference[key] = nil
            }
        }
        #expect(table.count == reference.count)
        #expect(table.sorted().map(\.key) == reference.keys.sorted())
        for key in UInt64(0)..<700 { #expect(table[key] == reference[key]) }
        #expect(reference.count > 100, "the mix leaves a populated table")
    }

    @Test func selectingTheStrongestEqualsSorting() {
        var generator = SeededGenerator(seed: 9)
        for round in 0..<200 {
            let count = Int(generator.next() % 300)
            // Few distinct weights, so ties are broken by the term.
            var items = (0..<count).map { i in (generator.next() % 1000, Double(generator.next() % UInt64(5 + round))) }
            var seen = Set<UInt64>()
            items = items.filter { seen.insert($0.0).inserted }
            let k = Int(generator.next() % 60)
            let expected = Array(items.sorted(by: StoryClusterer.isStronger).prefix(k))
            items.withUnsafeMutableBufferPointer { StoryClusterer.selectStrongest(k, in: $0) }
            let selected = Array(items.prefix(k)).sorted(by: StoryClusterer.isStronger)
            #expect(selected.map(\.0) == expected.map(\.0))
            #expect(selected.map(\.1) == expected.map(\.1))
        }
    }

    @Test func decodingRejectsACentroidOutOfOrder() throws {
        var clusterer = StoryClusterer()
        _ = clusterer.add(sequence: 1, text: "Volcano erupts near village, lava flows toward homes", at: Timestamp(microseconds: 0))
        var bytes = clusterer.encoded()
        #expect(try StoryClusterer(decoding: bytes).encoded() == bytes)
        // The centroid is the last block: term/weight pairs of 16 bytes. Swap the first two terms.
        let story = clusterer.stories[1]!
        #expect(story.terms.count >= 2 && story.terms == story.terms.sorted())
        let start = bytes.count - 16 * story.terms.count
        let first = Array(bytes[start..<start + 8]), second = Array(bytes[start + 16..<start + 24])
        bytes.replaceSubrange(start..<start + 8, with: second)
        bytes.replaceSubrange(start + 16..<start + 24, with: first)
        #expect(throws: DedupCodecError.self) { try StoryClusterer(decoding: bytes) }
    }
}

extension DedupFingerprintTests {
    /// The fingerprint carries the near-duplicate key (default bands and rows) and the version key made on the
    /// prepare stage; the serial stage must get what it made itself before, and make its own for other bands or
    /// after a change to the signature or version. The sketch is built a word at a time: the same bits as nibble
    /// by nibble into the lanes.
    @Test func carriedKeysEqualTheKeysTheStageMade() {
        var generator = SeededGenerator(seed: 12)
        let hasher = MinHasher()
        var other = NearDuplicateIndex.Configuration.default
        other.bands = 16
        other.rows = 8
        for round in 0..<200 {
            var article = Article(headline: Self.randomText(&generator, words: Int(generator.next() % 8)),
                                  paragraphs: [Self.randomText(&generator, words: Int(generator.next() % 80))])
            if round % 3 == 0 { article.source = "Reuters" }
            if round % 5 == 0 { article.itemID = "urn:newsml:x.com:20240101:ID\(round % 7):\(round % 4)" }
            var fingerprint = DedupFingerprint(article, hasher: hasher)
            let made = DedupState.Keys(signature: fingerprint.signature, version: fingerprint.version, .default)
            #expect(fingerprint.keys == made)
            #expect(DedupState.Keys(fingerprint, .default) == made)
            #expect(DedupState.Keys(fingerprint, other)
                == DedupState.Keys(signature: fingerprint.signature, version: fingerprint.version, other))
            #expect(NearDuplicateIndex.Sketch(fingerprint.signature)
                == NearDuplicateIndex.Sketch.byLanes(fingerprint.signature))
            fingerprint.signature.values[round % 128] ^= 1
            #expect(fingerprint.keys == nil)
            #expect(DedupState.Keys(fingerprint, .default)
                == DedupState.Keys(signature: fingerprint.signature, version: fingerprint.version, .default))
            let values = (0..<128).map { _ in
                [UInt32.max, 0, UInt32(truncatingIfNeeded: generator.next())][Int(generator.next() % 3)]
            }
            let signature = MinHashSignature(values: values, shingleCount: 5)
            #expect(NearDuplicateIndex.Sketch(signature) == NearDuplicateIndex.Sketch.byLanes(signature))
        }
    }

    /// `Normalize.text` now runs `WordPass`'s reader: the same string as the `Normalize.bytes` definition on texts
    /// through every tokenizer branch.
    @Test func normalizedTextByWordPassEqualsByAppending() {
        var generator = SeededGenerator(seed: 13)
        var texts = ["", " ", "—", "東京で地震", "UPDATE 2-Storm", "İSTANBUL ẞ ǅemal", "e\u{301}te 😀 ٣٤٥"]
        for _ in 0..<400 { texts.append(Self.randomText(&generator, words: Int(generator.next() % 30))) }
        for text in texts {
            #expect(Normalize.text(text) == Normalize.textByAppending(text), "\(text.debugDescription)")
        }
    }

    /// The frequency table's batch update gives the table and the values one `update` per key gives: keys new
    /// and known, repeated, the zero key, and enough of them to grow the table in the middle of a batch.
    @Test func batchUpdateEqualsUpdatingEachKey() {
        var generator = SeededGenerator(seed: 14)
        var one = TermTable<UInt32>(), batch = TermTable<UInt32>()
        for round in 0..<40 {
            let count = [0, 1, 5, 200, 1500][round % 5]
            let keys = (0..<count).map { _ in
                generator.next() % 7 == 0 ? UInt64(generator.next() % 50) : generator.next()
            }
            var seenOne: [UInt32] = [], seenBatch: [UInt32] = []
            for key in keys {
                one.update(key, default: 0) { value in
                    seenOne.append(value)
                    value += 1
                }
            }
            keys.withUnsafeBufferPointer { keys in
                batch.update(each: keys, default: 0) { index, value in
                    #expect(keys[index] == keys[seenBatch.count])
                    seenBatch.append(value)
                    value += 1
                }
            }
            #expect(seenOne == seenBatch)
            #expect(one.count == batch.count)
            #expect(one.sorted().map(\.key) == batch.sorted().map(\.key))
            #expect(one.sorted().map(\.value) == batch.sorted().map(\.value))
        }
        #expect(one.count > 1000)
    }

    @Test func termHashSortEqualsTheLibrarySort() {
        var generator = SeededGenerator(seed: 21)
        for round in 0..<60 {
            let count = [0, 1, 2, 31, 33, 500, 5000][round % 7]
            // Uniform hashes, and a skewed set (one top byte, many repeats) that fills single buckets.
            var values = (0..<count).map { _ in
                round % 2 == 0 ? generator.next() : (0xAB << 56) | (generator.next() % 300)
            }
            let expected = values.sorted()
            values.withUnsafeMutableBufferPointer { StoryClusterer.radixSort($0) }
            #expect(values == expected)
        }
    }
}

/// `SHA256.hash` uses OpenSSL's context calls instead of the one-shot `SHA256()` (the normalized digest of every
/// fingerprint): the same digests at every length around the 64-byte block and padding boundaries, and the known
/// answer.
@Suite struct SHA256ContextTests {
    @Test func contextCallsEqualTheOneShot() {
        var generator = SeededGenerator(seed: 3)
        for length in Array(0...130) + [1000, 4095, 4096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(SHA256.hash(bytes) == Self.oneShot(bytes), "length \(length)")
        }
        #expect(SHA256.hash(Array("abc".utf8)).hex
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// OpenSSL's one-call `SHA256()`, which `SHA256.hash` used before.
    static func oneShot(_ bytes: [UInt8]) -> Digest {
        var out = [UInt8](repeating: 0, count: Digest.byteCount)
        bytes.withUnsafeBufferPointer { bytes in
            out.withUnsafeMutableBufferPointer { dst in _ = CCrypto.SHA256(bytes.baseAddress, bytes.count, dst.baseAddress) }
        }
        return Digest(unchecked: out)
    }
}
