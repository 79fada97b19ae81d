import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes one readable line per event to stderr, for runs outside systemd.
///
/// ```
/// 2026-11-22T23:19:00.123Z info copydeskd: stored seq=5 file=x.txt
/// ```
/// Time is UTC with milliseconds; metadata follows the message as `key=value`, sorted by key. Keys are shortened as
/// the journal fields are named: `copydesk.seq` shows as `seq`, `file.name` as `file`; `copydesk.event` is left out
/// when it only repeats the message. Values with spaces, quotes, `=` or control characters are quoted and escaped,
/// so one event is always one line and stays `grep`-able.
///
/// swift-log's `StreamLogHandler` puts metadata before the message and shows no milliseconds; this layout reads
/// better when tailing a busy daemon.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// The program name shown before the message (e.g. `copydeskd`).
    public let identifier: String

    public init(
        identifier: String,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.identifier = identifier
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadata.merge(base: metadata, provider: metadataProvider, event: event)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let text = Self.line(
            for: event, metadata: merged, identifier: identifier,
            timestamp: Self.timestamp(seconds: Int(now.tv_sec), nanoseconds: Int(now.tv_nsec))
        )
        Self.writeToStderr(text)
    }

    /// The full line, newline included. Pure, for tests.
    static func line(for event: LogEvent, metadata: Logger.Metadata, identifier: String, timestamp: String) -> String {
        let message = event.message.description
        // One line per stored file: built in one buffer, sized once, since the per-file line is on the ingest path.
        var line = ""
        line.reserveCapacity(message.utf8.count + identifier.utf8.count + timestamp.utf8.count + 24 * metadata.count + 64)
        line += timestamp
        line += " "
        line += event.level.rawValue
        line += " "
        line += identifier
        line += ": "
        appendEscaped(message, quoting: false, to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = value.description
            if key == CopydeskEvent.metadataKey, text == message { continue }
            line += " "
            line += displayKey(key)
            line += "="
            appendEscaped(text, quoting: true, to: &line)
        }
        line += "\n"
        return line
    }

    /// `copydesk.seq` → `seq`, `file.name` → `file`, anything else unchanged.
    static func displayKey(_ key: String) -> String {
        if key == "file.name" { return "file" }
        if key.hasPrefix("copydesk."), key.count > "copydesk.".count { return String(key.dropFirst("copydesk.".count)) }
        return key
    }

    /// Escapes control characters (and, for values, wraps in quotes when needed) so an event stays on one line.
    static func escaped(_ text: String, quoting: Bool) -> String {
        var out = ""
        appendEscaped(text, quoting: quoting, to: &out)
        return out
    }

    static func appendEscaped(_ text: String, quoting: Bool, to out: inout String) {
        // Every character that needs care is ASCII, and UTF-8 never uses ASCII bytes inside a longer sequence, so
        // byte passes decide and escape; almost every value needs nothing, or only quotes, and is appended whole.
        // (The escaping walk went scalar by scalar: a headline value, spaced and so quoted, cost ~10 µs a line.)
        var text = text
        // nil: nothing to escape; whether to quote is in `needsQuotes`.
        var needsQuotes = false
        let escaped = text.withUTF8 { bytes -> [UInt8]? in
            needsQuotes = quoting && bytes.isEmpty
            var needsEscapes = false
            for byte in bytes {
                switch byte {
                case 0x20, 0x3D: needsQuotes = needsQuotes || quoting
                case 0x22:
                    needsQuotes = needsQuotes || quoting
                    needsEscapes = needsEscapes || quoting
                case 0x5C, 0x7F, 0..<0x20: needsEscapes = true
                default: continue
                }
            }
            guard needsEscapes else { return nil }
            var escaped: [UInt8] = []
            escaped.reserveCapacity(bytes.count + 16)
            for byte in bytes {
                switch byte {
                case 0x0A: escaped += [0x5C, UInt8(ascii: "n")]
                case 0x0D: escaped += [0x5C, UInt8(ascii: "r")]
                case 0x09: escaped += [0x5C, UInt8(ascii: "t")]
                case 0x5C: escaped += [0x5C, 0x5C]
                case 0x22 where needsQuotes: escaped += [0x5C, 0x22]
                case 0x7F, 0..<0x20:
                    escaped += [0x5C, UInt8(ascii: "x")]
                    escaped += Array(((byte < 0x10 ? "0" : "") + String(byte, radix: 16)).utf8)
                default: escaped.append(byte)
                }
            }
            return escaped
        }
        if needsQuotes { out += "\"" }
        if let escaped { out += String(decoding: escaped, as: UTF8.self) } else { out += text }
        if needsQuotes { out += "\"" }
    }

    /// `2026-11-22T23:19:00.123Z` for a `CLOCK_REALTIME` reading.
    static func timestamp(seconds: Int, nanoseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        // Digits written into a fixed buffer: this runs for every log line, and seven padded Strings per line cost
        // more than the rest of the timestamp.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func put(_ value: Int, _ width: Int, then separator: UInt8?) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = max(0, value)
            if rest >= divisor * 10 {  // wider than the field (a year past 9999): all its digits, as before
                bytes.append(contentsOf: String(rest).utf8)
            } else {
                while divisor > 0 {
                    bytes.append(UInt8(truncatingIfNeeded: 0x30 + rest / divisor))
                    rest %= divisor
                    divisor /= 10
                }
            }
            if let separator { bytes.append(separator) }
        }
        put(Int(parts.tm_year) + 1900, 4, then: UInt8(ascii: "-"))
        put(Int(parts.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
        put(Int(parts.tm_mday), 2, then: UInt8(ascii: "T"))
        put(Int(parts.tm_hour), 2, then: UInt8(ascii: ":"))
        put(Int(parts.tm_min), 2, then: UInt8(ascii: ":"))
        put(Int(parts.tm_sec), 2, then: UInt8(ascii: "."))
        put(nanoseconds / 1_000_000, 3, then: UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One `write(2)` per line where possible, so lines from concurrent tasks do not interleave mid-line.
    private static func writeToStderr(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stderr is gone or full: dropping a log line beats blocking or crashing the daemon
                }
            }
        }
    }
}
