import Foundation
import Testing

@testable import CopydeskCore

/// Inputs built to grow (Benchmarks/FUZZ.md, "Worst cases"): each shape that was quadratic must now parse in work
/// linear in its size. The e-mail case asserts on a work counter; the others on results that a quadratic version
/// gives too, plus a wall bound so generous (a debug build, a loaded machine) that only the quadratic version,
/// which took seconds to minutes on these sizes in a release build, can break it.
@Suite("Parse: worst cases")
struct ParseWorstCaseTests {
    /// Far above the few seconds the linear versions take in a debug build on a loaded machine.
    static let wallBound: Duration = .seconds(30)

    static func mailInput(_ bytes: [UInt8]) -> ParserInput {
        ParserInput(bytes: bytes, text: "", charset: "utf-8", fileName: "m.eml")
    }

    static func timed<T>(_ body: () -> T) -> (T, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = body()
        return (result, clock.now - start)
    }

    /// `=?utf-8?Q?abc` again and again, never closed: each `=?` searched to the end of the value for its `?=`
    /// (the e-mail fuzz run's 7.2 s input). The searches now go over each byte a bounded number of times.
    @Test func unterminatedEncodedWordsAreLinear() throws {
        let subject = String(repeating: "=?utf-8?Q?abc", count: 20_000)  // 260 KB
        var scanned = 0
        let decoded = MIMEEntity.decodeEncodedWords(subject, scanned: &scanned)
        #expect(decoded == subject)
        #expect(scanned <= 2 * subject.utf8.count, "searched \(scanned) bytes of a \(subject.utf8.count)-byte value")

        let mail = Array("From: a@b.example\nSubject: \(subject)\n\nThe text.\n".utf8)
        let (result, elapsed) = Self.timed { EmailParser().parse(Self.mailInput(mail)) }
        let article = try #require(result.success)
        #expect(article.headline == subject)
        #expect(elapsed < Self.wallBound)
    }

    /// The same for a `?` that opens each word with no closing `?=` anywhere, and for closed words between
    /// unclosed ones: decoding stays what it was.
    @Test func encodedWordsMixedWithUnterminatedOnes() {
        var scanned = 0
        let marks = String(repeating: "=?", count: 50_000)
        #expect(MIMEEntity.decodeEncodedWords(marks, scanned: &scanned) == marks)
        #expect(scanned <= 2 * marks.utf8.count)
        let mixed = "=?utf-8?Q?caf=C3=A9?= =?x =?iso-8859-1?Q?=E9t=E9?= =?utf-8?B?"
        #expect(MIMEEntity.decodeEncodedWords(mixed) == "café =?x été =?utf-8?B?")
    }

    /// A message whose body is thousands of lowercase lines: each was joined to the paragraph before by copying
    /// the whole paragraph.
    @Test func brokenSentencesJoinInPlace() throws {
        let lines = 200_000
        let first = "A first line of more than forty characters, unfinished"
        let mail = Array(
            ("From: a@b.example\nSubject: S\n\n\(first)\n" + String(repeating: "word\n", count: lines)).utf8)
        let (result, elapsed) = Self.timed { EmailParser().parse(Self.mailInput(mail)) }
        let article = try #require(result.success)
        #expect(article.paragraphs.count == 1)
        #expect(article.paragraphs.first?.utf8.count == first.utf8.count + lines * 5)
        #expect(elapsed < Self.wallBound)
    }

    /// ANPA-1312 text lines without a tab continue the paragraph before them.
    @Test func anpaContinuationLinesJoinInPlace() throws {
        let lines = 100_000
        let text =
            "\u{01}W2607 US\nr a BC-US--Test 11-13 1693\n\u{02}^Headline<\n\tROSCOE (AP) _ It began\n"
            + String(repeating: "more words here\n", count: lines) + "\u{03}AP-WF-11-13-13 0745GMT<\n"
        let (result, elapsed) = Self.timed { ANPA1312Parser().parse(text) }
        let article = try #require(result.success)
        #expect(article.headline == "Headline")
        #expect(article.paragraphs.count == 1)
        #expect(article.paragraphs.first?.utf8.count == "ROSCOE (AP) _ It began".utf8.count + lines * 16)
        #expect(elapsed < Self.wallBound)
    }

    /// IPTC 7901 lines between the header and STX are kept as one `topLine`; each was joined onto the value.
    @Test func iptc7901TopLinesJoinOnce() throws {
        let lines = 50_000
        let text =
            "\u{01}eca062 4 i 211 ccccb dpa 061\n" + String(repeating: "top line\n", count: lines)
            + "\u{02}Headline =\n\nThe text.\n\u{03}131137 GMT Nov 13\n"
        let (result, elapsed) = Self.timed { IPTC7901Parser().parse(text) }
        let article = try #require(result.success)
        #expect(article.headline == "Headline")
        #expect(article.metadata?["topLine"]?.utf8.count == lines * 9 - 1)
        #expect(elapsed < Self.wallBound)
    }
}

