import CopydeskCore
import Testing

struct SniffCase: Sendable, CustomTestStringConvertible {
    var label: String
    var content: String
    var fileName: String
    var expected: InputFormat

    init(_ label: String, _ content: String, _ fileName: String, _ expected: InputFormat) {
        self.label = label
        self.content = content
        self.fileName = fileName
        self.expected = expected
    }

    init(_ label: String, _ content: String, _ expected: InputFormat) {
        self.init(label, content, "incoming", expected)
    }

    var testDescription: String { "\(label) (\(fileName)) → \(expected.rawValue)" }
}

@Suite("Parse: format sniffing")
struct ParseSnifferTests {
    static let g2 = "http://iptc.org/std/nar/2006-10-01/"

    static let cases: [SniffCase] = [
        // Plain text, including text that only looks like something else at first glance.
        SniffCase("plain text", "NATO ministers meet\n\nBRUSSELS - Ministers met on Thursday.", .text),
        SniffCase("plain text named .xml", "NATO ministers meet\n\nMinisters met.", "story.xml", .text),
        SniffCase("dateline with colon", "WASHINGTON: The President said\nthat talks would go on.", .text),
        SniffCase("less-than sign", "<3 from Brussels\n\nA love letter.", .text),
        SniffCase("brace in text", "{Correction} NATO meets\n\nText.", .text),

        // XML and the XML news formats.
        SniffCase("generic XML", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>", .xml),
        SniffCase("NITF root", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<nitf version=\"-//IPTC//DTD NITF 3.6//EN\"><head><title>T</title></head></nitf>", .nitf),
        SniffCase("NITF doctype", "<?xml version=\"1.0\"?>\n<!-- from the wire -->\n"
            + "<!DOCTYPE nitf SYSTEM \"nitf-3-6.dtd\">\n<nitf><body/></nitf>", .nitf),
        SniffCase("NITF with namespace prefix", "<n:nitf xmlns:n=\"http://iptc.org/std/NITF/2006-10-18/\"/>", .nitf),
        SniffCase("G2 newsItem", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<newsItem xmlns=\"\(g2)\" "
            + "guid=\"urn:newsml:example.com:20160211:1\" version=\"1\" standard=\"NewsML-G2\">", .newsMLG2),
        SniffCase("G2 newsMessage, prefixed", "<nar:newsMessage xmlns:nar='\(g2)'><nar:header/>", .newsMLG2),
        SniffCase("G2 packageItem", "<packageItem\n  standard=\"NewsML-G2\"\n  xmlns=\"\(g2)\">", .newsMLG2),
        SniffCase("newsItem without the G2 namespace", "<?xml version=\"1.0\"?><newsItem guid=\"x\"/>", .xml),
        SniffCase("NewsML 1.2", "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
            + "<!DOCTYPE NewsML PUBLIC \"urn:newsml:iptc.org:20001006:NewsMLv1.0:1\" \"NewsMLv1.2.dtd\">\n"
            + "<NewsML Version=\"1.2\"><NewsEnvelope/></NewsML>", .newsML12),
        SniffCase("NewsML 1.2 without doctype", "<?xml version=\"1.0\"?><NewsML Version=\"1.2\">", .newsML12),

        // JSON and ninjs.
        SniffCase("ninjs", "{\n  \"uri\": \"http://example.com/2016/02/11/nato\",\n  \"type\": \"text\",\n"
            + "  \"headline\": \"NATO ministers meet\",\n  \"body_text\": \"Ministers met.\"\n}", .ninjs),
        SniffCase("ninjs by schema", "{\"$schema\": \"http://www.iptc.org/std/ninjs/ninjs-schema_1.1.json\"}", .ninjs),
        SniffCase("generic JSON", "{\"name\": \"Copydesk\", \"version\": 1}", .json),
        SniffCase("JSON array", "[{\"id\": 1}, {\"id\": 2}]", .json),
        SniffCase("headline-only JSON", "{\"headline\": \"NATO ministers meet\"}", "item.json", .json),
        SniffCase("headline-only JSON named .ninjs", "{\"headline\": \"NATO ministers meet\"}", "item.ninjs", .ninjs),

        // HTML.
        SniffCase("HTML5", "<!DOCTYPE html>\n<html lang=\"en\"><head><title>NATO</title></head>", .html),
        SniffCase("HTML without doctype", "\n  <HTML>\n<HEAD><TITLE>NATO</TITLE></HEAD>", .html),
        SniffCase("XHTML", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html PUBLIC "
            + "\"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
            + "<html xmlns=\"http://www.w3.org/1999/xhtml\">", .html),
        SniffCase("XHTML without doctype", "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">",
                  .html),
        SniffCase("HTML fragment", "<p>NATO ministers met on Thursday.</p>", .html),
        SniffCase("fragment named .xml", "<p>NATO ministers met on Thursday.</p>", "story.xml", .xml),
        SniffCase("unknown root named .html", "<story><p>NATO</p></story>", "page.html", .html),
        SniffCase("unknown root", "<story><p>NATO</p></story>", .xml),

        // E-mail.
        SniffCase("e-mail", "From: NATO Press <press@hq.nato.int>\nTo: desk@example.com\n"
            + "Subject: NATO ministers meet\nDate: Thu, 11 Feb 2016 13:14:00 +0100\nMIME-Version: 1.0\n\n"
            + "Ministers met.", .email),
        SniffCase("e-mail, CRLF and folded", "Received: from mail.example.com\r\n"
            + "\tby mx.example.com; Thu, 11 Feb 2016\r\nFrom: press@hq.nato.int\r\nSubject: NATO\r\n\r\nBody", .email),
        SniffCase("mbox", "From press@hq.nato.int Thu Feb 11 13:14:00 2016\nFrom: press@hq.nato.int\n"
            + "Subject: NATO\n\nBody", .email),
        SniffCase("MIME part", "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nBody", .email),
        SniffCase("thin header block", "Subject: NATO ministers meet\n\nMinisters met.", "note.txt", .text),
        SniffCase("thin header block named .eml", "Subject: NATO ministers meet\n\nMinisters met.", "note.eml", .email),

        // Wire framing.
        SniffCase("ANPA-1312", ParseScreeningTests.anpa, .anpa1312),
        SniffCase("ANPA-1312 without SYN", "\u{01}a0123\u{1F}r a\u{13}\u{11} bc-nato 02-11 0412\n\u{02}Text\u{03}",
                  .anpa1312),
        SniffCase("IPTC 7901", ParseScreeningTests.iptc7901, .iptc7901),
        SniffCase("other SOH/STX framing", "\u{01}XYZ\r\n\u{02}NATO ministers meet\r\nText.\r\n\u{03}", .iptc7901),
        SniffCase("other framing named .anpa", "\u{01}XYZ\r\n\u{02}NATO ministers meet\r\n\u{03}", "w.anpa",
                  .anpa1312),
    ]

    @Test(arguments: cases)
    func sniffsText(_ sample: SniffCase) {
        #expect(FormatSniffer.sniff(sample.content, fileName: sample.fileName) == sample.expected)
    }

    @Test(arguments: cases)
    func sniffsBytesAlike(_ sample: SniffCase) {
        #expect(FormatSniffer.sniff(Array(sample.content.utf8), fileName: sample.fileName) == sample.expected)
    }

    @Test func utf8ByteOrderMarkDoesNotHideMarkup() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<?xml version=\"1.0\"?><nitf/>".utf8)
        #expect(FormatSniffer.sniff(bytes, fileName: "x") == .nitf)
        #expect(FormatSniffer.sniff("\u{FEFF}<!DOCTYPE html><html>", fileName: "x") == .html)
    }

    @Test func rootBeyondThePrefixIsStillXML() {
        let comment = "<!-- " + String(repeating: "x", count: FormatSniffer.prefixLength) + " -->"
        #expect(FormatSniffer.sniff("<?xml version=\"1.0\"?>" + comment + "<nitf/>", fileName: "x") == .xml)
    }

    @Test func fileNameHints() {
        #expect(InputFormat(fileName: "inbox/afp/story.NITF") == .nitf)
        #expect(InputFormat(fileName: "story.htm") == .html)
        #expect(InputFormat(fileName: "story") == nil)
        #expect(InputFormat(fileName: "story.") == nil)
        #expect(InputFormat(fileName: ".eml") == .email)
    }

    @Test func rawValuesAreTheJournalVocabulary() {
        #expect(InputFormat.allCases.map(\.rawValue) == [
            "text", "xml", "nitf", "newsml-g2", "newsml-1.2", "ninjs", "json", "html", "email", "anpa-1312",
            "iptc7901",
        ])
    }
}
