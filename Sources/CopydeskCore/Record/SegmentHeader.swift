/// The first bytes of every segment file: what format it is in, where its records start in the sequence, and the
/// hash that links its first record to the previous segment.
///
/// The chain hash lets `verify` check a journal whose older segments were dropped by retention, and the flags let a
/// future version change the format without old readers misreading it (journald's rule: an unknown
/// incompatible flag makes readers refuse; an unknown flag of either kind makes writers refuse).
public struct SegmentHeader: Sendable, Equatable {
    public static let magic = Array("CDJRNL\0\0".utf8)
    /// Bytes on disk, including the trailing CRC32C.
    public static let size = 64
    /// Bump on an incompatible change to the header or the frame layout. Version 2: a sealed segment ends with a
    /// ``SegmentTrailer`` (a format-1 reader would take it for damage).
    public static let currentVersion: UInt16 = 2
    /// The oldest version this one still reads (and appends to, without ever sealing it).
    public static let oldestReadableVersion: UInt16 = 1
    /// Incompatible flags this version understands (none yet).
    public static let knownIncompatibleFlags: UInt32 = 0
    /// Compatible flags this version understands (none yet).
    public static let knownCompatibleFlags: UInt32 = 0
    /// Segment files end in this.
    public static let fileExtension = "cdj"

    public var version: UInt16
    public var incompatibleFlags: UInt32
    public var compatibleFlags: UInt32
    /// Sequence number of the segment's first record; also its file name.
    public var firstSequence: UInt64
    /// SHA-256 of the last payload of the previous segment (``Digest/zero`` for the journal's first segment).
    public var chainHash: Digest

    public init(
        firstSequence: UInt64,
        chainHash: Digest,
        version: UInt16 = SegmentHeader.currentVersion,
        incompatibleFlags: UInt32 = 0,
        compatibleFlags: UInt32 = 0
    ) {
        self.version = version
        self.incompatibleFlags = incompatibleFlags
        self.compatibleFlags = compatibleFlags
        self.firstSequence = firstSequence
        self.chainHash = chainHash
    }

    // Offsets of the fields; see JournalFormat.md.
    private static let versionOffset = 8
    private static let incompatibleFlagsOffset = 12
    private static let compatibleFlagsOffset = 16
    private static let firstSequenceOffset = 20
    private static let chainHashOffset = 28
    private static let checksumOffset = 60

