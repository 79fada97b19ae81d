/// Tells a file's format from its first few thousand characters, so that a parser is chosen by what a file
/// is, not by what it is called: agencies and gateways name files `*.txt`, `*.dat` or nothing at all.
///
/// Content decides. The file name only breaks ties, when the content supports two formats equally: XML
/// whose root element could be a fragment of HTML, JSON with only a hint of ninjs, a header block too thin
/// to be sure it is e-mail, wire framing that could be either ANPA-1312 or IPTC 7901. Signals are cheap
/// string tests on a prefix; nothing here parses a whole document, and nothing here rejects: a file that
/// matches nothing is `text`.
public enum FormatSniffer {
    /// How many Unicode scalars from the start of a file the sniffer looks at.
    public static let prefixLength = 4096

    /// The format of raw bytes. A UTF-16 byte-order mark is honoured; anything else is read as UTF-8, with
    /// invalid bytes replaced, which is good enough for finding markers (decoding proper is strict).
    public static func sniff(_ bytes: [UInt8], fileName: String) -> InputFormat {
        let text: String
        switch ByteOrderMark.detect(bytes) {
        case .utf16LE, .utf16BE:
            let head = Array(bytes.prefix(2 + prefixLength * 2))
            let units = ByteOrderMark.utf16Units(head, bigEndian: ByteOrderMark.detect(bytes) == .utf16BE)
            text = String(decoding: units, as: UTF16.self)
        case .utf8:
            text = String(decoding: bytes.dropFirst(3).prefix(prefixLength * 4), as: UTF8.self)
        case .utf32LE, .utf32BE, nil:
            text = String(decoding: bytes.prefix(prefixLength * 4), as: UTF8.self)
        }
        return sniff(text, fileName: fileName)
    }

    /// The format of decoded text.
    public static func sniff(_ text: String, fileName: String) -> InputFormat {
        let verdict = TextScan.withUTF8(text) { bytes -> Verdict in
            // A head of ASCII bytes (most files) is its own scalars: scanned in place.
            let asciiCount = min(prefixLength, bytes.count)
            if TextScan.isASCII(UnsafeBufferPointer(rebasing: bytes[..<asciiCount])) {
                let scan = ScalarScanner(ascii: UnsafeBufferPointer(rebasing: bytes[..<asciiCount]))
                return sniffContent(scan, text: Substring(text.utf8.prefix(asciiCount)))
            }
            // The head's scalars decoded straight from the UTF-8 bytes (valid: the text is a String).
            var index = 0
            let scalars = [Unicode.Scalar](unsafeUninitializedCapacity: asciiCount) { out, initialized in
                var count = 0
                while index < bytes.count, count < out.count {
                    // Eight ASCII bytes at a time, each its own scalar.
                    if index &+ 8 <= bytes.count, count &+ 8 <= out.count,
                        TextScan.eightBytes(at: index, in: bytes) & 0x8080_8080_8080_8080 == 0
                    {
                        for offset in 0..<8 {
                            out.initializeElement(at: count &+ offset, to: Unicode.Scalar(bytes[index &+ offset]))
                        }
                        index &+= 8
                        count &+= 8
                        continue
                    }
                    let byte = bytes[index]
                    if byte < 0x80 {
                        out.initializeElement(at: count, to: Unicode.Scalar(byte))
                        index += 1
                    } else {
                        let (value, length) = TextScan.scalar(at: index, in: bytes)
                        out.initializeElement(at: count, to: Unicode.Scalar(value) ?? "\u{FFFD}")
                        index += length
                    }
                    count += 1
                }
                initialized = count
            }
            return sniffContent(ScalarScanner(scalars), text: Substring(text.utf8.prefix(index)))
        }
        // The name is read only where the content leaves a choice.
        if !verdict.alternatives.isEmpty, let hinted = InputFormat(fileName: fileName),
            verdict.alternatives.contains(hinted)
        {
            return hinted
        }
        return verdict.format
    }

