/// One MIME entity (a whole message or one part of a multipart body), read from bytes: RFC 5322 headers
/// (unfolded), RFC 2045 content type and transfer encoding, RFC 2046 multipart bodies, RFC 2047 encoded
/// words.
///
/// Bytes, not text, because each part carries its own charset: a mail whose HTML part is Windows-1252 and
/// whose plain part is UTF-8 has no single right decoding of the whole file.
struct MIMEEntity {
    var headers: [(name: String, value: String)]
    var body: ArraySlice<UInt8>

    /// Nested multiparts deeper than this are not opened (their parts are listed as attachments).
    static let maxDepth = 8
    /// At most this many parts per multipart are read.
    static let maxParts = 500

    /// Parses `bytes`: headers up to the first empty line, then the body. Leading blank lines and an mbox
    /// `From ` line are skipped (mail-to-file gateways write both).
    static func parse(_ bytes: ArraySlice<UInt8>) -> MIMEEntity {
        var start = bytes.startIndex
        // Blank lines before the headers.
        while true {
            var end = start
            while end < bytes.endIndex, bytes[end] == 0x20 || bytes[end] == 0x09 || bytes[end] == 0x0D { end += 1 }
            guard end < bytes.endIndex, bytes[end] == 0x0A else { break }
            start = end + 1
        }
        if bytes[start...].starts(with: Array("From ".utf8)) {
            start = (bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex - 1) + 1
        }
        var headerLines: [ArraySlice<UInt8>] = []
        var position = start
        while position < bytes.endIndex {
            let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.endIndex
            var line = bytes[position..<end]
            if line.last == 0x0D { line = line.dropLast() }
            position = end < bytes.endIndex ? end + 1 : end
            if line.isEmpty { break }
            headerLines.append(line)
        }
        var headers: [(name: String, value: String)] = []
        for line in headerLines {
            let text = decodeHeaderBytes(line)
            if let first = line.first, first == 0x20 || first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].value += text
            } else if let colon = text.firstIndex(of: ":") {
                headers.append((String(text[..<colon]).trimmingSpaces, String(text[text.index(after: colon)...])))
            }
        }
        headers = headers.map { ($0.name, $0.value.trimmingSpaces) }
        return MIMEEntity(headers: headers, body: bytes[min(position, bytes.endIndex)...])
    }

    /// Header bytes as text: UTF-8 (RFC 6532), else Windows-1252, so a stray 8-bit byte never fails a mail.
    static func decodeHeaderBytes(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        if case .success(let decoded) = TextDecoding.decode(Array(bytes), as: .windows1252) { return decoded.text }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first header called `name` (case-insensitive).
    func header(_ name: String) -> String? {
        let key = name.lowercased()
        return headers.first { $0.name.lowercased() == key }?.value
    }

    /// `text/plain` and its parameters (`charset`, `boundary`, `name`), lowercased type; `text/plain` when the
    /// header is missing, as RFC 2045 says.
    var contentType: (type: String, parameters: [String: String]) {
        guard let value = header("Content-Type") else { return ("text/plain", [:]) }
        let (main, parameters) = Self.parameters(value)
        return (main.lowercased().isEmpty ? "text/plain" : main.lowercased(), parameters)
    }

    /// `attachment; filename="a.pdf"` → ("attachment", ["filename": "a.pdf"]).
    var disposition: (kind: String, parameters: [String: String])? {
        header("Content-Disposition").map { value in
            let (kind, parameters) = Self.parameters(value)
            return (kind.lowercased(), parameters)
        }
    }

    /// A file name, from the disposition or the content type.
    var fileName: String? {
        disposition?.parameters["filename"] ?? contentType.parameters["name"]
    }

    /// Splits `type/subtype; name=value; name="quoted; value"` into the value and its parameters (names
    /// lowercased; RFC 2231 `name*=charset''percent-encoded` read roughly).
    static func parameters(_ value: String) -> (String, [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        let main = pieces.first?.trimmingSpaces ?? ""
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            var name = piece[..<equals].trimmingSpaces.lowercased()
            var parameter = String(piece[piece.index(after: equals)...]).trimmingSpaces
            if name.hasSuffix("*") {
                name.removeLast()
                if let quote = parameter.lastIndex(of: "'") {
                    parameter = String(parameter[parameter.index(after: quote)...])
                }
                parameter = percentDecoded(parameter)
            }
            if parameters[name] == nil { parameters[name] = parameter }
        }
        return (main, parameters)
    }

    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Bodies

    /// The body with its Content-Transfer-Encoding undone.
    var decodedBody: [UInt8] {
        switch header("Content-Transfer-Encoding")?.lowercased().trimmingSpaces {
        case "quoted-printable": Self.quotedPrintable(body)
        case "base64": Self.base64(body)
        default: Array(body)
        }
    }

    /// The parts of a multipart body (empty for anything else or a missing boundary).
    var parts: [MIMEEntity] {
        guard contentType.type.hasPrefix("multipart/"), let boundary = contentType.parameters["boundary"],
            !boundary.isEmpty
        else { return [] }
        let delimiter = Array(("--" + boundary).utf8)
        var starts: [Int] = []
        var ends: [Int] = []
        var position = body.startIndex
        var lineStart = true
        while position < body.endIndex, starts.count <= Self.maxParts {
            if lineStart, body[position] == 0x2D, body[position...].starts(with: delimiter) {
                // The line break before the delimiter belongs to it.
                var end = position
                if end > body.startIndex, body[end - 1] == 0x0A { end -= 1 }
                if end > body.startIndex, body[end - 1] == 0x0D { end -= 1 }
                ends.append(end)
                let after = position + delimiter.count
                let closing = body[after...].starts(with: [0x2D, 0x2D])
                let lineEnd = body[after...].firstIndex(of: 0x0A) ?? body.endIndex
                starts.append(closing ? -1 : min(lineEnd + 1, body.endIndex))
                if closing { break }
                position = lineEnd
                continue
            }
            lineStart = body[position] == 0x0A
            position += 1
        }
        var parts: [MIMEEntity] = []
        for (index, start) in starts.enumerated() where start >= 0 {
            let end = index + 1 < ends.count ? ends[index + 1] : body.endIndex
            guard start <= end else { continue }
            parts.append(MIMEEntity.parse(body[start..<end]))
        }
        return parts
    }

    /// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at a line end is a soft break; anything
    /// malformed is kept as it is.
    static func quotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                var next = index + 1
                while next < bytes.endIndex, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
                if next < bytes.endIndex, bytes[next] == 0x0A {
                    index = next + 1
                    continue
                }
                if next + 1 < bytes.endIndex, bytes[next] == 0x0D, bytes[next + 1] == 0x0A {
                    index = next + 2
                    continue
                }
                if next >= bytes.endIndex {
                    index = next
                    continue
                }
                if index + 2 < bytes.endIndex, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    /// Base64, ignoring line breaks and anything outside the alphabet, tolerating missing padding.
    static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value: UInt32
            switch byte {
            case 0x41...0x5A: value = UInt32(byte - 0x41)
            case 0x61...0x7A: value = UInt32(byte - 0x61 + 26)
            case 0x30...0x39: value = UInt32(byte - 0x30 + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): return out
            default: continue
            }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return out
    }

    // MARK: Encoded words

    /// Decodes RFC 2047 encoded words (`=?utf-8?Q?Google=20Apps?=`, `=?iso-8859-1?B?…?=`) in a header value.
    /// A word in a charset Copydesk does not decode, or whose bytes are invalid in its charset, is left as
    /// written rather than guessed at; raw non-ASCII characters inside a Q word (a common mailer bug) are
    /// kept as the characters they are.
    static func decodeEncodedWords(_ value: String) -> String {
        var scanned = 0
        return decodeEncodedWords(value, scanned: &scanned)
    }

    /// ``decodeEncodedWords(_:)``, adding to `scanned` the bytes its searches for `?` and `?=` went over (a
    /// test's measure of its work, which must stay linear in the value).
    static func decodeEncodedWords(_ value: String, scanned: inout Int) -> String {
        var result = ""
        var rest = Substring(value)
        var lastWasEncoded = false
        var lookahead = Lookahead()
        while let start = rest.encodedWordStart() {
            let before = rest[..<start.lowerBound]
            guard let word = parseEncodedWord(rest[start.lowerBound...], &lookahead) else {
                result += before + "=?"
                rest = rest[start.upperBound...]
                lastWasEncoded = false
                continue
            }
            // Whitespace between two encoded words is not text (RFC 2047 §6.2).
            if !(lastWasEncoded && before.allSatisfy(\.isWhitespace)) { result += before }
            result += word.text
            rest = rest[word.end...]
            lastWasEncoded = true
        }
        scanned += lookahead.scanned
        return result + rest
    }

    /// The next `?` and the next `?=` of a header value, remembered from word to word. Searched afresh for each
    /// `=?`, they made a value of many unterminated words quadratic: each search ran to the end of the value
    /// (scripts/fuzz: seconds for a 256 KiB subject). Starts only move forward, so an answer holds for every
    /// later start up to it.
    struct Lookahead {
        private var questionFrom: Substring.Index?
        private var questionAt: Substring.Index?
        private var closeFrom: Substring.Index?
        private var closeAt: Substring.Index?
        /// Bytes the searches went over.
        private(set) var scanned = 0

        /// `text[start...].firstIndex(of: "?")`.
        mutating func question(in text: Substring, from start: Substring.Index) -> Substring.Index? {
            if let from = questionFrom, from <= start, questionAt.map({ start <= $0 }) ?? true { return questionAt }
            questionFrom = start
            questionAt = text[start...].firstIndex(of: "?")
            scanned += text.utf8.distance(from: start, to: questionAt ?? text.endIndex)
            return questionAt
        }

        /// The first `?` from `start` on that a `=` follows.
        mutating func close(in text: Substring, from start: Substring.Index) -> Substring.Index? {
            if let from = closeFrom, from <= start, closeAt.map({ start <= $0 }) ?? true { return closeAt }
            closeFrom = start
            closeAt = nil
            var search = start
            while search < text.endIndex {
                let next = text.index(after: search)
                if text[search] == "?", next < text.endIndex, text[next] == "=" {
                    closeAt = search
                    break
                }
                search = text.index(after: search)
            }
            scanned += text.utf8.distance(from: start, to: closeAt ?? text.endIndex)
            return closeAt
        }
    }

    private static func parseEncodedWord(_ text: Substring, _ lookahead: inout Lookahead)
        -> (text: String, end: Substring.Index)?
    {
        // =?charset?E?payload?=
        let afterStart = text.index(text.startIndex, offsetBy: 2)
        guard let charsetEnd = lookahead.question(in: text, from: afterStart) else { return nil }
        let charset = text[afterStart..<charsetEnd]
        let encodingIndex = text.index(after: charsetEnd)
        guard encodingIndex < text.endIndex else { return nil }
        let encoding = text[encodingIndex].uppercased()
        let payloadStart = text.index(after: encodingIndex)
        guard payloadStart < text.endIndex, text[payloadStart] == "?", encoding == "Q" || encoding == "B" else {
            return nil
        }
        let payloadFrom = text.index(after: payloadStart)
        guard let payloadEnd = lookahead.close(in: text, from: payloadFrom) else { return nil }
        let end = text.index(payloadEnd, offsetBy: 2)
        let raw = String(text[..<end])
        let payload = text[payloadFrom..<payloadEnd]
        let label = charset.split(separator: "*").first.map(String.init) ?? ""
        guard let decoded = decodeWord(payload, encoding: encoding, charset: label) else { return (raw, end) }
        return (decoded, end)
    }

    private static func decodeWord(_ payload: Substring, encoding: String, charset label: String) -> String? {
        let charset = TextDecoding.Charset(label: label)
        func decode(_ bytes: [UInt8]) -> String? {
            if let charset, case .success(let decoded) = TextDecoding.decode(bytes, as: charset) { return decoded.text }
            if charset == nil, let text = String(validating: bytes, as: UTF8.self) { return text }
            return nil
        }
        if encoding == "B" {
            return decode(base64(Array(payload.utf8)[...]))
        }
        // Q: runs of ASCII become bytes in the charset; raw non-ASCII characters are kept as they are.
        var result = ""
        var bytes: [UInt8] = []
        var utf8 = Array(payload.utf8)[...]
        func flush() -> Bool {
            guard !bytes.isEmpty else { return true }
            guard let text = decode(bytes) else { return false }
            result += text
            bytes = []
            return true
        }
        while let byte = utf8.first {
            if byte >= 0x80 {
                guard flush() else { return nil }
                var length = 1
                while length < utf8.count, utf8[utf8.startIndex + length] & 0xC0 == 0x80 { length += 1 }
                result += String(decoding: utf8.prefix(length), as: UTF8.self)
                utf8 = utf8.dropFirst(length)
                continue
            }
            utf8 = utf8.dropFirst()
            if byte == UInt8(ascii: "_") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "="), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        guard flush() else { return nil }
        return result
    }
}

extension Substring {
    /// The next `=?` (start of an encoded word).
    func encodedWordStart() -> Range<Substring.Index>? {
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == "=", next < endIndex, self[next] == "?" { return index..<self.index(after: next) }
            index = next
        }
        return nil
    }
}