    public func encoded() -> [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.size)
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(UInt16(Self.size))
        bytes.appendLittleEndian(incompatibleFlags)
        bytes.appendLittleEndian(compatibleFlags)
        bytes.appendLittleEndian(firstSequence)
        bytes.append(contentsOf: chainHash.bytes)
        assert(bytes.count == Self.checksumOffset)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    /// Decodes the header at the start of `bytes` (extra bytes after it are ignored) for reading.
    ///
    /// Checks, in this order: enough bytes, magic, version (its layout decides where the checksum is), header length,
    /// checksum, unknown incompatible flags. Unknown compatible flags are accepted: use ``checkWritable()`` before
    /// appending.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(SegmentHeaderError) -> SegmentHeader {
        guard bytes.count >= magic.count else { throw .truncated(available: bytes.count) }
        guard bytes.bytes(at: 0, count: magic.count) == magic else { throw .badMagic }
        guard bytes.count >= versionOffset + 2 else { throw .truncated(available: bytes.count) }
        let version = bytes.loadLittleEndian(at: versionOffset, as: UInt16.self)
        guard (oldestReadableVersion...currentVersion).contains(version) else { throw .unsupportedVersion(version) }
        guard bytes.count >= size else { throw .truncated(available: bytes.count) }
        let length = bytes.loadLittleEndian(at: versionOffset + 2, as: UInt16.self)
        guard length == size else { throw .badLength(length) }
        let stored = bytes.loadLittleEndian(at: checksumOffset, as: UInt32.self)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<checksumOffset]))
        guard stored == computed else { throw .checksumMismatch(stored: stored, computed: computed) }
        let header = SegmentHeader(
            firstSequence: bytes.loadLittleEndian(at: firstSequenceOffset, as: UInt64.self),
            chainHash: Digest(unchecked: bytes.bytes(at: chainHashOffset, count: Digest.byteCount)),
            version: version,
            incompatibleFlags: bytes.loadLittleEndian(at: incompatibleFlagsOffset, as: UInt32.self),
            compatibleFlags: bytes.loadLittleEndian(at: compatibleFlagsOffset, as: UInt32.self)
        )
        let unknown = header.incompatibleFlags & ~knownIncompatibleFlags
        guard unknown == 0 else { throw .unknownIncompatibleFlags(unknown) }
        guard header.firstSequence > 0 else { throw .badFirstSequence }
        return header
    }

    public static func decode(_ bytes: [UInt8]) throws(SegmentHeaderError) -> SegmentHeader {
        try bytes.withRawBytes { (buffer) throws(SegmentHeaderError) -> SegmentHeader in try decode(buffer) }
    }

    /// Whether the segment ends with a ``SegmentTrailer`` once it is full (format 2 and later). A format-1 segment is
    /// left unsealed when the writer rolls over: adding a trailer would make it unreadable to the version that wrote
    /// it.
    public var isSealable: Bool { version >= 2 }

    /// A writer may append only to a segment whose every flag it understands.
    public func checkWritable() throws(SegmentHeaderError) {
        let incompatible = incompatibleFlags & ~Self.knownIncompatibleFlags
        guard incompatible == 0 else { throw .unknownIncompatibleFlags(incompatible) }
        let compatible = compatibleFlags & ~Self.knownCompatibleFlags
        guard compatible == 0 else { throw .unknownCompatibleFlags(compatible) }
    }

    /// `00000000000000000001.cdj`: the first sequence number, zero padded to 20 digits (all of `UInt64`), so
    /// names sort as numbers do.
    public static func fileName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return String(repeating: "0", count: 20 - digits.count) + digits + "." + fileExtension
    }

    /// The first sequence number a segment file name stands for, or nil if the name is not a segment's.
    public static func firstSequence(fileName: String) -> UInt64? {
        let utf8 = Array(fileName.utf8)
        let suffix = Array(("." + fileExtension).utf8)
        guard utf8.count == 20 + suffix.count, Array(utf8[20...]) == suffix else { return nil }
        var value: UInt64 = 0
        for byte in utf8[..<20] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value > 0 ? value : nil
    }
}

/// Why a segment header cannot be used.
public enum SegmentHeaderError: Error, Equatable, Sendable {
    /// Fewer bytes than a header: a segment whose creation was cut short.
    case truncated(available: Int)
    case badMagic
    case unsupportedVersion(UInt16)
    case badLength(UInt16)
    case checksumMismatch(stored: UInt32, computed: UInt32)
    case badFirstSequence
    /// Set by a newer version in a way this one cannot read.
    case unknownIncompatibleFlags(UInt32)
    /// Readable, but this version must not append to it.
    case unknownCompatibleFlags(UInt32)
}

extension SegmentHeaderError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let available): "segment header torn: \(available) of \(SegmentHeader.size) bytes"
        case .badMagic: "not a Copydesk journal segment (bad magic)"
        case .unsupportedVersion(let version): "segment format version \(version) is not supported"
        case .badLength(let length): "segment header length \(length) is wrong"
        case .checksumMismatch: "segment header CRC32C mismatch"
        case .badFirstSequence: "segment header first sequence is 0"
        case .unknownIncompatibleFlags(let flags):
            "segment has unknown incompatible flags 0x\(String(flags, radix: 16))"
        case .unknownCompatibleFlags(let flags): "segment has unknown compatible flags 0x\(String(flags, radix: 16))"
        }
    }
}
