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
        var line = "\(timestamp) \(event.level.rawValue) \(identifier): \(escaped(message, quoting: false))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = value.description
            if key == CopydeskEvent.metadataKey, text == message { continue }
            line += " \(displayKey(key))=\(escaped(text, quoting: true))"
        }
        return line + "\n"
    }

    /// `copydesk.seq` → `seq`, `file.name` → `file`, anything else unchanged.
    static func displayKey(_ key: String) -> String {
        if key == "file.name" { return "file" }
        if key.hasPrefix("copydesk."), key.count > "copydesk.".count { return String(key.dropFirst("copydesk.".count)) }
        return key
    }

    /// Escapes control characters (and, for values, wraps in quotes when needed) so an event stays on one line.
    static func escaped(_ text: String, quoting: Bool) -> String {
        let needsQuotes =
            quoting && (text.isEmpty || text.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" })
        let needsEscapes = text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
        guard needsQuotes || needsEscapes else { return text }
        var out = needsQuotes ? "\"" : ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            case "\"" where needsQuotes: out += "\\\""
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return needsQuotes ? out + "\"" : out
    }

    /// `2026-11-22T23:19:00.123Z` for a `CLOCK_REALTIME` reading.
    static func timestamp(seconds: Int, nanoseconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(nanoseconds / 1_000_000), 3))Z"
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
