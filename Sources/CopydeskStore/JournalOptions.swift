/// How the writer lays out segments. Readers need no options: everything they need is in the files.
public struct JournalOptions: Sendable {
    /// A new segment starts when the current one would grow past this many bytes. A single larger record still
    /// goes in, alone in its segment.
    public var segmentSize: Int = 64 << 20

    public init(segmentSize: Int = 64 << 20) {
        self.segmentSize = segmentSize
    }
}

/// What ``JournalWriter/open(directory:options:logger:)`` had to repair. All nil (and no removed segments) when the
/// journal was closed cleanly.
public struct RecoveryReport: Sendable, Equatable {
    /// The segment whose torn or damaged tail was cut off.
    public var segment: String?
    /// Where it was cut: the end of its last whole record.
    public var offset: Int64?
    /// How many bytes were dropped.
    public var bytesDropped: Int64?
    /// Segments whose header was torn (a crash while creating them) and that held no records, removed.
    public var removedSegments: [String]

    public init(
        segment: String? = nil, offset: Int64? = nil, bytesDropped: Int64? = nil, removedSegments: [String] = []
    ) {
        self.segment = segment
        self.offset = offset
        self.bytesDropped = bytesDropped
        self.removedSegments = removedSegments
    }

    /// True when open() changed nothing.
    public var isClean: Bool { segment == nil && removedSegments.isEmpty }
}
