import CopydeskCore

/// Where the journal ends: the chain, and how full the segment being appended to is. A batch is encoded after one
/// tail and ends at another, and ``JournalWriter/commit(_:)`` writes it only if it starts where the journal ends,
/// so a batch encoded after one that failed never reaches the disk.
public struct JournalTail: Sendable, Equatable {
    /// The last record: the next one gets `link.sequence + 1` and links to `link.hash`.
    public var link: ChainLink
    /// When the last record was written: a trailer carries it.
    var lastRecordedAt: Timestamp
    var segmentFirstSequence: UInt64
    /// Bytes in the segment being appended to (header included): where the next frame goes.
    var segmentSize: Int64
    var segmentRecords: UInt64
    var sealable: Bool
}

/// A batch encoded, checksummed and chained, ready for ``JournalWriter/commit(_:)``: the CPU half of an append,
/// which may run on another thread while the batch before it is on the disk. ``JournalWriter/append(_:recordedAt:)``
/// is the two halves in turn.
public struct EncodedBatch: Sendable {
    /// The tail it was encoded after, and the one it leaves once committed.
    public let start: JournalTail
    public let end: JournalTail
    /// The records as they will be written.
    public let records: [JournalRecord]
    /// Every frame, and each sealed segment's trailer, in the order they go to the disk.
    var bytes: [UInt8]
    /// Where the bytes cross into a new segment: the part before `end` fills (and seals) the segment, the rest goes
    /// into one that starts at `firstSequence`, linked to `chainHash`.
    var rollovers: [Rollover]
    /// Records in the bytes after the last rollover.
    var lastPartCount: UInt64

    struct Rollover: Sendable {
        var end: Int
        var count: UInt64
        var firstSequence: UInt64
        var chainHash: Digest
    }

    /// The byte buffer, emptied but keeping its capacity, for the next ``JournalEncoder/encode(_:recordedAt:after:reusing:)``:
    /// a fresh one costs a page fault per 4 KiB. Call once the batch is committed (or dropped).
    public mutating func takeBuffer() -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &bytes)
        if buffer.capacity > JournalWriter.scratchLimit { return [] }
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }
}

/// Encodes batches for one writer. A value holding nothing of the writer's, so one thread can encode batch N+1
/// while the writer's own thread commits batch N (``JournalWriter/encoder``).
public struct JournalEncoder: Sendable {
    let segmentSize: Int

    /// Encodes `bodies` as the records that follow `tail` (the writer's ``JournalWriter/tail``, or the previous
    /// batch's `end` while that one is still being committed), rolling over to a new segment where ``JournalWriter``
    /// would. Throws `.invalidRecord` for a record that cannot be written; nothing is touched on disk.
    public func encode(
        _ bodies: [RecordBody], recordedAt: Timestamp, after tail: JournalTail, reusing buffer: consuming [UInt8] = []
    ) throws(JournalError) -> EncodedBatch {
        try encode(bodies, times: [recordedAt], after: tail, reusing: consume buffer)
    }

