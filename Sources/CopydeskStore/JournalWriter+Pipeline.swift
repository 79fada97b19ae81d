import CopydeskCore
import Dispatch

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
        // Where each frame goes and where the segments roll over depend only on sizes, so they are laid out first;
        // the payloads are then written (on every core for a large batch) with a blank previous hash, and one pass in
        // order fills in the chain: each payload's hash is in the next one, so only that part is sequential.
        var layout = Layout(after: tail, segmentSize: segmentSize)
        for index in bodies.indices { layout.place(frameOf: payloadSizes[index]) }
        // Consumed, not copied: a second reference would make `removeAll` allocate a fresh buffer, and every page of
        // it would fault again.
        var bytes = consume buffer
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: repeatElement(0, count: layout.cursor))
        let firstSequence = tail.link.sequence + 1
        func time(_ index: Int) -> Timestamp { times.count == 1 ? times[0] : times[index] }
        let frames = layout.frames
        let sizes = payloadSizes
        bytes.withUnsafeMutableBytes { buffer in
            let target = UncheckedBuffer(bytes: buffer)
            let workers = bodies.count >= JournalWriter.parallelFillThreshold ? JournalWriter.processorCount : 1
            let fill: @Sendable (Int) -> Void = { worker in
                var scratch: [UInt8] = []
                for index in (bodies.count * worker / workers)..<(bodies.count * (worker + 1) / workers) {
                    let record = JournalRecord(
                        sequence: firstSequence + UInt64(index), recordedAt: times.count == 1 ? times[0] : times[index],
                        previousHash: .zero,
                        body: bodies[index]
                    )
                    scratch.removeAll(keepingCapacity: true)
                    RecordCodec.appendPayload(of: record, metadata: metadata[index], to: &scratch)
                    precondition(scratch.count == sizes[index], "payload size differs from the size announced")
                    scratch.withUnsafeBytes {
                        target.bytes.baseAddress!.advanced(by: frames[index] + Frame.headerSize)
                            .copyMemory(from: $0.baseAddress!, byteCount: $0.count)
                    }
                }
            }
            if workers == 1 { fill(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: fill) }
        }
        var records: [JournalRecord] = []
        records.reserveCapacity(bodies.count)
        var rollovers: [EncodedBatch.Rollover] = []
        bytes.withUnsafeMutableBytes { buffer in
            var cuts = layout.cuts.makeIterator()
            var nextCut = cuts.next()
            for index in bodies.indices {
                let sequence = firstSequence + UInt64(index)
                if let cut = nextCut, cut.before == index {
                    // Sealed in the same write and fdatasync as its last frames, before the next segment exists.
                    if let trailerAt = cut.trailerAt {
                        let trailer = SegmentTrailer(
                            recordCount: cut.recordCount, firstSequence: cut.firstSequence,
                            lastSequence: tail.link.sequence, lastRecordedAt: tail.lastRecordedAt, offset: cut.offset,
                            chainHash: tail.link.hash
                        )
                        let encoded = trailer.encoded()
                        encoded.withUnsafeBytes {
                            buffer.baseAddress!.advanced(by: trailerAt).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
                        }
                    }
                    rollovers.append(.init(
                        end: cut.end, count: cut.partCount, firstSequence: sequence, chainHash: tail.link.hash
                    ))
                    nextCut = cuts.next()
                }
                let payloadStart = layout.frames[index] + Frame.headerSize
                tail.link.hash.bytes.withUnsafeBytes {
                    buffer.baseAddress!.advanced(by: payloadStart + RecordCodec.previousHashOffset)
                        .copyMemory(from: $0.baseAddress!, byteCount: Digest.byteCount)
                }
                let payload = Frame.writeHeader(payloadSize: payloadSizes[index], at: layout.frames[index], in: buffer)
                let record = JournalRecord(
                    sequence: sequence, recordedAt: time(index), previousHash: tail.link.hash, body: bodies[index]
                )
                tail.link = ChainLink(
                    sequence: sequence, hash: ChainLink.hash(ofPayload: UnsafeRawBufferPointer(rebasing: buffer[payload]))
                )
                tail.lastRecordedAt = record.recordedAt
                records.append(record)
            }
        }
        tail.segmentFirstSequence = layout.segmentFirstSequence
        tail.segmentSize = layout.segmentSize + Int64(layout.cursor - layout.partStart)
        tail.segmentRecords = layout.segmentRecords + layout.partCount
        tail.sealable = layout.sealable
        return EncodedBatch(
            start: start, end: tail, records: records, bytes: bytes, rollovers: rollovers, lastPartCount: layout.partCount
        )
    }

    /// Where a batch's frames and trailers go: a frame that would not fit (with the trailer a sealable segment
    /// keeps room for) closes the segment, unless the segment has no record yet.
    struct Layout {
        /// Where each frame starts in the batch's bytes.
        var frames: [Int] = []
        var cuts: [Cut] = []
        /// The end of the bytes laid out so far.
        var cursor = 0
        /// Where the bytes of the segment being filled start, and how many of the batch's frames it has.
        var partStart = 0
        var partCount: UInt64 = 0
        var segmentFirstSequence: UInt64
        var segmentSize: Int64
        var segmentRecords: UInt64
        var sealable: Bool
        let nextSequence: UInt64
        let limit: Int64

        /// A segment closed before frame `before`: its trailer (if sealable) goes at `trailerAt`, and the part of
        /// the batch that fills it ends at `end`.
        struct Cut {
            var before: Int
            var trailerAt: Int?
            var end: Int
            var partCount: UInt64
            var recordCount: UInt64
            var firstSequence: UInt64
            /// The trailer's offset in its segment.
            var offset: Int64
        }

        init(after tail: JournalTail, segmentSize: Int) {
            segmentFirstSequence = tail.segmentFirstSequence
            self.segmentSize = tail.segmentSize
            segmentRecords = tail.segmentRecords
            sealable = tail.sealable
            nextSequence = tail.link.sequence + 1
            limit = Int64(segmentSize)
        }

        mutating func place(frameOf payloadSize: Int) {
            let frameSize = Int64(Frame.headerSize + payloadSize)
            let filled = segmentSize + Int64(cursor - partStart)
            let reserve = Int64(sealable ? SegmentTrailer.size : 0)
            if filled + frameSize + reserve > limit && segmentRecords + partCount > 0 {
                let trailerAt = sealable ? cursor : nil
                if sealable { cursor += SegmentTrailer.size }
                cuts.append(Cut(
                    before: frames.count, trailerAt: trailerAt, end: cursor, partCount: partCount,
                    recordCount: segmentRecords + partCount, firstSequence: segmentFirstSequence, offset: filled
                ))
                partStart = cursor
                partCount = 0
                segmentFirstSequence = nextSequence + UInt64(frames.count)
                segmentSize = Int64(SegmentHeader.size)
                segmentRecords = 0
                sealable = JournalEncoder.newSegmentsAreSealable
            }
            frames.append(cursor)
            cursor += Int(frameSize)
            partCount += 1
        }
    }

    static let newSegmentsAreSealable = SegmentHeader(firstSequence: 1, chainHash: .zero).isSealable
}

/// The batch's byte buffer for the workers that fill it: each writes only its own frames' payloads, and the
/// buffer outlives them (``DispatchQueue/concurrentPerform`` returns after the last).
private struct UncheckedBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
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
