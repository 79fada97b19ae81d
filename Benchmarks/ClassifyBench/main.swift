import CopydeskCore
import Foundation

// bench-classify: measurements and the training tool for the Classify stage. The core is pure; reading files and
// the clock happen here. Subcommands:
//   folds DIR --seed N [--folds 5] --out FILE      assign each labelled document (DIR/label/file) to a fold
//   cv DIR --folds-file FILE [--algorithm linear-svm|naive-bayes] [--single 500]
//                                                  cross-validate on those folds; one RESULT line per fold + summary
//   language SAMPLE.tsv                            per-language accuracy (full strings and their first 3 words)
//   timing DIR [--n 2000] [--model FILE]           per-document time: parse, classify and its parts
//   train DIR --out FILE [--algorithm …]           train on DIR/label/* and write the model file
//   classify FILE… [--channel NAME] [--model FILE] print the classification as JSON
//   repeat DIR [--n 2000] [--model FILE] [--times 10]  classify in a loop, for `perf record`
//   default-rules                                  print the built-in rules (deploy/rules.conf)

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func readText(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
}

/// DIR/label/file, sorted by label then file (the order scikit-learn's loader uses too).
func labelledDocuments(_ directory: String) -> [(path: String, label: String)] {
    let fm = FileManager.default
    guard let labels = try? fm.contentsOfDirectory(atPath: directory) else { fail("cannot list \(directory)") }
    var result: [(String, String)] = []
    for label in labels.sorted() {
        var isDirectory: ObjCBool = false
        let folder = directory + "/" + label
        guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
        for file in (try? fm.contentsOfDirectory(atPath: folder))?.sorted() ?? [] where !file.hasPrefix(".") {
            result.append((folder + "/" + file, label))
        }
    }
    return result
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// CPU seconds of this thread: on a shared, loaded machine wall time also counts other people's builds.
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func macroF1(_ truth: [String], _ predicted: [String]) -> Double {
    let labels = Set(truth)
    var total = 0.0
    for label in labels {
        let tp = Double(zip(truth, predicted).filter { $0 == label && $1 == label }.count)
        let fp = Double(zip(truth, predicted).filter { $0 != label && $1 == label }.count)
        let fn = Double(zip(truth, predicted).filter { $0 == label && $1 != label }.count)
        total += tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
    }
    return total / Double(labels.count)
}

func algorithmOption() -> TextModel.Algorithm {
    guard let name = option("--algorithm") else { return .linearSVM }
    guard let algorithm = TextModel.Algorithm(rawValue: name) else { fail("unknown algorithm \(name)") }
    return algorithm
}

/// Model options from the command line: --algorithm, --bits, --no-bigrams, --c, --min-df, --epochs, --tolerance.
func modelOptions() -> TextModel.Options {
    var options = TextModel.Options()
    options.algorithm = algorithmOption()
    if let bits = option("--bits").flatMap(Int.init) { options.bucketBits = bits }
    if arguments.contains("--no-bigrams") { options.bigrams = false }
    if let c = option("--c").flatMap(Double.init) { options.c = c }
    if let minimum = option("--min-df").flatMap(Int.init) { options.minDocumentFrequency = minimum }
    if let epochs = option("--epochs").flatMap(Int.init) { options.epochs = epochs }
    if let tolerance = option("--tolerance").flatMap(Double.init) { options.tolerance = tolerance }
    if let alpha = option("--alpha").flatMap(Double.init) { options.alpha = alpha }
    return options
}

func loadModel() -> TextModel? {
    guard let path = option("--model") else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    do {
        return try TextModel(serialized: Array(data))
    } catch {
        fail("\(error)")
    }
}

func prepare(_ path: String) -> Article? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    switch Parse.prepare(Array(data), fileName: (path as NSString).lastPathComponent) {
    case .success(let document): return document.article
    case .failure: return nil
    }
}

let clock = ContinuousClock()

