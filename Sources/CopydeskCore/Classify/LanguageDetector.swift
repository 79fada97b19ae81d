#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells the language of a text: the writing system first (it settles Arabic, Chinese, Japanese, Korean, Greek,
/// Hebrew, … alone), then, for Latin and Cyrillic, which of that script's languages scores best under word and
/// character 1–3-gram profiles.
///
/// Robust on short and mixed text: only words of the dominant script are scored (a Russian footer under an English
/// story does not count, nor does a French "Mis à jour le" in an English page), the most frequent words of each
/// language weigh in next to the n-grams (so a three-word line is enough), and letters that only Ukrainian or only
/// Russian use decide between the two.
///
/// The profiles (`LanguageProfileData.swift`) are built by `Benchmarks/tools/make_language_profiles.py` from the
/// word frequencies of wordfreq 3.1.1 (CC BY-SA 4.0; Wikipedia, subtitles, news, books and web text): the 600 most
/// frequent words and 2,000 most frequent n-grams per language, as costs (−10·log₁₀ p).
public struct LanguageDetector: Sendable {
    /// Profiles for en fr de es it pt nl pl tr sv cs ro hu fi (Latin) and ru uk bg (Cyrillic).
    public static let standard = LanguageDetector(profileText: languageProfileData)

    /// Fewer letters than this and the declared language (if any) is believed instead.
    public static let minimumLetters = 12
    /// Letters of the main script read at most (enough to decide; keeps long documents cheap).
    public static let sampleLetters = 2500
    /// Letters read before a clear lead may end the reading.
    public static let decisiveLetters = 200
    /// Letters of the main script scored at most. A hundred words settle the language of a story; reading the
    /// rest (the script is still counted over ``sampleLetters``) only made the probability more certain and cost
    /// most of the detector's time on 3 KiB stories, where a clear lead seldom reaches the early stop's gap.
    public static let scoredLetters = 600

    struct Group: Sendable {
        var languages: [String]
        /// n-gram key → row in `gramCosts` (one cost per language).
        var grams = KeyTable()
        var gramCosts: [UInt8] = []
        var words = KeyTable()
        var wordCosts: [UInt8] = []
        var unknownGram: [Double]
        var unknownWord: [Double]
        /// A letter a language's profile does not have at all (ç for Italian, ß for Dutch): stronger evidence
        /// against it than an unseen pair or triple of common letters.
        var unknownLetter: [Double] = []
        /// The same costs as vectors, 16 languages per chunk, `chunks` per row, with the right unknown cost put in
        /// for entries a language lacks: scoring adds one row per n-gram with a few vector instructions instead of
        /// a loop with a branch per language. Costs are integers, so the sums are exactly the `Double` ones.
        var chunks = 1
        var gramVectors: [SIMD16<UInt16>] = []
        var wordVectors: [SIMD16<UInt16>] = []
        /// What an n-gram or word no profile has adds (the same for every language of the group).
        var unknownGramVector = SIMD16<Int32>()
        var unknownLetterVector = SIMD16<Int32>()
        var unknownWordVector = SIMD16<Int32>()
        /// For each profile word, everything scoring it adds — its word cost and the costs of all its 1-, 2- and
        /// 3-grams — summed once at load: a known word (most of a text's words are common ones) costs one lookup
        /// instead of one per n-gram. The sums are the same integers the per-gram additions make. Keyed like
        /// `words`; `wordTotalLetters` confirms the word (a key collision falls back to scoring it gram by gram).
        var wordTotals = KeyTable()
        var wordTotalVectors: [SIMD16<UInt16>] = []
        /// The words' letters end to end, word `row` at `wordTotalStarts[row]..<wordTotalStarts[row + 1]`: one
        /// flat array, so confirming a word reads the letters in place instead of following a pointer to an array
        /// per word (another cache miss per word of the text).
        var wordTotalLetters: [UInt32] = []
        var wordTotalStarts: [Int32] = [0]
        /// Per row of `grams`, what one step of ``wordScore(_:into:)`` adds when that n-gram is the step's longest:
        /// a trigram's row holds its cost plus its last two letters' bigram and last letter's unigram (the
        /// unigram only when that is a letter, not the closing space), a bigram's row the bigram plus its last
        /// letter's unigram, each part with its unknown cost when the profile lacks it. A word outside the
        /// profile list (``wordTotals``) is then scored with one lookup per letter instead of three; see
        /// ``stepScore(_:)``. One chunk only (at most 16 languages, as both built-in groups).
        var stepVectors: [SIMD16<UInt16>] = []

