import CopydeskCore
import Foundation

/// The seeded edit process that makes near-duplicates from real articles, at named levels.
struct EditLevel {
    var name: String
    /// Per-word probability of an edit (half substitutions, a quarter deletions, a quarter insertions).
    var wordRate: Double
    /// Adjacent-sentence swaps.
    var swaps: Int
    /// Boilerplate lines added (agency credit, copyright, newsletter prompts).
    var boilerplate: Int
    /// Whether one paragraph moves elsewhere.
    var moveParagraph: Bool

    static let all: [EditLevel] = [
        EditLevel(name: "L0 rewrap", wordRate: 0, swaps: 0, boilerplate: 0, moveParagraph: false),
        EditLevel(name: "L1 light", wordRate: 0.0025, swaps: 1, boilerplate: 0, moveParagraph: false),
        EditLevel(name: "L2 moderate", wordRate: 0.005, swaps: 1, boilerplate: 1, moveParagraph: false),
        EditLevel(name: "L3 heavy", wordRate: 0.01, swaps: 2, boilerplate: 1, moveParagraph: false),
        EditLevel(name: "L4 rewrite", wordRate: 0.03, swaps: 3, boilerplate: 2, moveParagraph: true),
    ]
}

let boilerplateLines = [
    "(Reporting by Jane Doe; Editing by John Smith)",
    "Copyright 2005 British Broadcasting Corporation. All rights reserved.",
    "Follow us on Twitter for the latest updates on this and other stories.",
    "Click here to subscribe to our daily newsletter and get the top stories delivered to your inbox.",
    "This story has been corrected to fix a spelling error in the third paragraph.",
    "For more news visit our website or download the app.",
    "(Additional reporting by staff correspondents in London and Washington)",
    "Sign up for breaking news alerts.",
]

struct Editor {
    var generator: SeededGenerator
    let vocabulary: [String]

    mutating func chance(_ p: Double) -> Bool { Double(generator.next() % 1_000_000) / 1_000_000 < p }
    mutating func pick(_ n: Int) -> Int { Int(generator.next() % UInt64(max(n, 1))) }

    /// Re-wrapping: lines broken at a random width (60–79), CRLF half the time, indented paragraphs now and then,
    /// typographic quotes and dashes swapped in, the headline upper-cased a third of the time. No word changes.
    mutating func rewrap(_ story: Story) -> String {
        let width = 60 + pick(20)
        let newline = chance(0.5) ? "\r\n" : "\n"
        let indent = chance(0.3) ? "    " : ""
        var headline = story.headline
        if chance(0.33) { headline = headline.uppercased() }
        var out = headline + newline + newline
        for paragraph in story.paragraphs {
            var text = paragraph
            if chance(0.5) {
                text = text.replacingOccurrences(of: " - ", with: " — ").replacingOccurrences(of: "\"", with: "”")
                    .replacingOccurrences(of: "'", with: "’")
            }
            var line = indent
            for word in text.split(separator: " ") {
                if line.count + word.count + 1 > width, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    out += line + newline
                    line = ""
                }
                line += (line.isEmpty || line == indent ? "" : " ") + word
            }
            out += line + newline + newline
        }
        return out
    }

    mutating func edit(_ story: Story, level: EditLevel) -> String {
        var edited = story
        if level.wordRate > 0 {
            edited.paragraphs = edited.paragraphs.map { paragraph in
                var words: [String] = []
                for word in paragraph.split(separator: " ").map(String.init) {
                    if chance(level.wordRate) {
                        switch pick(4) {
                        case 0, 1: words.append(vocabulary[pick(vocabulary.count)])
                        case 2: break
                        default: words.append(word); words.append(vocabulary[pick(vocabulary.count)])
                        }
                    } else {
                        words.append(word)
                    }
                }
                return words.joined(separator: " ")
            }
            if chance(level.wordRate * 10) {  // headline edits now and then, as re-issued versions do
                var words = edited.headline.split(separator: " ").map(String.init)
                if !words.isEmpty { words[pick(words.count)] = vocabulary[pick(vocabulary.count)] }
                edited.headline = words.joined(separator: " ")
            }
        }
        for _ in 0..<level.swaps {
            let candidates = edited.paragraphs.indices.filter { sentences(edited.paragraphs[$0]).count >= 2 }
            guard !candidates.isEmpty else { break }
            let p = candidates[pick(candidates.count)]
            var parts = sentences(edited.paragraphs[p])
            let i = pick(parts.count - 1)
            parts.swapAt(i, i + 1)
            edited.paragraphs[p] = parts.joined(separator: " ")
        }
        if level.moveParagraph, edited.paragraphs.count >= 3 {
            let moved = edited.paragraphs.remove(at: pick(edited.paragraphs.count))
            edited.paragraphs.insert(moved, at: pick(edited.paragraphs.count + 1))
        }
        for _ in 0..<level.boilerplate {
            let line = boilerplateLines[pick(boilerplateLines.count)]
            if chance(0.5) { edited.paragraphs.append(line) } else { edited.paragraphs.insert(line, at: 0) }
        }
        return rewrap(edited)
    }
}

