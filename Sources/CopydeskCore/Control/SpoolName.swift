/// Names in the spool: which inbox names are uploads still in flight, and how a claimed file is named in
/// `work/` so that a restart knows where it came from and whether its record is already durable.
public enum SpoolName {
    /// Producers write `.name.part`, `name.tmp`, `name~` … and rename when done; such names are ignored
    /// until they are renamed.
    public static func isInFlight(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasSuffix("~") { return true }
        for suffix in [".tmp", ".part", ".filepart", ".crdownload"] where name.hasSuffix(suffix) { return true }
        return false
    }

    /// `work/` name of a claimed file: 16 hex digits of claim id, `_`, the channel (percent-encoded, empty
    /// without one), `_`, the name as delivered. Unique per claim, so two deliveries of `a.txt` never collide
    /// and the journal can record which claim a record belongs to.
    public static func claimName(id: UInt64, channel: String?, file: String) -> String {
        let hex = String(id, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return padded + "_" + encode(channel ?? "") + "_" + file
    }

    /// The channel and delivered name of a claim, or nil when `name` is not a claim name (a file someone put
    /// into `work/` by hand).
    public static func parseClaim(_ name: String) -> (channel: String?, file: String)? {
        let utf8 = Array(name.utf8)
        guard utf8.count > 18, utf8[16] == UInt8(ascii: "_") else { return nil }
        for byte in utf8[0..<16] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            else { return nil }
        }
        guard let separator = utf8[17...].firstIndex(of: UInt8(ascii: "_")) else { return nil }
        let channel = decode(String(decoding: utf8[17..<separator], as: UTF8.self))
        let file = String(decoding: utf8[(separator + 1)...], as: UTF8.self)
        guard !file.isEmpty, let channel else { return nil }
        return (channel.isEmpty ? nil : channel, file)
    }

    private static func encode(_ text: String) -> String {
        var out = [UInt8]()
        for byte in text.utf8 {
            if byte == UInt8(ascii: "_") || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "/") || byte < 0x20 {
                let hex = Array("0123456789ABCDEF".utf8)
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decode(_ text: String) -> String? {
        var bytes = [UInt8]()
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let hi = iterator.next(), let lo = iterator.next(),
                      let value = UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
