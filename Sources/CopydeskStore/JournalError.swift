import CopydeskCore
import SystemPackage

/// What went wrong with the journal on disk, with enough context (file, byte offset, sequence) for a person to act.
///
/// The set of codes is open-ended (new ones may come), so it is a struct with static members rather than an enum:
/// callers switch on the codes they handle and treat the rest as failures.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    /// The file or directory concerned, when there is one.
    public var path: String?
    public var message: String
    /// The underlying error, usually an `Errno`, a `FrameError` or a `RecordCodecError`.
    public var cause: (any Error & Sendable)?
    /// Byte offset in `path` where the damage starts (`.corrupt`).
    public var offset: Int64?
    /// Sequence number of the record concerned (`.corrupt`: the record expected at `offset`).
    public var sequence: UInt64?

    public init(
        code: Code,
        path: String? = nil,
        message: String,
        cause: (any Error & Sendable)? = nil,
        offset: Int64? = nil,
        sequence: UInt64? = nil
    ) {
        self.code = code
        self.path = path
        self.message = message
        self.cause = cause
        self.offset = offset
        self.sequence = sequence
    }

    /// The kind of failure, for callers to branch on; open-ended, so a `switch` over it needs a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case io, corrupt, versionUnsupported, locked, invalidRecord, notEmpty
        }

        private var value: Value

        /// A system call failed (the `cause` is the `Errno`), or the writer was used after `close()` or a failure.
        public static let io = Code(value: .io)
        /// Bytes on disk are not what the format says, somewhere other than a torn tail.
        public static let corrupt = Code(value: .corrupt)
        /// Written by a newer version (format version, flags or payload version this one does not know).
        public static let versionUnsupported = Code(value: .versionUnsupported)
        /// Another writer holds the journal's lock.
        public static let locked = Code(value: .locked)
        /// A record that cannot be written: its metadata does not encode, or it exceeds the maximum frame size.
        public static let invalidRecord = Code(value: .invalidRecord)
        /// `copydesk import` needs an empty journal and found records.
        public static let notEmpty = Code(value: .notEmpty)

        public var description: String {
            switch value {
            case .io: "io"
            case .corrupt: "corrupt"
            case .versionUnsupported: "version-unsupported"
            case .locked: "locked"
            case .invalidRecord: "invalid-record"
            case .notEmpty: "not-empty"
            }
        }
    }

    public var description: String {
        var text = "journal \(code): \(message)"
        if let path { text += " [\(path)" + (offset.map { " at byte \($0)" } ?? "") + "]" }
        if let sequence { text += " (sequence \(sequence))" }
        if let cause { text += ": \(cause)" }
        return text
    }
}

extension JournalError {
    static func io(_ message: String, path: String?, _ errno: Errno) -> JournalError {
        JournalError(code: .io, path: path, message: message, cause: errno)
    }

    static func corrupt(
        _ message: String, path: String, offset: Int64?, sequence: UInt64?, cause: (any Error & Sendable)? = nil
    ) -> JournalError {
        JournalError(code: .corrupt, path: path, message: message, cause: cause, offset: offset, sequence: sequence)
    }

    /// Bytes that should be a trailer (a sealed segment's end) and are not.
    static func trailer(_ error: SegmentTrailerError, path: String, offset: Int64, sequence: UInt64?) -> JournalError {
        JournalError(
            code: .corrupt, path: path, message: "\(error)", cause: error, offset: offset, sequence: sequence
        )
    }

    /// A segment header that cannot be used: a newer format is `.versionUnsupported`, anything else `.corrupt`.
    static func header(_ error: SegmentHeaderError, path: String) -> JournalError {
        switch error {
        case .unsupportedVersion, .unknownIncompatibleFlags, .unknownCompatibleFlags:
            JournalError(code: .versionUnsupported, path: path, message: "\(error)", cause: error, offset: 0)
        case .truncated, .badMagic, .badLength, .checksumMismatch, .badFirstSequence:
            JournalError(code: .corrupt, path: path, message: "\(error)", cause: error, offset: 0)
        }
    }

    /// A payload that does not decode: a newer payload version or kind is `.versionUnsupported`, anything else
    /// `.corrupt`.
    static func payload(_ error: RecordCodecError, path: String, offset: Int64, sequence: UInt64) -> JournalError {
        let code: Code
        switch error {
        case .unsupportedVersion, .unknownKind, .unknownFlags: code = .versionUnsupported
        case .truncated, .trailingBytes, .unexpectedRaw, .tooLarge, .metadata: code = .corrupt
        }
        return JournalError(
            code: code, path: path, message: "record payload: \(error)", cause: error, offset: offset,
            sequence: sequence
        )
    }
}
