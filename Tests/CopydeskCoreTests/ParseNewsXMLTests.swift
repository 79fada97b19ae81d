import CopydeskCore
import Testing

/// NITF, NewsML-G2, NewsML 1.2 and the generic XML reader, on small documents written to pin one rule each. The
/// real agency files are covered by ``ConformanceTests``.
@Suite("Parse: NITF, NewsML, XML")
struct ParseNewsXMLTests {
    static func article(_ parser: some ArticleParser, _ xml: String) throws -> Article {
        try #require(parser.parse(xml).success)
    }

    // MARK: NITF

    static let nitf = """
        <?xml version="1.0" encoding="UTF-8"?>
        <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/" baselang="en-AU">
          <head>
            <title>Fallback title</title>
            <meta name="anpa-keyword" content="Bushfires NSW"/>
            <meta name="anpa-takekey" content="1stLd-Writethru"/>
            <meta name="anpa-category" content="a"/>
            <tobject tobject.type="News">
              <tobject.property tobject.property.type="Current"/>
              <tobject.subject tobject.subject.refnum="02003001"/>
            </tobject>
            <docdata management-status="usable">
              <doc-id id-string="AAP.1.2" regsrc="AAP"/>
              <urgency ed-urg="2"/>
              <date.issue norm="20131020T192751+1100"/>
              <date.release norm="20131020T193000+1100"/>
              <ed-msg info="Corrects spelling of name"/>
              <du-key key="fires" version="3"/>
              <key-list><keyword key="fire"/><keyword key="NSW"/></key-list>
            </docdata>
          </head>
          <body>
            <body.head>
              <hedline><hl1>Fire front spans NSW</hl1><hl2>Crews on alert</hl2></hedline>
              <byline>By Jane Roe<byttl>AAP Reporter</byttl></byline>
              <dateline><location><city>Sydney</city></location><story.date norm="20131020T000000+1100">Oct 20</story.date></dateline>
              <abstract><p>A massive fire front</p><p>spans NSW.</p></abstract>
              <distributor>Australian Associated Press</distributor>
            </body.head>
            <body.content>
              <p>   A massive fire front <br/>spans a huge area.</p><p/>
              <hl2>Evacuations</hl2>
              <p>People were told to leave &amp; go.</p>
            </body.content>
            <body.end><tagline>AAP jr</tagline></body.end>
          </body>
        </nitf>
        """

