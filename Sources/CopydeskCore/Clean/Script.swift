/// The writing system of a piece of text, by Unicode block: enough to notice a Cyrillic footer under an
/// English story or a Latin menu over a Greek one. (The standard library does not expose Unicode's Script
/// property, and the blocks below cover what news pages are written in.)
enum Script: String, Sendable, Equatable {
    case latin, cyrillic, greek, arabic, hebrew, devanagari, thai, cjk, hangul, other

    init(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: self = .latin
        case 0x370...0x3FF, 0x1F00...0x1FFF: self = .greek
        case 0x400...0x52F, 0x2DE0...0x2DFF, 0xA640...0xA69F: self = .cyrillic
        case 0x590...0x5FF: self = .hebrew
        case 0x600...0x6FF, 0x750...0x77F, 0xFB50...0xFDFF, 0xFE70...0xFEFF: self = .arabic
        case 0x900...0x97F: self = .devanagari
        case 0xE00...0xE7F: self = .thai
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: self = .cjk
        case 0xAC00...0xD7AF, 0x1100...0x11FF: self = .hangul
        default: self = .other
        }
    }

    /// The script most letters of `text` are in; nil when it has no letters.
    static func dominant(in text: String) -> Script? {
        dominant(letterCounts(in: text))
    }

    /// How many letters of `text` are in each script, in the order of ``all``.
    static func letterCounts(in text: String) -> [Int] {
        var counts = Array(repeating: 0, count: all.count)
        for scalar in text.unicodeScalars {
            // ASCII letters without the property lookup: most text is mostly ASCII.
            if scalar.value < 0x80 {
                if (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value) { counts[0] += 1 }
                continue
            }
            guard scalar.properties.isAlphabetic else { continue }
            counts[all.firstIndex(of: Script(scalar)) ?? all.count - 1] += 1
        }
        return counts
    }

    /// The script with the most letters in `counts` (the first on a tie); nil when there are none.
    static func dominant(_ counts: [Int]) -> Script? {
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else { return nil }
        return all[best]
    }

    /// Every case, Latin first (ties go to the earlier case).
    static let all: [Script] = [.latin, .cyrillic, .greek, .arabic, .hebrew, .devanagari, .thai, .cjk, .hangul, .other]
}
