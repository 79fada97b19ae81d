import CopydeskCore
import Foundation

/// `bench-dedup daemon DOCDIR [--n 1000000] [--spacing 10]`: the daemon's dedup memory (``DedupMemory``) fed
/// document after document as the serial stage feeds it, to a million.
///
/// Documents: the corpus files parsed once (`Parse.prepare`), then each copy made its own story by replacing 30 %
/// of its body words with words of other documents (seeded), so copies are neither duplicates nor near-duplicates
/// of each other (5-word shingles survive at 0.7^5), while keeping real vocabulary; every 100th document is a
/// planted re-send of a recent one with a word changed (a near-duplicate), every 50th a redelivery (same bytes).
/// Arrivals are `spacing` seconds apart (stories open and close on their 48 h window). Fingerprints are made
/// before `decide`: they are the parallel prepare stage's work, timed apart (`fingerprint_cpu_us`: thread CPU of
/// `fingerprinted()` per document). Timed: `decide` alone (thread CPU, the serial stage's added cost), per window
/// of 5,000 documents before each size; memory: the process's RSS growth, and the checkpoint encoding's size,
/// time and SHA-256 at the end (`checkpoint_sha256`: a change that must not alter the state prints the same).
enum DaemonBench {
    static func run(docdir: String, count: Int, spacing: Int64, sizes: [Int]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: docdir)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
        var articles: [Article] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: docdir + "/" + name),
                  case .success(let prepared) = Parse.prepare([UInt8](data), fileName: name) else { continue }
            articles.append(prepared.article)
        }
        guard !articles.isEmpty else { die("no documents in \(docdir)") }
        var vocabulary: [Substring] = []
        for article in articles.prefix(500) { vocabulary += article.bodyText.split(separator: " ").prefix(200) }
        print("docs=\(articles.count) vocabulary=\(vocabulary.count)")
        var generator = SeededGenerator(seed: 7)
        let base = residentBytes()
        var memory = DedupMemory()
        var recent: [(bytes: [UInt8], article: Article)] = []
        var cpu = 0.0
        var fingerprintCPU = 0.0
        var windowCPU: [Int: Double] = [:]
        var windowFingerprintCPU: [Int: Double] = [:]
        var verdicts: [String: Int] = [:]
        let window = 5000
        let started = wallClock()
        for n in 0..<count {
            var article: Article
            var bytes: [UInt8]
            if n % 50 == 49, let last = recent.last {
                (bytes, article) = last
            } else if n % 100 == 98, let earlier = recent.first {
                article = earlier.article
                if !article.paragraphs.isEmpty { article.paragraphs[0] += " Updated." }
                bytes = Array((article.headline + "\n\n" + article.bodyText).utf8)
            } else {
                article = articles[n % articles.count]
                article.paragraphs = article.paragraphs.map { paragraph in
                    paragraph.split(separator: " ").map { word in
                        generator.next() % 10 < 3 ? vocabulary[Int(generator.next() % UInt64(vocabulary.count))] : word
                    }.joined(separator: " ")
                }
                bytes = Array((article.headline + "\n\n" + article.bodyText + "\nRef: \(n)").utf8)
            }
            let unprepared = PreparedDocument(format: "text", charset: "utf-8", article: article)
            let f0 = threadCPU()
            let prepared = unprepared.fingerprinted()
            let fingerprintSpent = threadCPU() - f0
            fingerprintCPU += fingerprintSpent
            let arrival = Arrival(
                file: "d\(n).txt", channel: nil, claim: "c\(n)",
                receivedAt: Timestamp(microseconds: 1_767_225_600_000_000 + Int64(n) * spacing * 1_000_000),
                size: Int64(bytes.count), sha256: SHA256.hash(bytes))
            let c0 = threadCPU()
            let body = memory.decide(bytes, arrival: arrival, prepared: .success(prepared), sequence: UInt64(n + 1),
                                     rejectedAs: "x")
            let spent = threadCPU() - c0
            cpu += spent
            switch body {
            case .document(let document): verdicts[document.link?.relation.rawValue ?? "new", default: 0] += 1
            case .duplicate(let duplicate): verdicts[duplicate.match, default: 0] += 1
            case .rejected: verdicts["rejected", default: 0] += 1
            }
            recent.append((bytes, article))
            if recent.count > 64 { recent.removeFirst() }
            for size in sizes where n + 1 > size - window && n < size {
                windowCPU[size, default: 0] += spent
                windowFingerprintCPU[size, default: 0] += fingerprintSpent
            }
            if sizes.contains(n + 1) {
                let grown = Double(residentBytes() - base) / 1_048_576
                print("RESULT dedup_daemon n=\(n + 1) decide_cpu_us=\(fmt(windowCPU[n + 1]! / Double(window) * 1e6, 1)) "
                    + "fingerprint_cpu_us=\(fmt(windowFingerprintCPU[n + 1]! / Double(window) * 1e6, 1)) "
                    + "rss_growth_mib=\(fmt(grown, 1)) index_array_mib=\(fmt(Double(memory.memoryBytes) / 1_048_576, 1)) "
                    + "exact=\(memory.exact.count) near_index=\(memory.state.nearDuplicates.count) "
                    + "open_stories=\(memory.state.stories.openStories.count) wall_s=\(fmt(wallClock() - started, 0)) "
                    + "verdicts=\(verdicts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))")
            }
        }
        let c0 = threadCPU()
        let encoded = memory.encoded()
        let encodeSeconds = threadCPU() - c0
        let c1 = threadCPU()
        let decoded = try? DedupMemory(decoding: encoded, settings: memory.settings)
        let decodeSeconds = threadCPU() - c1
        print("RESULT dedup_daemon_checkpoint n=\(count) bytes=\(encoded.count) encode_cpu_s=\(fmt(encodeSeconds, 2)) "
            + "decode_cpu_s=\(fmt(decodeSeconds, 2)) decoded=\(decoded != nil) mean_decide_cpu_us=\(fmt(cpu / Double(count) * 1e6, 1)) "
            + "mean_fingerprint_cpu_us=\(fmt(fingerprintCPU / Double(count) * 1e6, 1)) "
            + "checkpoint_sha256=\(SHA256.hash(encoded).hex)")
    }
}
