@testable import CopydeskCore
import Foundation
import Testing

/// The document view's lowercasing with ASCII runs done eight bytes at a time, against the byte-by-byte path
/// it replaced (kept as ``TextBytes/lowercasedUTF8ByteByByte(_:into:)``).
@Suite("Classify: lowercasing eight bytes at a time")
struct ClassifyLowercaseTests {
    static func agree(_ text: String) -> Bool {
        var fast: [UInt8] = [0x41]  // appended after existing bytes, which stay as they are
        var reference: [UInt8] = [0x41]
        TextBytes.lowercasedUTF8(text, into: &fast)
        TextBytes.lowercasedUTF8ByteByByte(text, into: &reference)
        return fast == reference
    }

    @Test("every ASCII byte, at every offset of an eight-byte word, and next to non-ASCII characters")
    func asciiAndEdges() {
        let all = String(decoding: (0..<128).map { UInt8($0) }, as: UTF8.self)
        for shift in 0..<9 {
            let text = String(repeating: "x", count: shift) + all
            #expect(Self.agree(text), "shift \(shift)")
            #expect(Self.agree(text + "“ÀÉ”" + text), "shift \(shift) with non-ASCII")
        }
        for text in ["", "A", "Z@[`az{", "ABCDEFGH", "ABCDEFGHI", "«ÉTÉ» À PARIS", "ΑΘΗΝΑ", "МОСКВА — КИЇВ", "İSTANBUL",
                     "NATO’S “PLAN”", "ǅUNGLA ẞ Ω", "e\u{0301}TÉ"] {
            #expect(Self.agree(text), "\(text)")
            var bytes: [UInt8] = []
            TextBytes.lowercasedUTF8(text, into: &bytes)
            #expect(bytes.count >= 0)
        }
        var bytes: [UInt8] = []
        TextBytes.lowercasedUTF8("The NATO Summit, “BRUSSELS”", into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "the nato summit, “brussels”")
    }

    @Test("random text mixing ASCII runs with Latin, Greek, Cyrillic and CJK characters")
    func randomText() {
        var generator = SplitMix64(seed: 23)
        let pieces = ["A", "Z", "a", "Q", "@", "[", "`", "{", " ", "BRUSSELS ", "NATO", "é", "É", "ß", "Ω", "Ж", "ж",
                      "“", "—", "中", "😀", "\u{0301}", "İ", "Ł", "\n"]
        for round in 0..<3_000 {
            let length = Int(generator.next() % 40)
            let text = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(Self.agree(text), "round \(round): \(text)")
        }
    }

    @Test("corpus text (BBC news, ../shared): same bytes as the byte-by-byte path")
    func corpus() {
        guard let bbc = ClassifyCorpus.bbc(every: 10) else {
            ClassifyCorpus.skipped("bbc-news")
            return
        }
        var checked = 0
        for (name, text) in bbc {
            #expect(Self.agree(text), "\(name)")
            for line in text.split(separator: "\n").prefix(5) { #expect(Self.agree(String(line)), "\(name)") }
            checked += 1
        }
        #expect(checked > 100)
    }
}
