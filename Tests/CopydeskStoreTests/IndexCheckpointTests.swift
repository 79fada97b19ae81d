import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Testing

/// The index checkpoint round-trips, and every kind of damage is refused with a reason (never half-loaded).
@Suite struct IndexCheckpointTests {
    /// A dedup memory of `count` small documents, decided as the daemon decides them.
    static func memory(_ count: Int) -> DedupMemory {
        var memory = DedupMemory()
        for n in 0..<count {
            let text = "Document \(n) says w\(n) w\(n * 7) w\(n * 13) and w\(n * 31) about w\(n % 97)."
            let bytes = Array(text.utf8)
            let article = Article(headline: "Headline \(n)", paragraphs: [text])
            let arrival = Arrival(
                file: "\(n).txt", channel: nil, claim: "c\(n)",
                receivedAt: Timestamp(microseconds: 1_767_225_600_000_000 + Int64(n) * 1_000_000),
                size: Int64(bytes.count), sha256: SHA256.hash(bytes))
            _ = memory.decide(
                bytes, arrival: arrival, prepared: .success(PreparedDocument(format: "text", charset: "utf-8", article: article)),
                sequence: UInt64(n + 1), rejectedAs: "x")
        }
        return memory
    }

    static func sample(entries: Int = 1000, claims: [IndexCheckpoint.PendingClaim]? = nil) -> IndexCheckpoint {
        IndexCheckpoint(
            lastSequence: UInt64(entries + 7), chainHash: SHA256.hash(Array("chain".utf8)),
            counts: .init(stored: entries, duplicates: 5, rejected: 2),
            lastArrival: Timestamp(microseconds: 1_767_225_600_123_456), dedup: memory(entries),
            pendingClaims: claims ?? [
                .init(claim: "0000000000000abc_xinhua_dépêche 1.txt", sequence: 3),
                .init(claim: "0000000000000abd__b.txt", sequence: UInt64(entries + 7)),
            ],
            createdAt: Timestamp(microseconds: 1_767_225_700_000_000)
        )
    }

    /// Writes `checkpoint`, lets `damage` change the file's bytes, and reads it back.
    static func roundTrip(
        _ checkpoint: IndexCheckpoint, damage: (inout [UInt8]) -> Void = { _ in }
    ) throws -> Result<IndexCheckpoint, IndexCheckpointError> {
        try TemporaryDirectory.with(prefix: "copydesk-ckpt") { directory in
            try IndexCheckpointFile.write(checkpoint, directory: directory.path)
            let path = IndexCheckpointFile.path(in: directory.path)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            damage(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return Result { () throws(IndexCheckpointError) -> IndexCheckpoint in
                try IndexCheckpointFile.read(directory: directory.path)
            }
        }
    }

    /// Sets a header field and recomputes the header's CRC, so only the field's meaning is wrong.
    static func rewriteHeader(_ bytes: inout [UInt8], at offset: Int, _ value: [UInt8]) {
        bytes.replaceSubrange(offset..<offset + value.count, with: value)
        let crc = CRC32C.checksum(Array(bytes[0..<124]))
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(124..<128, with: $0) }
    }

    @Test func roundTripsEverything() throws {
        let written = Self.sample()
        let read = try Self.roundTrip(written).get()
        #expect(read.lastSequence == written.lastSequence)
        #expect(read.chainHash == written.chainHash)
        #expect(read.counts == written.counts)
        #expect(read.lastArrival == written.lastArrival)
        #expect(read.createdAt == written.createdAt)
        #expect(read.pendingClaims == written.pendingClaims)
        #expect(read.dedup.encoded() == written.dedup.encoded())
        #expect(read.dedup.exact.count == 1000)
        for n in [0, 1, 499, 999] {
            #expect(read.dedup.exact.lookup(SHA256.hash(Array("Document \(n) says w\(n) w\(n * 7) w\(n * 13) and w\(n * 31) about w\(n % 97).".utf8))) == UInt64(n + 1))
        }
    }

    @Test func roundTripsAnEmptyIndexWithoutArrival() throws {
        var empty = Self.sample(entries: 0, claims: [])
        empty.lastArrival = nil
        empty.lastSequence = 0
        empty.chainHash = .zero
        let read = try Self.roundTrip(empty).get()
        #expect(read.dedup.exact.count == 0)
        #expect(read.lastArrival == nil)
        #expect(read.pendingClaims.isEmpty)
        #expect(read.lastSequence == 0)
    }