    /// What the content says: the likeliest format, and others the content fits as well, among which the
    /// file name may choose.
    struct Verdict: Equatable {
        var format: InputFormat
        var alternatives: [InputFormat] = []
    }

    /// `text` is `head` as a string, if the caller has it.
    static func sniffContent(_ head: [Unicode.Scalar], text: Substring? = nil) -> Verdict {
        sniffContent(ScalarScanner(head), text: text ?? Substring(String(String.UnicodeScalarView(head))))
    }

    /// ``sniffContent(_:text:)`` over a scanner of the head; `text` is the head as a string.
    static func sniffContent(_ scan: ScalarScanner, text: Substring) -> Verdict {
        if let verdict = sniffWireFraming(scan) { return verdict }
        var start = 0
        while start < scan.count, scan[start].properties.isWhitespace || scan[start] == "\u{FEFF}" { start += 1 }
        guard start < scan.count else { return Verdict(format: .text) }
        switch scan[start] {
        case "{", "[":
            if let verdict = sniffJSON(scan, from: start) { return verdict }
        case "<":
            if let verdict = sniffMarkup(scan, from: start) { return verdict }
        default:
            break
        }
        if let verdict = sniffEmail(headCount: scan.count, text: text) { return verdict }
        return Verdict(format: .text)
    }

    // MARK: Wire framing (ANPA-1312, IPTC 7901)

    /// `SYN SYN SOH` or `SOH` + letter + 4 digits + unit separator is ANPA-1312 (the AP layout); `SOH` + a
    /// header line `source+number SP priority SP category SP wordcount` is IPTC 7901. Any other `SOH … STX`
    /// is framed wire copy of either kind.
    private static func sniffWireFraming(_ scan: ScalarScanner) -> Verdict? {
        var index = 0
        // Whitespace, and DEL padding (ATS/SDA start files with DEL bytes), before the framing.
        while index < scan.count, index < 64, Screening.isTextWhitespace(scan[index].value) || scan[index] == "\u{7F}" {
            index += 1
        }
        var syns = 0
        while scan.has(index, "\u{16}") {
            syns += 1
            index += 1
        }
        guard scan.has(index, "\u{01}") else {
            // IPTC 7901 whose control characters were stripped on the way: the header line, then a keyword
            // line ending in `/` among the next lines.
            return matchesIPTC7901Header(scan, from: index) && hasKeywordLine(scan, from: index)
                ? Verdict(format: .iptc7901) : nil
        }
        index += 1
        if syns > 0 { return Verdict(format: .anpa1312) }
        let apHeader = scan.isASCIILetter(index) && (1...4).allSatisfy { scan.isASCIIDigit(index + $0) }
        if apHeader && scan.has(index + 5, "\u{1F}") { return Verdict(format: .anpa1312) }
        if matchesIPTC7901Header(scan, from: index) { return Verdict(format: .iptc7901) }
        if scan.find("\u{02}", from: index) != nil { return Verdict(format: .iptc7901, alternatives: [.anpa1312]) }
        return nil
    }

    /// `[letters][digits] P C WORDS ` after `SOH`, e.g. `dpa0123 4 pl 256 …`: a source and message number, a
    /// one-character priority, a category (one or two characters), a word count.
    private static func matchesIPTC7901Header(_ scan: ScalarScanner, from start: Int) -> Bool {
        var index = start
        while scan.isASCIILetter(index) { index += 1 }
        while scan.isASCIIDigit(index) { index += 1 }
        guard index > start, scan.has(index, " "), scan.isVisible(index + 1), scan.has(index + 2, " ") else {
            return false
        }
        index += 3
        guard scan.isVisible(index) else { return false }
        index += scan.isVisible(index + 1) ? 2 : 1
        guard scan.has(index, " "), scan.isASCIIDigit(index + 1) else { return false }
        return true
    }

    /// A line ending in `/` (the 7901 keyword line) within the five lines after `start`.
    private static func hasKeywordLine(_ scan: ScalarScanner, from start: Int) -> Bool {
        var index = start
        var lines = 0
        while index < scan.count, lines < 6 {
            if scan[index] == "\n" {
                lines += 1
                var end = index
                while end > start, scan[end - 1] == "\r" || scan[end - 1] == " " { end -= 1 }
                if end > start, scan.has(end - 1, "/"), lines > 1 { return true }
            }
            index += 1
        }
        return false
    }

