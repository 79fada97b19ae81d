import Foundation

/// The labelled news in `../shared/corpora` that the classification tests compare byte paths on, when present.
/// Each accessor is nil when its files are absent (a fresh clone): the test then prints why and returns.
enum ClassifyCorpus {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CopydeskCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/corpora").standardized

    /// Every `step`th BBC news file (of the folder's sorted `.txt` paths, counted over all its entries as the tests
    /// always did), with its path below `bbc-news/`.
    static func bbc(every step: Int) -> [(name: String, text: String)]? {
        let folder = root.appendingPathComponent("bbc-news").path
        guard let names = try? FileManager.default.subpathsOfDirectory(atPath: folder), !names.isEmpty else {
            return nil
        }
        return names.sorted().enumerated().compactMap { position, name in
            guard position % step == 0, name.hasSuffix(".txt"),
                let data = FileManager.default.contents(atPath: folder + "/" + name)
            else { return nil }
            return (name, String(decoding: data, as: UTF8.self))
        }
    }

    /// The Reuters-21578 subset's first file, one JSON object per line.
    static func reutersLines() -> [Substring]? {
        let path = root.appendingPathComponent("reuters21578-subset/reut2-000.jsonl")
        return (try? String(contentsOf: path, encoding: .utf8)).map { $0.split(separator: "\n") }
    }

    static func skipped(_ what: String) {
        print("skipped: \(root.path)/\(what) is absent")
    }
}