switch arguments.first {
case "folds":
    guard arguments.count >= 2, let seedText = option("--seed"), let seed = UInt64(seedText),
        let out = option("--out")
    else { fail("usage: bench-classify folds DIR --seed N [--folds 5] --out FILE") }
    let folds = Int(option("--folds") ?? "5") ?? 5
    let documents = labelledDocuments(arguments[1])
    // Stratified: shuffle each label's documents with the seed, then deal them round-robin to the folds.
    var generator = SeededRandom(seed: seed)
    var lines: [String] = []
    for label in Set(documents.map(\.label)).sorted() {
        var mine = documents.filter { $0.label == label }
        mine.shuffle(using: &generator)
        for (index, document) in mine.enumerated() {
            let relative = document.path.dropFirst(arguments[1].count).drop { $0 == "/" }
            lines.append("\(index % folds)\t\(document.label)\t\(relative)")
        }
    }
    try! (lines.sorted().joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8)
    print("folds: \(documents.count) documents, \(folds) folds, seed \(seed) -> \(out)")

case "cv":
    guard arguments.count >= 2, let foldsFile = option("--folds-file") else {
        fail("usage: bench-classify cv DIR --folds-file FILE [--algorithm linear-svm|naive-bayes]")
    }
    let directory = arguments[1]
    let algorithm = algorithmOption()
    let single = Int(option("--single") ?? "500") ?? 500
    var entries: [(fold: Int, label: String, text: String)] = []
    for line in readText(foldsFile).split(separator: "\n") {
        let parts = line.split(separator: "\t", maxSplits: 2).map(String.init)
        guard parts.count == 3, let fold = Int(parts[0]) else { continue }
        entries.append((fold, parts[1], readText(directory + "/" + parts[2])))
    }
    let options = modelOptions()
    var accuracies: [Double] = []
    var f1s: [Double] = []
    var fits: [Double] = []
    var singles: [Double] = []
    var singlesCPU: [Double] = []
    var fitsCPU: [Double] = []
    for fold in Set(entries.map(\.fold)).sorted() {
        let train = entries.filter { $0.fold != fold }.map { (text: $0.text, label: $0.label) }
        let test = entries.filter { $0.fold == fold }
        let start = clock.now
        let startCPU = cpuSeconds()
        let model = TextModel.train(train, options: options, name: "bbc")
        let fit = seconds(clock.now - start)
        fitsCPU.append(cpuSeconds() - startCPU)
        var predicted: [String] = []
        let predictStart = clock.now
        for document in test { predicted.append(model.predict(document.text)) }
        let predictSeconds = seconds(clock.now - predictStart)
        // One document at a time, as the daemon does; the first `single` documents of the fold.
        let subset = test.prefix(single)
        let singleStart = clock.now
        let singleCPU = cpuSeconds()
        for document in subset { _ = model.predict(document.text) }
        let singleRate = Double(subset.count) / seconds(clock.now - singleStart)
        let singleCPURate = Double(subset.count) / (cpuSeconds() - singleCPU)
        singlesCPU.append(singleCPURate)
        let truth = test.map(\.label)
        let accuracy = Double(zip(truth, predicted).filter { $0 == $1 }.count) / Double(test.count)
        let f1 = macroF1(truth, predicted)
        accuracies.append(accuracy)
        f1s.append(f1)
        fits.append(fit)
        singles.append(singleRate)
        print(String(
            format: "RESULT copydesk-%@ fold=%d n_train=%d n_test=%d fit_s=%.3f fit_cpu_s=%.3f accuracy=%.4f macro_f1=%.4f predict_docs_per_s=%.0f single_docs_per_s=%.0f single_docs_per_cpu_s=%.0f",
            algorithm.rawValue, fold, train.count, test.count, fit, fitsCPU.last!, accuracy, f1,
            Double(test.count) / predictSeconds, singleRate, singlesCPU.last!
        ))
    }
    print(String(
        format: "RESULT copydesk-%@ summary folds=%d accuracy_mean=%.4f macro_f1_mean=%.4f fit_s_median=%.3f fit_cpu_s_median=%.3f single_docs_per_s_median=%.0f single_docs_per_cpu_s_median=%.0f",
        algorithm.rawValue, accuracies.count, accuracies.reduce(0, +) / Double(accuracies.count),
        f1s.reduce(0, +) / Double(f1s.count), median(fits), median(fitsCPU), median(singles), median(singlesCPU)
    ))

case "language":
    guard arguments.count >= 2 else { fail("usage: bench-classify language SAMPLE.tsv") }
    let detector = LanguageDetector.standard
    var totals: [String: (full: Int, short: Int, count: Int)] = [:]
    var confusions: [String: [String: Int]] = [:]
    var elapsed = Duration.zero
    var characters = 0
    for line in readText(arguments[1]).split(separator: "\n") {
        let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { continue }
        let (language, text) = (parts[0], parts[1])
        let start = clock.now
        let full = detector.detect(text).code
        elapsed += clock.now - start
        characters += text.count
        // The first three words (or 12 characters of CJK text): a headline fragment.
        let words = text.split(separator: " ")
        let short = words.count >= 3 ? words.prefix(3).joined(separator: " ") : String(text.prefix(12))
        let shortCode = detector.detect(short).code
        var total = totals[language] ?? (0, 0, 0)
        total.count += 1
        if full == language {
            total.full += 1
        } else {
            confusions[language, default: [:]][full, default: 0] += 1
            if arguments.contains("--errors") { print("error \(language) -> \(full): \(text)") }
        }
        if shortCode == language { total.short += 1 }
        totals[language] = total
    }
    var allFull = 0
    var allShort = 0
    var all = 0
    print("| language | n | accuracy (whole string) | accuracy (first 3 words) | most common error |")
    print("| --- | --- | --- | --- | --- |")
    for (language, total) in totals.sorted(by: { $0.key < $1.key }) {
        allFull += total.full
        allShort += total.short
        all += total.count
        let error = confusions[language]?.max { $0.value < $1.value }.map { "\($0.key) (\($0.value))" } ?? "—"
        print(String(
            format: "| %@ | %d | %.3f | %.3f | %@ |", language, total.count, Double(total.full) / Double(total.count),
            Double(total.short) / Double(total.count), error
        ))
    }
    print(String(
        format: "RESULT language n=%d accuracy=%.4f short_accuracy=%.4f us_per_string=%.1f mean_chars=%.0f", all,
        Double(allFull) / Double(all), Double(allShort) / Double(all), seconds(elapsed) * 1e6 / Double(all),
        Double(characters) / Double(all)
    ))

case "timing":
    guard arguments.count >= 2 else { fail("usage: bench-classify timing DIR [--n 2000] [--model FILE]") }
    let limit = Int(option("--n") ?? "2000") ?? 2000
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: arguments[1])) ?? [])
        .filter { $0.hasSuffix(".txt") }.sorted().prefix(limit)
    let raw = files.compactMap { FileManager.default.contents(atPath: arguments[1] + "/" + $0).map { ($0, Array($0)) } }
    let classifier = Classifier(model: loadModel())
    var parse = Duration.zero
    var articles: [Article] = []
    var parseCPU = 0.0
    for (name, bytes) in zip(files, raw.map(\.1)) {
        let start = clock.now
        let startCPU = cpuSeconds()
        if case .success(let document) = Parse.prepare(bytes, fileName: name) { articles.append(document.article) }
        parse += clock.now - start
        parseCPU += cpuSeconds() - startCPU
    }
    let bytes = raw.reduce(0) { $0 + $1.1.count }
    /// Median over 3 runs of CPU µs per document (thread CPU time; wall time on this shared box is noise).
    func time(_ body: (Article) -> Void) -> Double {
        var runs: [Double] = []
        for _ in 0..<3 {
            let start = cpuSeconds()
            for article in articles { body(article) }
            runs.append((cpuSeconds() - start) * 1e6 / Double(articles.count))
        }
        return median(runs)
    }
    let wallStart = clock.now
    for article in articles { _ = classifier.classify(article, channel: nil) }
    let wall = seconds(clock.now - wallStart) * 1e6 / Double(articles.count)
    let full = time { _ = classifier.classify($0, channel: nil) }
    let language = time { _ = classifier.languages.detect($0) }
    let entities = time { _ = classifier.entities.extract($0) }
    let model = classifier.model.map { model in time { _ = model.verdict(for: Classifier.modelText($0)) } }
    let predictOnly = classifier.model.map { model in time { _ = model.predict(Classifier.modelText($0)) } }
    let rulesOnly = time { _ = Classifier(rules: classifier.rules, model: nil).classify($0, channel: nil) }
    print(String(
        format: "RESULT timing docs=%d mean_bytes=%.0f cpu_us_per_doc: parse=%.1f classify=%.1f classify_without_model=%.1f language=%.1f entities=%.1f model_verdict=%.1f model_predict=%.1f | wall_us_per_doc: classify=%.1f",
        articles.count, Double(bytes) / Double(max(raw.count, 1)), parseCPU * 1e6 / Double(max(articles.count, 1)),
        full, rulesOnly, language, entities, model ?? 0, predictOnly ?? 0, wall
    ))

