import Logging

/// A swift-log handler that writes structured entries to journald with `sd_journal_sendv(3)`.
///
/// Under systemd, plain stderr lines lose their structure: operators could not ask
/// `journalctl COPYDESK_SEQ=1234` or `journalctl MESSAGE_ID=…`. This handler sends each event as separate fields:
///
/// | field | from |
/// |---|---|
/// | `MESSAGE`, `PRIORITY` | the message; the level as syslog 2–7 (critical 2 … debug/trace 7) |
/// | `SYSLOG_IDENTIFIER` | `identifier` (journald does not add it for native messages) |
/// | `CODE_FILE`, `CODE_LINE`, `CODE_FUNC` | the log call site |
/// | `MESSAGE_ID`, `COPYDESK_EVENT` | `copydesk.event`; the ID from ``CopydeskEvent`` (none for unknown names) |
/// | `COPYDESK_FILE` | `file.name` |
/// | `COPYDESK_X` | `copydesk.x`, e.g. `copydesk.seq` → `COPYDESK_SEQ`, `copydesk.verdict`, `copydesk.source` |
/// | `COPYDESK_A_B` | any other key `a.b`: uppercased, anything outside `[A-Z0-9_]` becomes `_` |
/// | `COPYDESK_LOGGER` | the logger's label |
///
/// An attached error becomes `COPYDESK_ERROR_MESSAGE` and `COPYDESK_ERROR_TYPE`, as `StreamLogHandler` does.
///
/// Use it only when stderr is connected to the journal (``JournalStream/stderrIsJournal()``):
/// `sd_journal_sendv` reports success even when no journald listens, so its return value cannot tell.
/// ``CopydeskLogging/bootstrap(identifier:level:)`` makes that choice.
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// `SYSLOG_IDENTIFIER`, the name `journalctl -t` filters on (e.g. `copydeskd`).
    public let identifier: String
    /// The logger's label, sent as `COPYDESK_LOGGER`.
    public let label: String

    public init(
        label: String,
        identifier: String,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
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
        LibSystemd.journalSend(Self.fields(for: event, metadata: merged, identifier: identifier, label: label))
    }

    /// The journal fields for one event, in a stable order: fixed fields first, then metadata sorted by key.
    ///
    /// Pure, so the mapping can be tested without a journald.
    static func fields(
        for event: LogEvent, metadata: Logger.Metadata, identifier: String, label: String
    ) -> [JournalField] {
        var fields: [JournalField] = [
            JournalField("MESSAGE", event.message.description),
            JournalField("PRIORITY", String(priority(event.level))),
            JournalField("SYSLOG_IDENTIFIER", identifier),
            JournalField("CODE_FILE", event.file),
            JournalField("CODE_LINE", String(event.line)),
            JournalField("CODE_FUNC", event.function),
        ]
        if !label.isEmpty {
            fields.append(JournalField("COPYDESK_LOGGER", label))
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = value.description
            if key == CopydeskEvent.metadataKey, let known = CopydeskEvent(rawValue: text) {
                fields.append(JournalField("MESSAGE_ID", known.messageID))
            }
            fields.append(JournalField(fieldName(forMetadataKey: key), text))
        }
        return fields
    }

    /// The syslog priority journald expects: 2 critical, 3 error, 4 warning, 5 notice, 6 info, 7 debug and trace.
    ///
    /// Nothing maps to 0 (emerg) or 1 (alert): those reach every terminal and pager, not one daemon's business.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The journal field name for a metadata key: always `COPYDESK_`-prefixed, so it can never collide with a
    /// journald field or start with `_` (reserved for trusted fields), and at most 64 characters, journald's limit.
    static func fieldName(forMetadataKey key: String) -> String {
        if key == "file.name" { return "COPYDESK_FILE" }
        let name = key.hasPrefix("copydesk.") ? key.dropFirst("copydesk.".count) : Substring(key)
        var field = "COPYDESK_"
        for scalar in name.unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9", "_": field.unicodeScalars.append(scalar)
            case "a"..."z": field.unicodeScalars.append(Unicode.Scalar(scalar.value - 0x20)!)
            default: field.append("_")
            }
        }
        return String(field.prefix(64))
    }
}

/// One `NAME=value` journal field. The value may hold any bytes, newlines included: each field travels in its own
/// iovec, so no escaping is needed.
struct JournalField: Equatable, Sendable, CustomStringConvertible {
    var name: String
    var value: String

    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    var description: String { "\(name)=\(value)" }
}

/// How both handlers combine metadata: the handler's own, then the provider's, then the call's (later wins), plus
/// the attached error as `error.message` and `error.type`, as swift-log's `StreamLogHandler` does.
enum LogMetadata {
    static func merge(base: Logger.Metadata, provider: Logger.MetadataProvider?, event: LogEvent) -> Logger.Metadata {
        let provided = provider?.get() ?? [:]
        // The daemon's handlers carry no metadata of their own: the call's dictionary is then the answer as it is,
        // without rehashing every key of a per-file line into a copy.
        if base.isEmpty, provided.isEmpty, event.error == nil { return event.metadata ?? [:] }
        var metadata = base
        if !provided.isEmpty {
            metadata.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            metadata.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return metadata
    }
}
