import CopydeskCore
import Testing

/// Sniffing cases the agency files taught: mail after blank lines, a header block longer than the sniffed
/// prefix, Superdesk's ninjs without a `uri`.
@Suite("Parse: sniffing mail, ninjs and wire copy")
struct SniffTextFormatsTests {
    @Test func mailAfterBlankLinesIsMail() {
        let mail = String(repeating: " ", count: 200) + "\r\nFrom: a@b.example\r\nSubject: Hi\r\n\r\nBody.\r\n"
        #expect(FormatSniffer.sniff(mail, fileName: "m.txt") == .email)
    }

    /// A relay chain fills the first 4,096 characters before `Subject:` comes: `From` with `Received` is mail.
    @Test func longHeaderBlockIsMail() {
        let received = (0..<60).map {
            "Received: from relay\($0).example by mx.example; Tue, 10 Mar 2015 14:17:0\($0 % 10) -0700\n"
        }
        let mail = received.joined() + "From: Ben <b@a.example>\nSubject: Late\n\nBody.\n"
        #expect(mail.unicodeScalars.count > FormatSniffer.prefixLength)
        #expect(FormatSniffer.sniff(mail, fileName: "m.txt") == .email)
    }

    @Test func textWithOneLabelIsNotMail() {
        #expect(
            FormatSniffer.sniff("Source: Digital Turbine, Inc.\nMEDIA RELEASE\n\nText.", fileName: "a.tst") == .text)
    }

    @Test(arguments: [
        (#"{"guid": "x", "headline": "H", "body_html": "<p>B</p>"}"#, InputFormat.ninjs),
        (#"{"headline": "H", "body_text": "B", "versioncreated": "2024-01-01T00:00:00Z"}"#, .ninjs),
        (#"{"headline": "H"}"#, .json),
        (#"{"name": "config", "value": 3}"#, .json),
    ])
    func ninjsWithoutURI(_ json: String, _ format: InputFormat) {
        #expect(FormatSniffer.sniff(json, fileName: "item.json") == format)
    }

    @Test func textThatMerelyStartsLikeA7901HeaderIsText() {
        #expect(FormatSniffer.sniff("abc123 4 i 211 words\nNo keyword line here.\n\nText.", fileName: "a") == .text)
    }
}
