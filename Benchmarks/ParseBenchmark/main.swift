// copydesk-bench: Parse stage throughput (Parse.prepare: screening, charset, sniffing, parsing, cleaning) per
// corpus format, in MB/s and documents/s, as the median (with min and max) of several timed runs.
//
//   swift build -c release --product copydesk-bench
//   .build/release/copydesk-bench [--runs 7] [--min-time 0.5] [--corpus DIR] [--format F]...
//
// Each run parses the format's fixtures over and over until --min-time seconds of CPU time have passed; the files
// are read once, before timing, so only the pure Parse stage is measured. Time is the thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), not wall time: the machines this runs on are shared, and CPU time measures the code
// rather than the neighbours; one thread, so it is also the single-core rate. Wall-clock throughput is printed too.
// Prints a Markdown table (Benchmarks/PARSE.md).
import CopydeskCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

var runs = 7
var minTime = 0.5
var corpus = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    .deletingLastPathComponent().appendingPathComponent("shared/corpora/wire-formats")
var only: [String] = []
var dump: [String] = []
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--runs": runs = Int(arguments.next() ?? "") ?? runs
    case "--min-time": minTime = Double(arguments.next() ?? "") ?? minTime
    case "--corpus": corpus = URL(fileURLWithPath: arguments.next() ?? corpus.path)
    case "--format": only.append(arguments.next() ?? "")
    case "--dump": dump.append(arguments.next() ?? "")
    default:
        FileHandle.standardError.write(
            Data("usage: copydesk-bench [--runs N] [--min-time S] [--corpus DIR] [--format F]... | --dump DIR...\n".utf8))
        exit(2)
    }
}

/// `--dump`: what Parse.prepare makes of every file under the given folders, one JSON line per file, sorted by
/// path: a diff of two dumps shows whether a change to the Parse stage changed any result.
if !dump.isEmpty {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for root in dump {
        let paths = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
        for path in paths {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue,
                let data = try? Data(contentsOf: url)
            else { continue }
            let line: String
            switch Parse.prepare(Array(data), fileName: url.lastPathComponent) {
            case .success(let prepared):
                let article = (try? encoder.encode(prepared.article)).map { String(decoding: $0, as: UTF8.self) }
                let removals = (try? encoder.encode(prepared.removals)).map { String(decoding: $0, as: UTF8.self) }
                line = "\(prepared.format) \(prepared.charset) \(article ?? "?") \(removals ?? "?")"
            case .failure(let reason):
                line = "rejected \(reason)"
            }
            print("\(root)/\(path)\t\(line)")
        }
    }
    exit(0)
}

struct Document {
    var name: String
    var bytes: [UInt8]
}

let folders = ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? [])
    .filter { name in
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(
            atPath: corpus.appendingPathComponent(name).path, isDirectory: &isFolder
        )
        return exists && isFolder.boolValue && (only.isEmpty || only.contains(name))
    }
    .sorted()
guard !folders.isEmpty else {
    FileHandle.standardError.write(Data("copydesk-bench: no corpus folders under \(corpus.path)\n".utf8))
    exit(2)
}

/// CPU time of this thread, in seconds.
func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func wallSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

struct Rate {
    var mbPerSecond: Double
    var docsPerSecond: Double
    var wallMBPerSecond: Double
}

func measure(_ documents: [Document], minTime: Double) -> Rate {
    var bytes = 0
    var count = 0
    var sink = 0
    let cpuStart = cpuSeconds()
    let wallStart = wallSeconds()
    var elapsed = 0.0
    repeat {
        for document in documents {
            switch Parse.prepare(document.bytes, fileName: document.name) {
            case .success(let prepared): sink &+= prepared.article.paragraphs.count
            case .failure(let reason): sink &+= reason.message.count
            }
            bytes += document.bytes.count
            count += 1
        }
        elapsed = cpuSeconds() - cpuStart
    } while elapsed < minTime
    let wall = wallSeconds() - wallStart
    if sink == -1 { print(sink) }  // Keeps the work observable.
    return Rate(
        mbPerSecond: Double(bytes) / elapsed / 1e6, docsPerSecond: Double(count) / elapsed,
        wallMBPerSecond: Double(bytes) / wall / 1e6
    )
}

func summary(_ values: [Double]) -> String {
    let sorted = values.sorted()
    let median = sorted[sorted.count / 2]
    return String(format: "%.2f (%.2f–%.2f)", median, sorted.first!, sorted.last!)
}

func median(_ values: [Double]) -> String {
    String(format: "%.2f", values.sorted()[values.count / 2])
}

func summaryInt(_ values: [Double]) -> String {
    let sorted = values.sorted()
    return String(format: "%.0f (%.0f–%.0f)", sorted[sorted.count / 2], sorted.first!, sorted.last!)
}

print(
    "| corpus format | read as | files | KiB | MB/s (CPU) median (min–max) | documents/s (CPU) median (min–max) "
        + "| MB/s wall median |"
)
print("|---|---|---:|---:|---|---|---:|")
var everything: [Document] = []
for folder in folders {
    let url = corpus.appendingPathComponent(folder)
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    let documents = names.compactMap { name in
        (try? Data(contentsOf: url.appendingPathComponent(name))).map { Document(name: name, bytes: Array($0)) }
    }
    guard !documents.isEmpty else { continue }
    everything += documents
    var readAs: [String: Int] = [:]
    for document in documents {
        let format = (try? Parse.prepare(document.bytes, fileName: document.name).get())?.format ?? "rejected"
        readAs[format, default: 0] += 1
    }
    _ = measure(documents, minTime: minTime)  // Warm-up.
    let results = (0..<runs).map { _ in measure(documents, minTime: minTime) }
    let size = documents.reduce(0) { $0 + $1.bytes.count }
    let formats = readAs.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    print(
        "| \(folder) | \(formats) | \(documents.count) | \(size / 1024) | \(summary(results.map(\.mbPerSecond))) | "
            + "\(summaryInt(results.map(\.docsPerSecond))) | \(median(results.map(\.wallMBPerSecond))) |"
    )
}
if folders.count > 1 {
    let results = (0..<runs).map { _ in measure(everything, minTime: minTime) }
    let size = everything.reduce(0) { $0 + $1.bytes.count }
    print(
        "| **all** | | \(everything.count) | \(size / 1024) | \(summary(results.map(\.mbPerSecond))) | "
            + "\(summaryInt(results.map(\.docsPerSecond))) | \(median(results.map(\.wallMBPerSecond))) |"
    )
}