    // MARK: JSON, ninjs

    private static let ninjsContentKeys = [
        "\"headline\"", "\"body_text\"", "\"body_html\"", "\"versioncreated\"", "\"firstcreated\"",
        "\"contentcreated\"",
    ]

    /// A JSON object (or array) is ninjs when it names the ninjs schema, has a `uri` (or Superdesk's `guid`)
    /// and a ninjs content key, or three content keys; a `uri` or a `headline` alone is only a hint.
    private static func sniffJSON(_ scan: ScalarScanner, from start: Int) -> Verdict? {
        var next = start + 1
        while next < scan.count, scan[next].properties.isWhitespace { next += 1 }
        guard next < scan.count else { return nil }
        if scan.has(start, "[") {
            return "{[\"]".unicodeScalars.contains(scan[next]) ? Verdict(format: .json) : nil
        }
        guard scan.has(next, "\"") || scan.has(next, "}") else { return nil }
        // Newsroom systems (Superdesk) write ninjs with a `guid` instead of the `uri`.
        let hasURI = scan.find("\"uri\"", from: start) != nil || scan.find("\"guid\"", from: start) != nil
        let contentKeys = ninjsContentKeys.filter { scan.find($0, from: start) != nil }.count
        let hasContentKey = contentKeys > 0
        if scan.find("ninjs", from: start) != nil || (hasURI && hasContentKey) || contentKeys >= 3 {
            return Verdict(format: .ninjs)
        }
        if hasURI || hasContentKey { return Verdict(format: .json, alternatives: [.ninjs]) }
        return Verdict(format: .json)
    }

    // MARK: XML, HTML and the XML news formats

    private static let g2RootElements: Set<String> = [
        "newsItem", "newsMessage", "packageItem", "conceptItem", "knowledgeItem", "planningItem", "catalogItem",
    ]
    private static let g2NamespacePrefix = "http://iptc.org/std/nar/"
    private static let htmlElements: Set<String> = [
        "html", "head", "body", "meta", "title", "link", "script", "style", "div", "span", "p", "a", "b", "i",
        "em", "strong", "br", "hr", "img", "table", "ul", "ol", "li", "pre", "blockquote", "article", "section",
        "header", "footer", "main", "nav", "form", "iframe", "noscript", "center", "font", "h1", "h2", "h3", "h4",
        "h5", "h6",
    ]

    /// Walks the prolog (XML declaration, comments, processing instructions, DOCTYPE) to the root element
    /// and decides by its name and namespace. Nil if `<` does not start markup at all (`<3`, `<<`).
    private static func sniffMarkup(_ scan: ScalarScanner, from start: Int) -> Verdict? {
        var index = start
        var sawDeclaration = false
        while true {
            while index < scan.count, scan[index].properties.isWhitespace { index += 1 }
            guard index < scan.count else { break }
            if scan.has(index, "<?") {
                if scan.hasCaseInsensitive(index, "<?xml") { sawDeclaration = true }
                guard let end = scan.find("?>", from: index) else { break }
                index = end + 2
            } else if scan.has(index, "<!--") {
                guard let end = scan.find("-->", from: index + 4) else { break }
                index = end + 3
            } else if scan.hasCaseInsensitive(index, "<!doctype") {
                var nameStart = index + 9
                while nameStart < scan.count, scan[nameStart].properties.isWhitespace { nameStart += 1 }
                let name = scan.name(at: nameStart).lowercased()
                if name == "html" { return Verdict(format: .html) }
                if name == "nitf" { return Verdict(format: .nitf) }
                if name == "newsml" { return Verdict(format: .newsML12) }
                guard let end = scan.endOfDoctype(from: index) else { break }
                index = end + 1
            } else if scan.has(index, "<") {
                let qualified = scan.name(at: index + 1)
                guard !qualified.isEmpty else { break }
                return rootVerdict(qualified, scan.namespaces(from: index + 1 + qualified.unicodeScalars.count),
                                   sawDeclaration: sawDeclaration)
            } else {
                break
            }
        }
        // Markup whose root element lies beyond the prefix, or text that merely starts with a tag-like thing.
        if sawDeclaration { return Verdict(format: .xml, alternatives: [.html]) }
        return index > start ? Verdict(format: .xml, alternatives: [.html]) : nil
    }