    /// Larger than one 1 MiB piece, so the streamed writer and reader meet across pieces.
    @Test func roundTripsAcrossChunks() throws {
        let written = Self.sample(entries: 3000)
        let encoded = written.dedup.encoded()
        #expect(encoded.count > 1 << 20)
        let read = try Self.roundTrip(written).get()
        #expect(read.dedup.encoded() == encoded)
        #expect(read.pendingClaims == written.pendingClaims)
    }

    /// A memory made under other `[dedup]` settings is refused: the daemon rebuilds rather than mix decisions.
    @Test func otherDedupSettingsAreRefused() throws {
        _ = try TemporaryDirectory.with(prefix: "copydesk-ckpt") { directory in
            try IndexCheckpointFile.write(Self.sample(entries: 10), directory: directory.path)
            #expect {
                try IndexCheckpointFile.read(directory: directory.path, dedupSettings: DedupSettings(threshold: 0.9))
            } throws: { error in
                if case .malformed(let what) = error as? IndexCheckpointError { return what.contains("settings") }
                return false
            }
        }
    }

    @Test func aMissingCheckpointIsMissing() throws {
        _ = try TemporaryDirectory.with(prefix: "copydesk-ckpt") { directory in
            #expect(throws: IndexCheckpointError.missing) { try IndexCheckpointFile.read(directory: directory.path) }
        }
    }

    @Test func writingReplacesAtomicallyAndLeavesNoTemporaryFile() throws {
        _ = try TemporaryDirectory.with(prefix: "copydesk-ckpt") { directory in
            try IndexCheckpointFile.write(Self.sample(entries: 10), directory: directory.path)
            try IndexCheckpointFile.write(Self.sample(entries: 20), directory: directory.path)
            #expect(try IndexCheckpointFile.read(directory: directory.path).dedup.exact.count == 20)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [IndexCheckpointFile.fileName])
            try IndexCheckpointFile.remove(directory: directory.path)
            #expect(throws: IndexCheckpointError.missing) { try IndexCheckpointFile.read(directory: directory.path) }
        }
    }

    @Test(arguments: [128, 140, 128 + 20 * 500, -1])
    func aFlippedBodyBitIsABodyChecksumMismatch(_ offset: Int) throws {
        let result = try Self.roundTrip(Self.sample()) { bytes in
            bytes[offset < 0 ? bytes.count - 1 : offset] ^= 0x10
        }
        #expect(throws: IndexCheckpointError.bodyChecksum) { try result.get() }
    }

    @Test(arguments: [16, 30, 60, 100, 120])
    func aFlippedHeaderBitIsAHeaderChecksumMismatch(_ offset: Int) throws {
        let result = try Self.roundTrip(Self.sample()) { $0[offset] ^= 0x01 }
        #expect(throws: IndexCheckpointError.headerChecksum) { try result.get() }
    }

    @Test func anotherFormatVersionIsRefused() throws {
        for version: UInt8 in [1, 3] {
            let result = try Self.roundTrip(Self.sample()) { Self.rewriteHeader(&$0, at: 8, [version, 0]) }
            #expect(throws: IndexCheckpointError.unsupportedVersion(UInt16(version))) { try result.get() }
        }
    }

    @Test func unknownFlagsAreRefused() throws {
        let result = try Self.roundTrip(Self.sample()) { Self.rewriteHeader(&$0, at: 12, [0, 0, 0, 0x80]) }
        #expect(throws: IndexCheckpointError.unknownFlags(0x8000_0000)) { try result.get() }
    }

    @Test func anotherFileIsNotACheckpoint() throws {
        let result = try Self.roundTrip(Self.sample()) { $0.replaceSubrange(0..<8, with: Array("CDJRNL\0\0".utf8)) }
        #expect(throws: IndexCheckpointError.badMagic) { try result.get() }
    }

    @Test(arguments: [0, 64, 127, 128 + 20 * 999 + 3])
    func aTruncatedFileIsRefused(_ length: Int) throws {
        let result = try Self.roundTrip(Self.sample()) { $0.removeSubrange(length...) }
        #expect {
            try result.get()
        } throws: { error in
            switch error as? IndexCheckpointError {
            case .truncated, .malformed: true
            default: false
            }
        }
    }

    /// A dedup length longer than the body cannot be right: refused even with good CRCs.
    @Test func aDedupLengthPastTheBodyIsMalformed() throws {
        let result = try Self.roundTrip(Self.sample()) { bytes in
            Self.rewriteHeader(&bytes, at: 88, withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Array($0) })
        }
        #expect {
            try result.get()
        } throws: { error in
            if case .malformed = error as? IndexCheckpointError { return true }
            return false
        }
    }
}
