// copydesk-fuzz: runs every registered parser, and Parse.prepare, on mutated agency files.
//
//   copydesk-fuzz [--executions N] [--format F]... [--seed S] [--corpus DIR] [--crashes DIR] [--results FILE]
//
// Seeds are the fixtures of ../shared/corpora/wire-formats (or --corpus) for each parser's format, and all of them
// for Parse.prepare. Inputs come from FuzzMutator (deterministic from --seed). Each execution checks FuzzInvariant;
// an input that breaks it is saved to the crashes folder. A trap (the way Swift crashes) is caught by a signal
// handler that writes the input being run before the process dies, so every crash leaves its reproducer behind.
// Prints a table of executions, documents, rejections, invariant failures, crashes and speed per target.
// --replay FILE (repeatable) runs each selected target once on each file instead, printing its CPU time and outcome:
// to reproduce a saved input, or to time inputs built to grow (Benchmarks/FUZZ.md, worst cases).
// --results writes every execution's input hash and result (article JSON or reason), one line each: a diff of two
// such files from one --seed shows whether a change to a parser changed any result on the mutated inputs.
import CopydeskCore
import CopydeskTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var executions = 1_000_000
    var formats: [String] = []
    var seed: UInt64 = 0xC0_9D_E5_C0
    var corpus = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        .deletingLastPathComponent().appendingPathComponent("shared/corpora/wire-formats")
    var crashes = URL(fileURLWithPath: ".build/fuzz-crashes")
    var results: String?
    var replay: [String] = []

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            func value() throws -> String {
                guard let value = iterator.next() else { throw UsageError("\(argument) needs a value") }
                return value
            }
            switch argument {
            case "--executions": executions = Int(try value()) ?? executions
            case "--format": formats.append(try value())
            case "--seed": seed = UInt64(try value()) ?? seed
            case "--corpus": corpus = URL(fileURLWithPath: try value())
            case "--crashes": crashes = URL(fileURLWithPath: try value())
            case "--results": results = try value()
            case "--replay": replay.append(try value())
            case "-h", "--help":
                print(
                    "copydesk-fuzz [--executions N] [--format F]... [--seed S] [--corpus DIR] [--crashes DIR]"
                        + " [--results FILE] [--replay FILE]...")
                exit(0)
            default: throw UsageError("unknown argument \(argument)")
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Corpus folders whose files are seeds for a format's parser.
let seedFolders: [InputFormat: [String]] = [
    .nitf: ["nitf"], .newsMLG2: ["newsml-g2"], .newsML12: ["newsml-1.2"], .xml: ["other-xml"],
    .text: ["plain-text", "aap-zczc"], .ninjs: ["ninjs"], .anpa1312: ["anpa-1312"], .iptc7901: ["iptc7901"],
    .email: ["email-rfc822"], .html: ["html"], .json: ["ninjs"],
]

/// Seeds for formats the wire-format corpus has no files of (it holds no saved web pages): small documents of
/// the kinds the parser meets, which the mutator then splices with one another and with XML and HTML tokens.
let builtInSeeds: [InputFormat: [String]] = [
    .html: [
        """
        <!DOCTYPE html>
        <html lang="en-GB"><head><meta charset="utf-8">
        <title>Harbour bridge to close for repairs | Coast Gazette</title>
        <meta property="og:title" content="Harbour bridge to close for repairs">
        <meta property="og:site_name" content="Coast Gazette"><meta name="author" content="Lena Fischer">
        <meta property="article:published_time" content="2024-04-02T07:15:00+0100">
        <meta name="keywords" content="bridge, roadworks"><link rel="canonical" href="https://gazette.example/b">
        <script>var t = "<p>not text</p>";</script><style>p { color: red }</style></head>
        <body><nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li></ul></nav>
        <article><h1>Harbour bridge to close for repairs</h1>
        <div class="share-bar"><a href="#">Share on Facebook</a></div>
        <figure><img src="b.jpg"><figcaption>The bridge at dusk. Photo: J. Smith</figcaption></figure>
        <p>The harbour bridge will close for six weeks from May while engineers replace worn bearings, the council
        said on Tuesday.</p><p>Drivers will be diverted, adding up to <b>twenty minutes</b> at peak times.</p>
        <aside class="related"><h3>Related</h3><ul><li><a href="/a">Ferry fares to rise</a></li></ul></aside>
        </article><form class="newsletter"><p>Get our daily newsletter</p><button>Sign up</button></form>
        <footer><p>&copy; 2024 Coast Gazette. All rights reserved.</p></footer></body></html>
        """,
        """
        <html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
        <meta name="description" content="Ministers met in Brussels."></head><body>
        <div id="breadcrumb">Home &rsaquo; World &rsaquo; Europe</div><div role="main">
        <h2>NATO, EU highlight cooperation</h2><p class="byline">By Anna Berg</p>
        <p>BRUSSELS, March 11 (Xinhua) -- NATO and the European Union on Friday highlighted cooperation.</p>
        <table><tr><td>1</td><td>Team A</td></tr></table><ul><li>Off the wire</li></ul></div>
        <div class="comments">0 comments</div><p>Подписаться на новости</p></body></html>
        """,
        "<p>Short <i>page</i> with <a href=\"x\">a link</a> and an &amp; entity &#x263A;.</p>",
    ],
]

func files(in folder: URL) -> [[UInt8]] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.sorted().compactMap { try? Array(Data(contentsOf: folder.appendingPathComponent($0))) }
}