    private static func rootVerdict(
        _ qualified: String, _ namespaces: [String: String], sawDeclaration: Bool
    ) -> Verdict {
        let parts = qualified.split(separator: ":", maxSplits: 1)
        let prefix = parts.count == 2 ? String(parts[0]) : nil
        let local = String(parts.last ?? "")
        let namespace = namespaces[prefix.map { "xmlns:" + $0 } ?? "xmlns"]
        if local == "nitf" { return Verdict(format: .nitf) }
        if local == "NewsML" { return Verdict(format: .newsML12) }
        if g2RootElements.contains(local) {
            if namespace?.hasPrefix(g2NamespacePrefix) == true { return Verdict(format: .newsMLG2) }
            return Verdict(format: .xml, alternatives: [.newsMLG2])
        }
        if local.lowercased() == "html" { return Verdict(format: .html) }
        if !sawDeclaration && htmlElements.contains(local.lowercased()) {
            return Verdict(format: .html, alternatives: [.xml])
        }
        return Verdict(format: .xml, alternatives: sawDeclaration ? [] : [.html])
    }

    // MARK: E-mail

    private static let mailFields: Set<String> = [
        "from", "to", "cc", "subject", "date", "mime-version", "content-type", "content-transfer-encoding",
        "message-id", "received", "return-path", "reply-to", "sender", "x-mailer", "delivered-to",
        "dkim-signature", "authentication-results",
    ]

    /// An RFC 5322 header block: every line up to the first blank one is `Name: value` (or a folded
    /// continuation), optionally after an mbox `From ` line. `From:` with `Subject:`, `Date:`, `To:`,
    /// `Message-ID:` or `MIME-Version:`, or `MIME-Version:` with `Content-Type:`, makes it e-mail; a block
    /// with fewer known fields is only a hint.
    private static func sniffEmail(headCount: Int, text: Substring) -> Verdict? {
        // Line by line, only as far as the header block goes: most files are not mail, and their first line
        // already says so (splitting the whole prefix into lines cost more than all other sniffing).
        var lines = HeadLines(text)
        var fields: Set<String> = []
        var headerLines = 0
        // Gateways sometimes write blank (or space-filled) lines before the headers.
        var line = lines.next()
        while let current = line, TextScan.isBlank(current.text) { line = lines.next() }
        // A header block longer than the prefix (long `Received` chains) ends in a cut line: not evidence.
        let cut = headCount >= prefixLength
        var number = 0
        while let current = line {
            defer {
                line = lines.next()
                number += 1
            }
            let line = current.text
            if TextScan.isBlank(line) || (cut && current.isLast) { break }
            if number == 0 && line.hasPrefix("From ") { continue }
            if let first = line.first, first == " " || first == "\t" {
                guard headerLines > 0 else { return nil }
                continue
            }
            guard let name = fieldName(line) else { return nil }
            headerLines += 1
            fields.insert(name.lowercased())
        }
        let known = fields.intersection(mailFields)
        let fromAndMore = known.contains("from")
            && !known.isDisjoint(with: [
                "subject", "date", "to", "message-id", "mime-version", "received", "return-path", "content-type",
            ])
        let mime = known.contains("mime-version") && known.contains("content-type")
        // Nothing but header lines up to where the prefix was cut, with a relay's `Received`: a long relay
        // chain hides `From` and `Subject` beyond the prefix.
        let relayed = cut && headerLines >= 10 && known.contains("received")
        if fromAndMore || mime || relayed { return Verdict(format: .email) }
        if !known.isEmpty { return Verdict(format: .text, alternatives: [.email]) }
        return nil
    }