struct Pair {
    var id: Int
    var level: String
    var a: String
    var b: String
    var exact: Double
    /// `copy` (an edited copy of a), `negative` (unrelated), or the corpus list's kind.
    var kind: String
}

enum Accuracy {
    /// Writes OUT/docs/*.txt and OUT/pairs.tsv: the corpus duplicate lists plus edited copies per level.
    static func makePairs(out: String, shared: String, seed: UInt64, perLevel: Int) {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: out + "/docs", withIntermediateDirectories: true)
        let bbc = Corpora.bbc(shared + "/corpora/bbc-news"), reuters = Corpora.reuters(shared + "/corpora/reuters21578-subset")
        guard !bbc.isEmpty, !reuters.isEmpty else { die("corpora not found under \(shared)/corpora") }
        var byID: [String: Story] = [:]
        for story in bbc + reuters { byID[story.id] = story }
        var docs: [String: String] = [:]  // file name → text
        func file(_ id: String, _ text: String) -> String {
            let name = id.replacingOccurrences(of: ":", with: "_").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: ".txt", with: "") + ".txt"
            docs[name] = text
            return name
        }
        var pairs: [Pair] = []
        var generator = SeededGenerator(seed: seed)
        func exact(_ x: String, _ y: String) -> Double {
            Shingles.jaccard(Shingles.shingleSet(x), Shingles.shingleSet(y))
        }

        // 1. The corpora's own duplicate lists, as given, plus as many random unrelated pairs.
        var listed: [(String, String, String)] = []
        if let csv = readText(shared + "/corpora/bbc-news/duplicates.csv") {
            for line in csv.split(whereSeparator: \.isNewline).dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                listed.append(("bbc:" + f[0], "bbc:" + f[1], String(f[2])))
            }
        }
        if let csv = readText(shared + "/corpora/reuters21578-subset/duplicates.csv") {
            for line in csv.split(whereSeparator: \.isNewline).dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                listed.append(("reuters:" + f[0], "reuters:" + f[1], String(f[2])))
            }
        }
        let all = bbc + reuters.filter { Corpora.wordCount($0.text) >= 20 }
        for (x, y, kind) in listed {
            guard let sx = byID[x], let sy = byID[y] else { continue }
            let (tx, ty) = (sx.text, sy.text)
            pairs.append(Pair(id: pairs.count, level: "corpus lists", a: file(x, tx), b: file(y + "#b", ty),
                              exact: exact(tx, ty), kind: kind))
        }
        for _ in 0..<listed.count {
            let sx = all[Int(generator.next() % UInt64(all.count))], sy = all[Int(generator.next() % UInt64(all.count))]
            guard sx.id != sy.id else { continue }
            pairs.append(Pair(id: pairs.count, level: "corpus lists", a: file(sx.id, sx.text),
                              b: file(sy.id + "#b", sy.text), exact: exact(sx.text, sy.text), kind: "negative"))
        }

        // 2. Edited copies of real articles, per level; as many unrelated pairs (a, someone else's copy).
        var vocabulary = Set<String>()
        for story in all.prefix(1500) {
            for word in story.text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.count > 2 {
                vocabulary.insert(String(word))
            }
        }
        var editor = Editor(generator: SeededGenerator(seed: seed ^ 0xED17), vocabulary: vocabulary.sorted())
        let pool = all.filter { Corpora.wordCount($0.text) >= 40 }
        for (levelIndex, level) in EditLevel.all.enumerated() {
            var chosen: [Story] = []
            var used = Set<Int>()
            while chosen.count < perLevel && used.count < pool.count {
                let i = Int(generator.next() % UInt64(pool.count))
                if used.insert(i).inserted { chosen.append(pool[i]) }
            }
            let copies = chosen.map { editor.edit($0, level: level) }
            for (i, story) in chosen.enumerated() {
                let a = file(story.id, story.text)
                let b = file(story.id + "#L\(levelIndex)", copies[i])
                pairs.append(Pair(id: pairs.count, level: level.name, a: a, b: b, exact: exact(story.text, copies[i]),
                                  kind: "copy"))
                let j = (i + 1 + Int(generator.next() % UInt64(max(chosen.count - 1, 1)))) % chosen.count
                if j != i {
                    let other = file(chosen[j].id + "#L\(levelIndex)", copies[j])
                    pairs.append(Pair(id: pairs.count, level: level.name, a: a, b: other,
                                      exact: exact(story.text, copies[j]), kind: "negative"))
                }
            }
        }
        for (name, text) in docs {
            fm.createFile(atPath: out + "/docs/" + name, contents: Data(text.utf8))
        }
        var tsv = "id\tlevel\ta\tb\texact\tkind\n"
        for p in pairs { tsv += "\(p.id)\t\(p.level)\t\(p.a)\t\(p.b)\t\(fmt(p.exact, 4))\t\(p.kind)\n" }
        fm.createFile(atPath: out + "/pairs.tsv", contents: Data(tsv.utf8))
        print("RESULT pairs n=\(pairs.count) docs=\(docs.count) seed=\(seed) per_level=\(perLevel)")
    }

    static func readPairs(_ out: String) -> [Pair] {
        guard let tsv = readText(out + "/pairs.tsv") else { die("no \(out)/pairs.tsv: run `pairs` first") }
        return tsv.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Pair(id: Int(f[0])!, level: f[1], a: f[2], b: f[3], exact: Double(f[4])!, kind: f[5])
        }
    }

    /// Copydesk's decisions: per level, an index of the `a` documents; each `b` is queried; the pair is
    /// called a near-duplicate when `a` is among the confirmed matches. Writes OUT/copydesk.tsv.
    static func decide(out: String, configuration: NearDuplicateIndex.Configuration) {
        let pairs = readPairs(out)
        let hasher = MinHasher()
        var signatures: [String: MinHashSignature] = [:]
        func signature(_ name: String) -> MinHashSignature {
            if let s = signatures[name] { return s }
            let s = hasher.signature(of: readText(out + "/docs/" + name) ?? "")
            signatures[name] = s
            return s
        }
        var lines = "id\tdecision\tsimilarity\n"
        var confirmed = "id\tdecision\tsimilarity\n"
        var exactChecks = 0
        var shingleSets: [String: [UInt64]] = [:]
        func shingleSet(_ name: String) -> [UInt64] {
            if let s = shingleSets[name] { return s }
            let s = Shingles.shingleSet(readText(out + "/docs/" + name) ?? "")
            shingleSets[name] = s
            return s
        }
        let threshold = configuration.threshold, margin = 0.1
        for level in orderedLevels(pairs) {
            let subset = pairs.filter { $0.level == level }
            var index = NearDuplicateIndex(configuration: configuration)
            var sequenceOf: [String: UInt64] = [:]
            for name in Set(subset.map(\.a)).sorted() {
                let sequence = UInt64(sequenceOf.count + 1)
                sequenceOf[name] = sequence
                index.insert(signature(name), sequence: sequence)
            }
            for pair in subset {
                let matches = index.query(signature(pair.b))
                let hit = matches.first { $0.sequence == sequenceOf[pair.a] }
                lines += "\(pair.id)\t\(hit == nil ? 0 : 1)\t\(fmt(hit?.similarity ?? 0, 4))\n"
                // With exact confirmation of borderline estimates (the candidate's text read back, as the
                // daemon would read it from the journal).
                let loose = index.query(signature(pair.b), threshold: threshold - margin)
                var decision = false
                if let candidate = loose.first(where: { $0.sequence == sequenceOf[pair.a] }) {
                    if NearDuplicateIndex.isBorderline(candidate.similarity, threshold: threshold, margin: margin) {
                        exactChecks += 1
                        decision = Shingles.jaccard(shingleSet(pair.a), shingleSet(pair.b)) >= threshold
                    } else {
                        decision = candidate.similarity >= threshold
                    }
                }
                confirmed += "\(pair.id)\t\(decision ? 1 : 0)\t0\n"
            }
        }
        FileManager.default.createFile(atPath: out + "/copydesk.tsv", contents: Data(lines.utf8))
        FileManager.default.createFile(atPath: out + "/copydesk-exact.tsv", contents: Data(confirmed.utf8))
        print("RESULT copydesk_exact_checks=\(exactChecks) of \(pairs.count) queries (margin \(margin))")
        print("RESULT copydesk_decisions pairs=\(pairs.count) threshold=\(configuration.threshold) "
            + "bands=\(configuration.bands) rows=\(configuration.rows)")
    }

    static func orderedLevels(_ pairs: [Pair]) -> [String] {
        var seen: [String] = []
        for p in pairs where !seen.contains(p.level) { seen.append(p.level) }
        return seen
    }

    static func readDecisions(_ path: String) -> [Int: Bool]? {
        guard let tsv = readText(path) else { return nil }
        var out: [Int: Bool] = [:]
        for line in tsv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t")
            if let id = Int(f[0]) { out[id] = f[1] == "1" }
        }
        return out
    }

    /// The table: per level, labels = exact 5-shingle Jaccard ≥ threshold; P/R/F1 for each system, and the
    /// share of edited copies each flagged ("copies found", the editor's view).
    static func score(out: String, threshold: Double) {
        let pairs = readPairs(out)
        var systems: [(String, [Int: Bool])] = []
        for (name, file) in [("copydesk", "copydesk.tsv"), ("datasketch", "datasketch.tsv"),
                             ("copydesk+exact", "copydesk-exact.tsv")] {
            if let d = readDecisions(out + "/" + file) { systems.append((name, d)) }
        }
        var header = "| level | pairs | pos / neg | median J of copies |"
        var rule = "|---|---|---|---|"
        for (name, _) in systems {
            header += " \(name) P / R / F1 | \(name) copies found |"
            rule += "---|---|"
        }
        print(header)
        print(rule)
        var totals: [String: (tp: Int, fp: Int, fn: Int)] = [:]
        for level in orderedLevels(pairs) + ["all"] {
            let subset = level == "all" ? pairs : pairs.filter { $0.level == level }
            let positives = subset.filter { $0.exact >= threshold }.count
            let copies = subset.filter { $0.kind == "copy" }
            let medianJ = copies.isEmpty ? "–" : fmt(Stats(copies.map(\.exact)).median, 3)
            var row = "| \(level) | \(subset.count) | \(positives) / \(subset.count - positives) | \(medianJ) |"
            for (name, decisions) in systems {
                var tp = 0, fp = 0, fn = 0
                for p in subset {
                    let predicted = decisions[p.id] ?? false, actual = p.exact >= threshold
                    if predicted && actual { tp += 1 } else if predicted { fp += 1 } else if actual { fn += 1 }
                }
                if level == "all" { totals[name] = (tp, fp, fn) }
                let precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
                let recall = tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn)
                let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
                let found = copies.isEmpty ? "–" : fmt(Double(copies.filter { decisions[$0.id] ?? false }.count)
                    / Double(copies.count), 3)
                row += " \(fmt(precision, 3)) / \(fmt(recall, 3)) / **\(fmt(f1, 3))** (fp \(fp), fn \(fn)) | \(found) |"
            }
            print(row)
        }
        for (name, t) in totals.sorted(by: { $0.key < $1.key }) {
            let p = Double(t.tp) / Double(max(1, t.tp + t.fp)), r = Double(t.tp) / Double(max(1, t.tp + t.fn))
            print("RESULT accuracy system=\(name) precision=\(fmt(p, 4)) recall=\(fmt(r, 4)) f1=\(fmt(2 * p * r / max(p + r, 1e-9), 4)) tp=\(t.tp) fp=\(t.fp) fn=\(t.fn)")
        }
    }
}
