/// The cheap checks that run before any decoding, so that a PDF or a JPEG dropped into the inbox is rejected
/// as `binary` with a sentence saying what it is, rather than as `undecodable` at some byte offset.
///
/// Wire copy is text with control framing: ANPA-1312 and IPTC 7901 wrap a story in `SOH … STX … ETX`
/// (ANPA adds `SYN SYN` in front, some feeds end with `EOT`). Those five controls count as text here.
/// Other C0 controls are tolerated as long as they are rare, because ANPA uses a few more inside its header
/// (unit separator, DC1–DC4) and old feeds carry the odd `BEL` or `ESC`.
public enum Screening {
    /// More than this share of control characters (outside whitespace and framing) means binary.
    public static let controlShareLimitPercent = 10

    /// Why `bytes` cannot be text, or nil if they may be.
    ///
    /// Checks, in order: empty; a well-known binary magic number; a NUL; the share of control bytes; nothing
    /// but whitespace. UTF-16 input (recognised by its byte-order mark) is checked per 16-bit unit, since
    /// every other byte of ASCII text in UTF-16 is zero.
    public static func screen(_ bytes: [UInt8]) -> RejectReason? {
        if bytes.isEmpty { return RejectReason(.empty, "empty file (0 bytes)") }
        if let kind = magicKind(bytes) { return RejectReason(.binary, "\(kind), not text (magic number at offset 0)") }
        switch ByteOrderMark.detect(bytes) {
        case .utf16LE, .utf16BE:
            let bigEndian = ByteOrderMark.detect(bytes) == .utf16BE
            let units = ByteOrderMark.utf16Units(bytes, bigEndian: bigEndian)
            if units.isEmpty && bytes.count > 2 { return nil }  // One stray byte: TextDecoding says so.
            return scan(count: units.count, unitWidth: 2, base: 2, unitName: "character") { UInt32(units[$0]) }
        case .utf32LE, .utf32BE:
            return nil  // TextDecoding rejects UTF-32 with a clearer reason than any byte count would give.
        case .utf8:
            return scanBytes(bytes, from: 3)
        case nil:
            return scanBytes(bytes, from: 0)
        }
    }

