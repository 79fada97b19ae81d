import CopydeskCore
import Testing

@Suite("Parse: ninjs")
struct ParseNinjsTests {
    static let ninjs1 = """
        {"uri": "urn:newsml:example.com:20240105:abc", "type": "text", "version": "2",
         "versioncreated": "2024-01-05T10:00:00+0000", "firstcreated": "2024-01-05T08:30:00Z",
         "urgency": 2, "language": "en", "headline": "Rail strike called off",
         "byline": "By Tom Reed", "located": {"name": "Leeds"},
         "subject": [{"code": "medtop:09000000", "name": "labour"}, {"name": "transport"}],
         "description_text": "Unions and operators reach a deal.",
         "body_html": "<p>Unions called off Friday&#39;s strike <b>after</b> talks.</p><p>Trains will run.</p>",
         "ednote": "Corrects the date", "slugline": "RAIL-STRIKE", "keywords": ["rail", "strike"],
         "genre": [{"name": "Current"}], "pubstatus": "usable",
         "associations": {"featureimage": {"type": "picture", "headline": "Platform"}}}
        """

    @Test func ninjs1Fields() throws {
        let article = try #require(NinjsParser().parse(Self.ninjs1).success)
        #expect(article.headline == "Rail strike called off")
        #expect(article.itemID == "urn:newsml:example.com:20240105:abc")
        #expect(article.version == "2")
        #expect(article.versionCreated == "2024-01-05T10:00:00+00:00")
        #expect(article.created == "2024-01-05T08:30:00Z")
        #expect(article.urgency == 2)
        #expect(article.language == "en")
        #expect(article.byline == "Tom Reed")
        #expect(article.datelinePlace == "Leeds")
        #expect(article.subjects == ["medtop:09000000", "transport"])
        #expect(article.summary == "Unions and operators reach a deal.")
        #expect(article.editorNote == "Corrects the date")
        #expect(article.slugline == "RAIL-STRIKE")
        #expect(article.keywords == ["rail", "strike"])
        #expect(article.genre == "Current")
        #expect(article.paragraphs == ["Unions called off Friday's strike after talks.", "Trains will run."])
        #expect(article.metadata?["pubstatus"] == "usable")
        #expect(article.metadata?["associations"] == "featureimage: picture \"Platform\"")
    }

    @Test func ninjs2Fields() throws {
        let json = """
            {"uri": "http://example.com/item/7", "standard": {"name": "ninjs", "version": "2.0"},
             "headlines": [{"role": "main", "value": "Flood waters recede"}, {"role": "sub", "value": "Clean-up begins"}],
             "bodies": [{"role": "main", "contenttype": "text/plain", "value": "Water levels fell overnight.\\n\\nResidents returned."}],
             "descriptions": [{"role": "summary", "value": "Levels fall."}],
             "by": "Ana Ruiz", "subjects": [{"uri": "http://cv.iptc.org/newscodes/mediatopic/06000000", "name": "environment"}],
             "infosources": [{"name": "Example Agency", "role": "originfo"}], "versioncreated": "2024-02-01T12:00:00+01:00"}
            """
        let article = try #require(NinjsParser().parse(json).success)
        #expect(article.headline == "Flood waters recede")
        #expect(article.subheadline == "Clean-up begins")
        #expect(article.paragraphs == ["Water levels fell overnight.", "Residents returned."])
        #expect(article.summary == "Levels fall.")
        #expect(article.byline == "Ana Ruiz")
        #expect(article.subjects == ["http://cv.iptc.org/newscodes/mediatopic/06000000"])
        #expect(article.source == "Example Agency")
    }

    @Test func apiResponseWrapsTheItem() throws {
        let json = #"{"total": 1, "item": [{"uri": "x:1", "headline": "Wrapped", "body_text": "One."}]}"#
        #expect(NinjsParser().parse(json).success?.headline == "Wrapped")
    }

    @Test(arguments: [
        ("{\"headline\": ", "invalid JSON"),
        ("[1, 2, 3]", "without a ninjs item"),
        ("{\"uri\": \"x\"}", "without a headline"),
        (String(repeating: "[", count: 10_000), "nested deeper"),
        ("{\"a\": \"\\ud800\"} trailing", "text after"),
    ])
    func badInputIsRefusedWithAReason(_ json: String, _ reason: String) {
        let result = NinjsParser().parse(json)
        #expect(result.failure?.code == .unparsable)
        #expect(result.failure?.message.contains(reason) == true, "\(String(describing: result.failure))")
    }

    @Test func escapesAndSurrogatesDecode() throws {
        let json = #"{"headline": "Caf\u00e9 \ud83d\ude00 \"quoted\" \ud800", "body_text": "a\/b"}"#
        let article = try #require(NinjsParser().parse(json).success)
        #expect(article.headline == "Café 😀 \"quoted\" \u{FFFD}")
        #expect(article.paragraphs == ["a/b"])
    }

    @Test(.enabled(if: WireFixtures.available, "needs ../shared/corpora"))
    func superdeskFiles() throws {
        for name in [
            "sdcore--ninjs2.json", "sdcore--ninjs3.json", "sdcore--ninjs_embargoed.json",
            "sdcore--bbc-ninjs-comp-test.json",
        ] {
            let bytes = try WireFixtures.bytes("ninjs/" + name)
            #expect(FormatSniffer.sniff(bytes, fileName: name) == .ninjs, "\(name)")
        }
        // The story, not its associated picture, is the article.
        let oil = try #require(NinjsParser().parse(WireFixtures.input("ninjs/sdcore--ninjs2.json")).success)
        #expect(oil.headline == "Oil prices edge up on first drop in US drilling in months")
        #expect(oil.byline == "Henning Gloystein")
        #expect(oil.bodyText.contains("up on Monday, supported by the first autumn in US"))
        #expect(oil.metadata?["associations"] == "featuremedia: picture \"Financial Markets\"")

        let beer = try #require(NinjsParser().parse(WireFixtures.input("ninjs/sdcore--ninjs_embargoed.json")).success)
        #expect(beer.headline == "Trouble is brewing for the future of beer")
        #expect(beer.published == "2022-06-26T23:54:25+00:00")
        #expect(beer.metadata?["embargoed"] == "2022-06-29T02:30:00+00:00")
        #expect(beer.bodyText.contains("giant’s climate is changing. Changes in temperature and precipitation"))

        let picture = try #require(NinjsParser().parse(WireFixtures.input("ninjs/sdcore--ninjs3.json")).success)
        #expect(picture.headline == "German Air Force Museum")
        #expect(picture.metadata?["type"] == "picture")

        let bbc = try #require(
            NinjsParser().parse(WireFixtures.input("ninjs/sdcore--bbc-ninjs-comp-test.json")).success)
        #expect(bbc.headline == "abcdef")
    }
}
