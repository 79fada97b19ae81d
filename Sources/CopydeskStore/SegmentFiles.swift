import CopydeskCore
import SystemPackage

/// A segment file in the journal directory, known by the first sequence number its name carries.
struct SegmentFile: Sendable, Equatable {
    var firstSequence: UInt64
    var path: String

    /// The segments in `directory`, oldest first. Other files (the lock, `*.tmp`, anything a person left) are ignored.
    static func list(in directory: String) throws(JournalError) -> [SegmentFile] {
        let names: [String]
        do {
            names = try Syscall.listDirectory(directory)
        } catch {
            throw .io("cannot list the journal directory", path: directory, error)
        }
        return names.compactMap { name in
            SegmentHeader.firstSequence(fileName: name).map {
                SegmentFile(firstSequence: $0, path: directory + "/" + name)
            }
        }
        .sorted { $0.firstSequence < $1.firstSequence }
    }
}

/// Reads a file through a buffer of about a megabyte, so walking frames costs neither a system call per frame nor
/// the whole file in memory. Sees the file as it was `size` bytes long: bytes appended later are not read.
struct FileWindow {
    let fd: FileDescriptor
    let path: String
    let size: Int64
    private var base: Int64 = 0
    private var buffer: [UInt8] = []
    /// How much to read at once: a megabyte for walks; 0 (just what is asked) for a header or a trailer, so that
    /// checking every segment's ends does not read a megabyte of each.
    private let chunk: Int

    init(fd: FileDescriptor, path: String, size: Int64, readAhead: Int = 1 << 20) {
        self.fd = fd
        self.path = path
        self.size = size
        chunk = readAhead
    }

    /// Opens a window over the file's current size.
    init(fd: FileDescriptor, path: String, readAhead: Int = 1 << 20) throws(JournalError) {
        let size: Int64
        do {
            size = try fd.stat().size
        } catch {
            throw .io("cannot stat a journal segment", path: path, error)
        }
        self.init(fd: fd, path: path, size: size, readAhead: readAhead)
    }

    /// Passes `body` the `count` bytes at `offset`, or fewer when the file (as of `size`) ends first.
    mutating func withBytes<R>(
        at offset: Int64, count: Int, _ body: (UnsafeRawBufferPointer) -> R
    ) throws(JournalError) -> R {
        precondition(offset >= 0 && count >= 0)
        let wanted = Int(max(0, min(Int64(count), size - offset)))
        if offset < base || offset + Int64(wanted) > base + Int64(buffer.count) {
            try fill(at: offset, count: max(wanted, Int(min(Int64(chunk), size - offset))))
        }
        let start = Int(offset - base)
        return buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<start + wanted])) }
    }

    private mutating func fill(at offset: Int64, count: Int) throws(JournalError) {
        do {
            // Fewer bytes than asked: the file shrank under us, and what is missing reads as a torn tail.
            buffer = try SegmentIO.read(fd, at: offset, count: count)
        } catch {
            throw .io("cannot read a journal segment", path: path, error)
        }
        base = offset
    }
}

/// How a walk over a segment's frames ended.
enum WalkEnd: Equatable {
    /// Every byte up to the end of the file was a whole, intact frame.
    case endOfFile
    /// The frames end at `offset` with a trailer that decodes and ends the file (format 2). Whether its fields agree
    /// with the frames walked is the caller's to check.
    case sealed(offset: Int64, trailer: SegmentTrailer)
    /// The frame at `offset` is not whole, intact and in sequence.
    case stopped(offset: Int64, problem: FrameProblem)
}

/// Why a walk stopped at a frame.
enum FrameProblem: Error, Equatable, CustomStringConvertible {
    case frame(FrameError)
    case payload(RecordCodecError)
    case sequence(expected: UInt64, found: UInt64)
    /// Where a trailer starts (its magic), it does not decode or does not end the file.
    case trailer(SegmentTrailerError)

    var description: String {
        switch self {
        case .frame(let error): "\(error)"
        case .payload(let error): "record payload: \(error)"
        case .sequence(let expected, let found): "expected record \(expected), found record \(found)"
        case .trailer(let error): "\(error)"
        }
    }

    var cause: any Error & Sendable {
        switch self {
        case .frame(let error): error
        case .payload(let error): error
        case .sequence(let expected, let found): ChainError.sequenceGap(expected: expected, found: found)
        case .trailer(let error): error
        }
    }
}

