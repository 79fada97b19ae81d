import CopydeskCore

/// SplitMix64: a small seeded generator, so every fuzz run can be replayed from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Makes fuzz inputs from real files: each input is a seed (an agency fixture) with one to four mutations, so
/// most inputs are *nearly* valid and get deep into the parsers, where the bugs are, instead of being refused at
/// the first byte as random noise would be.
///
/// The mutations: bit flips; bytes set to values that matter to parsers (`<`, `&`, quotes, NUL, UTF-8 lead
/// bytes); truncation; deleting, duplicating and repeating ranges; splicing two seeds; inserting tokens of XML,
/// NewsML, NITF, HTML and wire framing (tags, entities, character references, CDATA, DOCTYPEs with entity
/// declarations, XXE, charset declarations, BOMs); inserting random elements; and deep nesting, sometimes past the
/// reader's depth limit. Inputs are capped at ``maxLength``.
public struct FuzzMutator {
    public var generator: SplitMix64
    public let seeds: [[UInt8]]
    /// The longest input the mutator makes by default.
    public static let maxLength = 256 << 10
    /// The longest input this mutator makes (a short run in the test suite uses less, to stay quick).
    public let maxLength: Int

    public init(seeds: [[UInt8]], seed: UInt64, maxLength: Int = FuzzMutator.maxLength) {
        precondition(!seeds.isEmpty, "the mutator needs at least one seed input")
        self.seeds = seeds
        self.maxLength = min(maxLength, Self.maxLength)
        generator = SplitMix64(seed: seed)
    }

