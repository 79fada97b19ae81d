import CopydeskCore
import Foundation

/// Story clustering on WikiRef220: 220 web news articles labelled with 16 stories/topics (5 main, 11 "noise"
/// with 1–5 articles). The articles carry no times, so all arrive within one window; the order is shuffled with
/// a seeded generator and the scores are given over several orders. Scores: B-cubed precision/recall/F1 (per
/// document: how much of its cluster shares its label, and how much of its label shares its cluster), purity,
/// and the adjusted Rand index.
enum StoriesBench {
    static func run(wikiref: String, thresholds: [Double], orders: Int) {
        guard let labels = readText(wikiref + "/labels.csv") else { die("no \(wikiref)/labels.csv") }
        var docs: [(label: String, text: String)] = []
        for line in labels.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, let text = readText(wikiref + "/articles/" + fields[0]) else { continue }
            docs.append((String(fields[1]), text))
        }
        print("documents=\(docs.count) labels=\(Set(docs.map(\.label)).count)")
        print("| threshold | stories (median) | B-cubed P | B-cubed R | B-cubed F1 | purity | ARI |")
        print("|---|---|---|---|---|---|---|")
        for threshold in thresholds {
            var scores: [[Double]] = []
            for order in 0..<orders {
                var generator = SeededGenerator(seed: UInt64(order + 1))
                let shuffled = docs.shuffled(using: &generator)
                var clusterer = StoryClusterer(configuration: .init(threshold: threshold))
                var assigned: [UInt64] = []
                for (i, doc) in shuffled.enumerated() {
                    let time = Timestamp(microseconds: Int64(i) * 60_000_000)  // a minute apart: one window
                    assigned.append(clusterer.add(sequence: UInt64(i + 1), text: doc.text, at: time).story)
                }
                scores.append(evaluate(labels: shuffled.map(\.label), clusters: assigned))
            }
            let column = { (k: Int) in Stats(scores.map { $0[k] }) }
            print("| \(threshold) | \(Int(column(0).median)) | \(column(1).format(3)) | \(column(2).format(3)) | "
                + "**\(column(3).format(3))** | \(column(4).format(3)) | \(column(5).format(3)) |")
            print("RESULT stories threshold=\(threshold) orders=\(orders) bcubed_f1=\(fmt(column(3).median, 4)) "
                + "purity=\(fmt(column(4).median, 4)) ari=\(fmt(column(5).median, 4))")
        }
    }

    /// [clusters, B³ P, B³ R, B³ F1, purity, ARI]
    static func evaluate(labels: [String], clusters: [UInt64]) -> [Double] {
        let n = labels.count
        var byCluster: [UInt64: [Int]] = [:], byLabel: [String: [Int]] = [:]
        for i in 0..<n {
            byCluster[clusters[i], default: []].append(i)
            byLabel[labels[i], default: []].append(i)
        }
        var precision = 0.0, recall = 0.0
        for i in 0..<n {
            let cluster = byCluster[clusters[i]]!, label = byLabel[labels[i]]!
            let both = cluster.filter { labels[$0] == labels[i] }.count
            precision += Double(both) / Double(cluster.count)
            recall += Double(both) / Double(label.count)
        }
        precision /= Double(n)
        recall /= Double(n)
        var purity = 0
        var contingency: [String: Int] = [:]
        for (cluster, members) in byCluster {
            var counts: [String: Int] = [:]
            for m in members { counts[labels[m], default: 0] += 1 }
            purity += counts.values.max() ?? 0
            for (label, c) in counts { contingency["\(cluster)|\(label)"] = c }
        }
        func pairs(_ x: Int) -> Double { Double(x) * Double(x - 1) / 2 }
        let index = contingency.values.reduce(0) { $0 + pairs($1) }
        let a = byCluster.values.reduce(0) { $0 + pairs($1.count) }
        let b = byLabel.values.reduce(0) { $0 + pairs($1.count) }
        let expected = a * b / pairs(n)
        let ari = (index - expected) / ((a + b) / 2 - expected)
        return [Double(byCluster.count), precision, recall, 2 * precision * recall / (precision + recall),
                Double(purity) / Double(n), ari]
    }
}

extension StoriesBench {
    /// Memory of the clusterer in steady state: `count` synthetic 300-word documents (corpus word frequencies)
    /// `spacing` seconds apart, so the open stories hit `maxOpenStories`; RSS growth and open stories reported.
    static func memory(shared: String, count: Int, spacing: Int64) {
        var words: [String] = []
        for story in Corpora.bbc(shared + "/corpora/bbc-news").prefix(500) {
            for w in story.text.split(whereSeparator: { $0 == " " || $0 == "\n" }) { words.append(String(w)) }
        }
        var generator = SeededGenerator(seed: 3)
        let rss = residentBytes()
        var clusterer = StoryClusterer()
        let c0 = threadCPU()
        for n in 0..<count {
            let text = (0..<300).map { _ in words[Int(generator.next() % UInt64(words.count))] }.joined(separator: " ")
            _ = clusterer.add(sequence: UInt64(n + 1), text: text, at: Timestamp(microseconds: Int64(n) * spacing * 1_000_000))
        }
        let cpu = (threadCPU() - c0) / Double(count) * 1e6
        print("RESULT stories_memory docs=\(count) open=\(clusterer.openStories.count) rss_growth_bytes=\(residentBytes() - rss) "
            + "encoded_bytes=\(clusterer.encoded().count) cpu_us_per_doc=\(fmt(cpu, 1))")
    }
}
