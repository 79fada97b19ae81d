#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns a ``JournalRecord`` into the bytes of a frame's payload and back (payload version 1).
///
/// The fixed binary header comes first so a reader can learn a record's sequence, kind and chain link without
/// parsing JSON; the metadata is JSON (sorted keys) so a new optional field needs no new payload version; the raw
/// file bytes follow as bytes, never base64, because they are most of a document record.
public enum RecordCodec {
    public static let payloadVersion: UInt8 = 1
    /// Payload flags this version understands (none yet); an unknown one makes decoding fail.
    public static let knownFlags: UInt16 = 0
    /// Version, kind, flags, sequence, recordedAt, previousHash.
    public static let fixedHeaderSize = 52
    /// The fixed header plus both length prefixes, with empty metadata and raw bytes.
    public static let minimumPayloadSize = fixedHeaderSize + 8

    /// The fixed part of a payload: everything but the metadata and raw bytes.
    public struct PayloadHeader: Sendable, Equatable {
        public var version: UInt8
        public var kind: RecordKind
        public var flags: UInt16
        public var sequence: UInt64
        public var recordedAt: Timestamp
        public var previousHash: Digest

        /// Decodes the first ``RecordCodec/fixedHeaderSize`` bytes of a payload.
        public static func decode(_ bytes: UnsafeRawBufferPointer) throws(RecordCodecError) -> PayloadHeader {
            guard bytes.count >= fixedHeaderSize else {
                throw .truncated(needed: fixedHeaderSize, available: bytes.count)
            }
            let version = bytes[0]
            guard version == payloadVersion else { throw .unsupportedVersion(version) }
            guard let kind = RecordKind(rawValue: bytes[1]) else { throw .unknownKind(bytes[1]) }
            let flags = bytes.loadLittleEndian(at: 2, as: UInt16.self)
            guard flags & ~knownFlags == 0 else { throw .unknownFlags(flags & ~knownFlags) }
            return PayloadHeader(
                version: version,
                kind: kind,
                flags: flags,
                sequence: bytes.loadLittleEndian(at: 4, as: UInt64.self),
                recordedAt: Timestamp(microseconds: bytes.loadLittleEndian(at: 12, as: Int64.self)),
                previousHash: Digest(unchecked: bytes.bytes(at: 20, count: Digest.byteCount))
            )
        }
    }

    /// The payload of `record`. Fails only if the metadata cannot be encoded as JSON.
    public static func encode(_ record: JournalRecord) throws(RecordCodecError) -> [UInt8] {
        let metadata = try metadata(of: record.body)
        var payload = [UInt8]()
        payload.reserveCapacity(payloadSize(of: record.body, metadata: metadata))
        appendPayload(of: record, metadata: metadata, to: &payload)
        return payload
    }

    /// The JSON metadata of a body: the costly, chain-independent part of encoding, which the journal writer runs
    /// for a whole batch on every core before it links the records one by one.
    public static func metadata(of body: RecordBody) throws(RecordCodecError) -> [UInt8] {
        let metadata: [UInt8] = switch body {
        case .document(let document): CompactJSON.encode(document)
        case .duplicate(let duplicate): CompactJSON.encode(duplicate)
        case .rejected(let rejected): CompactJSON.encode(rejected)
        }
        let raw = body.rawCount
        guard metadata.count <= Int(UInt32.max), raw <= Int(UInt32.max) else { throw .tooLarge(metadata.count + raw) }
        return metadata
    }

    /// The size of the payload ``appendPayload(of:metadata:to:)`` writes.
    public static func payloadSize(of body: RecordBody, metadata: [UInt8]) -> Int {
        minimumPayloadSize + metadata.count + body.rawCount
    }

    /// Appends the payload of `record` to `buffer`, its metadata already encoded by ``metadata(of:)``: the writer
    /// builds a batch's frames in one reused buffer instead of one array per record.
    public static func appendPayload(of record: JournalRecord, metadata: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(payloadVersion)
        buffer.append(record.body.kind.rawValue)
        buffer.appendLittleEndian(UInt16(0))
        buffer.appendLittleEndian(record.sequence)
        buffer.appendLittleEndian(record.recordedAt.microseconds)
        buffer.append(contentsOf: record.previousHash.bytes)
        buffer.appendLittleEndian(UInt32(metadata.count))
        buffer.append(contentsOf: metadata)
        if case .document(let document) = record.body {
            buffer.appendLittleEndian(UInt32(document.raw.count))
            buffer.append(contentsOf: document.raw)
        } else {
            buffer.appendLittleEndian(UInt32(0))
        }
    }

