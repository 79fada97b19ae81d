import CopydeskCore
import CopydeskTestSupport
import Testing

/// A short run of the fuzzer (`scripts/fuzz` runs the long one): each XML parser, and the whole Parse stage, on
/// mutated agency files must return a well-formed article or a reason, and never trap. Seeds are the corpus
/// fixtures of the format when `../shared` is there, and small built-in documents otherwise. Serialized, so that
/// it takes one core, not both, from the timing-sensitive end-to-end tests that run beside it.
@Suite("Parse: XML fuzz", .serialized)
struct ParseXMLFuzzTests {
    static let executions = 2000
    /// Inputs are cut at 16 KiB here: the suite runs beside timing-sensitive end-to-end tests on two cores, and the
    /// long run (256 KiB inputs) is `scripts/fuzz`'s job.
    static let maxLength = 16 << 10

    static let builtInSeeds: [InputFormat: [String]] = [
        .nitf: [ParseNewsXMLTests.nitf],
        .newsMLG2: [ParseNewsXMLTests.newsMessage(), ParseNewsXMLTests.newsMessage(prefix: "ns0")],
        .newsML12: [
            "<NewsML><NewsEnvelope><Priority FormalName=\"4\"/></NewsEnvelope><NewsItem><NewsComponent><NewsLines>"
                + "<HeadLine>H</HeadLine></NewsLines><ContentItem><DataContent><nitf><body><body.content><p>Body.</p>"
                + "</body.content></body></nitf></DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"
        ],
        .xml: ["<release id=\"1\"><title>T</title><body>&lt;p&gt;Body&lt;/p&gt;</body><version>2</version></release>"],
    ]
    static let corpusFolders: [InputFormat: String] = [
        .nitf: "nitf", .newsMLG2: "newsml-g2", .newsML12: "newsml-1.2", .xml: "other-xml",
    ]

    static func seeds(_ format: InputFormat) -> [[UInt8]] {
        let corpus = (try? WireCorpus.fixtures())?.filter { $0.format == corpusFolders[format] }.map(\.bytes) ?? []
        return corpus.isEmpty ? (builtInSeeds[format] ?? []).map { Array($0.utf8) } : corpus
    }

    @Test(arguments: [InputFormat.nitf, .newsMLG2, .newsML12, .xml])
    func parserSurvivesMutations(_ format: InputFormat) {
        let parser = ParserRegistry.standard.parser(for: format)
        #expect(parser.format == format)
        var mutator = FuzzMutator(
            seeds: Self.seeds(format), seed: 0x5EED_0000 + UInt64(format.rawValue.utf8.count), maxLength: Self.maxLength
        )
        var documents = 0
        for execution in 0..<Self.executions {
            let input = mutator.next()
            let result = parser.parse(FuzzInvariant.parserInput(input, fileName: "fuzz"))
            if case .success = result { documents += 1 }
            if let violation = FuzzInvariant.violation(result) {
                Issue.record("\(format.rawValue) execution \(execution): \(violation); input \(input.count) bytes")
            }
        }
        // Mutations must leave enough documents parseable, or the run only exercises the error paths.
        #expect(documents > Self.executions / 50, "\(documents) documents")
    }

    @Test func prepareSurvivesMutations() {
        let seeds = InputFormat.allCases.flatMap { Self.seeds($0) }
        var mutator = FuzzMutator(seeds: seeds, seed: 0x5EED_FFFF, maxLength: Self.maxLength)
        for execution in 0..<Self.executions {
            let input = mutator.next()
            let result = Parse.prepare(input, fileName: "fuzz-\(execution)").map(\.article)
            if let violation = FuzzInvariant.violation(result) {
                Issue.record("prepare execution \(execution): \(violation); input \(input.count) bytes")
            }
        }
    }
}
