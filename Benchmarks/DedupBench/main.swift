import CopydeskCore
import Foundation

// bench-dedup: dedup accuracy, speed, scale and clustering measurements (Benchmarks/DEDUP.md).
//   bench-dedup pairs OUT [--shared DIR] [--seed 1] [--per-level 400]
//   bench-dedup decide OUT [--bands 10 --rows 5 --threshold 0.8]
//   bench-dedup score OUT [--threshold 0.8]
//   bench-dedup speed DOCDIR [--runs 7] [--seconds 1] [--max 2000]
//   bench-dedup scale [--sizes 10000,100000,1000000] [--window 5000] [--shared DIR]
//   bench-dedup digest-memory [--n 1000000]
//   bench-dedup stories-memory [--n 30000] [--spacing 10]
//   bench-dedup stories [--wikiref DIR] [--thresholds 0.2,0.3,0.4] [--orders 5]
//   bench-dedup daemon DOCDIR [--n 1000000] [--spacing 10] [--sizes 10000,100000,1000000]
//   bench-dedup repeat DOCDIR [--n 4000] [--docs N] [--spacing 3] [--fingerprint-only] [--check]

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: String) -> String {
    if let i = arguments.firstIndex(of: "--" + name), i + 1 < arguments.count { return arguments[i + 1] }
    return fallback
}
func positional(_ n: Int) -> String {
    let values = arguments.enumerated().filter { i, a in !a.hasPrefix("--") && (i == 0 || !arguments[i - 1].hasPrefix("--")) }
    guard n < values.count else { die("missing argument; see the comment at the top of main.swift") }
    return values[n].element
}
let shared = option("shared", "../shared")
var configuration = NearDuplicateIndex.Configuration()
configuration.bands = Int(option("bands", "10"))!
configuration.rows = Int(option("rows", "5"))!
configuration.threshold = Double(option("threshold", "0.8"))!

switch arguments.first ?? "" {
case "pairs":
    Accuracy.makePairs(out: positional(1), shared: shared, seed: UInt64(option("seed", "1"))!,
                       perLevel: Int(option("per-level", "400"))!)
case "decide":
    Accuracy.decide(out: positional(1), configuration: configuration)
case "score":
    Accuracy.score(out: positional(1), threshold: configuration.threshold)
case "speed":
    Speed.run(docdir: positional(1), runs: Int(option("runs", "7"))!, seconds: Double(option("seconds", "1"))!,
              maxDocs: Int(option("max", "2000"))!)
case "scale":
    Scale.run(shared: shared, sizes: option("sizes", "10000,100000,1000000").split(separator: ",").map { Int($0)! },
              window: Int(option("window", "5000"))!, seed: UInt64(option("seed", "1"))!, configuration: configuration)
case "digest-memory":
    Scale.digestMemory(count: Int(option("n", "1000000"))!)
case "stories-memory":
    StoriesBench.memory(shared: shared, count: Int(option("n", "30000"))!, spacing: Int64(option("spacing", "10"))!)
case "stories":
    StoriesBench.run(wikiref: option("wikiref", shared + "/corpora/wikiref220"),
                     thresholds: option("thresholds", "0.2,0.3,0.4").split(separator: ",").map { Double($0)! },
                     orders: Int(option("orders", "5"))!)
case "daemon":
    DaemonBench.run(docdir: positional(1), count: Int(option("n", "1000000"))!,
                    spacing: Int64(option("spacing", "10"))!,
                    sizes: option("sizes", "10000,100000,1000000").split(separator: ",").map { Int($0)! })
case "repeat":
    let count = Int(option("n", "4000"))!
    RepeatBench.run(docdir: positional(1), count: count, docs: Int(option("docs", String(count)))!,
                    spacing: Int64(option("spacing", "3"))!, fingerprintOnly: arguments.contains("--fingerprint-only"),
                    check: arguments.contains("--check"))
default:
    die("usage: bench-dedup pairs|decide|score|speed|scale|digest-memory|stories …")
}