    /// Why decoded `text` is no document, or nil. Catches what bytes alone cannot: text that is only
    /// Unicode whitespace (no-break spaces, ideographic spaces) and control characters (C1 included).
    public static func screen(_ text: String) -> RejectReason? {
        let blank = text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
        }
        guard blank else { return nil }
        return RejectReason(.empty, "only whitespace and control characters (\(text.unicodeScalars.count) characters)")
    }

    /// `SOH STX ETX EOT SYN`: the framing controls of ANPA-1312 and IPTC 7901.
    static func isFraming(_ unit: UInt32) -> Bool {
        unit == 0x01 || unit == 0x02 || unit == 0x03 || unit == 0x04 || unit == 0x16
    }

    /// `TAB LF FF CR` and space.
    static func isTextWhitespace(_ unit: UInt32) -> Bool {
        unit == 0x09 || unit == 0x0A || unit == 0x0C || unit == 0x0D || unit == 0x20
    }

    /// The kind of file `bytes` are by their first bytes, for the few formats people mistakenly drop into a
    /// news inbox. Every signature here starts with a byte no text file starts with, or with `%PDF-`.
    static func magicKind(_ bytes: [UInt8]) -> String? {
        for (signature, kind) in magicNumbers where bytes.starts(with: signature) {
            return kind
        }
        return nil
    }

    private static let magicNumbers: [([UInt8], String)] = [
        (Array("%PDF-".utf8), "PDF document"),
        ([0x50, 0x4B, 0x03, 0x04], "ZIP archive (or DOCX/XLSX/ODT document)"),
        ([0x50, 0x4B, 0x05, 0x06], "ZIP archive (empty)"),
        ([0x50, 0x4B, 0x07, 0x08], "ZIP archive (spanned)"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG image"),
        ([0xFF, 0xD8, 0xFF], "JPEG image"),
        (Array("GIF87a".utf8), "GIF image"),
        (Array("GIF89a".utf8), "GIF image"),
        ([0x1F, 0x8B], "gzip archive"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "Microsoft Office 97-2003 document (OLE2)"),
    ]

    /// ``scan(count:unitWidth:base:unitName:unit:)`` over the bytes from `start` on, with the same verdicts and
    /// offsets: a tight loop over the buffer, since every file passes here (the closure-per-byte scan cost as
    /// much as the UTF-8 validation of the whole file).
    static func scanBytes(_ bytes: [UInt8], from start: Int) -> RejectReason? {
        let count = bytes.count - start
        if count <= 0 { return RejectReason(.empty, "nothing after the byte-order mark") }
        typealias Counts = (nul: Int?, controls: Int, firstControl: (offset: Int, value: UInt32)?, sawText: Bool)
        let counts = bytes.withUnsafeBufferPointer { buffer -> Counts in
            var controls = 0
            var firstControl: (offset: Int, value: UInt32)?
            var sawText = false
            var index = start
            let end = buffer.count
            while index < end {
                if index &+ 16 <= end {
                    // Sixteen bytes at a time where none is a control (one test for both halves): text unless all
                    // are spaces.
                    let first = TextScan.eightBytes(at: index, in: buffer)
                    let second = TextScan.eightBytes(at: index &+ 8, in: buffer)
                    if TextScan.controlLanes(first) | TextScan.controlLanes(second) == 0 {
                        if !sawText, first != 0x2020_2020_2020_2020 || second != 0x2020_2020_2020_2020 { sawText = true }
                        index &+= 16
                        continue
                    }
                }
                if index &+ 8 <= end {
                    // Eight bytes at a time where none is a control: text unless all are spaces.
                    let word = TextScan.eightBytes(at: index, in: buffer)
                    if TextScan.controlLanes(word) == 0 {
                        if word != 0x2020_2020_2020_2020 { sawText = true }
                        index &+= 8
                        continue
                    }
                }
                let byte = buffer[index]
                index += 1
                if byte > 0x20 && byte != 0x7F {
                    sawText = true
                    continue
                }
                if byte == 0x20 { continue }
                if byte == 0 { return (index - 1, 0, nil, false) }
                let value = UInt32(byte)
                if isTextWhitespace(value) || isFraming(value) { continue }
                controls += 1
                if firstControl == nil { firstControl = (index - 1, value) }
            }
            return (nil, controls, firstControl, sawText)
        }
        if let nul = counts.nul { return RejectReason(.binary, "NUL byte at offset \(nul)") }
        return verdict(
            controls: counts.controls, firstControl: counts.firstControl, sawText: counts.sawText, count: count,
            unitName: "byte"
        )
    }

    /// Scans `count` units (`unit(i)` gives the i-th), reporting offsets in bytes as `base + i * unitWidth`.
    static func scan(
        count: Int, unitWidth: Int, base: Int, unitName: String, unit: (Int) -> UInt32
    ) -> RejectReason? {
        if count <= 0 { return RejectReason(.empty, "nothing after the byte-order mark") }
        var controls = 0
        var firstControl: (offset: Int, value: UInt32)?
        var sawText = false
        for index in 0..<count {
            let value = unit(index)
            if value >= 0x20 && value != 0x7F {
                if value != 0x20 { sawText = true }
                continue
            }
            if value == 0 { return RejectReason(.binary, "NUL \(unitName) at offset \(base + index * unitWidth)") }
            if isTextWhitespace(value) || isFraming(value) { continue }
            controls += 1
            if firstControl == nil { firstControl = (base + index * unitWidth, value) }
        }
        return verdict(controls: controls, firstControl: firstControl, sawText: sawText, count: count, unitName: unitName)
    }

    private static func verdict(
        controls: Int, firstControl: (offset: Int, value: UInt32)?, sawText: Bool, count: Int, unitName: String
    ) -> RejectReason? {
        if controls * 100 > controlShareLimitPercent * count, let first = firstControl {
            let percent = (controls * 100 + count - 1) / count
            let hex = String(first.value, radix: 16, uppercase: true)
            let code = hex.count < 2 ? "0x0" + hex : "0x" + hex
            return RejectReason(
                .binary, "\(percent)% control \(unitName)s (first \(code) at offset \(first.offset))"
            )
        }
        if !sawText { return RejectReason(.empty, "only whitespace (\(count) \(unitName)s)") }
        return nil
    }
}