    /// Decodes a whole payload. The payload must be exactly one record: trailing bytes are an error.
    public static func decode(_ payload: UnsafeRawBufferPointer) throws(RecordCodecError) -> JournalRecord {
        let header = try PayloadHeader.decode(payload)
        var offset = fixedHeaderSize
        let metadata = try lengthPrefixed(payload, at: &offset)
        let raw = try lengthPrefixed(payload, at: &offset)
        guard offset == payload.count else { throw .trailingBytes(payload.count - offset) }

        let body: RecordBody
        do {
            let json = Data(metadata)
            switch header.kind {
            case .document:
                body = .document(try JSONDecoder().decode(DocumentMetadata.self, from: json).record(raw: Array(raw)))
            case .duplicate:
                guard raw.isEmpty else { throw RecordCodecError.unexpectedRaw(raw.count) }
                body = .duplicate(try JSONDecoder().decode(DuplicateRecord.self, from: json))
            case .rejected:
                guard raw.isEmpty else { throw RecordCodecError.unexpectedRaw(raw.count) }
                body = .rejected(try JSONDecoder().decode(RejectedRecord.self, from: json))
            }
        } catch let error as RecordCodecError {
            throw error
        } catch {
            throw .metadata("\(error)")
        }
        return JournalRecord(
            sequence: header.sequence, recordedAt: header.recordedAt, previousHash: header.previousHash, body: body
        )
    }

    public static func decode(_ payload: [UInt8]) throws(RecordCodecError) -> JournalRecord {
        try payload.withRawBytes { (buffer) throws(RecordCodecError) -> JournalRecord in try decode(buffer) }
    }

    private static func lengthPrefixed(
        _ payload: UnsafeRawBufferPointer, at offset: inout Int
    ) throws(RecordCodecError) -> UnsafeRawBufferPointer {
        guard payload.count - offset >= 4 else { throw .truncated(needed: offset + 4, available: payload.count) }
        let length = Int(payload.loadLittleEndian(at: offset, as: UInt32.self))
        offset += 4
        guard payload.count - offset >= length else {
            throw .truncated(needed: offset + length, available: payload.count)
        }
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: payload[offset..<offset + length])
    }

    /// The JSON of records wherever they leave Copydesk (exports, `--json` lines) and the format the metadata is
    /// defined by: sorted keys, slashes as they are. ``CompactJSON`` writes the metadata's bytes faster; tests hold
    /// the two together.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// Everything of a ``DocumentRecord`` but its raw bytes, which the payload carries outside the JSON.
/// When ``DocumentRecord`` gains a field, add it here as an optional so older records still decode.
struct DocumentMetadata: Codable {
    var arrival: Arrival
    var format: String
    var charset: String
    var article: Article
    /// Absent in records written before classification was stored.
    var classification: Classification?
    var link: DedupLink?
    var story: UInt64?

    init(_ document: DocumentRecord) {
        arrival = document.arrival
        format = document.format
        charset = document.charset
        article = document.article
        classification = document.classification
        link = document.link
        story = document.story
    }

    func record(raw: [UInt8]) -> DocumentRecord {
        DocumentRecord(
            arrival: arrival, format: format, charset: charset, article: article, raw: raw,
            classification: classification, link: link, story: story
        )
    }
}

/// Why a payload is not a record this version can read (or a record cannot become a payload).
public enum RecordCodecError: Error, Equatable, Sendable {
    case truncated(needed: Int, available: Int)
    case unsupportedVersion(UInt8)
    case unknownKind(UInt8)
    case unknownFlags(UInt16)
    case trailingBytes(Int)
    /// A duplicate or rejected record carries raw bytes, which only documents have.
    case unexpectedRaw(Int)
    /// More than a `u32` length prefix can say.
    case tooLarge(Int)
    /// The JSON metadata did not encode or decode; the text is the underlying error.
    case metadata(String)
}

extension RecordCodecError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let needed, let available): "payload truncated: needs \(needed) bytes, has \(available)"
        case .unsupportedVersion(let version): "payload version \(version) is not supported"
        case .unknownKind(let kind): "unknown record kind \(kind)"
        case .unknownFlags(let flags): "unknown payload flags 0x\(String(flags, radix: 16))"
        case .trailingBytes(let count): "\(count) unexpected bytes after the record"
        case .unexpectedRaw(let count): "\(count) raw bytes in a record kind that has none"
        case .tooLarge(let count): "record of \(count) bytes is too large"
        case .metadata(let text): "metadata JSON: \(text)"
        }
    }
}

extension RecordBody {
    /// How many raw file bytes the payload carries (only documents have any).
    var rawCount: Int {
        if case .document(let document) = self { return document.raw.count }
        return 0
    }
}