case "repeat":
    // A loop for `perf record`: parses once, then classifies every document `--times` times (no timing of its own).
    guard arguments.count >= 2 else { fail("usage: bench-classify repeat DIR [--n 2000] [--model FILE] [--times 10]") }
    let limit = Int(option("--n") ?? "2000") ?? 2000
    let times = Int(option("--times") ?? "10") ?? 10
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: arguments[1])) ?? [])
        .filter { $0.hasSuffix(".txt") }.sorted().prefix(limit)
    let articles = files.compactMap { prepare(arguments[1] + "/" + $0) }
    let classifier = Classifier(model: loadModel())
    var kinds = 0
    for _ in 0..<times {
        for article in articles where classifier.classify(article, channel: nil).kind.kind != .other { kinds += 1 }
    }
    print("classified \(articles.count) documents \(times) times (\(kinds) with a kind)")

case "train":
    guard arguments.count >= 2, let out = option("--out") else {
        fail("usage: bench-classify train DIR --out FILE [--algorithm …]")
    }
    let options = modelOptions()
    let examples = labelledDocuments(arguments[1]).map { (text: readText($0.path), label: $0.label) }
    let start = clock.now
    let name = (arguments[1] as NSString).lastPathComponent
    let model = TextModel.train(examples, options: options, name: name)
    let fit = seconds(clock.now - start)
    let bytes = model.serialized()
    FileManager.default.createFile(atPath: out, contents: Data(bytes))
    print(String(format: "trained %@ on %d documents, %d labels in %.2f s; %d bytes -> %@", options.algorithm.rawValue,
                 examples.count, model.labels.count, fit, bytes.count, out))
    for (label, features) in zip(model.labels, model.topFeatures) {
        print("  \(label): " + features.prefix(8).map(\.text).joined(separator: ", "))
    }

case "classify":
    let classifier = Classifier(model: loadModel())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    for path in arguments.dropFirst() where !path.hasPrefix("--") && path != option("--channel") && path != option("--model") {
        guard let article = prepare(path) else { fail("cannot parse \(path)") }
        let classification = classifier.classify(article, channel: option("--channel"))
        print(String(decoding: try! encoder.encode(classification), as: UTF8.self))
    }

case "default-rules":
    // deploy/rules.conf is this output: `.build/debug/bench-classify default-rules > deploy/rules.conf`.
    print(ClassificationRules.defaultText)

default:
    fail("usage: bench-classify folds|cv|language|timing|train|classify|default-rules …")
}

/// SplitMix64, seeded from the command line so folds can be reproduced.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