    /// The name of a `Name: value` header line: printable ASCII without spaces before the first colon, or nil.
    private static func fieldName(_ line: Substring) -> Substring? {
        let utf8 = line.utf8
        // The first colon byte. Before it only printable ASCII may stand, each byte its own `Character`, so it is
        // the first `Character` ":" unless a combining mark follows it (then the `Character` path decides).
        // Searched only as far as the bytes could be a name: most first lines are prose, and their first space
        // already says they are no header (the colon may be a thousand bytes further, or nowhere).
        let colon: Substring.UTF8View.Index? = TextScan.withUTF8(line) { bytes in
            for (offset, byte) in bytes.enumerated() {
                if byte == UInt8(ascii: ":") { return utf8.index(utf8.startIndex, offsetBy: offset) }
                if !(byte > 0x20 && byte < 0x7F) { return nil }
            }
            return nil
        }
        guard let colon, colon > utf8.startIndex else { return nil }
        let after = utf8.index(after: colon)
        if after < utf8.endIndex, utf8[after] >= 0x80,
            let scalar = Substring(utf8[after...]).unicodeScalars.first, TextScan.mayJoin(scalar)
        {
            guard let colon = line.firstIndex(of: ":"), colon > line.startIndex,
                line[..<colon].unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            else { return nil }
            return line[..<colon]
        }
        return Substring(utf8[..<colon])
    }
}

/// The lines of a text as `split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)` gives them
/// (CRLF, LF, VT, FF, CR, NEL, LS, PS end a line), one at a time.
struct HeadLines {
    private let text: Substring
    private var start: String.Index
    private var done = false

    init(_ text: Substring) {
        self.text = text
        start = text.utf8.startIndex
    }

    mutating func next() -> (text: Substring, isLast: Bool)? {
        guard !done else { return nil }
        // The end of the next line and the length of its break, as byte offsets from `start`.
        let found: (end: Int, length: Int)? = TextScan.withUTF8(text[start...]) { bytes in
            var index = 0
            let count = bytes.count
            while index < count {
                if index &+ 8 <= count {
                    // Eight bytes without a break's first byte (0x0A–0x0D, 0xC2, 0xE2) at a time.
                    let chunk = TextScan.eightBytes(at: index, in: bytes)
                    let breaks =
                        TextScan.lanes(chunk, below: 0x0E) & ~TextScan.lanes(chunk, below: 0x0A)
                        | TextScan.lanes(chunk, equalTo: 0xC2) | TextScan.lanes(chunk, equalTo: 0xE2)
                    if breaks == 0 {
                        index &+= 8
                        continue
                    }
                }
                var length = 0
                switch bytes[index] {
                case 0x0A, 0x0B, 0x0C: length = 1
                case 0x0D: length = index + 1 < count && bytes[index + 1] == 0x0A ? 2 : 1
                case 0xC2: if index + 1 < count && bytes[index + 1] == 0x85 { length = 2 }
                case 0xE2:
                    if index + 2 < count, bytes[index + 1] == 0x80,
                        bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
                    {
                        length = 3
                    }
                default: break
                }
                if length > 0 { return (index, length) }
                index &+= 1
            }
            return nil
        }
        let utf8 = text.utf8
        guard let found else {
            done = true
            return (Substring(utf8[start...]), true)
        }
        let end = utf8.index(start, offsetBy: found.end)
        let line = Substring(utf8[start..<end])
        start = utf8.index(end, offsetBy: found.length)
        return (line, false)
    }
}