enum FrameWalk {
    /// Walks frames from `start` to the end of the window's file, calling `visit` with each whole frame's offset and
    /// payload header, and stops at the first frame that is torn, damaged or out of sequence.
    ///
    /// With `verify`, each payload is read and its CRC32C checked (the writer's walk of the last segment, the
    /// reader's of a segment still being written). Without, only each frame's length and payload header are read
    /// (a frame is then whole if its length fits in the file); damage inside a payload shows when it is decoded.
    ///
    /// With `sealable` (a format-2 segment), a frame whose length field is the start of the trailer's magic ends the
    /// walk as ``WalkEnd/sealed(offset:trailer:)`` when a whole, intact trailer ends the file there, and as a
    /// `.trailer` problem otherwise.
    static func walk(
        _ window: inout FileWindow,
        from start: Int64,
        expectedSequence: UInt64,
        verify: Bool,
        sealable: Bool = false,
        visit: (Int64, RecordCodec.PayloadHeader) -> Void
    ) throws(JournalError) -> WalkEnd {
        var offset = start
        var expected = expectedSequence
        while offset < window.size {
            let header = try window.withBytes(at: offset, count: Frame.headerSize) {
                (bytes) -> Result<Frame.Header, FrameError> in
                Result { () throws(FrameError) -> Frame.Header in try Frame.decodeHeader(bytes, at: 0) }
            }
            let length: Int
            switch header {
            case .failure(let error):
                if sealable, case .corrupt(_, .lengthOutOfRange) = error, let end = try trailer(&window, at: offset) {
                    return end
                }
                return .stopped(offset: offset, problem: .frame(error.moved(to: offset)))
            case .success(let header): length = header.payloadLength
            }
            let frameSize = Frame.headerSize + length
            let available = window.size - offset
            guard available >= Int64(frameSize) else {
                let error = FrameError.torn(offset: Int(offset), needed: frameSize, available: Int(available))
                return .stopped(offset: offset, problem: .frame(error))
            }
            let readCount = verify ? frameSize : Frame.headerSize + min(length, RecordCodec.fixedHeaderSize)
            let decoded = try window.withBytes(at: offset, count: readCount) {
                (bytes) -> Result<RecordCodec.PayloadHeader, FrameProblem> in
                if verify {
                    do throws(FrameError) {
                        _ = try Frame.decode(bytes, at: 0)
                    } catch {
                        return .failure(.frame(error))
                    }
                }
                let payload = UnsafeRawBufferPointer(rebasing: bytes[Frame.headerSize...])
                do throws(RecordCodecError) {
                    return .success(try RecordCodec.PayloadHeader.decode(payload))
                } catch {
                    return .failure(.payload(error))
                }
            }
            switch decoded {
            case .failure(.frame(let error)):
                return .stopped(offset: offset, problem: .frame(error.moved(to: offset)))
            case .failure(let problem):
                return .stopped(offset: offset, problem: problem)
            case .success(let payloadHeader):
                guard payloadHeader.sequence == expected else {
                    return .stopped(
                        offset: offset, problem: .sequence(expected: expected, found: payloadHeader.sequence))
                }
                visit(offset, payloadHeader)
            }
            offset += Int64(frameSize)
            expected += 1
        }
        return .endOfFile
    }

    /// The end of a walk at a frame whose length field is impossible: a trailer if the magic is there, nil if not.
    static func trailer(_ window: inout FileWindow, at offset: Int64) throws(JournalError) -> WalkEnd? {
        let remaining = Int(min(Int64(SegmentTrailer.size + 1), window.size - offset))
        return try window.withBytes(at: offset, count: remaining) { (bytes) -> WalkEnd? in
            guard SegmentTrailer.startsWithMagic(bytes) else { return nil }
            do throws(SegmentTrailerError) {
                let trailer = try SegmentTrailer.decode(bytes)
                guard trailer.offset == offset else {
                    return .stopped(offset: offset, problem: .trailer(.inconsistent))
                }
                return .sealed(offset: offset, trailer: trailer)
            } catch {
                return .stopped(offset: offset, problem: .trailer(error))
            }
        }
    }