// MARK: Crash capture

/// The input being run, for the signal handler. Written only by the main thread between executions; read only by
/// the handler of a fatal signal on that same thread, so there is no concurrent access.
nonisolated(unsafe) var currentInput = UnsafeMutablePointer<UInt8>.allocate(capacity: FuzzMutator.maxLength + 64)
nonisolated(unsafe) var currentLength = 0
nonisolated(unsafe) var crashPath: UnsafeMutablePointer<CChar>? = nil

func installCrashHandler() {
    // An alternate stack, so that even a stack overflow can write its input.
    let size = 1 << 16
    var stack = stack_t()
    stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    stack.ss_size = size
    stack.ss_flags = 0
    sigaltstack(&stack, nil)
    for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if let crashPath {
                let fd = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                if fd >= 0 {
                    _ = write(fd, currentInput, currentLength)
                    close(fd)
                }
                let message = "\ncopydesk-fuzz: fatal signal; input saved to "
                _ = message.withCString { write(2, $0, strlen($0)) }
                _ = write(2, crashPath, strlen(crashPath))
                _ = write(2, "\n", 1)
            }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        action.sa_flags = SA_ONSTACK
        sigaction(signal, &action, nil)
    }
}

func setCrashPath(_ path: String) {
    crashPath?.deallocate()
    crashPath = strdup(path)
}

// MARK: Running

struct Tally {
    var executions = 0
    var documents = 0
    var rejections = 0
    var failures = 0
    var seconds = 0.0
    var slowest = 0.0
}

