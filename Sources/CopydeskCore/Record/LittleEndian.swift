// Fixed-width little-endian fields for the journal's binary layouts (segment header, frame, payload header).

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a little-endian integer; the caller has checked that `offset + size` is in bounds.
    func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count, "read past the end of a buffer")
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    func bytes(at offset: Int, count: Int) -> [UInt8] {
        precondition(offset >= 0 && offset + count <= self.count, "read past the end of a buffer")
        return Array(self[offset..<offset + count])
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` keeping the closure's typed error (the standard one rethrows `any Error`).
    func withRawBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { buffer in Result { () throws(E) -> R in try body(buffer) } }
        return try result.get()
    }
}