    /// Looks for an intact frame of a record later than `sequence` anywhere after the bad frame at `offset`.
    ///
    /// Finding one means the damage is in the middle of the journal, not a torn tail, and must not be cut off.
    /// Every byte offset is tried, because a damaged length field says nothing about where the next frame starts.
    /// (A raw document that itself contains such a frame could make a torn tail look like damage; then open fails
    /// rather than drops data.)
    static func findIntactFrame(
        _ window: inout FileWindow, after offset: Int64, laterThan sequence: UInt64
    ) throws(JournalError) -> (offset: Int64, sequence: UInt64)? {
        let start = offset + 1
        guard start < window.size else { return nil }
        let minimum = Frame.headerSize + RecordCodec.minimumPayloadSize
        return try window.withBytes(at: start, count: Int(window.size - start)) { bytes in
            var position = 0
            while bytes.count - position >= minimum {
                defer { position += 1 }
                guard bytes[position + Frame.headerSize] == RecordCodec.payloadVersion,
                    RecordKind(rawValue: bytes[position + Frame.headerSize + 1]) != nil
                else { continue }
                let length = Int(loadUInt32(bytes, at: position))
                guard length >= RecordCodec.minimumPayloadSize, length <= bytes.count - position - Frame.headerSize
                else { continue }
                let payload = UnsafeRawBufferPointer(
                    rebasing: bytes[position + Frame.headerSize..<position + Frame.headerSize + length]
                )
                guard let header = try? RecordCodec.PayloadHeader.decode(payload), header.sequence > sequence,
                    (try? Frame.decode(bytes, at: position)) != nil
                else { continue }
                return (start + Int64(position), header.sequence)
            }
            return nil
        }
    }

    private static func loadUInt32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension FrameError {
    /// The same error with the frame's offset in the file rather than in the buffer it was decoded from.
    func moved(to offset: Int64) -> FrameError {
        switch self {
        case .torn(_, let needed, let available): .torn(offset: Int(offset), needed: needed, available: available)
        case .corrupt(_, let reason): .corrupt(offset: Int(offset), reason: reason)
        }
    }
}

/// Small shared steps of opening and checking segment files.
enum SegmentIO {
    /// The `count` bytes at `offset`, or fewer when the file ends first (positional reads, retried until done).
    static func read(_ fd: FileDescriptor, at offset: Int64, count: Int) throws(Errno) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        var failure: Errno?
        bytes.withUnsafeMutableBytes { destination in
            while filled < count {
                do throws(Errno) {
                    let n = try FileDescriptor.typed {
                        try fd.read(
                            fromAbsoluteOffset: offset + Int64(filled),
                            into: UnsafeMutableRawBufferPointer(rebasing: destination[filled...])
                        )
                    }
                    if n == 0 { break }
                    filled += n
                } catch {
                    failure = error
                    break
                }
            }
        }
        if let failure { throw failure }
        bytes.removeLast(count - filled)
        return bytes
    }

    static func openReadOnly(_ path: String) throws(JournalError) -> FileDescriptor {
        do {
            return try FileDescriptor.typed { try FileDescriptor.open(path, .readOnly, options: [.closeOnExec]) }
        } catch {
            throw .io("cannot open a journal segment", path: path, error)
        }
    }

    static func openReadWrite(_ path: String) throws(JournalError) -> FileDescriptor {
        do {
            return try FileDescriptor.typed { try FileDescriptor.open(path, .readWrite, options: [.closeOnExec]) }
        } catch {
            throw .io("cannot open a journal segment", path: path, error)
        }
    }

    /// Decodes the header at the start of the window's file.
    static func readHeader(_ window: inout FileWindow) throws(JournalError) -> SegmentHeader {
        let path = window.path
        let decoded = try window.withBytes(at: 0, count: SegmentHeader.size) { bytes in
            Result { () throws(SegmentHeaderError) -> SegmentHeader in try SegmentHeader.decode(bytes) }
        }
        switch decoded {
        case .success(let header): return header
        case .failure(let error): throw .header(error, path: path)
        }
    }

    /// The header's first sequence must be the one the file name says.
    static func checkName(_ header: SegmentHeader, _ file: SegmentFile) throws(JournalError) {
        guard header.firstSequence == file.firstSequence else {
            throw .corrupt(
                "segment header says its first record is \(header.firstSequence), its name says \(file.firstSequence)",
                path: file.path, offset: 0, sequence: file.firstSequence
            )
        }
    }

