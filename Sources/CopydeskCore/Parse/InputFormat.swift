/// The formats news files arrive in, as the Parse stage tells them apart.
///
/// The raw value is what a ``PreparedDocument`` and the journal record as `format`, so it is part of the
/// journal's vocabulary: add cases, never rename them.
public enum InputFormat: String, Sendable, Codable, CaseIterable, Hashable {
    /// Plain text: a headline line, then paragraphs. Also the fallback for everything unrecognised.
    case text
    /// Well-formed-looking XML with a root element no more specific case claims.
    case xml
    /// News Industry Text Format (root element `nitf`).
    case nitf
    /// IPTC NewsML-G2 (`newsItem`, `newsMessage`, `packageItem`, … in the G2 namespace).
    case newsMLG2 = "newsml-g2"
    /// IPTC NewsML 1.x (root element `NewsML`).
    case newsML12 = "newsml-1.2"
    /// IPTC ninjs: news in JSON (`uri`, `headline`, `body_text`, …).
    case ninjs
    /// JSON that is not recognisably ninjs.
    case json
    /// A web page (HTML or XHTML).
    case html
    /// An RFC 5322 message, as a mail-to-file gateway writes it.
    case email
    /// ANPA-1312 wire copy (`SYN SYN SOH` header, `STX` body, `ETX` trailer).
    case anpa1312 = "anpa-1312"
    /// IPTC 7901 wire copy (`SOH` header line, `STX` body, `ETX` trailer).
    case iptc7901

    /// The format a file name's extension suggests, used only to break ties between formats the content
    /// supports equally (see ``FormatSniffer``); nil for extensions that say nothing.
    public init?(fileName: String) {
        let base = fileName.split(separator: "/").last ?? Substring(fileName)
        guard let dot = base.lastIndex(of: "."), base.index(after: dot) < base.endIndex else { return nil }
        switch base[base.index(after: dot)...].lowercased() {
        case "txt", "text": self = .text
        case "xml": self = .xml
        case "nitf": self = .nitf
        case "g2", "nml2": self = .newsMLG2
        case "newsml": self = .newsML12
        case "ninjs": self = .ninjs
        case "json": self = .json
        case "html", "htm", "xhtml", "shtml": self = .html
        case "eml", "mbox", "mail": self = .email
        case "anpa": self = .anpa1312
        case "7901", "ipt", "iptc": self = .iptc7901
        default: return nil
        }
    }
}
