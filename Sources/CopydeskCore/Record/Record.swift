/// One entry of the journal: a sequence number, when it was written, the link to the previous record,
/// and what happened to one arriving file.
public struct JournalRecord: Sendable, Equatable {
    /// Monotonically increasing from 1; the id people use (`copydesk show 1234`).
    public var sequence: UInt64
    public var recordedAt: Timestamp
    /// SHA-256 of the previous record's payload (``Digest/zero`` for the first record of a journal).
    public var previousHash: Digest
    public var body: RecordBody

    public init(sequence: UInt64, recordedAt: Timestamp, previousHash: Digest, body: RecordBody) {
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.previousHash = previousHash
        self.body = body
    }
}

/// What a record says about its file. Kinds are stored as a byte (``RecordKind``) so readers can skip
/// bodies they do not need.
public enum RecordBody: Sendable, Equatable {
    case document(DocumentRecord)
    case duplicate(DuplicateRecord)
    case rejected(RejectedRecord)

    public var kind: RecordKind {
        switch self {
        case .document: .document
        case .duplicate: .duplicate
        case .rejected: .rejected
        }
    }

    public var arrival: Arrival {
        switch self {
        case .document(let record): record.arrival
        case .duplicate(let record): record.arrival
        case .rejected(let record): record.arrival
        }
    }

    /// The word logs and the CLI use for the outcome (`COPYDESK_VERDICT`).
    public var verdict: String {
        switch self {
        case .document: "stored"
        case .duplicate: "duplicate"
        case .rejected: "rejected"
        }
    }
}

public enum RecordKind: UInt8, Sendable, Codable, CaseIterable {
    case document = 1
    case duplicate = 2
    case rejected = 3
}

/// How a file reached Copydesk. Present in every record, whatever the verdict.
public struct Arrival: Codable, Sendable, Equatable {
    /// The file name as delivered into the inbox (without the channel folder).
    public var file: String
    /// The inbox sub-folder it came through, if any (`inbox/xinhua/x.xml` → `xinhua`).
    public var channel: String?
    /// The file's name in `work/` while it was being processed. Unique per claim, so a restart can tell a
    /// file whose record is already durable (finish it) from one that still needs processing.
    public var claim: String
    public var receivedAt: Timestamp
    public var size: Int64
    /// SHA-256 of the bytes; nil only when the file could not be read (too large, vanished).
    public var sha256: Digest?

    public init(file: String, channel: String?, claim: String, receivedAt: Timestamp, size: Int64, sha256: Digest?) {
        self.file = file
        self.channel = channel
        self.claim = claim
        self.receivedAt = receivedAt
        self.size = size
        self.sha256 = sha256
    }
}

/// A new document: the original bytes and what Copydesk made of them.
public struct DocumentRecord: Sendable, Equatable {
    public var arrival: Arrival
    /// Detected input format (`text`, later `nitf`, `newsml-g2`, …).
    public var format: String
    /// The charset the bytes were decoded from (`utf-8`, …).
    public var charset: String
    public var article: Article
    /// The file exactly as delivered (`copydesk show --raw`).
    public var raw: [UInt8]
    /// Kind, source, topics, language, entities and urgency, with their cues; nil in records written before
    /// classification was stored.
    public var classification: Classification?
    /// `near-duplicate of N` or `version of N`, when dedup found one (nil: a new story, or an older record).
    public var link: DedupLink?
    /// The story the document was filed into at ingest: the sequence of the story's first document.
    public var story: UInt64?

    public init(
        arrival: Arrival, format: String, charset: String, article: Article, raw: [UInt8],
        classification: Classification? = nil, link: DedupLink? = nil, story: UInt64? = nil
    ) {
        self.arrival = arrival
        self.format = format
        self.charset = charset
        self.article = article
        self.raw = raw
        self.classification = classification
        self.link = link
        self.story = story
    }
}

/// A file whose content is already stored: no new document, a pointer to the first.
public struct DuplicateRecord: Codable, Sendable, Equatable {
    public var arrival: Arrival
    public var duplicateOf: UInt64
    /// How the match was made: `exact` (same bytes), `normalized` (same cleaned words), `near-duplicate`
    /// (a near-duplicate dropped by configuration).
    public var match: String
    /// For `near-duplicate`: the estimated Jaccard in thousandths (``DedupLink/similarityPermille``).
    public var similarityPermille: Int?

    public init(arrival: Arrival, duplicateOf: UInt64, match: String = "exact", similarityPermille: Int? = nil) {
        self.arrival = arrival
        self.duplicateOf = duplicateOf
        self.match = match
        self.similarityPermille = similarityPermille
    }
}

/// A file Copydesk could not use; the file itself is in `rejected/` with a reason file beside it.
public struct RejectedRecord: Codable, Sendable, Equatable {
    public var arrival: Arrival
    public var reason: RejectReason
    /// The name it was given in `rejected/` (differs from the arrival name on a clash).
    public var rejectedAs: String

    public init(arrival: Arrival, reason: RejectReason, rejectedAs: String) {
        self.arrival = arrival
        self.reason = reason
        self.rejectedAs = rejectedAs
    }
}

/// Why a file was rejected: a stable code for scripts and a sentence for people.
public struct RejectReason: Codable, Sendable, Equatable, Error {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public struct Code: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Zero bytes, or nothing but whitespace.
        public static let empty = Code(rawValue: "empty")
        /// NUL or other control bytes: not text.
        public static let binary = Code(rawValue: "binary")
        /// Not valid in any charset Copydesk accepts.
        public static let undecodable = Code(rawValue: "undecodable")
        /// Over the configured size limit (found from the file size, not by reading it).
        public static let tooLarge = Code(rawValue: "too-large")
        /// The file could not be opened or read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// Decoded but no article could be made of it.
        public static let unparsable = Code(rawValue: "unparsable")
    }
}
