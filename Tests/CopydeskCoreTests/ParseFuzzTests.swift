import CopydeskCore
import Testing

/// Random input must come back as a document or a reason, never a trap, and either must be well formed.
@Suite("Parse: fuzz")
struct ParseFuzzTests {
    static let iterations = 1000

    /// Building blocks of valid UTF-8 that steer random input past screening into sniffing and parsing.
    static let textPieces: [[UInt8]] = [
        [0x01], [0x02], [0x03], [0x16, 0x16, 0x01], [0x0D, 0x0A], [0x0D], [0x0A], [0x0A, 0x0A], [0x0C], [0x09],
        [0x20, 0x20], [0xC3, 0xA9], [0xE2, 0x80, 0xA8], [0xF0, 0x9F, 0x87, 0xA8], [0xC2, 0x85], [0x1B],
        Array("<?xml version=\"1.0\"?>".utf8), Array("<nitf".utf8), Array("<!DOCTYPE ".utf8), Array("<!--".utf8),
        Array("xmlns=\"http://iptc.org/std/nar/2006-10-01/\"".utf8), Array("<newsItem ".utf8), Array(">".utf8),
        Array("{\"uri\":".utf8), Array("[".utf8), Array("From: a@b\n".utf8), Array("Subject: x\n".utf8),
        Array("NATO ministers agreed on Thursday to provide support to the".utf8), Array(". ".utf8),
        Array("a0123\u{1F}".utf8), Array("dpa0123 4 pl 256 ".utf8),
    ]
    /// Pieces that make input binary or undecodable, or switch its charset.
    static let hostilePieces: [[UInt8]] = [
        [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xFE, 0xFF], [0x00], [0xE9], [0xC0], [0xED, 0xA0, 0x80],
        [0x89, 0x50, 0x4E, 0x47], [0xE2, 0x82],
    ]

    static func piece(_ generator: inout SeededGenerator, hostileOdds: Int) -> [UInt8] {
        let pieces = Int.random(in: 0..<hostileOdds, using: &generator) == 0 ? hostilePieces : textPieces
        return pieces.randomElement(using: &generator) ?? []
    }

    static func randomInput(_ generator: inout SeededGenerator) -> [UInt8] {
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:  // Uniform random bytes.
            let count = Int.random(in: 0...512, using: &generator)
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case 1:  // Printable ASCII and line breaks, with a sprinkling of pieces.
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...2048, using: &generator) {
                switch Int.random(in: 0..<40, using: &generator) {
                case 0: bytes += piece(&generator, hostileOdds: 50)
                case 1...3: bytes.append(0x0A)
                default: bytes.append(UInt8.random(in: 0x20...0x7E, using: &generator))
                }
            }
            return bytes
        default:  // Structured pieces.
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                bytes += piece(&generator, hostileOdds: 25)
            }
            return bytes
        }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 0xC0FF_EEDE_5C)
        let codes: Set<RejectReason.Code> = [.empty, .binary, .undecodable, .unparsable]
        var outcomes: [String: Int] = [:]
        for iteration in 0..<Self.iterations {
            let bytes = Self.randomInput(&generator)
            _ = FormatSniffer.sniff(bytes, fileName: "fuzz-\(iteration)")
            switch Parse.prepare(bytes, fileName: "fuzz-\(iteration)") {
            case .success(let document):
                outcomes["document", default: 0] += 1
                #expect(!document.article.headline.isEmpty, "iteration \(iteration)")
                let controls = document.article.headline.unicodeScalars.filter { $0.value < 0x20 }
                #expect(controls.isEmpty, "iteration \(iteration)")
                #expect(document.article.paragraphs.allSatisfy { !$0.isEmpty }, "iteration \(iteration)")
                #expect(TextDecoding.Charset(rawValue: document.charset) != nil, "iteration \(iteration)")
                #expect(InputFormat(rawValue: document.format) != nil, "iteration \(iteration)")
            case .failure(let reason):
                outcomes[reason.code.rawValue, default: 0] += 1
                #expect(codes.contains(reason.code), "iteration \(iteration)")
                #expect(!reason.message.isEmpty, "iteration \(iteration)")
            }
        }
        // The generator must reach the parser, not only the screening, or the test proves little.
        #expect(outcomes["document", default: 0] > Self.iterations / 10, "\(outcomes)")
        #expect(outcomes["binary", default: 0] > 0 && outcomes["undecodable", default: 0] > 0, "\(outcomes)")
    }
}