extension ParseWorstCaseTests {
    static func attributes(_ count: Int) -> String {
        (0..<count).map { "a\($0)=\"x\"" }.joined(separator: " ")
    }

    static func excess(_ markup: String, limit: Int) -> [Range<Int>] {
        Array(markup.utf8).withUnsafeBufferPointer { AttributeScan.excess($0, limit: limit) }
    }

    /// libxml2's time is quadratic in one element's attributes: XML with more than the limit is refused at once.
    @Test func xmlWithThousandsOfAttributesIsRefused() throws {
        let limit = MarkupLimits.standard.maxAttributes
        let many = "<nitf><body \(Self.attributes(30_000))><p>Text.</p></body></nitf>"
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(many) }
        #expect(result.failure?.message == "an element with more than \(limit) attributes")
        #expect(elapsed < Self.wallBound)
        let root = try #require(MarkupReader.parseXML("<nitf><body \(Self.attributes(limit))/></nitf>").success)
        #expect(root.elements.first?.attributes.count == limit)
    }

    /// HTML keeps its text: the attributes past the limit are dropped before libxml2 reads the page (12 s for this
    /// page before).
    @Test func htmlWithThousandsOfAttributesKeepsItsText() throws {
        let page = "<html><body><h1>Title</h1><p \(Self.attributes(30_000))>Some words of text.</p></body></html>"
        let (result, elapsed) = Self.timed { HTMLParser().parse(page) }
        let article = try #require(result.success)
        #expect(article.headline == "Title")
        #expect(article.paragraphs == ["Some words of text."])
        #expect(elapsed < Self.wallBound)
        let fragment = try #require(MarkupReader.parseHTML("<p \(Self.attributes(1_000)) id=last>Text</p>").success)
        #expect(fragment.text?.contains("Text") == true)
    }

    @Test func attributeScanCountsWhatLibxml2Reads() {
        // Past the limit: the range runs from the first extra attribute to the `>`.
        let tag = "<p a=1 b='2>' c=\"3\">text</p>"
        #expect(Self.excess(tag, limit: 3).isEmpty)
        let cut = Self.excess(tag, limit: 2)
        #expect(cut.count == 1)
        #expect(cut.first.map { Array(tag.utf8)[$0] } == Array("c=\"3\"".utf8)[...])
        // Run together after a quoted value, two attributes (libxml2's HTML parser reads two).
        #expect(Self.excess("<p a=\"1\"b=\"2\">", limit: 1).count == 1)
        // Comments, CDATA and processing instructions are not tags.
        let hidden = "<!-- <p a b c d> --><![CDATA[<p a b c d>]]><?pi a b c d?><p a>"
        #expect(Self.excess(hidden, limit: 1).isEmpty)
        #expect(Self.excess("<p a b", limit: 1) == [5..<6])
        // `a = "1"` is one attribute; `/>` none; a quote not after `=` opens nothing.
        #expect(Self.excess("<p a = \"1 2 3\" b=2 />", limit: 2).isEmpty)
        #expect(Self.excess("<p a\"b c d>", limit: 2) == [9..<10])
        // HTML's script holds no tags; in XML it is an element like any other.
        let script = "<script>if (a<b c d) {}</script><p>"
        #expect(Array(script.utf8).withUnsafeBufferPointer { AttributeScan.excess($0, limit: 1, html: true) }.isEmpty)
        #expect(Self.excess(script, limit: 1).count == 1)
    }
}

/// The byte-level `trimmingSpaces` and `collapsingSpaces` against the scalar versions they replaced.
@Suite("Parse: whitespace on bytes")
struct ParseWhitespaceTests {
    static func trimmedByScalars(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }

    static func collapsedByScalars(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                out.append(scalar)
                pendingSpace = false
            }
        }
        return String(out)
    }

    @Test func isWhitespaceIsUnicodeWhiteSpace() {
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if TextScan.isWhitespace(value) != scalar.properties.isWhitespace {
                Issue.record("U+\(String(value, radix: 16)): \(TextScan.isWhitespace(value))")
            }
        }
    }

    static let samples: [String] = [
        "", " ", "\t\n", "a", " a ", "a  b", "a\u{A0}b", "\u{3000}東京\u{3000}", " \u{301}x", "x \u{301}",
        "e\u{301} \u{2028} f", "\u{85}a\u{85}", "a\u{200B}b", "\u{1F1E9}\u{1F1EA} flag", "déjà  vu\r\n",
        "a\u{0B}\u{0C}b", "\u{FEFF}a", "tab\there", "  lead", "trail  ", "multi   \n\n  space", "x\u{2009}y",
        "Ελληνικά  κείμενο ", "\u{1F600}  \u{1F600}",
    ]

    @Test(arguments: samples)
    func matchesScalarVersions(_ text: String) {
        #expect(text.trimmingSpaces == Self.trimmedByScalars(text))
        #expect(text.collapsingSpaces == Self.collapsedByScalars(text))
        // Substrings of a larger string take the same path as the copies.
        let embedded = ("<" + text + ">").dropFirst().dropLast()
        #expect(String(embedded).collapsingSpaces == Self.collapsedByScalars(text))
    }
}
