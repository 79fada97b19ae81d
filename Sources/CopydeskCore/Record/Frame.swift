/// The unit the journal writes and checks: `u32 LE payload length` + `u32 LE CRC32C(payload)` + payload.
///
/// A frame says nothing about what it carries; it exists so a reader can tell a whole record from a torn tail
/// (not enough bytes) and from damage (the checksum or the length is wrong) before decoding anything.
public enum Frame {
    /// Length and checksum, before the payload.
    public static let headerSize = 8
    /// A larger length is not a record but damage: nothing Copydesk stores comes near it.
    public static let maxPayloadLength = 1 << 30

    /// The two fields in front of a payload.
    public struct Header: Sendable, Equatable {
        public var payloadLength: Int
        public var checksum: UInt32
    }

    /// A whole frame found in a buffer.
    public struct Decoded: Sendable, Equatable {
        /// Where the payload lies in the buffer that was decoded.
        public var payload: Range<Int>
        /// Where the next frame would start.
        public var next: Int
    }

    /// Appends the frame of `payload` to `buffer` (so a batch of records becomes one write).
    public static func append(payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        append(payloadSize: payload.count, to: &buffer) { $0.append(contentsOf: payload) }
    }

    /// Appends a frame whose payload `writePayload` appends in place (exactly `payloadSize` bytes), so a batch is
    /// built without a separate array per payload; returns where the payload lies in `buffer`.
    @discardableResult
    public static func append(
        payloadSize: Int, to buffer: inout [UInt8], writePayload: (inout [UInt8]) -> Void
    ) -> Range<Int> {
        precondition(payloadSize > 0 && payloadSize <= maxPayloadLength, "frame payload length out of range")
        let needed = buffer.count + headerSize + payloadSize
        if buffer.capacity < needed { buffer.reserveCapacity(max(needed, 2 * buffer.capacity)) }
        let start = buffer.count
        buffer.appendLittleEndian(UInt32(payloadSize))
        buffer.appendLittleEndian(UInt32(0))  // the checksum, once the payload is there
        writePayload(&buffer)
        let payload = start + headerSize..<buffer.count
        precondition(payload.count == payloadSize, "payload size differs from the size announced")
        buffer.withUnsafeMutableBytes { bytes in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[payload]))
            bytes.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
        return payload
    }

    public static func append(payload: [UInt8], to buffer: inout [UInt8]) {
        payload.withUnsafeBytes { append(payload: $0, to: &buffer) }
    }

    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        var buffer = [UInt8]()
        append(payload: payload, to: &buffer)
        return buffer
    }

    /// Reads only the length and checksum at `offset`: enough to step to the next frame without touching the
    /// payload. Fails with `.torn` when fewer than ``headerSize`` bytes remain and `.corrupt` when the length is
    /// zero or larger than ``maxPayloadLength``.
    public static func decodeHeader(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FrameError) -> Header {
        precondition(offset >= 0 && offset <= bytes.count, "frame offset outside the buffer")
        let available = bytes.count - offset
        guard available >= headerSize else {
            throw .torn(offset: offset, needed: headerSize, available: available)
        }
        let length = bytes.loadLittleEndian(at: offset, as: UInt32.self)
        guard length > 0, Int(length) <= maxPayloadLength else {
            throw .corrupt(offset: offset, reason: .lengthOutOfRange(length))
        }
        return Header(payloadLength: Int(length), checksum: bytes.loadLittleEndian(at: offset + 4, as: UInt32.self))
    }

    /// Decodes the whole frame at `offset` and checks its CRC32C.
    public static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FrameError) -> Decoded {
        let header = try decodeHeader(bytes, at: offset)
        let available = bytes.count - offset
        let needed = headerSize + header.payloadLength
        guard available >= needed else {
            throw .torn(offset: offset, needed: needed, available: available)
        }
        let payload = offset + headerSize..<offset + needed
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[payload]))
        guard computed == header.checksum else {
            throw .corrupt(offset: offset, reason: .checksumMismatch(stored: header.checksum, computed: computed))
        }
        return Decoded(payload: payload, next: offset + needed)
    }

    public static func decode(_ bytes: [UInt8], at offset: Int) throws(FrameError) -> Decoded {
        try bytes.withRawBytes { (buffer) throws(FrameError) -> Decoded in try decode(buffer, at: offset) }
    }
}

/// Why the bytes at an offset are not a whole, intact frame.
public enum FrameError: Error, Equatable, Sendable {
    /// The buffer ends before the frame does: at the end of a journal, a write cut short.
    case torn(offset: Int, needed: Int, available: Int)
    /// The bytes are all there but wrong.
    case corrupt(offset: Int, reason: Corruption)

    /// What is wrong with a frame whose bytes are all there.
    public enum Corruption: Equatable, Sendable {
        /// Zero, or more than ``Frame/maxPayloadLength``.
        case lengthOutOfRange(UInt32)
        case checksumMismatch(stored: UInt32, computed: UInt32)
    }

    /// Where the frame that failed starts.
    public var offset: Int {
        switch self {
        case .torn(let offset, _, _), .corrupt(let offset, _): offset
        }
    }
}

extension FrameError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .torn(let offset, let needed, let available):
            "frame at byte \(offset) torn: needs \(needed) bytes, \(available) left"
        case .corrupt(let offset, .lengthOutOfRange(let length)):
            "frame at byte \(offset) corrupt: payload length \(length) out of range"
        case .corrupt(let offset, .checksumMismatch(let stored, let computed)):
            "frame at byte \(offset) corrupt: CRC32C \(hex(computed)) does not match stored \(hex(stored))"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
