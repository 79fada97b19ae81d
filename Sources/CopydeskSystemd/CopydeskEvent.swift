import Logging

/// The events operators search for, each with a fixed journald `MESSAGE_ID`.
///
/// The daemon tags a log line with `metadata: ["copydesk.event": "stored"]`; under systemd the journald handler turns
/// that into `MESSAGE_ID=` so `journalctl MESSAGE_ID=47e09e0514f0496d8aab05a194e225cd` (or the catalog entry in
/// `deploy/`) finds every stored document whatever the message wording.
///
/// The raw values and the IDs are a public contract: scripts, alerts and the journal catalog match on them. Never
/// change or reuse an ID; add a new case with a freshly generated one instead.
public enum CopydeskEvent: String, CaseIterable, Sendable {
    case started
    case stopped
    case stored
    case duplicate
    case rejected
    case recovered
    case reloaded
    case overflow
    case diskFull = "disk-full"
    case journalDamaged = "journal-damaged"
    case retention

    /// The 128-bit journald `MESSAGE_ID`, as 32 lowercase hex digits (the form `journalctl` and catalogs use).
    public var messageID: String {
        switch self {
        case .started: "fe58be7ad9254fbebb08f283f64509a1"
        case .stopped: "d2050670ae8d48b19514821b1e40f7c2"
        case .stored: "47e09e0514f0496d8aab05a194e225cd"
        case .duplicate: "d379ec8c2ca64e688d31e7c6cd6b86dd"
        case .rejected: "ace040e52416442ca92437e8392aa430"
        case .recovered: "6b813a6ed9e0470a99899ce5dd9f5b97"
        case .reloaded: "f889b119b2d64e09b6dc84e332a06c6f"
        case .overflow: "f4ba50507bc64e46912dc15da5591b57"
        case .diskFull: "cbadcc501b0b46409779aaf0e58ca60b"
        case .journalDamaged: "3c903a6d9ad5492380d78d4761c1bb06"
        case .retention: "c82cb6f5c0e74733acc381a22552d967"
        }
    }

    /// The metadata key whose value names the event: `logger.info("…", metadata: [CopydeskEvent.metadataKey: …])`.
    public static let metadataKey = "copydesk.event"

    /// The event as a metadata value: `[CopydeskEvent.metadataKey: CopydeskEvent.stored.metadataValue]`.
    public var metadataValue: Logger.MetadataValue { .string(rawValue) }
}
