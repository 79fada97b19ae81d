import CopydeskCore
import Testing

@Suite("Parse: e-mail")
struct ParseEmailTests {
    /// A press release as Outlook sends it: folded headers, encoded words, alternative plain and HTML parts in
    /// Windows-1252, quoted-printable, a PDF attached.
    static let release: [UInt8] = Array(
        """
        Return-Path: <press@ministry.example>
        Received: from mx.example by gw.example; Tue, 3 Mar 2020 09:00:01 +0100
        From: =?iso-8859-1?Q?Minist=E8re_de_la_Culture?= <press@ministry.example>
        To: desk@paper.example
        Subject: =?utf-8?B?TXVzZXVtIHJlb3BlbnM=?= =?utf-8?Q?_after_r=C3=A9novation?=
        Date: Tue, 3 Mar 2020 09:00:00 +0100
        Message-ID: <abc.123@ministry.example>
        Content-Language: fr
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        This is a multi-part message in MIME format.

        --outer
        Content-Type: multipart/alternative;
        \tboundary="inner"

        --inner
        Content-Type: text/plain; charset="windows-1252"
        Content-Transfer-Encoding: quoted-printable

        By Claire Dupont

        PARIS, March 3 =96 The national museum will reopen on Monday after two y=
        ears of r=E9novation work, the ministry said on Tuesday.

        The work cost 40 million euros.

        --=20
        Press office, +33 1 00 00 00 00

        --inner
        Content-Type: text/html; charset="windows-1252"
        Content-Transfer-Encoding: quoted-printable

        <html><body><p>The national museum will reopen.</p></body></html>

        --inner--

        --outer
        Content-Type: application/pdf; name="dossier.pdf"
        Content-Disposition: attachment; filename="dossier.pdf"
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK

        --outer--
        """.utf8)

