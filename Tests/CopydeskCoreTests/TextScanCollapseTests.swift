import Testing

@testable import CopydeskCore

/// `TextScan.collapse` takes already-collapsed text in one pass (`isCollapsed`); whatever path it takes, it must
/// give what splitting on whitespace `Character`s and joining with one space gives.
@Suite("Parse: collapsing whitespace")
struct TextScanCollapseTests {
    static func reference(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func isCollapsed(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { TextScan.isCollapsed($0) }
    }

    @Test func ordinaryParagraphsTakeTheShortPath() {
        for text in [
            "NATO’s Secretary General said – “we will” … déjà vu • Ελληνικά • Москва",
            "BRUSSELS (Sputnik) — The alliance met on Tuesday.",
            "a",
        ] {
            #expect(Self.isCollapsed(text), "\(text)")
            #expect(TextScan.collapse(text[...]) == Self.reference(text))
        }
    }

    @Test func textThatNeedsWorkTakesTheLongPath() {
        for text in [
            "", " a", "a ", "a  b", "a\tb", "a\u{A0}b", "a\u{2009}b", "a\u{2028}b", "a \u{301}b", "a \u{5B0}b",
            "a\u{200D}b", "a\u{85}b",
        ] {
            #expect(!Self.isCollapsed(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func agreesWithSplittingOnRandomText() {
        // Words, spaces and the scalars at the edges of the short path's ranges.
        let pieces: [String] = [
            "a", "Z", "9", ".", "-", " ", " ", "  ", "\t", "\n", "\r\n", "é", "ß", "\u{2FF}", "\u{300}", "\u{301}",
            "\u{36F}", "\u{370}", "Ω", "ж", "\u{483}", "\u{5B0}", "א", "\u{600}", "ع", "\u{A0}", "\u{85}", "\u{AD}",
            "\u{2009}", "\u{200B}", "\u{200D}", "–", "—", "‘", "’", "“", "”", "•", "…", "\u{2028}", "\u{202F}",
            "‰", "›", "\u{203F}", "\u{2040}", "\u{205F}", "\u{3000}", "東", "😀", "\u{1F3FB}", "\u{1F1E9}\u{1F1EA}",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...12, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let got = TextScan.collapse(text[...])
            #expect(got == Self.reference(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            if got != Self.reference(text) { return }
        }
    }
}