    /// `times` holds one time for the whole batch or one per body (`copydesk import` keeps the exported times).
    func encode(
        _ bodies: [RecordBody], times: [Timestamp], after tail: JournalTail, reusing buffer: consuming [UInt8]
    ) throws(JournalError) -> EncodedBatch {
        let start = tail
        var tail = tail
        let metadata = try JournalWriter.encodeMetadata(bodies, firstSequence: tail.link.sequence + 1)
        var payloadSizes: [Int] = []
        payloadSizes.reserveCapacity(bodies.count)
        for index in bodies.indices {
            payloadSizes.append(RecordCodec.payloadSize(of: bodies[index], metadata: metadata[index]))
        }
        if let index = payloadSizes.firstIndex(where: { $0 > Frame.maxPayloadLength }) {
            throw JournalError(
                code: .invalidRecord,
                message: "record of \(payloadSizes[index]) bytes exceeds the maximum frame size",
                sequence: tail.link.sequence + UInt64(index) + 1
            )
        }
        // Consumed, not copied: a second reference would make `removeAll` allocate a fresh buffer, and every page of
        // it would fault again.
        var bytes = consume buffer
        bytes.removeAll(keepingCapacity: true)
        // Sized once: a buffer that grows as it goes is reallocated and copied several times per batch.
        let frames = payloadSizes.reduce(0) { $0 + Frame.headerSize + $1 }
        bytes.reserveCapacity(frames + SegmentTrailer.size * (1 + frames / max(1, segmentSize)))
        var records: [JournalRecord] = []
        records.reserveCapacity(bodies.count)
        var rollovers: [EncodedBatch.Rollover] = []
        // The bytes of the segment being filled start here in `bytes`.
        var partStart = 0
        var partCount: UInt64 = 0
        for index in bodies.indices {
            let record = JournalRecord(
                sequence: tail.link.sequence + 1, recordedAt: times.count == 1 ? times[0] : times[index],
                previousHash: tail.link.hash,
                body: bodies[index]
            )
            let payloadSize = payloadSizes[index]
            let frameSize = Int64(Frame.headerSize + payloadSize)
            let filled = tail.segmentSize + Int64(bytes.count - partStart)
            let reserve = Int64(tail.sealable ? SegmentTrailer.size : 0)
            // Sealed in the same write and fdatasync as its last frames, before the next segment exists.
            if filled + frameSize + reserve > Int64(segmentSize) && tail.segmentRecords + partCount > 0 {
                if tail.sealable {
                    let trailer = SegmentTrailer(
                        recordCount: tail.segmentRecords + partCount, firstSequence: tail.segmentFirstSequence,
                        lastSequence: tail.link.sequence, lastRecordedAt: tail.lastRecordedAt, offset: filled,
                        chainHash: tail.link.hash
                    )
                    bytes.append(contentsOf: trailer.encoded())
                }
                rollovers.append(.init(
                    end: bytes.count, count: partCount, firstSequence: record.sequence, chainHash: tail.link.hash
                ))
                partStart = bytes.count
                partCount = 0
                tail.segmentFirstSequence = record.sequence
                tail.segmentSize = Int64(SegmentHeader.size)
                tail.segmentRecords = 0
                tail.sealable = Self.newSegmentsAreSealable
            }
            let payload = Frame.append(payloadSize: payloadSize, to: &bytes) { buffer in
                RecordCodec.appendPayload(of: record, metadata: metadata[index], to: &buffer)
            }
            let hash = bytes.withUnsafeBytes {
                ChainLink.hash(ofPayload: UnsafeRawBufferPointer(rebasing: $0[payload]))
            }
            tail.link = ChainLink(sequence: record.sequence, hash: hash)
            tail.lastRecordedAt = record.recordedAt
            records.append(record)
            partCount += 1
        }
        tail.segmentSize += Int64(bytes.count - partStart)
        tail.segmentRecords += partCount
        return EncodedBatch(
            start: start, end: tail, records: records, bytes: bytes, rollovers: rollovers, lastPartCount: partCount
        )
    }

    static let newSegmentsAreSealable = SegmentHeader(firstSequence: 1, chainHash: .zero).isSealable
}

extension JournalWriter {
    /// Where the journal ends now: what the next batch is encoded after when no other batch is in flight.
    public var tail: JournalTail {
        JournalTail(
            link: link, lastRecordedAt: lastRecordedAt, segmentFirstSequence: segment?.firstSequence ?? 0,
            segmentSize: segment?.size ?? 0, segmentRecords: segment?.recordCount ?? 0,
            sealable: segment?.sealable ?? false
        )
    }

    /// Encodes batches for this writer on any thread (``commit(_:)`` then writes them on the writer's).
    public var encoder: JournalEncoder { JournalEncoder(segmentSize: options.segmentSize) }

    /// The disk half of an append: writes an encoded batch, then ONE fdatasync (two and a directory fsync at a
    /// rollover, as ``append(_:recordedAt:)``), and returns its records, durable.
    ///
    /// Together with ``JournalEncoder/encode(_:recordedAt:after:reusing:)`` this lets a caller keep two batches in
    /// flight: batch N+1 is encoded after batch N's `end` while N is committed here. Batches must be committed in
    /// the order they were encoded. If a commit fails, its bytes are removed again and the journal ends where it
    /// did before (as with `append`); every batch encoded after it then starts past the journal's end and is
    /// refused here without a byte written: encode them again after ``tail``.
    public func commit(_ batch: EncodedBatch) throws(JournalError) -> [JournalRecord] {
        if let broken { throw broken }
        guard var current = segment else {
            throw JournalError(code: .io, path: directory, message: "the journal writer is closed")
        }
        guard batch.start == tail else {
            throw JournalError(
                code: .io, path: directory,
                message: "a batch encoded after record \(batch.start.link.sequence) is not written: the journal ends "
                    + "at record \(link.sequence) (an earlier batch failed)"
            )
        }
        guard !batch.records.isEmpty else { return [] }
        let original = current
        var created: [OpenSegment] = []
        do throws(JournalError) {
            var offset = 0
            for rollover in batch.rollovers {
                try write(batch.bytes[offset..<rollover.end], count: rollover.count, to: &current)
                offset = rollover.end
                let fresh = try Self.createSegment(
                    directory: directory, firstSequence: rollover.firstSequence, chainHash: rollover.chainHash
                )
                created.append(fresh)
                current = fresh
            }
            try write(batch.bytes[offset...], count: batch.lastPartCount, to: &current)
        } catch {
            rollBack(to: original, removing: created, after: error)
            throw error
        }
        for old in [original] + created.dropLast() where old.path != current.path {
            try? old.fd.close()
        }
        segment = current
        link = batch.end.link
        lastRecordedAt = batch.end.lastRecordedAt
        assert(tail == batch.end, "the encoder's idea of the segment and the writer's agree")
        return batch.records
    }
}