    /// The next input.
    public mutating func next() -> [UInt8] {
        var bytes = seeds[int(seeds.count)]
        // Half the inputs get one mutation: one change keeps most of a document valid, and deep paths covered.
        let mutations = int(2) == 0 ? 1 : 2 + int(3)
        for _ in 0..<mutations {
            mutate(&bytes)
            if bytes.count > maxLength { bytes.removeLast(bytes.count - maxLength) }
        }
        return bytes
    }

    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x02, 0x03, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x22, 0x26, 0x27, 0x2F, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
        0x5B, 0x5D, 0x7F, 0x80, 0x81, 0x9D, 0xA0, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF8, 0xFE, 0xFF,
    ]

    static let tokens: [[UInt8]] =
        [
            "<", "</", "/>", ">", "<p>", "</p>", "<p/>", "<br/>", "<!--", "-->", "<![CDATA[", "]]>",
            "<?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
            "encoding=\"koi8-r\"", "<meta charset=\"windows-1252\">", "&amp;", "&lt;", "&quot;", "&#0;", "&#x0;",
            "&#xD800;", "&#1114112;", "&#x10FFFF;", "&#65;", "&nbsp;", "&eacute;", "&undefined;", "&", ";", "\"", "'",
            "=",
            "<!DOCTYPE nitf SYSTEM \"nitf.dtd\">", "<!DOCTYPE r [<!ENTITY e \"expanded\">]>",
            "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"x.dtd\"> %p;]>",
            "<!DOCTYPE r [<!ENTITY a \"&b;&b;\"><!ENTITY b \"bb\">]>", "<!ENTITY", "&e;", "&x;", "%p;",
            "xmlns=\"http://iptc.org/std/nar/2006-10-01/\"", "xmlns:ns0=\"http://iptc.org/std/nar/2006-10-01/\"",
            "xmlns=\"http://iptc.org/std/NITF/2006-10-18/\"", "xmlns=\"\"", "xml:lang=\"en\"",
            " guid=\"g\" version=\"2\"",
            "<nitf>", "</nitf>", "<head>", "<body>", "<body.head>", "<body.content>", "<hedline><hl1>",
            "</hl1></hedline>",
            "<hl2>", "<byline>", "<dateline>", "<abstract>", "<docdata>", "<doc-id id-string=\"x\"/>",
            "<date.issue norm=\"20131020T192751+1100\"/>", "<urgency ed-urg=\"99999999999999999999\"/>",
            "<meta name=\"anpa-keyword\" content=\"\"/>", "<newsMessage>", "<itemSet>", "<newsItem>", "</newsItem>",
            "<packageItem>", "<itemMeta>", "<contentMeta>", "<contentSet>", "<inlineXML>", "</inlineXML>",
            "<inlineData>",
            "<headline>", "<headline role=\"hld:subHeadline\">", "<urgency>-1</urgency>",
            "<itemClass qcode=\"ninat:text\"/>",
            "<firstCreated>2018-02-30T25:61:61Z</firstCreated>", "<groupSet><group><itemRef>", "<NewsML>", "<NewsItem>",
            "<NewsComponent>", "<NewsLines>", "<HeadLine>", "<ContentItem>", "<DataContent>",
            "<MediaType FormalName=\"Text\"/>",
            "<Priority FormalName=\"x\"/>", "<html>", "<table><tr><td>", "</td><td>", "<script>", "<header>",
            "&lt;p&gt;",
            "<content>&lt;p&gt;x&lt;/p&gt;</content>", "\u{FEFF}", "\u{01}", "\u{02}", "\u{03}", "\u{16}\u{16}\u{01}",
            "\r\n", "\n\n", "\t", "é", "–", "€", "\u{2028}", "𝄞",
        ].map { Array($0.utf8) } + [[0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xC3], [0xE2, 0x82], [0xE9]]

    static let elementNames = [
        "p", "a", "b", "div", "span", "nitf", "head", "body", "body.content", "hl1", "hl2", "block", "media", "person",
        "newsItem", "contentSet", "inlineXML", "headline", "description", "NewsItem", "NewsComponent", "DataContent",
        "Company", "CITAT", "td", "tr", "table", "header", "x:y", "ns0:newsItem",
    ]

    private mutating func int(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(generator.next() % UInt64(bound))
    }

    private mutating func position(in bytes: [UInt8]) -> Int { int(bytes.count + 1) }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        switch int(13) {
        case 0:  // Bit flips.
            guard !bytes.isEmpty else { return }
            for _ in 0...int(8) { bytes[int(bytes.count)] ^= UInt8(1) << UInt8(int(8)) }
        case 1:  // Interesting bytes.
            guard !bytes.isEmpty else { return }
            for _ in 0...int(4) { bytes[int(bytes.count)] = Self.interestingBytes[int(Self.interestingBytes.count)] }
        case 2:  // Truncation.
            bytes.removeLast(bytes.count - position(in: bytes))
        case 3:  // Delete a range.
            let start = position(in: bytes)
            let length = min(bytes.count - start, 1 + int(max(1, bytes.count / 8)))
            bytes.removeSubrange(start..<(start + length))
        case 4:  // Duplicate a range elsewhere.
            let start = position(in: bytes)
            let length = min(bytes.count - start, 1 + int(256))
            let chunk = Array(bytes[start..<(start + length)])
            bytes.insert(contentsOf: chunk, at: position(in: bytes))
        case 5:  // Splice with another seed.
            let other = seeds[int(seeds.count)]
            let cut = position(in: bytes)
            bytes = Array(bytes[..<cut]) + Array(other[int(other.count + 1)...])
        case 6, 7, 8:  // Tokens, most often: they steer the parsers into their branches.
            for _ in 0...int(3) {
                bytes.insert(contentsOf: Self.tokens[int(Self.tokens.count)], at: position(in: bytes))
            }
        case 9:  // A random element with an attribute and text.
            let name = Self.elementNames[int(Self.elementNames.count)]
            let element = "<\(name) role=\"r\(int(100))\">text \(int(1000))</\(name)>"
            bytes.insert(contentsOf: Array(element.utf8), at: position(in: bytes))
        case 10:  // Deep nesting, sometimes past the 256 limit.
            let depth = 1 + int(int(2) == 0 ? 300 : 40)
            let name = Self.elementNames[int(Self.elementNames.count)]
            let open = Array(String(repeating: "<\(name)>", count: depth).utf8)
            let close = Array(String(repeating: "</\(name)>", count: depth).utf8)
            let at = position(in: bytes)
            bytes.insert(contentsOf: close, at: at)
            bytes.insert(contentsOf: open, at: at)
        case 11:  // Repeat a short range many times (size and amplification).
            let start = position(in: bytes)
            let length = min(bytes.count - start, 1 + int(32))
            let chunk = Array(bytes[start..<(start + length)])
            let times = 1 + int(2000)
            bytes.insert(contentsOf: Array([[UInt8]](repeating: chunk, count: times).joined()), at: start)
        default:  // Swap two ranges.
            guard bytes.count > 8 else { return }
            let length = 1 + int(min(64, bytes.count / 4))
            let a = int(bytes.count - length)
            let b = int(bytes.count - length)
            for offset in 0..<length where a + offset < bytes.count && b + offset < bytes.count {
                bytes.swapAt(a + offset, b + offset)
            }
        }
    }
}

/// What every parser and ``Parse/prepare(_:fileName:)`` must guarantee for any input: a well-formed article or a
/// reason, never a trap.
public enum FuzzInvariant {
    public static let codes: Set<RejectReason.Code> = [.empty, .binary, .undecodable, .unparsable, .tooLarge]

    /// A sentence saying what is wrong with `result`, or nil if it is acceptable.
    public static func violation(_ result: Result<Article, RejectReason>) -> String? {
        switch result {
        case .success(let article):
            if article.headline.isEmpty { return "empty headline" }
            if article.headline.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                return "control character in headline"
            }
            if article.paragraphs.contains(where: \.isEmpty) { return "empty paragraph" }
            return nil
        case .failure(let reason):
            if reason.message.isEmpty { return "reason without a message" }
            if !codes.contains(reason.code) { return "unexpected reject code \(reason.code)" }
            return nil
        }
    }

    /// The input a parser gets for `bytes`: decoded as the Parse stage would, or, when the bytes are not
    /// decodable, with invalid sequences replaced, so that the parser still sees them.
    public static func parserInput(_ bytes: [UInt8], fileName: String) -> ParserInput {
        switch TextDecoding.decode(bytes) {
        case .success(let decoded):
            return ParserInput(bytes: bytes, text: decoded.text, charset: decoded.charset.rawValue, fileName: fileName)
        case .failure:
            return ParserInput(
                bytes: bytes, text: String(decoding: bytes, as: UTF8.self), charset: "utf-8", fileName: fileName)
        }
    }
}
