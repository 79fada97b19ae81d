import CopydeskCore
import Testing

/// Clean on made-up pages: each signal on its own, on text that shares no words with the seeds, so the stage
/// is shown to work by shape and position rather than by remembering the seeds' lines.
@Suite("Clean: signals")
struct CleanTests {
    /// Sentences of ordinary prose, long enough to count as running text.
    static let prose = [
        "The city council voted on Monday to extend the tram line to the northern suburbs by the end of the decade.",
        "Supporters said the extension would cut commuting times for thousands of residents who now rely on buses.",
        "Opponents argued that the cost had doubled since the plan was first presented to the public two years ago.",
        "The mayor said that construction could begin next spring if the regional government approved the funds.",
        "A final vote on the budget is expected in the autumn, when the council returns from its summer recess.",
    ]

    static func text(_ lines: [String]) -> Clean.Result {
        Clean.clean(Article(headline: lines[0], paragraphs: Array(lines.dropFirst())), layout: .text)
    }

    static func reason(of line: String, in result: Clean.Result) -> String? {
        result.removals.first { $0.text == line }?.reason
    }

    @Test func agencyCopyIsLeftAlone() {
        let article = Article(headline: "Standings", paragraphs: ["East", "Baltimore;23;13;.639", "0", "Subscribe"])
        let result = Clean.clean(article, layout: .agencyCopy)
        #expect(result.article == article)
        #expect(result.removals.isEmpty)
    }

    @Test func plainProseLosesNothing() {
        let result = Self.text(["Tram line to reach the northern suburbs"] + Self.prose)
        #expect(result.removals.isEmpty)
        #expect(result.article.paragraphs == Self.prose)
        #expect(result.article.headline == "Tram line to reach the northern suburbs")
    }

    @Test func menuAtTheTopGoesAndTheFirstSurvivingLineBecomesTheHeadline() {
        let result = Self.text(
            [
                "Latest news",
                "Markets rally on rate hopes  |  Storm closes ports  |  Cup final tickets sold out  |  New museum opens",
                "Home › Local › Transport",
                "Tram line to reach the northern suburbs",
            ] + Self.prose)
        #expect(result.article.headline == "Tram line to reach the northern suburbs")
        #expect(result.article.paragraphs == Self.prose)
        #expect(Self.reason(of: "Latest news", in: result) == "heading of a list taken out")
        #expect(Self.reason(of: "Home › Local › Transport", in: result) == "breadcrumb")
    }

    @Test func aHeadlineThatIsNotFurnitureStays() {
        // The first line is short, but nothing says it is furniture: it stays the headline.
        let result = Self.text(["Tram vote"] + Self.prose)
        #expect(result.article.headline == "Tram vote")
    }

    @Test func footerAfterTheTextGoes() {
        let footer = ["Comments", "12", "Sign in to leave a reply", "Most popular", "Weather"]
        let result = Self.text(["Tram line to reach the northern suburbs"] + Self.prose + footer)
        #expect(result.article.paragraphs == Self.prose)
        #expect(result.removed == footer)
    }

    @Test func aShortClosingSentenceStays() {
        let closing = "The meeting ended at noon."
        let result = Self.text(["Tram line to reach the northern suburbs"] + Self.prose + [closing])
        #expect(result.article.paragraphs.last == closing)
    }

    @Test func footerInAnotherScriptGoesButTheSameTextInItsOwnScriptStays() {
        let greekFooter = "Όροι χρήσης της ιστοσελίδας"
        let result = Self.text(["Tram line to reach the northern suburbs"] + Self.prose + [greekFooter])
        #expect(Self.reason(of: greekFooter, in: result) == "short line in another script than the text")

        let greekProse = [
            "Το δημοτικό συμβούλιο αποφάσισε τη Δευτέρα την επέκταση της γραμμής του τραμ προς τα βόρεια προάστια.",
            "Οι υποστηρικτές είπαν ότι η επέκταση θα μειώσει τον χρόνο μετακίνησης για χιλιάδες κατοίκους.",
        ]
        let own = Self.text(["Επέκταση του τραμ"] + greekProse)
        #expect(own.removals.isEmpty)
    }

    @Test func captionsWithTheSiteTagAndTheTeaserAfterThemGo() {
        let caption1 = "Workers lay tracks near the central station in March - City Herald"
        let teaser = "Bus Drivers Vote to Strike Over Pay and Conditions"
        let caption2 = "The old depot on the river front, seen from the bridge - City Herald"
        let lines = [
            "Tram line to reach the northern suburbs", Self.prose[0], caption1, teaser, Self.prose[1],
            Self.prose[2], caption2, Self.prose[3], Self.prose[4],
        ]
        let result = Self.text(lines)
        #expect(result.article.paragraphs == Self.prose)
        #expect(Self.reason(of: caption1, in: result) == "photo credit or caption")
        #expect(Self.reason(of: teaser, in: result) == "related-story teaser")
    }

    @Test func aSiteTagSeenOnceIsNoCaption() {
        let line = "The vote was close, said one councillor - Anna Berg"
        let result = Self.text(
            ["Tram line to reach the northern suburbs"] + Self.prose.prefix(2) + [line]
                + Self.prose.suffix(3))
        #expect(result.article.paragraphs.contains(line))
    }