        /// Whether `word` is profile word `row` of ``wordTotals``.
        @inline(__always)
        func isWordTotal(_ row: Int, _ word: UnsafeBufferPointer<UInt32>) -> Bool {
            let start = Int(wordTotalStarts[row])
            let end = Int(wordTotalStarts[row + 1])
            guard end - start == word.count else { return false }
            return wordTotalLetters.withUnsafeBufferPointer { letters in
                for offset in 0..<word.count where letters[start + offset] != word[offset] { return false }
                return true
            }
        }

        /// What scoring `word` (lowercased scalar values of the group's script) adds, and how many n-grams it
        /// counts: the one definition of a word's score, used at load for ``wordTotals`` and for other words.
        func wordScore(_ word: [UInt32], into totals: inout [SIMD16<Int32>]) -> Int {
            var counted = 0
            @inline(__always) func add(_ row: Int32?, _ vectors: [SIMD16<UInt16>], _ unknown: SIMD16<Int32>) {
                if let row {
                    let base = Int(row) * chunks
                    for chunk in 0..<chunks { totals[chunk] &+= SIMD16<Int32>(truncatingIfNeeded: vectors[base + chunk]) }
                } else {
                    for chunk in 0..<chunks { totals[chunk] &+= unknown }
                }
            }
            add(words[LanguageDetector.wordKey(values: word)], wordVectors, unknownWordVector)
            // " word " → its 1-, 2- and 3-grams, keys built by shifting (no arrays per word). A letter no profile
            // has costs an unknown gram here (rows of known letters carry the unknown-letter cost themselves).
            var previous: UInt64 = UInt64(Unicode.Scalar(" ").value)
            var beforePrevious: UInt64 = 0
            for index in 0...word.count {
                let current = index < word.count ? UInt64(word[index]) : UInt64(Unicode.Scalar(" ").value)
                if index < word.count {
                    add(grams[current], gramVectors, unknownLetterVector)
                }
                add(grams[previous << 21 | current], gramVectors, unknownGramVector)
                counted += index < word.count ? 2 : 1
                if index > 0 || beforePrevious != 0 {
                    add(grams[beforePrevious << 42 | previous << 21 | current], gramVectors, unknownGramVector)
                    counted += 1
                }
                beforePrevious = previous
                previous = current
            }
            return counted
        }

        /// ``wordScore(_:into:)`` by steps (``stepVectors``), for a group of one chunk: the same n-grams with the
        /// same costs, added in another grouping. The sums are integers (wrapping `Int32` lanes), so the total is
        /// exactly the reference's; the n-gram count is always `3 × count + 1` (its loop counts 2 for the first
        /// letter and the closing space, 3 for every other letter). A letter whose trigram the profile has costs
        /// one table lookup and one vector addition in registers, where the reference made three of each, through
        /// a call and the `totals` array in memory (~200 instructions per letter); the bigram and unigram are
        /// looked up only for the others.
        @inline(__always)
        func stepScore(_ word: UnsafeBufferPointer<UInt32>) -> SIMD16<Int32> {
            let space = UInt64(Unicode.Scalar(" ").value)
            return gramVectors.withUnsafeBufferPointer { gramVectors in
                stepVectors.withUnsafeBufferPointer { stepVectors in
                    @inline(__always) func widened(_ vector: SIMD16<UInt16>) -> SIMD16<Int32> {
                        SIMD16<Int32>(truncatingIfNeeded: vector)
                    }
                    /// The pair (`previous`, `current`)'s step: its bigram and, for a letter, its unigram.
                    @inline(__always) func pair(_ previous: UInt64, _ current: UInt64) -> SIMD16<Int32> {
                        if let row = grams[previous << 21 | current] { return widened(stepVectors[Int(row)]) }
                        guard current != space else { return unknownGramVector }
                        if let row = grams[current] { return unknownGramVector &+ widened(gramVectors[Int(row)]) }
                        return unknownGramVector &+ unknownLetterVector
                    }
                    var sum = words[LanguageDetector.wordKey(values: word)].map { widened(wordVectors[Int($0)]) }
                        ?? unknownWordVector
                    var beforePrevious = space
                    var previous = UInt64(word[0])
                    sum &+= pair(space, previous)
                    for index in 1...word.count {
                        let current = index < word.count ? UInt64(word[index]) : space
                        if let row = grams[beforePrevious << 42 | previous << 21 | current] {
                            sum &+= widened(stepVectors[Int(row)])
                        } else {
                            sum &+= unknownGramVector &+ pair(previous, current)
                        }
                        beforePrevious = previous
                        previous = current
                    }
                    return sum
                }
            }
        }