func run(
    target: String, seeds: [[UInt8]], options: Options, body: ([UInt8]) -> Result<Article, RejectReason>
) -> Tally {
    var mutator = FuzzMutator(seeds: seeds, seed: options.seed ^ fnv1a(target))
    var tally = Tally()
    setCrashPath(options.crashes.appendingPathComponent("crash-\(target).bin").path)
    let clock = ContinuousClock()
    let started = clock.now
    let report = max(options.executions / 10, 1)
    // Created (emptied) by main, so that every target's lines follow one another.
    let results = options.results.flatMap { FileHandle(forWritingAtPath: $0) }
    _ = try? results?.seekToEnd()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for execution in 0..<options.executions {
        let input = execution < seeds.count ? seeds[execution] : mutator.next()
        input.withUnsafeBufferPointer { buffer in
            currentInput.update(from: buffer.baseAddress!, count: buffer.count)
            currentLength = buffer.count
        }
        let before = clock.now
        let result = body(input)
        let elapsed = (clock.now - before).seconds
        tally.slowest = max(tally.slowest, elapsed)
        tally.executions += 1
        switch result {
        case .success: tally.documents += 1
        case .failure: tally.rejections += 1
        }
        if let results {
            let outcome: String
            switch result {
            case .success(let article):
                outcome = (try? encoder.encode(article)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            case .failure(let reason): outcome = "rejected \(reason.code) \(reason.message)"
            }
            results.write(Data("\(target) #\(execution) \(input.count) \(fnv1a(input)) \(outcome)\n".utf8))
        }
        if let violation = FuzzInvariant.violation(result) {
            tally.failures += 1
            let file = options.crashes.appendingPathComponent("failure-\(target)-\(execution).bin")
            try? Data(input).write(to: file)
            print("  \(target) #\(execution): \(violation); input saved to \(file.path)")
        }
        if (execution + 1) % report == 0 {
            let done = execution + 1
            let rate = Double(done) / (clock.now - started).seconds
            print("  \(target): \(done) executions, \(Int(rate))/s", terminator: "\r")
            fflush(nil)  // All streams: `stdout` itself is shared mutable state to Swift 6.
        }
    }
    tally.seconds = (clock.now - started).seconds
    return tally
}

/// A stable hash of the target's name, so each target gets its own input stream for one --seed.
func fnv1a(_ text: String) -> UInt64 { fnv1a(text.utf8) }

func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

func main() -> Int32 {
    let options: Options
    do {
        options = try Options(Array(CommandLine.arguments.dropFirst()))
    } catch {
        FileHandle.standardError.write(Data("copydesk-fuzz: \(error)\n".utf8))
        return 2
    }
    try? FileManager.default.createDirectory(at: options.crashes, withIntermediateDirectories: true)
    installCrashHandler()

    var targets: [(name: String, seeds: [[UInt8]], body: ([UInt8]) -> Result<Article, RejectReason>)] = []
    let registry = ParserRegistry.standard
    for format in registry.formats.sorted(by: { $0.rawValue < $1.rawValue }) {
        let parser = registry.parser(for: format)
        var seeds = (seedFolders[format] ?? []).flatMap { files(in: options.corpus.appendingPathComponent($0)) }
        if seeds.isEmpty, let builtIn = builtInSeeds[format] { seeds = builtIn.map { Array($0.utf8) } }
        guard !seeds.isEmpty else {
            print("skipping \(format.rawValue): no seed files under \(options.corpus.path)")
            continue
        }
        targets.append((format.rawValue, seeds, { parser.parse(FuzzInvariant.parserInput($0, fileName: "fuzz")) }))
    }
    // Sorted: a dictionary's order changes from process to process, and with it the input stream of one --seed.
    let everything = seedFolders.values.flatMap { $0 }.uniqued().sorted().flatMap {
        files(in: options.corpus.appendingPathComponent($0))
    }
    if !everything.isEmpty {
        targets.append(
            (
                "prepare", everything,
                { bytes in Parse.prepare(bytes, fileName: "fuzz").map(\.article) }
            ))
    }
    if !options.formats.isEmpty { targets = targets.filter { options.formats.contains($0.name) } }
    guard !targets.isEmpty else {
        FileHandle.standardError.write(
            Data("copydesk-fuzz: no target has seeds (corpus: \(options.corpus.path))\n".utf8))
        return 2
    }

    if !options.replay.isEmpty {
        // Thread CPU time: the machines this runs on are shared, and wall time would measure the neighbours.
        func cpuSeconds() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        for path in options.replay {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): unreadable")
                continue
            }
            for target in targets {
                let started = cpuSeconds()
                let result = target.body(Array(data))
                let elapsed = cpuSeconds() - started
                let outcome: String
                switch result {
                case .success(let article): outcome = "article, \(article.paragraphs.count) paragraphs"
                case .failure(let reason): outcome = "rejected: \(reason.message)"
                }
                let violation = FuzzInvariant.violation(result).map { "; INVARIANT: \($0)" } ?? ""
                print(
                    "\(target.name) \(path) \(data.count) bytes: \(String(format: "%.1f", elapsed * 1000)) ms CPU, "
                        + outcome + violation)
            }
        }
        return 0
    }
    print("copydesk-fuzz: \(options.executions) executions per target, seed \(options.seed)")
    if let path = options.results { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    var rows: [(String, Int, Tally)] = []
    for target in targets {
        let tally = run(target: target.name, seeds: target.seeds, options: options, body: target.body)
        rows.append((target.name, target.seeds.count, tally))
        print(String(repeating: " ", count: 60), terminator: "\r")
        print("  \(target.name): done")
    }
    print("")
    print("target       seeds  executions   documents  rejections  failures  crashes   exec/s  slowest")
    var failed = false
    for (name, seeds, tally) in rows {
        failed = failed || tally.failures > 0
        let line = [
            name.padding(toLength: 11, withPad: " ", startingAt: 0), String(seeds).leftPad(6),
            String(tally.executions).leftPad(11), String(tally.documents).leftPad(11),
            String(tally.rejections).leftPad(11), String(tally.failures).leftPad(9), "0".leftPad(8),
            String(Int(Double(tally.executions) / tally.seconds)).leftPad(8),
            String(format: "%7.1f ms", tally.slowest * 1000),
        ]
        print(line.joined(separator: " "))
    }
    print("(a crash ends the run with the input saved under \(options.crashes.path); reaching this table means none)")
    return failed ? 1 : 0
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

exit(main())
