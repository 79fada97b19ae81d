import CopydeskCore
import Foundation
import Testing

/// The libxml2 wrapper: hostile XML (XXE, entity bombs, deep nesting, huge attributes) is refused quickly with a
/// reason; well-formed news XML comes out as a tree with namespaces resolved.
@Suite("Parse: markup reader")
struct ParseMarkupReaderTests {
    /// Hostile input must be refused well within this; the refusals below take microseconds.
    static let quickly: Duration = .milliseconds(500)

    static func timed<T>(_ body: () -> T) -> (T, Duration) {
        let clock = ContinuousClock()
        var result: T?
        let elapsed = clock.measure { result = body() }
        return (result!, elapsed)
    }

    // MARK: Entities

    @Test func externalEntityIsRefusedAndNeverRead() {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <nitf><body><body.content><p>&x;</p></body.content></body></nitf>
            """
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(xml) }
        let reason = result.failure
        #expect(reason?.code == .unparsable)
        #expect(reason?.message.contains("external entity 'x' declared (SYSTEM \"file:///etc/passwd\")") == true)
        #expect(reason?.message.contains("XXE") == true)
        #expect(elapsed < Self.quickly)
    }

    @Test func unparsedExternalEntityIsRefusedToo() {
        let xml = """
            <!DOCTYPE r [<!NOTATION jpg SYSTEM "image/jpeg"><!ENTITY pic SYSTEM "http://example.com/a.jpg" NDATA jpg>]>
            <r/>
            """
        #expect(MarkupReader.parseXML(xml).failure?.message.contains("external entity 'pic'") == true)
    }

    /// Kyodo and ATS name their NITF DTD through an external parameter entity; it is never loaded, and the file
    /// reads normally. Pointing it at a local file or a URL changes nothing.
    @Test(arguments: ["nitf-3-0.dtd", "file:///etc/passwd", "http://127.0.0.1:9/evil.dtd"])
    func externalParameterEntityIsIgnored(_ systemID: String) throws {
        let xml = """
            <!DOCTYPE NewsML [<!ENTITY % nitf SYSTEM "\(systemID)"> %nitf;]>
            <NewsML><p>text</p></NewsML>
            """
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(xml) }
        let root = try #require(result.success)
        #expect(root.text == "text")
        #expect(elapsed < Self.quickly)
    }

    @Test func externalDTDSubsetIsNotLoaded() throws {
        let root = try #require(
            MarkupReader.parseXML("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r>kept</r>").success
        )
        #expect(root.rawText == "kept")
    }

    @Test func internalParameterEntityIsRefused() {
        let xml = "<!DOCTYPE r [<!ENTITY % p \"<!ENTITY q 'x'>\"> %p;]><r>&q;</r>"
        #expect(MarkupReader.parseXML(xml).failure?.message.contains("parameter entity '%p'") == true)
    }

    @Test func billionLaughsIsRefusedAtTheFirstNestedDeclaration() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        xml += " <!ENTITY lol1 \"" + String(repeating: "&lol;", count: 10) + "\">\n"
        for level in 2...9 {
            xml += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        xml += "]>\n<lolz>&lol9;</lolz>"
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(xml) }
        let message = result.failure?.message ?? ""
        #expect(message.contains("entity 'lol1' refers to other entities"))
        #expect(message.contains("billion laughs"))
        #expect(elapsed < Self.quickly)
    }

    /// No nesting, but one big entity used many times: the text limit stops it.
    @Test func quadraticBlowupIsStoppedByTheTextLimit() {
        let entity = String(repeating: "a", count: 60_000)
        let xml = "<!DOCTYPE r [<!ENTITY big \"\(entity)\">]><r>" + String(repeating: "&big;", count: 1000) + "</r>"
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(xml) }
        #expect(result.failure?.message.contains("bytes of text (entity expansions included)") == true)
        #expect(elapsed < .seconds(2))
    }

    @Test func plainInternalEntityExpands() throws {
        let root = try #require(
            MarkupReader.parseXML("<!DOCTYPE r [<!ENTITY desk \"Copydesk\">]><r>Hello &desk;!</r>").success
        )
        #expect(root.rawText == "Hello Copydesk!")
    }

    @Test func entityWithMarkupIsRefused() {
        let xml = "<!DOCTYPE r [<!ENTITY b \"<b>bold</b>\">]><r>&b;</r>"
        #expect(MarkupReader.parseXML(xml).failure?.message.contains("contains markup") == true)
    }

    /// A file naming its (unloaded) DTD may use the XHTML entities that DTD declares.
    @Test func xhtmlEntitiesOfAnUnloadedDTDAreKnown() throws {
        let xml = "<!DOCTYPE nitf SYSTEM \"nitf.dtd\"><nitf><p>a&nbsp;b&eacute; &mdash; &unknown;</p></nitf>"
        let root = try #require(MarkupReader.parseXML(xml).success)
        #expect(root.rawText == "a\u{A0}bé — &unknown;")
    }

    @Test func undeclaredEntityWithoutADTDIsNotWellFormed() {
        let reason = MarkupReader.parseXML("<r>\n<p>a&nbsp;b</p></r>").failure
        #expect(reason?.message.hasPrefix("not well-formed XML (line 2,") == true)
        #expect(reason?.message.contains("nbsp") == true)
    }

    // MARK: Limits

    @Test func deepNestingIsRefusedQuickly() {
        let depth = 100_000
        let xml = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(xml) }
        #expect(result.failure?.message == "elements nested more than 256 deep (at <a>)")
        #expect(elapsed < Self.quickly)
    }

    @Test func nestingUpToTheLimitIsFine() throws {
        let depth = 256
        let xml = String(repeating: "<a>", count: depth) + "deep" + String(repeating: "</a>", count: depth)
        #expect(try #require(MarkupReader.parseXML(xml).success).rawText == "deep")
        let over = String(repeating: "<a>", count: depth + 1) + String(repeating: "</a>", count: depth + 1)
        #expect(MarkupReader.parseXML(over).failure != nil)
    }

    @Test func hugeAttributeIsRefused() {
        let xml = "<r><meta name=\"x\" content=\"" + String(repeating: "A", count: 100_000) + "\"/></r>"
        let (result, elapsed) = Self.timed { MarkupReader.parseXML(xml) }
        #expect(result.failure?.message == "attribute 'content' of <meta> is 100000 bytes (limit 65536)")
        #expect(elapsed < Self.quickly)
    }

    @Test func elementAndInputLimitsApply() {
        var limits = MarkupLimits()
        limits.maxElements = 10
        let many = "<r>" + String(repeating: "<i/>", count: 20) + "</r>"
        #expect(MarkupReader.parseXML(many, limits: limits).failure?.message == "more than 10 elements")
        limits.maxInputBytes = 16
        #expect(MarkupReader.parseXML(many, limits: limits).failure?.message.contains("over the 16-byte limit") == true)
    }

    // MARK: Well-formed input

    @Test func namespacesResolveToLocalNamesAndURIs() throws {
        let xml = """
            <ns0:newsMessage xmlns:ns0="http://iptc.org/std/nar/2006-10-01/">
              <ns0:itemSet><ns0:newsItem guid="g" xml:lang="en"><x:body xmlns:x="http://www.w3.org/1999/xhtml"/>
              </ns0:newsItem></ns0:itemSet>
            </ns0:newsMessage>
            """
        let root = try #require(MarkupReader.parseXML(xml).success)
        #expect(root.name == "newsMessage")
        #expect(root.namespace == "http://iptc.org/std/nar/2006-10-01/")
        let item = try #require(root.child("itemSet")?.child("newsItem"))
        #expect(item[attribute: "lang"] == "en")
        #expect(item.attributes.first { $0.name == "lang" }?.namespace == "http://www.w3.org/XML/1998/namespace")
        #expect(item.child("body")?.namespace == "http://www.w3.org/1999/xhtml")
    }

    /// Charset detection happens once, before parsing: the declaration's `encoding` must not re-decode the text.
    @Test func encodingDeclarationIsIgnored() throws {
        let root = try #require(
            MarkupReader.parseXML("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>Zürich €</r>").success
        )
        #expect(root.rawText == "Zürich €")
    }

    @Test func cdataAndCharacterReferencesAreText() throws {
        let root = try #require(MarkupReader.parseXML("<r><![CDATA[<p>a & b</p>]]>&#233;&#x20AC;&amp;</r>").success)
        #expect(root.rawText == "<p>a & b</p>é€&")
    }

    @Test func malformedXMLSaysWhereAndWhy() {
        let reason = MarkupReader.parseXML("<r>\n  <p>open\n</r>").failure
        #expect(reason?.code == .unparsable)
        #expect(reason?.message.hasPrefix("not well-formed XML (line 3,") == true)
    }

    @Test func htmlFragmentsParseForgivingly() throws {
        let html = try #require(MarkupReader.parseHTML("<P>one<br>two<p>three &amp; <b>four</b>").success)
        #expect(MarkupText.paragraphs(of: html) == ["one two", "three & four"])
    }

    @Test func deepHTMLIsRefusedToo() {
        let html = String(repeating: "<div>", count: 5000)
        #expect(MarkupReader.parseHTML(html).failure?.message.contains("nested more than 256 deep") == true)
    }

    @Test func parsesConcurrently() async {
        let xml = "<nitf><body><body.content><p>Paragraph one.</p><p>Two.</p></body.content></body></nitf>"
        let count = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<200).reduce(0) { total, _ in
                        total + (MarkupReader.parseXML(xml).success.map { MarkupText.paragraphs(of: $0).count } ?? 0)
                    }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(count == 8 * 200 * 2)
    }

    // MARK: Paragraphs

    @Test func paragraphsFollowBlocksAndRunningText() throws {
        let xml = """
            <body.content>
              <p>NEW YORK (AP) — <person>Rudi Roeslein</person>, <org value="x">a firm</org>,<br/>said so.</p>
              <hl2>Subhead</hl2>
              <media><media-caption>A caption</media-caption></media>
              <p>Eläkevakuutusyhtiö <Company>Ilmarinen</Company> hakee</p>
              <CITAT>Quoted paragraph.</CITAT>
              <table><tr><td>1</td><td>BEP.PR.O</td></tr></table>
              <p>   </p>
            </body.content>
            """
        let root = try #require(MarkupReader.parseXML(xml).success)
        #expect(
            MarkupText.paragraphs(of: root) == [
                "NEW YORK (AP) — Rudi Roeslein, a firm, said so.", "Subhead", "Eläkevakuutusyhtiö Ilmarinen hakee",
                "Quoted paragraph.", "1 | BEP.PR.O",
            ])
    }

    @Test func collapseHandlesUnicodeSpaces() {
        #expect(MarkupText.collapse("  a\u{A0}\u{2009} b\n\tc  ") == "a b c")
        #expect(MarkupText.collapse(" \n ") == "")
    }
}

/// Attribute values come out decoded: libxml2 leaves `&amp;` as `&#38;` and internal entity references as written
/// when it does not substitute entities itself, for a tree builder to finish; ours finishes them.
@Suite("Parse: markup attributes")
struct ParseMarkupAttributeTests {
    @Test func attributeValuesAreDecoded() throws {
        let xml = "<!DOCTYPE r [<!ENTITY desk \"Copydesk\">]><r a=\"AT&amp;T &lt;x&gt; &#229;\" b=\"&desk;!\"/>"
        let root = try #require(MarkupReader.parseXML(xml).success)
        #expect(root[attribute: "a"] == "AT&T <x> å")
        #expect(root[attribute: "b"] == "Copydesk!")
    }

    @Test func attributeEntityExpansionIsBounded() {
        let entity = String(repeating: "a", count: 60_000)
        let xml = "<!DOCTYPE r [<!ENTITY big \"\(entity)\">]><r a=\"" + String(repeating: "&big;", count: 5000) + "\"/>"
        let message = MarkupReader.parseXML(xml).failure?.message ?? ""
        #expect(message.hasPrefix("attribute 'a' of <r> is over"), "\(message)")
    }
}
