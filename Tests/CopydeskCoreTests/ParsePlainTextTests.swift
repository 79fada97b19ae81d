import CopydeskCore
import Testing

@Suite("Parse: plain text")
struct ParsePlainTextTests {
    private func parse(_ text: String) throws -> Article {
        try #require(PlainTextParser().parse(text).success)
    }

    /// Two paragraphs hard-wrapped at 72 columns, as a mailer writes them.
    static let wrapped = """
        NATO to help with migrant crisis

        NATO defence ministers agreed on Thursday that the Alliance will provide
        support to assist with the refugee and migrant crisis in the Aegean Sea,
        Secretary General Jens Stoltenberg told reporters in Brussels after the
        meeting.

        The goal is to participate in the international efforts to stem illegal
        trafficking and illegal migration in the Aegean, he said, adding that the
        details of the mission were being worked out by military authorities.
        """

    @Test func hardWrappedParagraphsAreJoined() throws {
        let article = try parse(Self.wrapped)
        #expect(article.headline == "NATO to help with migrant crisis")
        #expect(article.paragraphs == [
            "NATO defence ministers agreed on Thursday that the Alliance will provide support to assist with the "
                + "refugee and migrant crisis in the Aegean Sea, Secretary General Jens Stoltenberg told reporters in "
                + "Brussels after the meeting.",
            "The goal is to participate in the international efforts to stem illegal trafficking and illegal "
                + "migration in the Aegean, he said, adding that the details of the mission were being worked out by "
                + "military authorities.",
        ])
    }

    @Test(arguments: ["\r\n", "\r"])
    func lineEndingsAreNormalised(_ ending: String) throws {
        let text = Self.wrapped.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ending)
        #expect(try parse(text) == parse(Self.wrapped))
    }

    @Test func wrappedParagraphsWithoutBlankLinesSplitAtShortSentenceEnds() throws {
        let article = try parse("""
            Headline
            NATO defence ministers agreed on Thursday that the Alliance will provide
            support in the Aegean Sea.
            Secretary General Jens Stoltenberg told reporters in Brussels after the
            meeting that the mission would start soon.
            """)
        #expect(article.paragraphs == [
            "NATO defence ministers agreed on Thursday that the Alliance will provide support in the Aegean Sea.",
            "Secretary General Jens Stoltenberg told reporters in Brussels after the meeting that the mission would "
                + "start soon.",
        ])
    }

    @Test func indentedLinesStartParagraphsInWrappedText() throws {
        let article = try parse("""
            Headline

               NATO defence ministers agreed on Thursday that the Alliance will
            provide support to assist with the refugee and migrant crisis in the
            Aegean Sea, Secretary General Jens Stoltenberg told reporters there
               The goal is to participate in the international efforts to stem
            illegal trafficking and illegal migration in the Aegean, he said
            """)
        #expect(article.paragraphs.count == 2)
        #expect(article.paragraphs[1].hasPrefix("The goal is"))
        #expect(article.paragraphs[1].hasSuffix("in the Aegean, he said"))
    }

    @Test func shortLinesAreNotJoined() throws {
        let lines = ["09:00 Arrival of ministers", "10:00 Doorstep statement", "12:30 Press conference"]
        let article = try parse("Programme\n\n" + lines.joined(separator: "\n"))
        #expect(article.paragraphs == lines)
    }

    /// Lines of wrap length that each end a sentence are one-sentence paragraphs, not a wrapped one.
    @Test func sentenceLinesOfWrapLengthAreNotJoined() throws {
        let lines = [
            "NATO defence ministers agreed on Thursday to help with the crisis.",
            "Secretary General Jens Stoltenberg welcomed the decision in Brussels.",
            "Military authorities are now working out the details of the mission.",
        ]
        let article = try parse("Headline\n\n" + lines.joined(separator: "\n"))
        #expect(article.paragraphs == lines)
    }

    @Test func whitespaceIsCollapsedAndTrailingSpaceStripped() throws {
        let article = try parse("  \n\t  Big \u{00A0}  news  \n\nA  b\tc   \n\n\n  d  ")
        #expect(article.headline == "Big news")
        #expect(article.paragraphs == ["A b c", "d"])
    }

    @Test func headlineWithoutBodyIsADocument() throws {
        let article = try parse("\n\nNATO ministers meet\n\n\n")
        #expect(article.headline == "NATO ministers meet")
        #expect(article.paragraphs.isEmpty)
    }

    @Test func overlongFirstLineIsCutAndKeptAsParagraph() throws {
        let sentence = "NATO defence ministers agreed on Thursday that the Alliance will provide support, "
        let line = String(repeating: sentence, count: 5).trimmingCharacters()
        #expect(line.count > PlainTextParser.headlineLimit)
        let article = try parse(line + "\n\nSecond paragraph.")
        #expect(article.paragraphs == [line, "Second paragraph."])
        #expect(article.headline.count <= PlainTextParser.headlineCut)
        #expect(article.headline.count >= 150)
        #expect(line.hasPrefix(article.headline + " "))
        #expect(article.headline.last?.isLetter == true)
    }

    @Test func firstLineOfExactlyTheLimitIsTheHeadline() throws {
        let line = String(repeating: "word ", count: 60).trimmingCharacters()  // 299 characters
        #expect(try parse(line).headline == line)
    }

    @Test func formFeedSeparatesParagraphsAndControlsAreSpaces() throws {
        let article = try parse("Headline\u{1B}x\nfirst\u{0C}second\u{2029}third")
        #expect(article.headline == "Headline x")
        #expect(article.paragraphs == ["first", "second", "third"])
    }

    @Test func textWithoutALineIsUnparsable() {
        #expect(PlainTextParser().parse(" \n\u{01}\n ").failure?.code == .unparsable)
        #expect(PlainTextParser().parse("").failure?.code == .unparsable)
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