    @Test func pressReleaseFields() throws {
        let parsed = try #require(
            EmailParser().parseForCleaning(
                ParserInput(
                    bytes: Self.release, text: String(decoding: Self.release, as: UTF8.self), charset: "utf-8",
                    fileName: "m.eml"
                )
            ).success)
        let article = parsed.article
        #expect(article.headline == "Museum reopens after rénovation")
        #expect(article.source == "Ministère de la Culture <press@ministry.example>")
        #expect(article.byline == "Claire Dupont")
        #expect(article.published == "2020-03-03T09:00:00+01:00")
        #expect(article.itemID == "abc.123@ministry.example")
        #expect(article.language == "fr")
        #expect(article.dateline == "PARIS, March 3 –")
        #expect(
            article.paragraphs.contains(
                "PARIS, March 3 – The national museum will reopen on Monday after two years of rénovation work, the "
                    + "ministry said on Tuesday."
            ))
        #expect(!article.paragraphs.contains { $0.contains("Press office") })
        #expect(article.metadata?["signature"] == "Press office, +33 1 00 00 00 00")
        #expect(article.metadata?["attachments"] == "dossier.pdf (application/pdf, 9 bytes)")
        #expect(article.metadata?["bodyType"] == "text/plain")
        #expect(parsed.layout.origin == .page)
    }

    @Test func throughThePipelineTheBylineLineIsCleanedAway() throws {
        let document = try #require(Parse.prepare(Self.release, fileName: "m.eml").success)
        #expect(document.format == "email")
        #expect(document.article.paragraphs.first?.hasPrefix("PARIS, March 3") == true)
        #expect(document.removed.contains("By Claire Dupont"))
    }

    static let stormHTML =
        "<p>Winds of 120 km/h are expected tonight along the coast, forecasters said.</p>"
        + "<p>Ferries are cancelled.</p>"

    @Test func htmlOnlyMailIsReadAsHTML() throws {
        let mail = Array(
            """
            From: News Desk <desk@agency.example>
            Subject: Storm warning
            MIME-Version: 1.0
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            \(Self.stormHTML.base64)
            """.utf8)
        let article = try #require(EmailParser().parse(bytes: mail).success)
        #expect(article.headline == "Storm warning")
        #expect(article.byline == "News Desk")
        #expect(
            article.paragraphs == [
                "Winds of 120 km/h are expected tonight along the coast, forecasters said.", "Ferries are cancelled.",
            ])
        #expect(article.metadata?["bodyType"] == "text/html")
    }

    @Test func eightBitPartIsDecodedInItsOwnCharset() throws {
        var mail = Array(
            """
            From: a@b.example
            Subject: Caf\u{E9}
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: 8bit


            """.utf8)
        mail += [0x43, 0x61, 0x66, 0xE9, 0x20, 0x6F, 0x70, 0x65, 0x6E, 0x73, 0x2E]  // "Café opens." in Latin-1
        let text = String(decoding: mail, as: UTF8.self)
        let article = try #require(
            EmailParser().parse(ParserInput(bytes: mail, text: text, charset: "windows-1252", fileName: "x")).success)
        #expect(article.paragraphs == ["Café opens."])
        #expect(article.headline == "Café")
    }

    @Test func unknownCharsetInATextPartIsRefusedNotGuessed() {
        var mail = Array("From: a@b.example\nSubject: x\nContent-Type: text/plain; charset=koi8-r\n\n".utf8)
        mail += [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4]
        let result = EmailParser().parse(ParserInput(bytes: mail, text: "", charset: "utf-8", fileName: "x"))
        #expect(result.failure?.code == .undecodable)
        #expect(result.failure?.message.contains("koi8-r") == true)
    }

    @Test(arguments: [
        ("=?utf-8?Q?caf=C3=A9?=", "café"),
        ("=?ISO-8859-1?B?Y2Fm6Q==?=", "café"),
        ("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),
        ("plain =?utf-8?Q?and_encoded?= text", "plain and encoded text"),
        ("=?x-unknown?Q?plain?=", "plain"),
        ("=?x-unknown?Q?=F0=D2?=", "=?x-unknown?Q?=F0=D2?="),
        ("=?utf-8?Q?=FF?=", "=?utf-8?Q?=FF?="),
        ("=?utf-8?Q?broken", "=?utf-8?Q?broken"),
        ("=?windows-1252?Q?TravTalk’s_Special?=", "TravTalk’s Special"),
        ("=?utf-8?B?", "=?utf-8?B?"),
    ])
    func encodedWords(_ raw: String, _ decoded: String) {
        let mail = Array("From: a@b.example\nSubject: \(raw)\n\nBody text.\n".utf8)
        #expect(EmailParser().parse(bytes: mail).success?.headline == decoded)
    }

    @Test(arguments: [
        ("Thu, 19 Feb 2015 17:18:40 +1100", "2015-02-19T17:18:40+11:00"),
        ("19 Feb 2015 17:18 GMT", "2015-02-19T17:18:00Z"),
        ("Tue, 10 Mar 15 14:17:01 -0700 (PDT)", "2015-03-10T14:17:01-07:00"),
        ("Tue, 10 Mar 2015 14:17:01 -0000", "2015-03-10T14:17:01"),
    ])
    func dates(_ header: String, _ iso: String) {
        let mail = Array("From: a@b.example\nSubject: s\nDate: \(header)\n\nBody.\n".utf8)
        #expect(EmailParser().parse(bytes: mail).success?.published == iso)
    }

    @Test func headerlessTextIsRefused() {
        #expect(EmailParser().parse("just a line\n\nand text").failure?.code == .unparsable)
    }

    @Test(.enabled(if: WireFixtures.available, "needs ../shared/corpora"))
    func agencyMails() throws {
        let simple = try #require(
            EmailParser().parse(WireFixtures.input("email-rfc822/sdcore--simple_email.txt")).success)
        #expect(simple.headline == "Test message 1234")
        #expect(simple.source == "a sender <asender@a.com.au>")
        #expect(simple.paragraphs == ["body text"])

        let encoded = try #require(
            EmailParser().parse(WireFixtures.input("email-rfc822/sdcore--charset_in_subject_email.txt")).success)
        #expect(encoded.headline == "Google Apps News March 2015")

        let odd = try #require(
            EmailParser().parse(WireFixtures.input("email-rfc822/sdcore--odd_charset_email.txt")).success)
        #expect(odd.headline == "TravTalk’s Special for TAAI convention")
        #expect(odd.byline == "Ben Everill")
        #expect(odd.bodyText.contains("believing in my short game and that belief helped me"))
        #expect(odd.bodyText.contains("Innisbrook Resort’s Cooperhead course"))
        for name in ["simple_email", "charset_in_subject_email", "odd_charset_email"] {
            let bytes = try WireFixtures.bytes("email-rfc822/sdcore--\(name).txt")
            #expect(FormatSniffer.sniff(bytes, fileName: "\(name).txt") == .email, "\(name)")
        }
    }
}

extension String {
    /// Base64 of the UTF-8 bytes, for building test mails.
    var base64: String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let bytes = Array(utf8)
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for byte in chunk { value = value << 8 | Int(byte) }
            value <<= (3 - chunk.count) * 8
            for position in 0..<4 {
                out.append(position <= chunk.count ? alphabet[(value >> (18 - position * 6)) & 63] : "=")
            }
            index += 3
        }
        return out
    }
}
