/// The last bytes of a sealed segment: how many records it holds, which, when the last was written, and the chain
/// hash after it.
///
/// A segment is sealed when the writer rolls over to the next one. The trailer lets readers, `verify` and retention
/// learn a segment's range, age and closing chain hash from one small read at its end, instead of walking every
/// frame; `verify` still walks the frames and checks that they agree with it. Its first four bytes are not a valid
/// frame length, so a walk over the frames stops there and cannot mistake it for a record. Format 2 only (see
/// JournalFormat.md): a format-1 segment is never sealed.
public struct SegmentTrailer: Sendable, Equatable {
    /// `"CDJSEAL\0"`. As a little-endian `u32`, its first four bytes are larger than ``Frame/maxPayloadLength``.
    public static let magic = Array("CDJSEAL\0".utf8)
    /// Bytes on disk, including the trailing CRC32C.
    public static let size = 88

    public var recordCount: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    /// When the last record was written (its `recordedAt`): what retention by age looks at.
    public var lastRecordedAt: Timestamp
    /// Where the trailer starts in its file: the end of the last frame.
    public var offset: Int64
    /// SHA-256 of the last record's payload: the next segment's header carries the same hash.
    public var chainHash: Digest

    public init(
        recordCount: UInt64, firstSequence: UInt64, lastSequence: UInt64, lastRecordedAt: Timestamp, offset: Int64,
        chainHash: Digest
    ) {
        self.recordCount = recordCount
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.lastRecordedAt = lastRecordedAt
        self.offset = offset
        self.chainHash = chainHash
    }

    // Offsets of the fields; see JournalFormat.md.
    private static let countOffset = 8
    private static let firstOffset = 16
    private static let lastOffset = 24
    private static let recordedAtOffset = 32
    private static let trailerOffsetOffset = 40
    private static let chainHashOffset = 48
    private static let flagsOffset = 80
    private static let checksumOffset = 84

    public func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.size)
        bytes.appendLittleEndian(recordCount)
        bytes.appendLittleEndian(firstSequence)
        bytes.appendLittleEndian(lastSequence)
        bytes.appendLittleEndian(lastRecordedAt.microseconds)
        bytes.appendLittleEndian(offset)
        bytes.append(contentsOf: chainHash.bytes)
        bytes.appendLittleEndian(UInt32(0))
        assert(bytes.count == Self.checksumOffset)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// True when `bytes` start with the trailer's magic: what a frame walk that stopped on an impossible length
    /// checks before calling it damage.
    public static func startsWithMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= magic.count && bytes.bytes(at: 0, count: magic.count) == magic
    }

    /// Decodes the trailer at the start of `bytes`, which must be exactly ``size`` bytes long (a trailer ends its
    /// file). Checks, in order: length, magic, checksum, reserved flags, then that the fields agree with each other.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(SegmentTrailerError) -> SegmentTrailer {
        guard bytes.count == size else { throw .wrongSize(bytes.count) }
        guard startsWithMagic(bytes) else { throw .badMagic }
        let stored = bytes.loadLittleEndian(at: checksumOffset, as: UInt32.self)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<checksumOffset]))
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
        let flags = bytes.loadLittleEndian(at: flagsOffset, as: UInt32.self)
        guard flags == 0 else { throw .unknownFlags(flags) }
        let trailer = SegmentTrailer(
            recordCount: bytes.loadLittleEndian(at: countOffset, as: UInt64.self),
            firstSequence: bytes.loadLittleEndian(at: firstOffset, as: UInt64.self),
            lastSequence: bytes.loadLittleEndian(at: lastOffset, as: UInt64.self),
            lastRecordedAt: Timestamp(microseconds: bytes.loadLittleEndian(at: recordedAtOffset, as: Int64.self)),
            offset: bytes.loadLittleEndian(at: trailerOffsetOffset, as: Int64.self),
            chainHash: Digest(unchecked: bytes.bytes(at: chainHashOffset, count: Digest.byteCount))
        )
        guard trailer.recordCount > 0, trailer.firstSequence > 0,
            trailer.lastSequence >= trailer.firstSequence,
            trailer.lastSequence - trailer.firstSequence == trailer.recordCount - 1,
            trailer.offset >= Int64(SegmentHeader.size)
        else { throw .inconsistent }
        return trailer
    }

    public static func decode(_ bytes: [UInt8]) throws(SegmentTrailerError) -> SegmentTrailer {
        try bytes.withRawBytes { (buffer) throws(SegmentTrailerError) -> SegmentTrailer in try decode(buffer) }
    }
}

/// Why the bytes at the end of a segment are not a usable trailer.
public enum SegmentTrailerError: Error, Equatable, Sendable {
    /// Not exactly ``SegmentTrailer/size`` bytes: cut short, or followed by something.
    case wrongSize(Int)
    case badMagic
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The reserved field is not zero: written by a newer version or damaged.
    case unknownFlags(UInt32)
    /// The count and the sequence numbers do not agree, or the offset is inside the header.
    case inconsistent
}

extension SegmentTrailerError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .wrongSize(let count): "segment trailer torn or followed by other bytes: \(count) bytes"
        case .badMagic: "no segment trailer (bad magic)"
        case .checksumMismatch: "segment trailer CRC32C mismatch"
        case .unknownFlags(let flags): "segment trailer has unknown flags 0x\(String(flags, radix: 16))"
        case .inconsistent: "segment trailer fields disagree with each other"
        }
    }
}