    @Test func nitfFillsEveryField() throws {
        let article = try Self.article(NITFParser(), Self.nitf)
        #expect(article.headline == "Fire front spans NSW")
        #expect(article.subheadline == "Crews on alert")
        #expect(article.byline == "By Jane Roe")
        #expect(article.dateline == "Sydney")
        #expect(article.datelinePlace == "Sydney")
        #expect(article.datelineDate == "2013-10-20T00:00:00+11:00")
        #expect(article.created == "2013-10-20T19:27:51+11:00")
        #expect(article.versionCreated == "2013-10-20T19:27:51+11:00")
        #expect(article.published == "2013-10-20T19:30:00+11:00")
        #expect(article.source == "Australian Associated Press")
        #expect(article.slugline == "Bushfires NSW")
        #expect(article.takeKey == "1stLd-Writethru")
        #expect(article.keywords == ["fire", "NSW"])
        #expect(article.urgency == 2)
        #expect(article.itemID == "AAP.1.2")
        #expect(article.version == "3")
        #expect(article.language == "en-AU")
        #expect(article.summary == "A massive fire front spans NSW.")
        #expect(article.editorNote == "Corrects spelling of name")
        #expect(article.subjects == ["02003001"])
        #expect(article.genre == "Current")
        #expect(
            article.paragraphs == [
                "A massive fire front spans a huge area.", "Evacuations", "People were told to leave & go.",
            ])
        #expect(article.metadata?["meta.anpa-category"] == "a")
        #expect(article.metadata?["body.end"] == "AAP jr")
        #expect(article.metadata?["byline.byttl"] == "AAP Reporter")
    }

    @Test func nitfWithoutHeadlineTakesTheTitleThenTheLede() throws {
        let titled =
            "<nitf><head><title>From the title</title></head><body><body.content><p>Body.</p></body.content></body></nitf>"
        #expect(try Self.article(NITFParser(), titled).headline == "From the title")
        let bare =
            "<nitf><body><body.content><p>Ministers met on Thursday. They agreed.</p></body.content></body></nitf>"
        #expect(try Self.article(NITFParser(), bare).headline == "Ministers met on Thursday.")
    }

    @Test func emptyNITFIsRefused() {
        let reason = NITFParser().parse("<nitf><head/><body/></nitf>").failure
        #expect(reason == RejectReason(.unparsable, "NITF: no headline and no body text"))
    }

    @Test func nitfParserRefusesOtherRoots() {
        #expect(NITFParser().parse("<html/>").failure?.message == "NITF: root element is <html>, not <nitf>")
    }

    // MARK: NewsML-G2

    static func newsMessage(prefix: String = "") -> String {
        let p = prefix.isEmpty ? "" : prefix + ":"
        let ns = prefix.isEmpty ? "xmlns" : "xmlns:\(prefix)"
        return """
            <\(p)newsMessage \(ns)="http://iptc.org/std/nar/2006-10-01/">
              <\(p)header><\(p)sent>2018-03-01T18:34:39Z</\(p)sent><\(p)priority>3</\(p)priority></\(p)header>
              <\(p)itemSet>
                <\(p)newsItem guid="urn:picture" version="1">
                  <\(p)itemMeta><\(p)itemClass qcode="ninat:picture"/></\(p)itemMeta>
                  <\(p)contentMeta><\(p)headline>A picture</\(p)headline></\(p)contentMeta>
                </\(p)newsItem>
                <\(p)newsItem guid="tag:ap.org,2011:5e56" version="2" xml:lang="en">
                  <\(p)itemMeta>
                    <\(p)itemClass qcode="ninat:text"/>
                    <\(p)provider literal="AP"/>
                    <\(p)versionCreated>2018-02-26T21:20:34Z</\(p)versionCreated>
                    <\(p)firstCreated>2018-02-26T21:20:36Z</\(p)firstCreated>
                    <\(p)pubStatus qcode="stat:usable"/>
                    <\(p)edNote>Eds: Adds full-year results.</\(p)edNote>
                  </\(p)itemMeta>
                  <\(p)contentMeta>
                    <\(p)urgency>4</\(p)urgency>
                    <\(p)located><\(p)name>Pittsburgh</\(p)name></\(p)located>
                    <\(p)language tag="en-US"/>
                    <\(p)keyword>Earnings</\(p)keyword>
                    <\(p)subject qcode="medtop:04000000"/>
                    <\(p)genre qcode="genre:Current"><\(p)name>Current</\(p)name></\(p)genre>
                    <\(p)slugline>BC-US--Earns-Nutrisystem</\(p)slugline>
                    <\(p)headline>Nutrisystem beats expectations</\(p)headline>
                    <\(p)headline role="hld:subHeadline">Shares climb</\(p)headline>
                    <\(p)description role="drol:summary">Profit rose.</\(p)description>
                    <\(p)dateline>FORT WASHINGTON, Pa.</\(p)dateline>
                    <\(p)by>By Ann Writer</\(p)by>
                    <\(p)altId type="ap:itemId">5e56</\(p)altId>
                  </\(p)contentMeta>
                  <\(p)contentSet>
                    <\(p)inlineXML contenttype="application/nitf+xml">
                      <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>
                        <p>FORT WASHINGTON, Pa. (AP) _ Nutrisystem reported.</p><p>Second.</p>
                      </body.content></body></nitf>
                    </\(p)inlineXML>
                  </\(p)contentSet>
                </\(p)newsItem>
              </\(p)itemSet>
            </\(p)newsMessage>
            """
    }

    @Test(arguments: ["", "ns0", "g2"])
    func g2TakesTheTextItemWhateverThePrefix(_ prefix: String) throws {
        let article = try Self.article(NewsMLG2Parser(), Self.newsMessage(prefix: prefix))
        #expect(article.headline == "Nutrisystem beats expectations")
        #expect(article.subheadline == "Shares climb")
        #expect(article.itemID == "tag:ap.org,2011:5e56")
        #expect(article.version == "2")
        #expect(article.created == "2018-02-26T21:20:36Z")
        #expect(article.versionCreated == "2018-02-26T21:20:34Z")
        #expect(article.priority == 3)
        #expect(article.urgency == 4)
        #expect(article.source == "AP")
        #expect(article.language == "en-US")
        #expect(article.keywords == ["Earnings"])
        #expect(article.subjects == ["medtop:04000000"])
        #expect(article.genre == "Current")
        #expect(article.slugline == "BC-US--Earns-Nutrisystem")
        #expect(article.summary == "Profit rose.")
        #expect(article.dateline == "FORT WASHINGTON, Pa.")
        #expect(article.datelinePlace == "Pittsburgh")
        #expect(article.byline == "By Ann Writer")
        #expect(article.editorNote == "Eds: Adds full-year results.")
        #expect(article.paragraphs == ["FORT WASHINGTON, Pa. (AP) _ Nutrisystem reported.", "Second."])
        #expect(article.metadata?["pubStatus"] == "stat:usable")
        #expect(article.metadata?["altId.ap:itemId"] == "5e56")
        #expect(article.metadata?["header.sent"] == "2018-03-01T18:34:39Z")
    }

    @Test func g2XHTMLBodyDropsTheRepeatedBylineAndHeaderMetadata() throws {
        let xml = """
            <newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x">
              <contentMeta><headline>Statue to reopen</headline></contentMeta>
              <contentSet><inlineXML contenttype="application/xhtml+xml">
                <html xmlns="http://www.w3.org/1999/xhtml"><head><title>Statue to reopen</title></head><body>
                  <header><time>26.06.2024 14:02 GMT</time><h1>Statue to reopen</h1></header>
                  <p>By Joseph Ax</p>
                  <p>NEW YORK, Jan 21 (Reuters) - The Statue of Liberty will reopen.</p>
                </body></html>
              </inlineXML></contentSet>
            </newsItem>
            """
        let article = try Self.article(NewsMLG2Parser(), xml)
        #expect(article.byline == "By Joseph Ax")
        #expect(article.paragraphs == ["NEW YORK, Jan 21 (Reuters) - The Statue of Liberty will reopen."])
    }

    @Test func g2PictureHasItsCaptionAsBody() throws {
        let xml = """
            <newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="pic">
              <itemMeta><itemClass qcode="icls:picture"/></itemMeta>
              <contentMeta><headline>A woman casts her ballot</headline>
                <description role="descRole:caption">A woman casts her ballot in Gatundu.</description></contentMeta>
              <contentSet><remoteContent href="http://example.com/a.jpg"/></contentSet>
            </newsItem>
            """
        let article = try Self.article(NewsMLG2Parser(), xml)
        #expect(article.paragraphs == ["A woman casts her ballot in Gatundu."])
        #expect(article.metadata?["itemClass"] == "icls:picture")
    }

    @Test func g2PackageListsItsItems() throws {
        let xml = """
            <packageItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="pkg" version="9">
              <contentMeta><headline>UK</headline></contentMeta>
              <groupSet root="G1"><group id="G1">
                <itemRef residref="a"><title>Obama names team</title><description>He named it.</description></itemRef>
                <itemRef residref="b"><title>Obama arrives</title></itemRef>
              </group></groupSet>
            </packageItem>
            """
        let article = try Self.article(NewsMLG2Parser(), xml)
        #expect(article.headline == "UK")
        #expect(article.paragraphs == ["Obama names team", "He named it.", "Obama arrives"])
    }

    @Test func g2InlineDataIsPlainTextOrEscapedHTML() throws {
        let text = """
            <newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="t"><contentMeta><headline>H</headline></contentMeta>
            <contentSet><inlineData contenttype="text/plain">First paragraph.

            Second paragraph.</inlineData></contentSet></newsItem>
            """
        #expect(try Self.article(NewsMLG2Parser(), text).paragraphs == ["First paragraph.", "Second paragraph."])
        let html = """
            <newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="t"><contentMeta><headline>H</headline></contentMeta>
            <contentSet><inlineData contenttype="text/html">&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two &amp;amp; three&lt;/p&gt;</inlineData>
            </contentSet></newsItem>
            """
        #expect(try Self.article(NewsMLG2Parser(), html).paragraphs == ["One", "Two & three"])
    }

    @Test func g2WithoutItemIsRefused() {
        let reason = NewsMLG2Parser().parse("<newsMessage xmlns=\"http://iptc.org/std/nar/2006-10-01/\"/>").failure
        #expect(reason?.message == "NewsML-G2: no newsItem or packageItem in <newsMessage>")
    }

    // MARK: NewsML 1.2

    @Test func newsML12ReadsNestedComponents() throws {
        let xml = """
            <NewsML Version="1.2">
              <NewsEnvelope><DateAndTime>20140829T135006Z</DateAndTime><Priority FormalName="4"/></NewsEnvelope>
              <NewsItem xml:lang="en">
                <Identification><NewsIdentifier><ProviderId>afp.com</ProviderId><NewsItemId>TX-1</NewsItemId>
                  <RevisionId PreviousRevision="0" Update="N">2</RevisionId>
                  <PublicIdentifier>urn:newsml:afp.com:20140829T135002Z:TX-1:2</PublicIdentifier></NewsIdentifier>
                </Identification>
                <NewsManagement><FirstCreated>20140829T134951+0000</FirstCreated>
                  <ThisRevisionCreated>20140829T140000+0000</ThisRevisionCreated><Urgency FormalName="3"/></NewsManagement>
                <NewsComponent>
                  <NewsLines><CopyrightLine>(c) AFP</CopyrightLine></NewsLines>
                  <NewsComponent>
                    <NewsLines>
                      <HeadLine>Saab placed in receivership</HeadLine><SubHeadLine>Court relents</SubHeadLine>
                      <ByLine>By Ann Writer</ByLine><DateLine>STOCKHOLM, Aug 29, 2014 (AFP) -</DateLine>
                      <SlugLine>Sweden-SAAB</SlugLine>
                      <NewsLine><NewsLineType FormalName="AdvisoryLine"/><NewsLineText>UPDATES with court</NewsLineText></NewsLine>
                    </NewsLines>
                    <AdministrativeMetadata><Provider><Party FormalName="AFP"/></Provider></AdministrativeMetadata>
                    <DescriptiveMetadata>
                      <Language FormalName="en"/><Genre FormalName="business"/>
                      <SubjectCode><SubjectDetail FormalName="04011002"/></SubjectCode>
                      <Property FormalName="Keyword" Value="Saab"/>
                      <Location><Property FormalName="City" Value="Stockholm"/></Location>
                    </DescriptiveMetadata>
                    <ContentItem><MediaType FormalName="Photo"/><DataContent>binary</DataContent></ContentItem>
                    <ContentItem><MediaType FormalName="Text"/><Format FormalName="NITF3.1"/>
                      <DataContent><nitf><body><body.content><p>NEVS said on Friday.</p></body.content></body></nitf></DataContent>
                    </ContentItem>
                  </NewsComponent>
                </NewsComponent>
              </NewsItem>
            </NewsML>
            """
        let article = try Self.article(NewsML12Parser(), xml)
        #expect(article.headline == "Saab placed in receivership")
        #expect(article.subheadline == "Court relents")
        #expect(article.byline == "By Ann Writer")
        #expect(article.dateline == "STOCKHOLM, Aug 29, 2014 (AFP) -")
        #expect(article.datelinePlace == "STOCKHOLM")
        #expect(article.slugline == "Sweden-SAAB")
        #expect(article.editorNote == "UPDATES with court")
        #expect(article.itemID == "urn:newsml:afp.com:20140829T135002Z:TX-1:2")
        #expect(article.version == "2")
        #expect(article.created == "2014-08-29T13:49:51+00:00")
        #expect(article.versionCreated == "2014-08-29T14:00:00+00:00")
        #expect(article.priority == 4)
        #expect(article.urgency == 3)
        #expect(article.source == "AFP")
        #expect(article.language == "en")
        #expect(article.genre == "business")
        #expect(article.subjects == ["04011002"])
        #expect(article.keywords == ["Saab"])
        #expect(article.paragraphs == ["NEVS said on Friday."])
        #expect(article.metadata?["CopyrightLine"] == "(c) AFP")
    }

    @Test func newsML12TextDataContent() throws {
        let xml = """
            <NewsML xmlns="http://iptc.org/std/NewsML/2003-10-10/"><NewsItem><NewsComponent>
              <NewsLines><HeadLine>Plain</HeadLine></NewsLines>
              <ContentItem><MimeType FormalName="text/plain"/><DataContent>One line.
            Another line.</DataContent></ContentItem>
            </NewsComponent></NewsItem></NewsML>
            """
        let article = try Self.article(NewsML12Parser(), xml)
        #expect(article.headline == "Plain")
        #expect(article.paragraphs == ["One line.", "Another line."])
    }

    // MARK: Generic XML

    @Test func genericXMLMapsCommonNames() throws {
        let xml = """
            <RBNews xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
              <NewsID>9a69</NewsID><PublishDate>2018-01-30T17:32:18.397</PublishDate>
              <headline i:nil="true"/><town>Haag</town><version>1</version><Priority>3</Priority>
              <content>&lt;p&gt;Hollandske forskere har lavet forsøg.&lt;/p&gt;&lt;p&gt;Andet.&lt;/p&gt;</content>
              <byLine>Peder Poulsen</byLine><section>Udland</section>
              <publisher><name>Ritzau</name><address>Copenhagen</address></publisher>
            </RBNews>
            """
        let article = try Self.article(GenericXMLParser(), xml)
        #expect(article.headline == "Hollandske forskere har lavet forsøg.")
        #expect(article.paragraphs == ["Hollandske forskere har lavet forsøg.", "Andet."])
        #expect(article.itemID == "9a69")
        #expect(article.published == "2018-01-30T17:32:18.397")
        #expect(article.datelinePlace == "Haag")
        #expect(article.version == "1")
        #expect(article.priority == 3)
        #expect(article.byline == "Peder Poulsen")
        #expect(article.source == nil)
        #expect(article.metadata?["section"] == "Udland")
    }

    @Test func genericXMLReadsTheFirstFeedEntry() throws {
        let xml = """
            <feed xmlns="http://www.w3.org/2005/Atom"><title>WENN feed</title>
              <entry><title>First story</title><id>urn:1</id><updated>2020-01-02T03:04:05Z</updated>
                <content type="html">&lt;p&gt;Body one.&lt;/p&gt;</content></entry>
              <entry><title>Second story</title></entry>
            </feed>
            """
        let article = try Self.article(GenericXMLParser(), xml)
        #expect(article.headline == "First story")
        #expect(article.itemID == "urn:1")
        #expect(article.versionCreated == "2020-01-02T03:04:05Z")
        #expect(article.paragraphs == ["Body one."])
    }

    // MARK: Through the whole stage

    @Test func externalEntityThroughTheWholeStageIsRejectedNotStored() {
        let xml = """
            <!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <nitf><body><body.head><hedline><hl1>&x;</hl1></hedline></body.head></body></nitf>
            """
        let reason = Parse.prepare(Array(xml.utf8), fileName: "story.xml").failure
        #expect(reason?.code == .unparsable)
        #expect(reason?.message.hasPrefix("NITF: external entity 'x'") == true)
    }

    @Test(arguments: [
        ("<nitf><body><body.head><hedline><hl1>H</hl1></hedline></body.head></body></nitf>", "nitf"),
        (
            "<newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\"><contentMeta><headline>H</headline></contentMeta></newsItem>",
            "newsml-g2"
        ),
        (
            "<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>H</HeadLine></NewsLines></NewsComponent></NewsItem></NewsML>",
            "newsml-1.2"
        ),
        ("<?xml version=\"1.0\"?><release><title>H</title></release>", "xml"),
    ])
    func prepareRoutesByContent(_ xml: String, _ format: String) throws {
        let document = try #require(Parse.prepare(Array(xml.utf8), fileName: "inbox-file").success)
        #expect(document.format == format)
        #expect(document.article.headline == "H")
    }

    // MARK: Dates

    @Test(arguments: [
        ("20131020T192751+1100", "2013-10-20T19:27:51+11:00"),
        ("2018-02-26T21:20:34Z", "2018-02-26T21:20:34Z"),
        ("2018-03-01T18:34:39.924Z", "2018-03-01T18:34:39.924Z"),
        ("2016-04-13 04:52:21+00:00", "2016-04-13T04:52:21+00:00"),
        ("20141126T152703", "2014-11-26T15:27:03"),
        ("2019-06-03T15:00:01+02:00", "2019-06-03T15:00:01+02:00"),
        ("20190603T174729-0230", "2019-06-03T17:47:29-02:30"),
        ("20170102", "2017-01-02"),
        ("11.07.2019 12:17", "2019-07-11T12:17:00"),
    ])
    func wireDatesNormalize(_ text: String, _ iso: String) {
        #expect(WireDate.normalize(text) == iso)
    }

    @Test(arguments: ["YYYYMMDD000000-HHMM", "", "2019-13-01", "2019-06-03T25:00", "20190603T1747+2500", "tomorrow"])
    func nonDatesAreNil(_ text: String) {
        #expect(WireDate.normalize(text) == nil)
    }

    @Test func instantsCompareAcrossZones() throws {
        let a = try #require(WireDate("20131020T192751+1100")?.epochSeconds)
        let b = try #require(WireDate("2013-10-20T08:27:51+00:00")?.epochSeconds)
        #expect(a == b)
        #expect(a == 1_382_257_671)
        #expect(WireDate("2020-09-07T14:45:26")?.epochSeconds == nil)
    }
}