        /// Fills ``stepVectors`` (after ``vectorize()``).
        mutating func precomputeSteps() {
            guard chunks == 1 else { return }
            let space = UInt64(Unicode.Scalar(" ").value)
            let mask: UInt64 = (1 << 21) - 1
            func cost(_ key: UInt64, unknown: SIMD16<Int32>) -> SIMD16<Int32> {
                grams[key].map { SIMD16<Int32>(truncatingIfNeeded: gramVectors[Int($0)]) } ?? unknown
            }
            var steps = [SIMD16<UInt16>](repeating: SIMD16<UInt16>(), count: gramVectors.count)
            for (key, row) in grams.entries {
                let current = key & mask
                let letter = current == space ? SIMD16<Int32>() : cost(current, unknown: unknownLetterVector)
                var step = SIMD16<Int32>(truncatingIfNeeded: gramVectors[Int(row)])
                if key >> 42 != 0 {
                    step &+= cost(key & (mask << 21 | mask), unknown: unknownGramVector) &+ letter
                } else if key >> 21 != 0 {
                    step &+= letter
                }
                // Costs are below 256 plus an unknown penalty below 30, three of them at most: far inside 16 bits.
                precondition(step.min() >= 0 && step.max() <= 0xFFFF, "step cost out of 16-bit range")
                steps[Int(row)] = SIMD16<UInt16>(truncatingIfNeeded: step)
            }
            stepVectors = steps
        }

        /// Fills ``wordTotals`` from the profile words (after ``vectorize()``). Words whose sum would not fit in
        /// 16 bits per language are left to the gram-by-gram path.
        mutating func precomputeWords(_ profileWords: [[UInt32]]) {
            var seen = KeyTable()
            for word in profileWords where !word.isEmpty {
                let key = LanguageDetector.wordKey(values: word)
                if seen[key] != nil { continue }
                seen.insert(key, 0)
                var totals = [SIMD16<Int32>](repeating: SIMD16<Int32>(), count: chunks)
                _ = wordScore(word, into: &totals)
                guard totals.allSatisfy({ ($0 .>= 0) == SIMDMask(repeating: true) && ($0 .<= 0xFFFF) == SIMDMask(repeating: true) })
                else { continue }
                wordTotals.insert(key, Int32(wordTotalStarts.count - 1))
                wordTotalLetters += word
                wordTotalStarts.append(Int32(wordTotalLetters.count))
                for chunk in totals { wordTotalVectors.append(SIMD16<UInt16>(truncatingIfNeeded: chunk)) }
            }
        }

        /// Builds the vectors from the byte tables (called once the tables are complete).
        mutating func vectorize() {
            let count = languages.count
            chunks = max(1, (count + 15) / 16)
            // 16-bit lanes (costs stay below 300) keep the table half as large in the cache; they are widened as added.
            func vectors(_ table: [UInt8], rows: Int, unknown: (Int) -> Double) -> [SIMD16<UInt16>] {
                var result = [SIMD16<UInt16>](repeating: SIMD16<UInt16>(), count: rows * chunks)
                for row in 0..<rows {
                    for column in 0..<count {
                        let cost = table[row * count + column]
                        let value = cost == UInt8.max ? unknown(row) : Double(cost)
                        result[row * chunks + column / 16][column % 16] = UInt16(value)
                    }
                }
                return result
            }
            var gramIsLetter = [Bool](repeating: false, count: gramCosts.count / max(count, 1))
            for (key, row) in grams.entries where key < 1 << 21 { gramIsLetter[Int(row)] = true }
            let letter = unknownLetter
            let gram = unknownGram
            let word = unknownWord
            gramVectors = vectors(gramCosts, rows: gramIsLetter.count) { row in
                count == 0 ? 0 : gramIsLetter[row] ? letter[0] : gram[0]
            }
            wordVectors = vectors(wordCosts, rows: wordCosts.count / max(count, 1)) { _ in count == 0 ? 0 : word[0] }
            if count > 0 {
                unknownGramVector = SIMD16(repeating: Int32(gram[0]))
                unknownLetterVector = SIMD16(repeating: Int32(letter[0]))
                unknownWordVector = SIMD16(repeating: Int32(word[0]))
            }
        }
    }

    let latin: Group
    let cyrillic: Group

