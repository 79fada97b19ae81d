import CopydeskCore
import SystemPackage

/// The derived state the daemon rebuilds from the journal on start (counts, the dedup memory, last arrival), as it
/// stood after record ``lastSequence``, so a restart reads only the records after it.
///
/// It is a cache, never the truth: a checkpoint that is missing, damaged, of another format version, or that does
/// not match the journal (see ``chainHash``) is ignored and the state rebuilt from the journal alone.
public struct IndexCheckpoint: Sendable {
    /// The last record the checkpoint covers (0: none).
    public var lastSequence: UInt64
    /// SHA-256 of record ``lastSequence``'s payload, i.e. the `previousHash` of the record after it. Matching it
    /// against the journal proves the checkpoint describes this journal's prefix, not another one's.
    public var chainHash: Digest
    public var counts: StatusSnapshot.Counts
    public var lastArrival: Timestamp?
    /// The dedup memory (exact and normalized digests, near-duplicate index, version keys, open stories).
    public var dedup: DedupMemory
    /// Records up to ``lastSequence`` whose files may still be in `work/` (their acknowledgement had not finished
    /// when the checkpoint was taken): a restart finishes those files as their records say, without reading older
    /// records to find them.
    public var pendingClaims: [PendingClaim]
    /// When it was written (informative).
    public var createdAt: Timestamp

    public init(
        lastSequence: UInt64, chainHash: Digest, counts: StatusSnapshot.Counts, lastArrival: Timestamp?,
        dedup: DedupMemory, pendingClaims: [PendingClaim], createdAt: Timestamp
    ) {
        self.lastSequence = lastSequence
        self.chainHash = chainHash
        self.counts = counts
        self.lastArrival = lastArrival
        self.dedup = dedup
        self.pendingClaims = pendingClaims
        self.createdAt = createdAt
    }

    public struct PendingClaim: Sendable, Equatable, Hashable {
        public var claim: String
        public var sequence: UInt64

        public init(claim: String, sequence: UInt64) {
            self.claim = claim
            self.sequence = sequence
        }
    }
}

/// Why a checkpoint file was not used. Every case means "rebuild from the journal"; the text says why, for the log.
public enum IndexCheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing
    case truncated(size: Int64)
    case badMagic
    /// Another format version (older or newer): a stale format is rebuilt, not converted.
    case unsupportedVersion(UInt16)
    case unknownFlags(UInt32)
    case headerChecksum
    case bodyChecksum
    case malformed(String)
    case io(String, Errno)

    public var description: String {
        switch self {
        case .missing: "no checkpoint file"
        case .truncated(let size): "file of \(size) bytes is shorter than its header says"
        case .badMagic: "not an index checkpoint (bad magic)"
        case .unsupportedVersion(let version):
            "format version \(version), this daemon reads version \(IndexCheckpointFile.version)"
        case .unknownFlags(let flags): "unknown flags 0x\(String(flags, radix: 16))"
        case .headerChecksum: "header checksum mismatch"
        case .bodyChecksum: "body checksum mismatch"
        case .malformed(let what): "malformed: \(what)"
        case .io(let what, let errno): "\(what): \(errno)"
        }
    }
}

/// Reads and writes `index.cdx`, the index checkpoint, in the journal directory. Compact binary, little-endian:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 8 | magic `CDINDEX\0` |
/// | 8 | 2 | format version (2) |
/// | 10 | 2 | header size (128) |
/// | 12 | 4 | flags (none defined; any set bit makes this version refuse the file) |
/// | 16 | 8 | last sequence covered |
/// | 24 | 32 | chain hash after it (SHA-256 of that record's payload; zeros for 0) |
/// | 56 | 8 × 3 | counts: stored, duplicates, rejected |
/// | 80 | 8 | last arrival, µs since the epoch (`Int64.min`: none) |
/// | 88 | 8 | dedup memory bytes *D* |
/// | 96 | 8 | pending claims *P* |
/// | 104 | 8 | body length in bytes |
/// | 112 | 4 | CRC32C of the body |
/// | 116 | 8 | written at, µs since the epoch |
/// | 124 | 4 | CRC32C of bytes 0..<124 |
///
/// The body follows: the *D* bytes of the dedup memory (`DedupMemory.encode`; version 1 held only the exact index,
/// as 40-byte entries, and is refused and rebuilt), then *P* claims (u64 sequence, u16 length, that many bytes of
/// UTF-8 claim name). The memory is streamed both ways in 1 MiB pieces: at a million documents it is ~150–200 MB,
/// which must not be held twice (once encoded, once decoded) under the daemon's memory budget.
///
/// Written atomically: `index.cdx.tmp`, `fsync`, `rename`, `fsync` of the directory. Any change of layout bumps the
/// version; readers of another version ignore the file (the daemon then rebuilds and writes its own version).
public enum IndexCheckpointFile {
    public static let fileName = "index.cdx"
    public static let version: UInt16 = 2
    static let magic = Array("CDINDEX\0".utf8)
    static let headerSize = 128
    private static let chunk = 1 << 20