    /// The trailer in the last ``SegmentTrailer/size`` bytes of the window's file, for a skip-check without walking
    /// the frames: it must decode, say it starts where it does, and start after the header.
    static func readTrailer(_ window: inout FileWindow) throws(JournalError) -> Result<
        SegmentTrailer, SegmentTrailerError
    > {
        let start = window.size - Int64(SegmentTrailer.size)
        guard start >= Int64(SegmentHeader.size) else {
            return .failure(.wrongSize(Int(max(0, window.size - Int64(SegmentHeader.size)))))
        }
        return try window.withBytes(at: start, count: SegmentTrailer.size) { bytes in
            do throws(SegmentTrailerError) {
                let trailer = try SegmentTrailer.decode(bytes)
                guard trailer.offset == start else { return .failure(.inconsistent) }
                return .success(trailer)
            } catch {
                return .failure(error)
            }
        }
    }

    /// SHA-256 of the payload of the whole frame at `offset` (already checked by a walk).
    static func payloadHash(_ window: inout FileWindow, frameAt offset: Int64) throws(JournalError) -> Digest {
        let length = try window.withBytes(at: offset, count: Frame.headerSize) { bytes in
            Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
        }
        return try window.withBytes(at: offset + Int64(Frame.headerSize), count: length) { payload in
            ChainLink.hash(ofPayload: payload)
        }
    }

    /// Decodes the whole frame in `bytes` (checksum, payload) and checks that it is record `sequence`.
    static func decodeRecord(
        _ bytes: UnsafeRawBufferPointer, path: String, offset: Int64, sequence: UInt64
    ) -> Result<JournalRecord, JournalError> {
        let frame: Frame.Decoded
        do throws(FrameError) {
            frame = try Frame.decode(bytes, at: 0)
        } catch {
            return .failure(
                .corrupt("\(error.moved(to: offset))", path: path, offset: offset, sequence: sequence, cause: error))
        }
        let record: JournalRecord
        do throws(RecordCodecError) {
            record = try RecordCodec.decode(UnsafeRawBufferPointer(rebasing: bytes[frame.payload]))
        } catch {
            return .failure(.payload(error, path: path, offset: offset, sequence: sequence))
        }
        guard record.sequence == sequence else {
            return .failure(
                .corrupt(
                    "expected record \(sequence), found record \(record.sequence)", path: path, offset: offset,
                    sequence: sequence
                )
            )
        }
        return .success(record)
    }

    static func syncDirectory(_ directory: String) throws(Errno) {
        let fd = try FileDescriptor.typed {
            try FileDescriptor.open(directory, .readOnly, options: [.directory, .closeOnExec])
        }
        defer { try? fd.close() }
        try Syscall.fsync(fd)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// Decoding every record of a segment that is not being written (retention's document hashes).
enum SegmentRecords {
    /// Calls `body` with each record of `file` and its frame's offset, in order, checking checksums, payloads and
    /// sequence numbers; stops at the trailer (format 2) or the end of the file. Throws `.corrupt` at the first bad
    /// frame.
    static func forEach(
        _ file: SegmentFile, _ body: (Int64, JournalRecord) throws(JournalError) -> Void
    ) throws(JournalError) {
        let fd = try SegmentIO.openReadOnly(file.path)
        defer { try? fd.close() }
        var window = try FileWindow(fd: fd, path: file.path)
        let header = try SegmentIO.readHeader(&window)
        var offset = Int64(SegmentHeader.size)
        var sequence = header.firstSequence
        while offset < window.size {
            let decoded = try window.withBytes(at: offset, count: Frame.headerSize) { bytes in
                Result { () throws(FrameError) -> Frame.Header in try Frame.decodeHeader(bytes, at: 0) }
            }
            let length: Int
            switch decoded {
            case .success(let frame): length = frame.payloadLength
            case .failure(let error):
                if header.isSealable, case .corrupt(_, .lengthOutOfRange) = error,
                    case .sealed = try FrameWalk.trailer(&window, at: offset)
                {
                    return
                }
                throw .corrupt(
                    "\(error.moved(to: offset))", path: file.path, offset: offset, sequence: sequence, cause: error)
            }
            let size = Frame.headerSize + length
            let (at, expected) = (offset, sequence)
            let record = try window.withBytes(at: offset, count: size) { bytes in
                SegmentIO.decodeRecord(bytes, path: file.path, offset: at, sequence: expected)
            }
            try body(offset, try record.get())
            offset += Int64(size)
            sequence += 1
        }
    }
}