    /// Parses profile lines `LANG w word:cost …` and `LANG c gram:cost …`.
    public init(profileText: String) {
        var words: [String: [(String, UInt8)]] = [:]
        var grams: [String: [(String, UInt8)]] = [:]
        var order: [String] = []
        for line in profileText.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count > 2 else { continue }
            let language = String(parts[0])
            if !order.contains(language) { order.append(language) }
            let entries = parts.dropFirst(2).compactMap { item -> (String, UInt8)? in
                guard let colon = item.lastIndex(of: ":"), let cost = UInt8(item[item.index(after: colon)...]) else {
                    return nil
                }
                return (String(item[..<colon]), cost)
            }
            if parts[1] == "w" { words[language] = entries } else { grams[language] = entries }
        }
        let cyrillicCodes: Set<String> = ["ru", "uk", "bg", "sr", "mk", "be"]
        func group(_ languages: [String]) -> Group {
            var result = Group(
                languages: languages, unknownGram: Array(repeating: 0, count: languages.count),
                unknownWord: Array(repeating: 0, count: languages.count)
            )
            for (column, language) in languages.enumerated() {
                var worstGram: UInt8 = 0
                for (gram, cost) in grams[language] ?? [] {
                    let key = Self.gramKey(gram.unicodeScalars.map { $0 == "_" ? " " : $0 })
                    let row: Int32
                    if let known = result.grams[key] {
                        row = known
                    } else {
                        row = Int32(result.grams.count)
                        result.grams.insert(key, row)
                        result.gramCosts += Array(repeating: UInt8.max, count: languages.count)
                    }
                    result.gramCosts[Int(row) * languages.count + column] = cost
                    worstGram = max(worstGram, cost)
                }
                var worstWord: UInt8 = 0
                for (word, cost) in words[language] ?? [] {
                    let key = Self.wordKey(Array(word.unicodeScalars))
                    let row: Int32
                    if let known = result.words[key] {
                        row = known
                    } else {
                        row = Int32(result.words.count)
                        result.words.insert(key, row)
                        result.wordCosts += Array(repeating: UInt8.max, count: languages.count)
                    }
                    result.wordCosts[Int(row) * languages.count + column] = cost
                    worstWord = max(worstWord, cost)
                }
                result.unknownGram[column] = Double(worstGram)
                result.unknownWord[column] = Double(worstWord)
            }
            // Something a profile never saw costs the same in every language: 3x rarer than the rarest kept entry
            // of any of them. A per-language penalty let the language with the shortest word list (Turkish) win
            // every string made of words no profile knows.
            let unknownGram = (result.unknownGram.max() ?? 0) + 5
            let unknownWord = (result.unknownWord.max() ?? 0) + 8
            result.unknownGram = result.unknownGram.map { _ in unknownGram }
            result.unknownWord = result.unknownWord.map { _ in unknownWord }
            result.unknownLetter = result.unknownGram.map { $0 + 15 }
            result.vectorize()
            result.precomputeSteps()
            // Profile words as the scorer sees them: lowercased scalars of the group's script only (a word with
            // anything else in it is never formed by the scorer and need not be summed).
            var profileWords: [[UInt32]] = []
            let script: Script = languages.contains(where: { cyrillicCodes.contains($0) }) ? .cyrillic : .latin
            for language in languages {
                for (word, _) in words[language] ?? [] {
                    let values = word.unicodeScalars.map { TextBytes.lowerValue($0.value) }
                    if values.allSatisfy({ Self.script(of: $0) == script }) { profileWords.append(values) }
                }
            }
            result.precomputeWords(profileWords)
            return result
        }
        latin = group(order.filter { !cyrillicCodes.contains($0) })
        cyrillic = group(order.filter { cyrillicCodes.contains($0) })
    }

    /// The article's language, from its headline and body; the file's declared language is a cue and the answer
    /// only when there is too little text.
    public func detect(_ article: Article) -> LanguageLabel {
        // The headline and the first paragraphs while shorter than twice ``sampleLetters`` bytes (ArticleText).
        let text = ArticleText(article)
        return text.bytes.withUnsafeBufferPointer {
            detect(UnsafeBufferPointer(rebasing: $0[..<text.languageSampleEnd]), declared: article.language)
        }
    }

    /// Letters per script (by ``Script/index``) in the first ``sampleLetters`` letters of `bytes`, and how many
    /// letters that is.
    ///
    /// UTF-8 bytes, ASCII by a byte test and the rest decoded: the same count as walking the scalars
    /// (``scriptTallyByScalars(_:)``, the reference), faster. ASCII letters go to a local counter (an array
    /// element's update checked the array's uniqueness each time). Most of a Latin text is read eight ASCII bytes
    /// at a time: with every byte < 0x80, `byte | 0x20` stays < 0x80, so adding 0x1F (0x05) to each sets its top
    /// bit exactly when it is ≥ 0x61 "a" (≥ 0x7B, past "z") and never carries into the next byte. A run of such
    /// chunks keeps one count per byte lane and adds the lanes at its end: a chunk costs a few instructions
    /// instead of a software popcount (about 20 on the baseline x86-64 this builds for). The run is as long as the
    /// letter budget cannot run out inside it, which is when the chunk-by-chunk reading took every chunk.
    static func scriptTally(_ bytes: UnsafeBufferPointer<UInt8>) -> (tally: [Int], letters: Int) {
        var tally = [Int](repeating: 0, count: Script.allCases.count)
        var letters = 0
        var asciiLetters = 0
        var index = 0
        while index < bytes.count && letters < Self.sampleLetters {  // the main script is clear long before
            // Chunks whose letters, eight at most each, keep `letters` below the budget minus 8 at every chunk's
            // start (the chunk-by-chunk condition); at most 31 of them, so a lane's count and the lanes' sum
            // (≤ 248) stay within a byte.
            let room = min((Self.sampleLetters - 1 - letters) / 8, 31, (bytes.count - index) / 8)
            if room > 0 {
                var lanes: UInt64 = 0
                var taken = 0
                while taken < room {
                    let chunk = TextScan.eightBytes(at: index, in: bytes)
                    if chunk & 0x8080_8080_8080_8080 != 0 { break }
                    let folded = chunk | 0x2020_2020_2020_2020
                    let fromA = (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & 0x8080_8080_8080_8080
                    let pastZ = (folded &+ 0x0505_0505_0505_0505) & 0x8080_8080_8080_8080
                    lanes &+= (fromA & ~pastZ) >> 7
                    index += 8
                    taken += 1
                }
                if taken > 0 {
                    let count = Int((lanes &* 0x0101_0101_0101_0101) >> 56)
                    asciiLetters += count
                    letters += count
                    continue
                }
            }
            let byte = bytes[index]
            if byte < 0x80 {
                let folded = byte | 0x20
                if folded >= 0x61 && folded <= 0x7A {
                    asciiLetters += 1
                    letters += 1
                }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if let scalar = TextBytes.decodeScalar(bytes, at: index), let script = Self.script(of: scalar.value) {
                tally[script.index] += 1
                letters += 1
            }
            index += length
        }
        tally[Script.latin.index] += asciiLetters
        return (tally, letters)
    }

    /// ``scriptTally(_:)`` scalar by scalar: the reference it is tested against (on valid UTF-8, which is all
    /// the detector is given).
    static func scriptTallyByScalars(_ bytes: UnsafeBufferPointer<UInt8>) -> (tally: [Int], letters: Int) {
        var tally = [Int](repeating: 0, count: Script.allCases.count)
        var letters = 0
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if letters >= Self.sampleLetters { break }
            if let script = Self.script(of: scalar.value) {
                tally[script.index] += 1
                letters += 1
            }
        }
        return (tally, letters)
    }

    enum Script: String, CaseIterable {
        case latin = "Latin", cyrillic = "Cyrillic", greek = "Greek", arabic = "Arabic", hebrew = "Hebrew"
        case devanagari = "Devanagari", thai = "Thai", hangul = "Hangul", han = "Han", kana = "Kana"
        case armenian = "Armenian", georgian = "Georgian"

        var index: Int {
            switch self {
            case .latin: 0
            case .cyrillic: 1
            case .greek: 2
            case .arabic: 3
            case .hebrew: 4
            case .devanagari: 5
            case .thai: 6
            case .hangul: 7
            case .han: 8
            case .kana: 9
            case .armenian: 10
            case .georgian: 11
            }
        }
    }

    static func script(of value: UInt32) -> Script? {
        if value < 0x80 {  // most of any text: one test instead of the range switch
            let folded = value | 0x20
            return folded >= 0x61 && folded <= 0x7A ? .latin : nil
        }
        switch value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F, 0x1E00...0x1EFF: return .latin
        case 0x400...0x4FF, 0x500...0x52F: return .cyrillic
        case 0x370...0x3FF, 0x1F00...0x1FFF: return .greek
        case 0x531...0x58F: return .armenian
        case 0x590...0x5FF: return .hebrew
        case 0x600...0x6FF, 0x750...0x77F, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return .arabic
        case 0x900...0x97F: return .devanagari
        case 0xE00...0xE7F: return .thai
        case 0x10A0...0x10FF: return .georgian
        case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF: return .hangul
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return .kana
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: return .han
        default: return nil
        }
    }

    /// `text`'s language. `declared` (ISO 639-1 or BCP 47) is believed only when the text is too short to tell.
    public func detect(_ text: String, declared: String? = nil) -> LanguageLabel {
        var text = text
        return text.withUTF8 { detect($0, declared: declared) }
    }

    /// ``detect(_:declared:)`` of UTF-8 text (read in place: the classifier's shared buffer).
    func detect(_ bytes: UnsafeBufferPointer<UInt8>, declared: String? = nil) -> LanguageLabel {
        let (tally, letters) = Self.scriptTally(bytes)
        var counts: [Script: Int] = [:]
        for script in Script.allCases where tally[script.index] > 0 { counts[script] = tally[script.index] }
        let declaredCode = declared.map { String($0.lowercased().prefix { $0.isLetter }) }.flatMap {
            $0.isEmpty ? nil : $0
        }
        var cues: [Cue] = []
        if let declaredCode { cues.append(Cue("declared \(declaredCode)", field: "meta", weight: 0)) }
        guard letters >= Self.minimumLetters else {
            if let declaredCode {
                return LanguageLabel(code: declaredCode, score: 0.5, cues: cues + [Cue("too little text", field: "text", weight: 0)])
            }
            if letters == 0 { return LanguageLabel(code: "und", score: 0, cues: cues) }
            cues.append(Cue("too little text", field: "text", weight: 0))
            // Short, but still try: a script alone can be enough.
            return detectScript(bytes, counts: counts, letters: letters, cues: cues, short: true)
        }
        return detectScript(bytes, counts: counts, letters: letters, cues: cues, short: false)
    }

    private func detectScript(
        _ text: UnsafeBufferPointer<UInt8>, counts: [Script: Int], letters: Int, cues: [Cue], short: Bool
    ) -> LanguageLabel {
        var cues = cues
        // Han and kana together are "CJK"; Japanese writes kana in every sentence, Chinese never.
        // A Han character or a Hangul syllable is worth a word, a kana a syllable: weigh them against letters so
        // a Chinese line with one Latin product name is still Chinese.
        var grouped = counts
        let cjk = (counts[.han] ?? 0) + (counts[.kana] ?? 0)
        grouped[.han] = nil
        grouped[.kana] = nil
        if cjk > 0 { grouped[.han] = (counts[.han] ?? 0) * 3 + (counts[.kana] ?? 0) * 2 }
        if let hangul = grouped[.hangul] { grouped[.hangul] = hangul * 3 }
        let weightedLetters = grouped.values.reduce(0, +)
        let (script, weighted) = grouped.max { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }!
        let share = Double(weighted) / Double(weightedLetters)
        let count = script == .han ? cjk : counts[script] ?? 0
        let shares = grouped.sorted { $0.value > $1.value }.prefix(3)
            .map { "\($0.key == .han ? "CJK" : $0.key.rawValue) \(Int((Double($0.value) * 100 / Double(weightedLetters)).rounded()))%" }
        cues.append(Cue("script " + shares.joined(separator: ", "), field: "text", weight: 0))
        let scale = short ? 0.5 : 1.0
        switch script {
        case .han:
            let kana = counts[.kana] ?? 0
            if kana * 20 >= cjk {
                cues.append(Cue("kana \(kana) of \(cjk) CJK characters", field: "text", weight: 0))
                return LanguageLabel(code: "ja", score: share * scale, cues: cues)
            }
            return LanguageLabel(code: "zh", score: share * scale, cues: cues)
        case .hangul: return LanguageLabel(code: "ko", score: share * scale, cues: cues)
        case .arabic:
            // Persian and Urdu write پ چ ژ گ, which Arabic does not have.
            var persian = 0
            Self.forEachScalar(text) { value in
                if [0x67E, 0x686, 0x698, 0x6AF].contains(value) { persian += 1 }
                return true
            }
            if persian * 100 >= count {
                cues.append(Cue("Persian letters (پ چ ژ گ) ×\(persian)", field: "text", weight: 0))
                return LanguageLabel(code: "fa", score: share * scale * 0.8, cues: cues)
            }
            return LanguageLabel(code: "ar", score: share * scale, cues: cues)
        case .greek: return LanguageLabel(code: "el", score: share * scale, cues: cues)
        case .hebrew: return LanguageLabel(code: "he", score: share * scale, cues: cues)
        case .devanagari: return LanguageLabel(code: "hi", score: share * scale, cues: cues)
        case .thai: return LanguageLabel(code: "th", score: share * scale, cues: cues)
        case .armenian: return LanguageLabel(code: "hy", score: share * scale, cues: cues)
        case .georgian: return LanguageLabel(code: "ka", score: share * scale, cues: cues)
        case .latin, .cyrillic, .kana:
            let group = script == .cyrillic ? cyrillic : latin
            return score(text, group: group, script: script, share: share * scale, cues: cues)
        }
    }

    /// Scores the words of `script` in `text` under each of the group's languages.
    /// Calls `body` with each scalar value of valid UTF-8 `text` (what `String.unicodeScalars` gives) until it
    /// returns false.
    @inline(__always)
    static func forEachScalar(_ text: UnsafeBufferPointer<UInt8>, _ body: (UInt32) -> Bool) {
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte < 0x80 {
                if !body(UInt32(byte)) { return }
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if let scalar = TextBytes.decodeScalar(text, at: index), !body(scalar.value) { return }
            index += length
        }
    }

    private func score(
        _ text: UnsafeBufferPointer<UInt8>, group: Group, script: Script, share: Double, cues: [Cue]
    ) -> LanguageLabel {
        var cues = cues
        let languageCount = group.languages.count
        guard languageCount > 0 else { return LanguageLabel(code: "und", score: 0, cues: cues) }
        // The current word's letters: at most ``scoredLetters`` are ever taken, so one buffer of that many holds
        // any word (an array's `append` checked its uniqueness per letter, and `removeAll(keepingCapacity:)` went
        // through the generic `replaceSubrange`, ~90 instructions per word).
        let letters = UnsafeMutablePointer<UInt32>.allocate(capacity: Self.scoredLetters)
        defer { letters.deallocate() }
        // One value with `mutating` methods for the loop's state: nested functions capturing local `var`s made
        // every access to them a runtime exclusivity check.
        var state = ScoreState(group: group, letters: letters)
        var index = 0
        // Long texts stop being read once one language is far ahead: a gap of 150 (15 orders of magnitude) is
        // not closed by more of the same text, and it keeps a 3 KiB story's language cheap.
        scan: while index < text.count {
            let byte = text[index]
            if byte < 0x80 {
                // ASCII without the general path's decoding, lowercasing and script switch (same results: an
                // ASCII letter lowercases to `byte | 0x20` and is Latin; other ASCII has no script).
                index += 1
                if state.seen >= Self.scoredLetters { break scan }
                let folded = byte | 0x20
                if folded >= 0x61 && folded <= 0x7A {
                    if script == .latin {
                        state.append(UInt32(folded))
                        continue
                    }
                }
                if state.length > 0 {
                    state.flush()
                    if state.wordCount % 8 == 0 && state.decided(languageCount: languageCount) { break scan }
                }
                continue
            }
            var scalar = UInt32(byte)
            var length = 1
            if byte >= 0x80 {
                length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                guard let decoded = TextBytes.decodeScalar(text, at: index) else {
                    index += length
                    continue
                }
                scalar = decoded.value
            }
            index += length
            if state.seen >= Self.scoredLetters { break scan }
            let value = TextBytes.lowerValue(scalar)
            if Self.script(of: value) == script {
                state.append(value)
                switch value {
                case 0x456, 0x457, 0x454, 0x491: state.ukrainianLetters += 1  // і ї є ґ
                case 0x44B, 0x44D, 0x451: state.russianLetters += 1  // ы э ё
                default: break
                }
            } else if state.length > 0 {
                state.flush()
                if state.wordCount % 8 == 0 && state.decided(languageCount: languageCount) { break scan }
            }
        }
        state.flush()
        let totals = state.totals
        let grams = state.grams
        let wordCount = state.wordCount
        let ukrainianLetters = state.ukrainianLetters
        let russianLetters = state.russianLetters
        var costs = (0..<languageCount).map { Double(totals[$0 / 16][$0 % 16]) }
        if script == .cyrillic {
            // Letters of one alphabet only: strong evidence, as an editor reading a Cyrillic line would use.
            for (column, code) in group.languages.enumerated() {
                if code != "uk" { costs[column] += Double(ukrainianLetters) * 30 }
                if code != "ru" { costs[column] += Double(russianLetters) * 30 }
            }
            if ukrainianLetters > 0 { cues.append(Cue("і ї є ґ ×\(ukrainianLetters)", field: "text", weight: 0)) }
            if russianLetters > 0 { cues.append(Cue("ы э ё ×\(russianLetters)", field: "text", weight: 0)) }
        }
        let ranked = costs.indices.sorted { costs[$0] < costs[$1] }
        let best = ranked[0]
        // Costs are −10·log10 p summed over grams; tempering by √grams keeps long texts from looking certain
        // only because they are long, and turns the gaps into a distribution.
        let temper = log(10) / 10 / max(1, Double(grams).squareRoot())
        let weights = costs.map { exp(-($0 - costs[best]) * temper) }
        let total = weights.reduce(0, +)
        let probability = weights[best] / total
        let runnersUp = ranked.prefix(3).map { "\(group.languages[$0]) \(Self.percent(weights[$0] / total))" }
        cues.append(Cue(runnersUp.joined(separator: " · "), field: "text", weight: 0))
        cues.append(Cue("\(wordCount) words", field: "text", weight: 0))
        return LanguageLabel(code: group.languages[best], score: probability * share, cues: cues)
    }

    /// What ``score(_:group:script:share:cues:)`` accumulates while it reads the text.
    private struct ScoreState {
        let group: Group
        var totals: [SIMD16<Int32>]
        var grams = 0
        var wordCount = 0
        var ukrainianLetters = 0
        var russianLetters = 0
        var seen = 0
        /// The current word: `letters[..<length]`, room for ``LanguageDetector/scoredLetters``.
        let letters: UnsafeMutablePointer<UInt32>
        var length = 0

        init(group: Group, letters: UnsafeMutablePointer<UInt32>) {
            self.group = group
            self.letters = letters
            totals = [SIMD16<Int32>](repeating: SIMD16<Int32>(), count: group.chunks)
        }

        /// Adds a letter to the current word and counts it against ``LanguageDetector/scoredLetters``.
        @inline(__always)
        mutating func append(_ letter: UInt32) {
            precondition(seen < LanguageDetector.scoredLetters, "more letters than scored")
            letters[length] = letter
            length += 1
            seen += 1
        }

        mutating func flush() {
            guard length > 0 else { return }
            let word = UnsafeBufferPointer(start: letters, count: length)
            length = 0
            wordCount += 1
            let key = LanguageDetector.wordKey(values: word)
            let chunks = group.chunks
            if let row = group.wordTotals[key], group.isWordTotal(Int(row), word) {
                let base = Int(row) * chunks
                for chunk in 0..<chunks {
                    totals[chunk] &+= SIMD16<Int32>(truncatingIfNeeded: group.wordTotalVectors[base + chunk])
                }
                grams += 3 * word.count + 1
            } else if chunks == 1 {
                totals[0] &+= group.stepScore(word)
                grams += 3 * word.count + 1
            } else {
                grams += group.wordScore(Array(word), into: &totals)
            }
        }

        func decided(languageCount: Int) -> Bool {
            guard seen >= LanguageDetector.decisiveLetters, languageCount > 1 else { return false }
            var best = Int32.max
            var second = Int32.max
            for column in 0..<languageCount {
                let cost = totals[column / 16][column % 16]
                if cost < best {
                    second = best
                    best = cost
                } else if cost < second {
                    second = cost
                }
            }
            return Int(second) - Int(best) > 150
        }
    }

    private static func percent(_ value: Double) -> String {
        "\(Int((value * 100).rounded()))%"
    }

    static func gramKey<C: Collection>(_ scalars: C) -> UInt64 where C.Element == Unicode.Scalar {
        var key: UInt64 = 0
        for scalar in scalars { key = key << 21 | UInt64(scalar.value) }
        // Scalars are non-zero and below 2^21, so keys of different lengths cannot collide.
        return key
    }

    static func wordKey(_ scalars: [Unicode.Scalar]) -> UInt64 {
        wordKey(values: scalars.map(\.value))
    }

    static func wordKey<Values: Sequence>(values: Values) -> UInt64 where Values.Element == UInt32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in values { hash = (hash ^ UInt64(value)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}

/// A hash table from non-zero `UInt64` keys to rows: open addressing with a multiplicative hash. The detector
/// looks up three n-grams per letter; `Dictionary`'s seeded SipHash made those lookups most of its cost.
struct KeyTable: Sendable {
    /// Key and row side by side: a lookup touches one cache line, not one in each of two arrays.
    private struct Slot {
        var key: UInt64
        var row: Int32
    }

    private var slots = [Slot](repeating: Slot(key: 0, row: 0), count: 16)
    private(set) var count = 0
    private var shift: UInt64 = 60

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    @inline(__always)
    subscript(key: UInt64) -> Int32? {
        slots.withUnsafeBufferPointer { slots in
            var index = slot(key)
            let mask = slots.count - 1
            while true {
                let stored = slots[index].key
                if stored == key { return slots[index].row }
                if stored == 0 { return nil }
                index = (index + 1) & mask
            }
        }
    }

    /// Every key with its row.
    var entries: [(key: UInt64, row: Int32)] {
        slots.filter { $0.key != 0 }.map { (key: $0.key, row: $0.row) }
    }

    mutating func insert(_ key: UInt64, _ row: Int32) {
        precondition(key != 0, "0 marks an empty slot")
        if (count + 1) * 2 > slots.count { grow() }
        var index = slot(key)
        let mask = slots.count - 1
        while slots[index].key != 0 && slots[index].key != key { index = (index + 1) & mask }
        if slots[index].key == 0 { count += 1 }
        slots[index] = Slot(key: key, row: row)
    }

    private mutating func grow() {
        let old = slots.filter { $0.key != 0 }
        slots = [Slot](repeating: Slot(key: 0, row: 0), count: slots.count * 2)
        shift -= 1
        count = 0
        for entry in old { insert(entry.key, entry.row) }
    }
}