/// Bounds-checked reading of a scalar prefix: every accessor answers false or nil past the end, so a
/// truncated prefix can never trap.
struct ScalarScanner {
    private let scalars: [Unicode.Scalar]
    /// Set instead of `scalars` for a head of ASCII bytes, each its own scalar (valid while the caller holds them).
    private let ascii: UnsafeBufferPointer<UInt8>?
    let count: Int

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
        ascii = nil
        count = scalars.count
    }

    init(ascii: UnsafeBufferPointer<UInt8>) {
        scalars = []
        self.ascii = ascii
        count = ascii.count
    }

    subscript(index: Int) -> Unicode.Scalar {
        if let ascii { return Unicode.Scalar(ascii[index]) }
        return scalars[index]
    }

    /// The scalars from `range` as a string.
    private func string(_ range: Range<Int>) -> String {
        if let ascii { return String(decoding: UnsafeBufferPointer(rebasing: ascii[range]), as: UTF8.self) }
        return String(String.UnicodeScalarView(scalars[range]))
    }

    /// Whether `literal` occurs at `index`.
    func has(_ index: Int, _ literal: String) -> Bool {
        guard index >= 0 else { return false }
        var position = index
        for scalar in literal.unicodeScalars {
            guard position < count, self[position] == scalar else { return false }
            position += 1
        }
        return true
    }

    /// Whether `literal` (lowercase ASCII) occurs at `index`, ignoring ASCII case.
    func hasCaseInsensitive(_ index: Int, _ literal: String) -> Bool {
        guard index >= 0 else { return false }
        var position = index
        for scalar in literal.unicodeScalars {
            guard position < count, Self.lowercased(self[position]) == scalar else { return false }
            position += 1
        }
        return true
    }

    /// The first index at or after `start` where `literal` occurs.
    func find(_ literal: String, from start: Int) -> Int? {
        guard let first = literal.unicodeScalars.first else { return nil }
        var index = max(start, 0)
        while index < count {
            if self[index] == first && has(index, literal) { return index }
            index += 1
        }
        return nil
    }

    func isASCIILetter(_ index: Int) -> Bool {
        guard index >= 0, index < count else { return false }
        let value = self[index].value
        return (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }

    func isASCIIDigit(_ index: Int) -> Bool {
        guard index >= 0, index < count else { return false }
        return (0x30...0x39).contains(self[index].value)
    }

    /// A printable, non-space character.
    func isVisible(_ index: Int) -> Bool {
        guard index >= 0, index < count else { return false }
        return self[index].value > 0x20 && !self[index].properties.isWhitespace
    }

    /// The XML name starting at `index` (letters, digits, `_ - . :`; must start with a letter or `_`), or "".
    func name(at index: Int) -> String {
        guard index >= 0, index < count, self[index].properties.isAlphabetic || self[index] == "_"
        else { return "" }
        var end = index
        while end < count, Self.isNameScalar(self[end]) { end += 1 }
        return string(index..<end)
    }

    /// The `xmlns` and `xmlns:p` attributes of the tag whose attributes start at `index`, as far as the
    /// prefix reaches and the attributes are well formed.
    func namespaces(from index: Int) -> [String: String] {
        var result: [String: String] = [:]
        var position = index
        while true {
            while position < count, self[position].properties.isWhitespace { position += 1 }
            let attribute = name(at: position)
            guard !attribute.isEmpty else { return result }
            position += attribute.unicodeScalars.count
            while position < count, self[position].properties.isWhitespace { position += 1 }
            guard has(position, "=") else { return result }
            position += 1
            while position < count, self[position].properties.isWhitespace { position += 1 }
            guard position < count, self[position] == "\"" || self[position] == "'" else { return result }
            let quote = self[position]
            var end = position + 1
            while end < count, self[end] != quote { end += 1 }
            guard end < count else { return result }
            if attribute == "xmlns" || attribute.hasPrefix("xmlns:") {
                result[attribute] = string((position + 1)..<end)
            }
            position = end + 1
        }
    }

    /// The index of the `>` closing the DOCTYPE at `index`, skipping an internal subset in `[ … ]`.
    func endOfDoctype(from index: Int) -> Int? {
        var position = index
        var inSubset = false
        while position < count {
            switch self[position] {
            case "[": inSubset = true
            case "]": inSubset = false
            case ">" where !inSubset: return position
            default: break
            }
            position += 1
        }
        return nil
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || "_-.:".unicodeScalars.contains(scalar)
    }

    private static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar
    }
}
