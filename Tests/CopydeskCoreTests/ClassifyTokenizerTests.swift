@testable import CopydeskCore
import Foundation
import Testing

/// The entity tokenizer's plain-word path (a word of ASCII letters and digits ended by a space or punctuation is
/// stored where it ends) against the path through ``EntityExtractor``'s `flush` for every token, kept as the
/// reference (``EntityExtractor/Tokenizer/byFlush``): the same tokens (bounds, case, break, key) and the same
/// headline count.
@Suite("Classify: entity tokenizer's plain words")
struct ClassifyTokenizerTests {
    /// `joined`: the body right after the headline, as ``EntityExtractor/extract(_:headline:)`` reads them, so a
    /// headline's last word runs on into the body's first and the headline's range ends inside it.
    static func agree(_ body: String, headline: String = "", joined: Bool = false) -> Bool {
        var bytes = Array(headline.utf8)
        let headlineEnd = bytes.count
        // Two line breaks between headline and body, as `ArticleText` joins them.
        bytes += (joined ? [] : [0x0A, 0x0A]) + Array(body.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let extractor = EntityExtractor.standard
            let bodyStart = min(headlineEnd + (joined ? 0 : 2), buffer.count)
            let fast = extractor.tokens(buffer, headlineEnd: headlineEnd, bodyStart: bodyStart)
            let reference = extractor.tokens(buffer, headlineEnd: headlineEnd, bodyStart: bodyStart, tokenizer: .byFlush)
            guard fast.headlineCount == reference.headlineCount, fast.tokens.count == reference.tokens.count else {
                return false
            }
            return zip(fast.tokens, reference.tokens).allSatisfy { a, b in
                a.start == b.start && a.end == b.end && a.capitalised == b.capitalised && a.breakAfter == b.breakAfter
                    && a.key == b.key
            }
        }
    }

    @Test("crafted text: every ASCII byte after a word, possessives, abbreviations, joiners, ends of ranges")
    func crafted() {
        for byte in UInt8(0x01)..<0x80 {
            let after = String(decoding: [byte], as: UTF8.self)
            for word in ["Word", "word", "said", "NATO", "A", "a1", "2024"] {
                #expect(Self.agree(word + after + " next", headline: word + after), "\(word) + \(byte)")
                #expect(Self.agree(word + after), "\(word) + \(byte) at the end")
            }
        }
        for text in ["", " ", "A", "NATO's allies", "NATO’s allies", "Mr. Smith", "U.S. officials", "St. Paul's",
                     "Jean-Claude Juncker", "O'Neill said", "well-- said", "end.", "so... said", "x''", "a - b",
                     "Zoë said", "Müller, Łukasz; Путин", "王毅 said", "1,000 people", "tab\tseparated\u{A0}nbsp",
                     "line\nbreak\r\nwindows", "“Quoted” words", "trailing-", "'quoted'", ".leading dot"] {
            #expect(Self.agree(text, headline: text), "\(text)")
            #expect(Self.agree(text), "\(text) without headline")
        }
        // Words of every length from 1 to 40 ended by each kind of byte, at the buffer's end, and with the
        // headline's range ending inside a word.
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        for length in 1...40 {
            let word = String((0..<length).map { letters[($0 * 7 + length) % letters.count] })
            for after in ["", " ", ".", ",", "-", "'", "é", "’", "\u{10}", "\u{19}", "@", "[", "`", "{", "/", ":"] {
                #expect(Self.agree(word + after + word, headline: word + after), "length \(length) + \(after)")
                #expect(Self.agree(word + after, headline: word, joined: true), "length \(length) joined")
                #expect(Self.agree(after + word, headline: after + word, joined: true), "\(after) + length \(length)")
            }
        }
    }

    @Test("random text from word and separator pieces")
    func random() {
        var generator = SplitMix64(seed: 31)
        let pieces = ["The", "said", "NATO", "Jens", "Stoltenberg", "Mr", "Mr.", "U.S.", "O'Neill", "Jean-Claude", "42",
                      "x9", " ", " ", " ", ",", ".", ";", ":", "!", "?", "-", "'", "’", "’s", "'s", "\"", "(", ")",
                      "\n", "\t", "\u{A0}", "—", "“", "Zoë", "é", "Ж", "王", "\u{0301}", "s", "A", "#", "/"]
        for round in 0..<5_000 {
            let length = Int(generator.next() % 40)
            let text = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let headline = round % 3 == 0 ? "" : String(text.prefix(Int(generator.next() % 12)))
            #expect(Self.agree(text, headline: headline), "round \(round): \(text)")
            #expect(Self.agree(text, headline: headline, joined: true), "round \(round) joined: \(text)")
        }
    }

    @Test("corpus stories (BBC news, ../shared): same tokens")
    func corpus() {
        guard let bbc = ClassifyCorpus.bbc(every: 10) else {
            ClassifyCorpus.skipped("bbc-news")
            return
        }
        var checked = 0
        for (name, text) in bbc {
            let headline = text.prefix { $0 != "\n" }
            #expect(Self.agree(String(text.dropFirst(headline.count)), headline: String(headline)), "\(name)")
            checked += 1
        }
        #expect(checked > 100)
    }
}
