import CopydeskCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU time of the calling thread, in seconds: the box is shared, so wall time measures the neighbours too.
func threadCPU() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func wallClock() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Resident set size of this process in bytes (VmRSS).
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

struct Stats {
    var median: Double
    var min: Double
    var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        median = sorted.isEmpty ? .nan : sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }

    func format(_ digits: Int = 1) -> String {
        "\(fmt(median, digits)) [\(fmt(min, digits))..\(fmt(max, digits))]"
    }
}

func fmt(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

func die(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// Reads `path` as UTF-8, falling back to Windows-1252 (WikiRef220 and one BBC file are not UTF-8).
func readText(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1252)
}

/// One real article of the benchmark corpora.
struct Story {
    var id: String
    var headline: String
    var paragraphs: [String]
    var text: String { ([headline] + paragraphs).joined(separator: "\n\n") }
}

enum Corpora {
    /// BBC News: `label/NNN.txt`, headline on the first line, paragraphs separated by blank lines.
    static func bbc(_ root: String) -> [Story] {
        var out: [Story] = []
        for label in ["business", "entertainment", "politics", "sport", "tech"] {
            let dir = root + "/" + label
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".txt") }
            for name in names.sorted() {
                guard let text = readText(dir + "/" + name) else { continue }
                let blocks = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                    .filter { !$0.isEmpty }
                guard let headline = blocks.first else { continue }
                out.append(Story(id: "bbc:\(label)/\(name)", headline: headline, paragraphs: Array(blocks.dropFirst())))
            }
        }
        return out
    }

    /// Reuters-21578 (first file): title + body, paragraphs split at indented line starts.
    static func reuters(_ root: String) -> [Story] {
        guard let data = FileManager.default.contents(atPath: root + "/reut2-000.jsonl") else { return [] }
        var out: [Story] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"] as? Int else { continue }
            let body = (object["body"] as? String ?? "").replacingOccurrences(of: "\n    ", with: "\n\n")
            let paragraphs = body.components(separatedBy: "\n\n")
                .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.filter { !$0.isEmpty }
            out.append(Story(id: "reuters:\(id)", headline: object["title"] as? String ?? "", paragraphs: paragraphs))
        }
        return out
    }

    static func wordCount(_ text: String) -> Int { Shingles.wordHashes(text).count }
}

/// Splits a paragraph into sentences at ". ", "? ", "! " (good enough for reordering news prose).
func sentences(_ paragraph: String) -> [String] {
    var out: [String] = []
    var current = ""
    let characters = Array(paragraph)
    for (i, c) in characters.enumerated() {
        current.append(c)
        if ".?!".contains(c), i + 1 < characters.count, characters[i + 1] == " " {
            out.append(current.trimmingCharacters(in: .whitespaces))
            current = ""
        }
    }
    let rest = current.trimmingCharacters(in: .whitespaces)
    if !rest.isEmpty { out.append(rest) }
    return out
}