    @Test func creditLineGoes() {
        let credit = "© Photo Agency / J. Smith"
        let result = Self.text(["Tram line to reach the northern suburbs", credit] + Self.prose)
        #expect(Self.reason(of: credit, in: result) == "photo credit or caption")
        #expect(result.article.headline == "Tram line to reach the northern suburbs")
    }

    @Test func promptsAndLinesRepeatingFieldsGo() {
        var article = Article(
            headline: "Tram line to reach the northern suburbs",
            paragraphs: ["By Maria Lopez", "Share this article", "Tram line to reach the northern suburbs"] + Self.prose
        )
        article.byline = "Maria Lopez"
        let result = Clean.clean(article, layout: .page)
        #expect(result.article.paragraphs == Self.prose)
        #expect(
            result.removals.map(\.reason) == [
                "repeats a field already read", "interface prompt", "repeats the headline",
            ])
    }

    @Test func aSentenceWithADateIsNoDateStamp() {
        let dated = "On 3 May 2021 the council first discussed the plan."
        let stamp = "Published 3 May 2021 10:15 | Updated 4 May 2021"
        let result = Self.text(["Tram line to reach the northern suburbs", stamp, dated] + Self.prose)
        #expect(result.article.paragraphs.contains(dated))
        #expect(Self.reason(of: stamp, in: result) == "date stamp")
    }

    @Test func htmlLinkDensityAndRegionsDecide() {
        let paragraphs = ["World", "Sport", "Business"] + Self.prose + ["About us", "Contact"]
        var blocks = Array(repeating: Clean.Block(), count: paragraphs.count)
        blocks[0] = Clean.Block(linkShare: 1, links: 1)
        blocks[1] = Clean.Block(linkShare: 1, links: 1)
        blocks[2] = Clean.Block(linkShare: 1, links: 1)
        blocks[paragraphs.count - 2] = Clean.Block(role: .footer)
        blocks[paragraphs.count - 1] = Clean.Block(role: .footer)
        let article = Article(headline: "Tram line to reach the northern suburbs", paragraphs: paragraphs)
        let result = Clean.clean(article, layout: Clean.Layout(origin: .page, blocks: blocks))
        #expect(result.article.paragraphs == Self.prose)
        #expect(Self.reason(of: "World", in: result) == "mostly links")
        #expect(Self.reason(of: "Contact", in: result) == "page region: footer")
    }

    @Test func aLinkInsideProseDoesNotRemoveIt() {
        let paragraphs = Self.prose
        var blocks = Array(repeating: Clean.Block(), count: paragraphs.count)
        blocks[1] = Clean.Block(linkShare: 0.2, links: 1)
        let article = Article(headline: "Tram line to reach the northern suburbs", paragraphs: paragraphs)
        #expect(Clean.clean(article, layout: Clean.Layout(origin: .page, blocks: blocks)).removals.isEmpty)
    }

    @Test func endMarksAreStrippedOnlyAfterAFinishedSentence() {
        let marked = Self.text(["Tram line to reach the northern suburbs"] + Self.prose + ["The vote is final. ENDS"])
        #expect(marked.article.paragraphs.last == "The vote is final.")
        #expect(Self.reason(of: "ENDS", in: marked) == "end-of-story mark")
        let sentence = "In the north the line simply ends"
        let kept = Self.text(["Tram line to reach the northern suburbs"] + Self.prose + [sentence + " at the depot."])
        #expect(kept.article.paragraphs.last == sentence + " at the depot.")
    }

    @Test func repeatedParagraphGoesOnce() {
        let result = Self.text(["Tram line to reach the northern suburbs"] + Self.prose + [Self.prose[1]])
        #expect(result.article.paragraphs == Self.prose)
        #expect(result.removals.map(\.reason) == ["repeated paragraph"])
    }

    @Test func nothingButFurnitureKeepsTheHeadline() {
        let result = Self.text(["Menu", "Home | News | Sport | Weather"])
        #expect(result.article.headline == "Menu")
        #expect(result.article.paragraphs.isEmpty)
    }

    /// A match preview's venue and kick-off, a closing results table: short lines at the edges that are the
    /// story's own, because nothing around them is furniture.
    @Test func edgesWithoutFurnitureStay() {
        let head = ["Blackburn v Burnley", "Ewood Park", "2000 GMT"]
        let table = ["=====", "1. Real Madrid 178", "2. Barcelona 175", "3. Juventus 154"]
        let result = Self.text(head + Self.prose + table)
        #expect(result.article.headline == "Blackburn v Burnley")
        #expect(result.article.paragraphs == ["Ewood Park", "2000 GMT"] + Self.prose + table.dropFirst())
        #expect(result.removals.map(\.reason) == ["no words"])
    }

    @Test func aDateInsideTheTextIsNoStamp() {
        let stamp = "0930 GMT, 12 March 2011"
        let result = Self.text(
            ["Tram line to reach the northern suburbs"] + Self.prose.prefix(2) + [stamp] + Self.prose.suffix(3))
        #expect(result.article.paragraphs.contains(stamp))
    }
}
