import CopydeskCore
import Testing

@Suite struct DedupNormalizeTests {
    @Test func foldsCaseWhitespacePunctuationQuotesAndDashes() {
        #expect(Normalize.text("“Hello,”  World —\n it’s   DONE…") == "hello world it s done")
        #expect(Normalize.text("\"Hello,\" world - it's done...") == "hello world it s done")
        #expect(Normalize.text("  \t\r\n ") == "")
    }

    @Test func keepsDigitsAndTheirSeparation() {
        #expect(Normalize.text("Rates held at 4.75%") == "rates held at 4 75")
        #expect(Normalize.text("4.75%") != Normalize.text("475%"))
        #expect(Normalize.text("$100m share sale") == Normalize.text("$100m-share sale"))
    }

    @Test func foldsUnicodeCaseButKeepsDiacritics() {
        #expect(Normalize.text("ÉCOLE Straße ΟΔΥΣΣΕΥΣ") == "école straße οδυσσευσ")
        #expect(Normalize.text("Résumé") != Normalize.text("Resume"))
    }

    @Test func splitsIdeographsIntoWords() {
        #expect(Normalize.text("東京で地震") == "東 京 で 地 震")
    }

    @Test func digestIgnoresWrappingButNotTheHeadline() {
        let body = ["Showers continued throughout the week in the Bahia cocoa zone.", "Second paragraph."]
        let rewrapped = ["Showers continued\nthroughout the week in the\r\nBahia cocoa zone.  Second", "paragraph!"]
        #expect(Normalize.digest(headline: "Bahia cocoa review", body: body)
            == Normalize.digest(headline: "BAHIA COCOA REVIEW", body: rewrapped))
        #expect(Normalize.digest(headline: "Bahia cocoa review", body: body)
            != Normalize.digest(headline: "Bahia cocoa outlook", body: body))
        // The headline/body boundary counts: moving a word across it is a different text.
        #expect(Normalize.digest(headline: "a b", body: ["c"]) != Normalize.digest(headline: "a", body: ["b c"]))
    }

    @Test func shinglesUseTheSameWords() {
        #expect(Shingles.wordHashes("Hello, WORLD!") == Shingles.wordHashes("hello world"))
        #expect(Shingles.wordHashes("Hello, WORLD!") == [Shingles.hashWord("hello"), Shingles.hashWord("world")])
        #expect(Shingles.wordHashes("Straße") == [Shingles.hashWord("straße")])
        #expect(Shingles.shingleSet("one two three").count == 1)
        #expect(Shingles.shingleSet("   ").isEmpty)
        #expect(Shingles.shingleSet("a b c d e f").count == 2)
        // Order matters inside a shingle.
        #expect(Shingles.shingleSet("a b c d e") != Shingles.shingleSet("e d c b a"))
    }

    @Test func digestIndexKeepsTheFirst() {
        var index = DigestIndex()
        let digest = Normalize.digest(headline: "x", body: ["y"])
        index.insert(digest, sequence: 4)
        index.insert(digest, sequence: 8)
        #expect(index.lookup(digest) == 4)
        #expect(index.lookup(Normalize.digest(headline: "x", body: ["z"])) == nil)
    }
}
