import CopydeskCore

/// Synthetic texts for the dedup tests: words drawn from a made-up vocabulary by a seeded generator, so every
/// run sees the same documents.
struct SyntheticText {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    mutating func word() -> String { "w\(generator.next() % 20_000)" }

    mutating func words(_ count: Int) -> [String] { (0..<count).map { _ in word() } }

    /// A copy of `words` with `edits` random single-word substitutions.
    mutating func edited(_ words: [String], edits: Int) -> [String] {
        var out = words
        for _ in 0..<edits { out[Int(generator.next() % UInt64(out.count))] = word() }
        return out
    }
}

extension Array where Element == String {
    var text: String { joined(separator: " ") }
}