    public static func path(in directory: String) -> String { directory + "/" + fileName }

    /// Writes the checkpoint for `checkpoint` atomically, replacing any older one. Returns the bytes written.
    @discardableResult
    public static func write(_ checkpoint: IndexCheckpoint, directory: String) throws(IndexCheckpointError) -> Int {
        let target = path(in: directory)
        let temporary = target + ".tmp"
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.typed {
                try FileDescriptor.open(
                    temporary, .writeOnly, options: [.create, .truncate, .closeOnExec],
                    permissions: [.ownerReadWrite, .groupRead]
                )
            }
        } catch {
            throw .io("cannot create \(temporary)", error)
        }
        var closed = false
        defer { if !closed { try? fd.close() } }
        do throws(Errno) {
            var offset = Int64(headerSize)
            var crc: UInt32 = 0
            var buffer: [UInt8] = []
            buffer.reserveCapacity(chunk + 512)
            func flush() throws(Errno) {
                guard !buffer.isEmpty else { return }
                crc = CRC32C.checksum(buffer, continuing: crc)
                _ = try FileDescriptor.typed { try fd.writeAll(toAbsoluteOffset: offset, buffer) }
                offset += Int64(buffer.count)
                buffer.removeAll(keepingCapacity: true)
            }
            var failure: Errno?
            var dedupBytes = 0
            checkpoint.dedup.encode { piece in
                guard failure == nil else { return }
                crc = CRC32C.checksum(piece, continuing: crc)
                do throws(Errno) {
                    _ = try FileDescriptor.typed { try fd.writeAll(toAbsoluteOffset: offset, piece) }
                } catch {
                    failure = error
                }
                offset += Int64(piece.count)
                dedupBytes += piece.count
            }
            if let failure { throw failure }
            for pending in checkpoint.pendingClaims {
                let name = Array(pending.claim.utf8.prefix(Int(UInt16.max)))
                buffer.appendLE(pending.sequence)
                buffer.appendLE(UInt16(name.count))
                buffer.append(contentsOf: name)
                if buffer.count >= chunk { try flush() }
            }
            try flush()
            let bodyLength = offset - Int64(headerSize)
            let header = encodeHeader(
                checkpoint, dedupBytes: dedupBytes, bodyLength: UInt64(bodyLength), bodyCRC: crc)
            _ = try FileDescriptor.typed { try fd.writeAll(toAbsoluteOffset: 0, header) }
            try Syscall.fsync(fd)
            closed = true
            try FileDescriptor.typed { try fd.close() }
            try Syscall.rename(temporary, target)
            try SegmentIO.syncDirectory(directory)
            return Int(offset)
        } catch {
            try? Syscall.unlink(temporary)
            throw .io("cannot write \(target)", error)
        }
    }

    /// Reads and checks the checkpoint in `directory`: magic, version, flags, both checksums, the layout, and that
    /// its dedup memory was made under `dedupSettings`. Whether it matches the journal is the caller's check
    /// (``IndexCheckpoint/chainHash``).
    public static func read(
        directory: String, dedupSettings: DedupSettings = DedupSettings()
    ) throws(IndexCheckpointError) -> IndexCheckpoint {
        let target = path(in: directory)
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.typed { try FileDescriptor.open(target, .readOnly, options: [.closeOnExec]) }
        } catch .noSuchFileOrDirectory {
            throw .missing
        } catch {
            throw .io("cannot open \(target)", error)
        }
        defer { try? fd.close() }
        let size: Int64
        do {
            size = try fd.stat().size
        } catch {
            throw .io("cannot stat \(target)", error)
        }
        guard size >= Int64(headerSize) else { throw .truncated(size: size) }
        let header = try readExactly(fd, at: 0, count: headerSize, path: target)
        var checkpoint = try header.withUnsafeBytes { raw in
            Result { () throws(IndexCheckpointError) -> IndexCheckpoint in try decodeHeader(raw) }
        }.get()
        let (dedupBytes, claims, bodyLength, bodyCRC) = header.withUnsafeBytes { raw in
            (
                raw.loadLE(at: 88, as: UInt64.self), raw.loadLE(at: 96, as: UInt64.self),
                raw.loadLE(at: 104, as: UInt64.self), raw.loadLE(at: 112, as: UInt32.self)
            )
        }
        guard bodyLength <= UInt64(Int64.max) - UInt64(headerSize), size == Int64(headerSize) + Int64(bodyLength)
        else {
            throw size < Int64(headerSize) + Int64(clamping: bodyLength) ? .truncated(size: size) : .malformed(
                "file of \(size) bytes, header says \(UInt64(headerSize) + bodyLength)")
        }
        guard dedupBytes <= bodyLength, claims <= bodyLength else {
            throw .malformed("\(dedupBytes) dedup bytes and \(claims) claims do not fit in \(bodyLength) bytes")
        }

        var crc: UInt32 = 0
        var offset = Int64(headerSize)
        var readFailure: IndexCheckpointError?
        let end = offset + Int64(dedupBytes)
        let dedup: DedupMemory
        do {
            dedup = try DedupMemory(reading: Int(dedupBytes), from: {
                guard readFailure == nil, offset < end else { return nil }
                do throws(IndexCheckpointError) {
                    let piece = try readExactly(fd, at: offset, count: Int(min(Int64(chunk), end - offset)), path: target)
                    crc = CRC32C.checksum(piece, continuing: crc)
                    offset += Int64(piece.count)
                    return piece
                } catch {
                    readFailure = error
                    return nil
                }
            }, settings: dedupSettings)
        } catch {
            if let readFailure { throw readFailure }
            // Damage shows as a checksum mismatch when the rest of the body is read; anything else is the content.
            while offset < end, readFailure == nil {
                let piece = try readExactly(fd, at: offset, count: Int(min(Int64(chunk), end - offset)), path: target)
                crc = CRC32C.checksum(piece, continuing: crc)
                offset += Int64(piece.count)
            }
            let rest = try readExactly(fd, at: offset, count: Int(size - offset), path: target)
            crc = CRC32C.checksum(rest, continuing: crc)
            guard crc == bodyCRC else { throw .bodyChecksum }
            throw .malformed("dedup memory: \(error)")
        }
        if let readFailure { throw readFailure }
        let rest = try readExactly(fd, at: offset, count: Int(size - offset), path: target)
        crc = CRC32C.checksum(rest, continuing: crc)
        guard crc == bodyCRC else { throw .bodyChecksum }
        var pending: [IndexCheckpoint.PendingClaim] = []
        var position = 0
        for _ in 0..<claims {
            guard rest.count - position >= 10 else { throw .malformed("pending claims run past the end") }
            let (sequence, length) = rest.withUnsafeBytes { raw in
                (raw.loadLE(at: position, as: UInt64.self), Int(raw.loadLE(at: position + 8, as: UInt16.self)))
            }
            position += 10
            guard rest.count - position >= length else { throw .malformed("a pending claim runs past the end") }
            pending.append(.init(
                claim: String(decoding: rest[position..<position + length], as: UTF8.self), sequence: sequence
            ))
            position += length
        }
        guard position == rest.count else { throw .malformed("\(rest.count - position) bytes after the last claim") }
        checkpoint.dedup = dedup
        checkpoint.pendingClaims = pending
        return checkpoint
    }

    /// Removes the checkpoint (and a leftover temporary file); a missing one is fine.
    public static func remove(directory: String) throws(IndexCheckpointError) {
        for name in [path(in: directory), path(in: directory) + ".tmp"] {
            do {
                try Syscall.unlink(name)
            } catch .noSuchFileOrDirectory {
                continue
            } catch {
                throw .io("cannot remove \(name)", error)
            }
        }
    }

    // MARK: - Header

    static func encodeHeader(
        _ checkpoint: IndexCheckpoint, dedupBytes: Int, bodyLength: UInt64, bodyCRC: UInt32
    ) -> [UInt8] {
        var header: [UInt8] = []
        header.reserveCapacity(headerSize)
        header.append(contentsOf: magic)
        header.appendLE(version)
        header.appendLE(UInt16(headerSize))
        header.appendLE(UInt32(0))
        header.appendLE(checkpoint.lastSequence)
        header.append(contentsOf: checkpoint.chainHash.bytes)
        header.appendLE(UInt64(checkpoint.counts.stored))
        header.appendLE(UInt64(checkpoint.counts.duplicates))
        header.appendLE(UInt64(checkpoint.counts.rejected))
        header.appendLE(checkpoint.lastArrival?.microseconds ?? Int64.min)
        header.appendLE(UInt64(dedupBytes))
        header.appendLE(UInt64(checkpoint.pendingClaims.count))
        header.appendLE(bodyLength)
        header.appendLE(bodyCRC)
        header.appendLE(checkpoint.createdAt.microseconds)
        header.appendLE(CRC32C.checksum(header))
        precondition(header.count == headerSize)
        return header
    }

    /// Everything but the dedup memory and the claims, after checking magic, version, flags and the header's CRC.
    static func decodeHeader(_ raw: UnsafeRawBufferPointer) throws(IndexCheckpointError) -> IndexCheckpoint {
        guard raw.count >= headerSize else { throw .truncated(size: Int64(raw.count)) }
        guard Array(raw[0..<magic.count]) == magic else { throw .badMagic }
        let version = raw.loadLE(at: 8, as: UInt16.self)
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard raw.loadLE(at: 10, as: UInt16.self) == UInt16(headerSize) else {
            throw .malformed("header size \(raw.loadLE(at: 10, as: UInt16.self))")
        }
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<124])) == raw.loadLE(at: 124, as: UInt32.self)
        else { throw .headerChecksum }
        let flags = raw.loadLE(at: 12, as: UInt32.self)
        guard flags == 0 else { throw .unknownFlags(flags) }
        func count(at offset: Int) throws(IndexCheckpointError) -> Int {
            let value = raw.loadLE(at: offset, as: UInt64.self)
            guard value <= UInt64(Int.max) else { throw .malformed("a count of \(value)") }
            return Int(value)
        }
        let arrival = raw.loadLE(at: 80, as: Int64.self)
        return IndexCheckpoint(
            lastSequence: raw.loadLE(at: 16, as: UInt64.self),
            chainHash: Digest(bytes: Array(raw[24..<24 + Digest.byteCount]))!,
            counts: .init(stored: try count(at: 56), duplicates: try count(at: 64), rejected: try count(at: 72)),
            lastArrival: arrival == Int64.min ? nil : Timestamp(microseconds: arrival),
            dedup: DedupMemory(), pendingClaims: [],
            createdAt: Timestamp(microseconds: raw.loadLE(at: 116, as: Int64.self))
        )
    }

    // MARK: - Files

    private static func readExactly(
        _ fd: FileDescriptor, at offset: Int64, count: Int, path: String
    ) throws(IndexCheckpointError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try SegmentIO.read(fd, at: offset, count: count)
        } catch {
            throw .io("cannot read \(path)", error)
        }
        guard bytes.count == count else { throw .truncated(size: offset + Int64(bytes.count)) }
        return bytes
    }
}

// Little-endian fields, as CopydeskCore's own (internal) helpers for the journal's layouts.
extension Array where Element == UInt8 {
    fileprivate mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension UnsafeRawBufferPointer {
    /// The caller has checked that `offset + size` is in bounds; the precondition catches it if not.
    fileprivate func loadLE<T: FixedWidthInteger>(at offset: Int, as type: T.Type) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count, "read past the end of a buffer")
        return T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
