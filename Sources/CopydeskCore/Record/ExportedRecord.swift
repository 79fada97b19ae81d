#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One line of `copydesk export` (NDJSON): a record as people and scripts read it, plus everything `copydesk import`
/// needs to write the same record again.
///
/// The first group of fields is ``RecordView``'s, so `jq` filters written against `copydesk show --json` work on an
/// export. The second group is exact: `arrival` and `recordedAtMicroseconds` keep the microseconds the ISO strings
/// round away, and `raw` carries the delivered bytes in base64 (only with `--raw`; a document cannot be imported
/// without them). Import reads the exact group and ignores the readable one. Unknown fields are ignored, so a later
/// version may add some.
public struct ExportedRecord: Codable, Sendable, Equatable {
    public var sequence: UInt64
    /// `document`, `duplicate` or `rejected` (``RecordKind/name``).
    public var kind: String
    public var verdict: String
    public var recordedAt: String
    public var file: String
    public var channel: String?
    public var receivedAt: String
    public var size: Int64
    public var sha256: String?
    /// The chain link as the exported journal holds it; import recomputes the chain and compares.
    public var previousHash: String
    public var format: String?
    public var charset: String?
    public var article: Article?
    /// The stored classification (documents written since it is stored); import writes it back as it was.
    public var classification: Classification?
    public var duplicateOf: UInt64?
    public var match: String?
    public var reason: RejectReason?
    public var rejectedAs: String?
    public var link: DedupLink?
    public var story: UInt64?
    public var similarityPermille: Int?

    /// `recordedAt` to the microsecond.
    public var recordedAtMicroseconds: Int64
    /// The arrival exactly as the journal stores it.
    public var arrival: Arrival
    /// Length of the delivered bytes (documents).
    public var rawSize: Int?
    /// The delivered bytes in base64 (documents, with `--raw`).
    public var raw: String?

    public init(_ record: JournalRecord, includeRaw: Bool) {
        let view = RecordView(record)
        sequence = record.sequence
        kind = record.body.kind.name
        verdict = view.verdict
        recordedAt = view.recordedAt
        file = view.file
        channel = view.channel
        receivedAt = view.receivedAt
        size = view.size
        sha256 = view.sha256
        previousHash = view.previousHash
        format = view.format
        charset = view.charset
        article = view.article
        classification = view.classification
        duplicateOf = view.duplicateOf
        match = view.match
        reason = view.reason
        rejectedAs = view.rejectedAs
        link = view.link
        story = view.story
        similarityPermille = view.similarityPermille
        recordedAtMicroseconds = record.recordedAt.microseconds
        arrival = record.body.arrival
        if case .document(let document) = record.body {
            rawSize = document.raw.count
            raw = includeRaw ? Data(document.raw).base64EncodedString() : nil
        }
    }

    /// The record this line describes, with the `previousHash` the exported journal had.
    public func record() throws(ExportedRecordError) -> JournalRecord {
        guard let kind = RecordKind(name: kind) else { throw .invalid("unknown kind \(self.kind)") }
        guard let previous = Digest(hex: previousHash) else { throw .invalid("previousHash is not a SHA-256") }
        let body: RecordBody
        switch kind {
        case .document:
            guard let format, let charset, let article else {
                throw .invalid("a document needs format, charset and article")
            }
            guard let raw else { throw .missingRaw }
            guard let bytes = Data(base64Encoded: raw) else { throw .invalid("raw is not base64") }
            if let rawSize, rawSize != bytes.count {
                throw .invalid("raw holds \(bytes.count) bytes, rawSize says \(rawSize)")
            }
            body = .document(
                DocumentRecord(
                    arrival: arrival, format: format, charset: charset, article: article, raw: Array(bytes),
                    classification: classification, link: link, story: story
                )
            )
        case .duplicate:
            guard let duplicateOf else { throw .invalid("a duplicate needs duplicateOf") }
            body = .duplicate(DuplicateRecord(
                arrival: arrival, duplicateOf: duplicateOf, match: match ?? "exact",
                similarityPermille: similarityPermille))
        case .rejected:
            guard let reason, let rejectedAs else { throw .invalid("a rejected record needs reason and rejectedAs") }
            body = .rejected(RejectedRecord(arrival: arrival, reason: reason, rejectedAs: rejectedAs))
        }
        return JournalRecord(
            sequence: sequence, recordedAt: Timestamp(microseconds: recordedAtMicroseconds), previousHash: previous,
            body: body
        )
    }

    /// One NDJSON line, newline included: compact JSON with sorted keys (JSON escapes every newline in a string).
    public func line() throws(ExportedRecordError) -> [UInt8] {
        do {
            var bytes = Array(try Self.encoder.encode(self))
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        } catch {
            throw .invalid("cannot encode: \(error)")
        }
    }

    /// Decodes one line (without or with its newline).
    public init(line: some Collection<UInt8>) throws(ExportedRecordError) {
        do {
            self = try JSONDecoder().decode(ExportedRecord.self, from: Data(line))
        } catch {
            throw .invalid("not an export record: \(error)")
        }
    }

    private static let encoder = RecordCodec.encoder()
}

/// Why an export line cannot become a record again.
public enum ExportedRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A document exported without `--raw`: its bytes are not in the export.
    case missingRaw
    case invalid(String)

    public var description: String {
        switch self {
        case .missingRaw: "a document without its raw bytes (export with --raw to re-import)"
        case .invalid(let text): text
        }
    }
}

extension RecordKind {
    /// `document`, `duplicate`, `rejected`: the kind's name in exports.
    public var name: String {
        switch self {
        case .document: "document"
        case .duplicate: "duplicate"
        case .rejected: "rejected"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }
}
