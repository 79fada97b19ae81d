import CopydeskCore
import Testing

@Suite("Parse: HTML")
struct ParseHTMLTests {
    /// A news page with everything around the story a site adds: a menu, a share bar, a related list, a
    /// caption, a newsletter form, a footer, scripts.
    static let page = """
        <!DOCTYPE html>
        <html lang="en-GB">
        <head>
        <meta charset="iso-8859-1">
        <title>Harbour bridge to close for repairs | Coast Gazette</title>
        <meta property="og:title" content="Harbour bridge to close for repairs">
        <meta property="og:site_name" content="Coast Gazette">
        <meta name="author" content="Lena Fischer">
        <meta name="description" content="The bridge will shut for six weeks from May.">
        <meta property="article:published_time" content="2024-04-02T07:15:00+0100">
        <meta property="article:modified_time" content="2024-04-02T09:00:00+01:00">
        <meta property="article:section" content="Local">
        <meta name="keywords" content="bridge, roadworks">
        <meta name="viewport" content="width=device-width">
        <link rel="canonical" href="https://gazette.example/local/bridge-closure">
        <script>var tracking = "<p>not text</p>";</script>
        <style>p { color: red }</style>
        </head>
        <body>
        <nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li><li><a href="/sport">Sport</a></li></ul></nav>
        <header class="site-header"><a href="/">Coast Gazette</a></header>
        <article>
          <h1>Harbour bridge to close for repairs</h1>
          <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
          <figure><img src="b.jpg"><figcaption>The bridge at dusk. Photo: J. Smith</figcaption></figure>
          <p>The harbour bridge will close for six weeks from May while engineers replace worn bearings, the
             council said on Tuesday.</p>
          <p>Drivers will be diverted through the town centre, adding up to <b>twenty minutes</b> to journeys at
             peak times, according to the council&#39;s estimate.</p>
          <p>Cyclists and pedestrians can still cross<br>on a temporary walkway.</p>
          <aside class="related"><h3>Related</h3><ul><li><a href="/a">Ferry fares to rise</a></li>
             <li><a href="/b">New car park opens</a></li></ul></aside>
          <p>The work is expected to cost £4.2m and to be finished before the summer season begins in July.</p>
        </article>
        <form class="newsletter"><p>Get our daily newsletter</p><button>Sign up</button></form>
        <footer><p>© 2024 Coast Gazette. All rights reserved.</p><p><a href="/privacy">Privacy</a></p></footer>
        </body></html>
        """

    @Test func metaAndStructure() throws {
        let parsed = try #require(HTMLParser().parseForCleaning(ParserInput(text: Self.page)).success)
        let article = parsed.article
        #expect(article.headline == "Harbour bridge to close for repairs")
        #expect(article.byline == "Lena Fischer")
        #expect(article.summary == "The bridge will shut for six weeks from May.")
        #expect(article.published == "2024-04-02T07:15:00+01:00")
        #expect(article.versionCreated == "2024-04-02T09:00:00+01:00")
        #expect(article.source == "Coast Gazette")
        #expect(article.language == "en-GB")
        #expect(article.keywords == ["bridge", "roadworks"])
        #expect(article.itemID == "https://gazette.example/local/bridge-closure")
        #expect(article.metadata?["article:section"] == "Local")
        #expect(article.metadata?["viewport"] == nil)
        #expect(!article.paragraphs.contains { $0.contains("not text") || $0.contains("color: red") })
        #expect(parsed.layout.blocks.count == article.paragraphs.count)
    }

    @Test func cleaningKeepsTheStoryAndDropsThePage() throws {
        let document = try #require(Parse.prepare(Array(Self.page.utf8), fileName: "bridge.html").success)
        #expect(document.format == "html")
        #expect(
            document.article.paragraphs == [
                "The harbour bridge will close for six weeks from May while engineers replace worn bearings, the "
                    + "council said on Tuesday.",
                "Drivers will be diverted through the town centre, adding up to twenty minutes to journeys at peak "
                    + "times, according to the council's estimate.",
                "Cyclists and pedestrians can still cross on a temporary walkway.",
                "The work is expected to cost £4.2m and to be finished before the summer season begins in July.",
            ])
        for furniture in [
            "Home", "Share on Facebook Share on X", "The bridge at dusk. Photo: J. Smith", "Related",
            "Ferry fares to rise", "Get our daily newsletter", "© 2024 Coast Gazette. All rights reserved.",
        ] {
            #expect(document.removed.contains(furniture), "\(furniture) not removed: \(document.removals)")
        }
    }

    /// The page says ISO-8859-1, but the text handed to the parser is already decoded: it must not be
    /// decoded a second time.
    @Test func declaredCharsetDoesNotReDecodeText() throws {
        let article = try #require(HTMLParser().parse(Self.page).success)
        #expect(article.paragraphs.contains { $0.contains("£4.2m") })
    }

    @Test func titleWithoutMetaLosesTheSiteName() throws {
        let html =
            "<html><head><title>Dam levels at record low - Valley News</title></head>"
            + "<body><p>Reservoirs in the valley are at their lowest since records began, the water board said.</p></body></html>"
        let article = try #require(HTMLParser().parse(html).success)
        #expect(article.headline == "Dam levels at record low")
        #expect(article.paragraphs.count == 1)
    }

    @Test func tagSoupIsRepaired() throws {
        let html = "<p>First paragraph <b>bold <i>both</b> italic<p>Second & third<div>Block</span></div><p>Last"
        let article = try #require(HTMLParser().parse(html).success)
        #expect(article.paragraphs == ["First paragraph bold both italic", "Second & third", "Block", "Last"])
    }

    @Test func deepNestingNeitherTrapsNorLosesTheText() {
        let depth = 50_000
        let html = String(repeating: "<div>", count: depth) + "Deep text." + String(repeating: "</div>", count: depth)
        let result = HTMLParser().parse(html)
        // libxml2 stops at its nesting limit; whatever it kept must come back without a crash.
        #expect(result.success != nil || result.failure?.code == .unparsable)
    }

    @Test func pageWithoutTextIsRefused() {
        #expect(
            HTMLParser().parse("<html><head><script>x()</script></head><body></body></html>").failure?.code
                == .unparsable)
    }

    @Test func externalEntitiesAreNotFetched() throws {
        let html = "<!DOCTYPE html [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><html><body><p>A &x; B</p></body></html>"
        let article = try #require(HTMLParser().parse(html).success)
        #expect(!article.bodyText.contains("root:"))
    }
}
