import CopydeskCore
import Foundation

enum Speed {
    /// Per-document CPU cost on the peers' corpus (cpubench's method: each run repeats the whole corpus for at
    /// least `seconds` of thread CPU time; µs/doc = CPU time / documents). Kernels:
    ///   shingle  : words + 5-word shingle hashes
    ///   minhash  : shingle + 128-permutation MinHash signature
    ///   full     : minhash + LSH query + insert (the daemon path; a fresh index per pass over the corpus)
    ///   full+norm: full + normalized text SHA-256 (the normalized exact match)
    static func run(docdir: String, runs: Int, seconds: Double, maxDocs: Int) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: docdir)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted().prefix(maxDocs)
        let texts = names.compactMap { readText(docdir + "/" + $0) }
        guard !texts.isEmpty else { die("no documents in \(docdir)") }
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        let shingles = texts.reduce(0) { $0 + Shingles.withShingleHashes($1) { $0.count } }
        print("docs=\(texts.count) mean_bytes=\(bytes / texts.count) mean_shingles=\(shingles / texts.count)")
        let hasher = MinHasher()
        var sink: UInt64 = 0
        for kernel in ["shingle", "minhash", "full", "full+norm"] {
            var cpu: [Double] = [], wall: [Double] = []
            for _ in 0..<runs {
                var count = 0
                let c0 = threadCPU(), w0 = wallClock()
                repeat {
                    var index = NearDuplicateIndex(configuration: .init(capacity: 1 << 14, firstGeneration: 1 << 13))
                    for (i, text) in texts.enumerated() {
                        switch kernel {
                        case "shingle":
                            sink &+= Shingles.withShingleHashes(text) { $0.last ?? 0 }
                        case "minhash":
                            sink &+= UInt64(hasher.signature(of: text).values[5])
                        default:
                            let key = index.key(for: hasher.signature(of: text))
                            if let best = index.query(key).first { sink &+= best.sequence }
                            index.insert(key, sequence: UInt64(i + 1))
                            if kernel == "full+norm" { sink &+= UInt64(Normalize.digest(headline: "", body: [text]).bytes[0]) }
                        }
                    }
                    count += texts.count
                } while threadCPU() - c0 < seconds
                cpu.append((threadCPU() - c0) / Double(count) * 1e6)
                wall.append((wallClock() - w0) / Double(count) * 1e6)
            }
            let c = Stats(cpu), w = Stats(wall)
            print("RESULT swift \(kernel) cpu_us_per_doc_median=\(fmt(c.median)) min=\(fmt(c.min)) max=\(fmt(c.max)) "
                + "wall_us_median=\(fmt(w.median)) cpu_docs_per_s=\(Int(1e6 / c.median))")
        }
        if sink == 42 { print("") }
    }
}

enum Scale {
    /// Insert+query cost and memory as the index grows to `sizes` documents. Documents are synthetic: 500 words
    /// drawn from the unigram distribution of the BBC + Reuters text (so word frequencies are real, phrases are
    /// not), and every 100th document is a planted copy of an earlier one with 1 % of its words replaced, so
    /// recall is checked at every size. Costs are thread CPU per document over the `window` documents before
    /// each size; signatures are computed outside the timed index part and reported separately.
    static func run(shared: String, sizes: [Int], window: Int, seed: UInt64, configuration: NearDuplicateIndex.Configuration) {
        var words: [String] = []
        for story in Corpora.bbc(shared + "/corpora/bbc-news") + Corpora.reuters(shared + "/corpora/reuters21578-subset") {
            for w in story.text.split(whereSeparator: { $0 == " " || $0 == "\n" }) { words.append(String(w)) }
        }
        guard !words.isEmpty else { die("corpora not found") }
        let rssStart = residentBytes()
        var generator = SeededGenerator(seed: seed)
        let hasher = MinHasher()
        var index = NearDuplicateIndex(configuration: configuration)
        var recent: [[Int]] = []  // word indices of recent originals, for planting copies
        var planted = 0, found = 0
        var indexCPU = 0.0, signatureCPU = 0.0, timed = 0
        let maxSize = sizes.max() ?? 0
        var measured = Set<Int>()
        print("| documents | index µs/doc (query + insert) | signature µs/doc | planted copies found | index bytes | bytes/doc | process RSS MiB |")
        print("|---|---|---|---|---|---|---|")
        for n in 1...maxSize {
            var chosen: [Int]
            if n % 100 == 0, let source = recent.randomElement(using: &generator) {
                chosen = source
                for _ in 0..<(chosen.count / 100) { chosen[Int(generator.next() % UInt64(chosen.count))] = Int(generator.next() % UInt64(words.count)) }
                planted += 1
            } else {
                chosen = (0..<500).map { _ in Int(generator.next() % UInt64(words.count)) }
                if recent.count < 64 { recent.append(chosen) } else { recent[Int(generator.next() % 64)] = chosen }
            }
            let text = chosen.map { words[$0] }.joined(separator: " ")
            let inWindow = sizes.contains { n > $0 - window && n <= $0 }
            let c0 = inWindow ? threadCPU() : 0
            let signature = hasher.signature(of: text)
            let c1 = inWindow ? threadCPU() : 0
            let best = index.bestMatch(signature)
            index.insert(signature, sequence: UInt64(n))
            if inWindow {
                let c2 = threadCPU()
                signatureCPU += c1 - c0
                indexCPU += c2 - c1
                timed += 1
            }
            if n % 100 == 0, best != nil { found += 1 }
            if sizes.contains(n), !measured.contains(n) {
                measured.insert(n)
                let memory = index.memoryBytes
                print("| \(n) | \(fmt(indexCPU / Double(timed) * 1e6, 2)) | \(fmt(signatureCPU / Double(timed) * 1e6, 1)) | "
                    + "\(found)/\(planted) | \(memory) | \(memory / max(index.count, 1)) | "
                    + "\(fmt(Double(residentBytes() - rssStart) / 1_048_576, 1)) (+\(fmt(Double(rssStart) / 1_048_576, 1)) at start) |")
                print("RESULT scale n=\(n) index_us_per_doc=\(fmt(indexCPU / Double(timed) * 1e6, 3)) "
                    + "signature_us_per_doc=\(fmt(signatureCPU / Double(timed) * 1e6, 2)) found=\(found) planted=\(planted) "
                    + "index_bytes=\(memory) remembered=\(index.count) rss_bytes=\(residentBytes())")
                indexCPU = 0; signatureCPU = 0; timed = 0
            }
        }
    }

    /// Memory of the exact-match tables at `count` documents: the existing ExactIndex (32-byte keys) and the
    /// compact DigestIndex (128-bit keys), measured as RSS growth.
    static func digestMemory(count: Int) {
        var generator = SeededGenerator(seed: 99)
        func digest() -> Digest {
            var bytes = [UInt8]()
            for _ in 0..<4 { withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) } }
            return Digest(bytes: bytes)!
        }
        var rss = residentBytes()
        var compact = DigestIndex()
        for n in 0..<count { compact.insert(digest(), sequence: UInt64(n)) }
        let compactBytes = residentBytes() - rss
        rss = residentBytes()
        var exact = ExactIndex()
        for n in 0..<count { exact.insert(digest(), sequence: UInt64(n)) }
        let exactBytes = residentBytes() - rss
        print("RESULT digest_memory n=\(count) digest_index_rss_bytes=\(compactBytes) exact_index_rss_bytes=\(exactBytes) "
            + "digest_index_per_doc=\(compactBytes / count) exact_index_per_doc=\(exactBytes / count) "
            + "(\(compact.count + exact.count) entries)")
    }
}
