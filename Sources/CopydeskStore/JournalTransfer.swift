import CopydeskCore
import Logging
import SystemPackage

/// Which records `copydesk export` writes.
public struct ExportSelection: Sendable, Equatable {
    /// Only these sequence numbers (`--seq A-B`).
    public var sequences: ClosedRange<UInt64>?
    /// Only records written at or after this time (`--since`), by their `recordedAt`.
    public var since: Timestamp?
    /// Include each document's delivered bytes, base64 (`--raw`); needed to import documents again.
    public var includeRaw: Bool

    public init(sequences: ClosedRange<UInt64>? = nil, since: Timestamp? = nil, includeRaw: Bool = false) {
        self.sequences = sequences
        self.since = since
        self.includeRaw = includeRaw
    }
}

/// `copydesk export`: every selected record as one NDJSON line (``ExportedRecord``), oldest first.
public enum JournalExport {
    /// Writes the selected records of `reader`'s journal through `write`, one line per call; returns how many. A
    /// `--seq` range starts reading at its first record's segment.
    public static func export(
        from reader: JournalReader, selection: ExportSelection, write: ([UInt8]) throws -> Void
    ) throws -> UInt64 {
        var count: UInt64 = 0
        let first = selection.sequences?.lowerBound ?? 1
        do {
            try reader.forEach(from: first) { record in
                if let range = selection.sequences, record.sequence > range.upperBound { throw Stop() }
                if let since = selection.since, record.recordedAt < since { return }
                try write(try ExportedRecord(record, includeRaw: selection.includeRaw).line())
                count += 1
            }
        } catch is Stop {}
        return count
    }

    private struct Stop: Error {}
}

/// What `copydesk import` wrote.
public struct ImportReport: Codable, Sendable, Equatable {
    public var directory: String
    public var records: UInt64
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    public var documents: Int
    public var duplicates: Int
    public var rejected: Int
    /// Records whose recomputed `previousHash` is not the one the export carried. Zero when the export is unaltered
    /// and came from this format: the import then reproduces the exported journal's chain exactly.
    public var chainDifferences: UInt64
    /// The first such record.
    public var firstChainDifference: UInt64?

    public var text: String {
        guard let firstSequence, let lastSequence else { return "Imported nothing: the export holds no records." }
        var text =
            "Imported \(records) records (#\(firstSequence)–#\(lastSequence)): \(documents) documents, "
            + "\(duplicates) duplicates, \(rejected) rejected."
        if chainDifferences == 0 {
            text += "\nThe recomputed hash chain matches the export's."
        } else {
            text +=
                "\nThe recomputed hash chain differs from the export's at \(chainDifferences) records, first at #"
                + "\(firstChainDifference ?? 0) (the export was edited, or written by another format version)."
        }
        return text
    }
}

/// `copydesk import`: writes exported records into an EMPTY journal, with the same sequence numbers, times,
/// arrivals, articles and raw bytes.
///
/// Begun with the journal's lock held (so never beside a running daemon) and only on a journal without records.
/// The chain hashes are not copied: the writer computes them, as for any append. Because the payload encoding is
/// deterministic, an unaltered export from this format version gives the same hashes again, and the report says
/// whether it did. An export that starts after record 1 (a `--seq` range, or a journal trimmed by retention) gives a
/// journal that starts there too, its first segment carrying the first record's `previousHash`, so it verifies.
public final class JournalImport {
    private let directory: String
    private let options: JournalOptions
    private let logger: Logger
    private var lock: FileDescriptor?
    private var writer: JournalWriter?
    private var pending: [RecordBody] = []
    private var pendingTimes: [Timestamp] = []
    private var pendingLinks: [(sequence: UInt64, previousHash: Digest)] = []
    private var pendingBytes = 0
    private var expected: UInt64?
    private var report: ImportReport

    /// Records per append (one `fdatasync` each) and the bytes that end a batch early.
    private static let batchRecords = 512
    private static let batchBytes = 8 << 20

    private init(directory: String, options: JournalOptions, logger: Logger, lock: FileDescriptor) {
        self.directory = directory
        self.options = options
        self.logger = logger
        self.lock = lock
        report = ImportReport(
            directory: directory, records: 0, documents: 0, duplicates: 0, rejected: 0, chainDifferences: 0
        )
    }

    deinit {
        writer?.close()
        if let lock { try? lock.close() }
    }

    /// Locks the journal (`.locked` while the daemon runs) and checks it holds no record (`.notEmpty`).
    public static func begin(
        directory: String, options: JournalOptions = .init(),
        logger: Logger = Logger(label: "copydesk.import") { _ in SwiftLogNoOpLogHandler() }
    ) throws(JournalError) -> JournalImport {
        do {
            try Syscall.makeDirectories(directory)
        } catch {
            throw .io("cannot create the journal directory", path: directory, error)
        }
        let lock = try JournalWriter.acquireLock(directory: directory)
        do throws(JournalError) {
            try JournalWriter.checkEmpty(directory: directory)
        } catch {
            try? lock.close()
            throw error
        }
        return JournalImport(directory: directory, options: options, logger: logger, lock: lock)
    }

    /// Adds the next record. Records must come in order without gaps (`.invalidRecord` otherwise); a document
    /// needs its raw bytes.
    public func add(_ exported: ExportedRecord) throws(JournalError) {
        let record: JournalRecord
        do {
            record = try exported.record()
        } catch {
            throw JournalError(
                code: .invalidRecord, message: "record \(exported.sequence): \(error)", cause: error,
                sequence: exported.sequence
            )
        }
        if let expected, record.sequence != expected {
            throw JournalError(
                code: .invalidRecord,
                message:
                    "expected record \(expected), found \(record.sequence): an export imports only whole, in order",
                sequence: record.sequence
            )
        }
        guard record.sequence > 0 else {
            throw JournalError(code: .invalidRecord, message: "record 0 does not exist", sequence: 0)
        }
        if writer == nil {
            guard let lock else { throw JournalError(code: .io, path: directory, message: "the import is finished") }
            self.lock = nil  // the writer owns it now
            writer = try JournalWriter.openEmpty(
                directory: directory, lock: lock,
                startingAfter: ChainLink(sequence: record.sequence - 1, hash: record.previousHash), options: options,
                logger: logger
            )
            report.firstSequence = record.sequence
        }
        expected = record.sequence + 1
        pending.append(record.body)
        pendingTimes.append(record.recordedAt)
        pendingLinks.append((record.sequence, record.previousHash))
        if case .document(let document) = record.body { pendingBytes += document.raw.count }
        pendingBytes += 1024
        if pending.count >= Self.batchRecords || pendingBytes >= Self.batchBytes { try flush() }
    }

    /// Writes what is pending, closes the journal and releases the lock.
    public func finish() throws(JournalError) -> ImportReport {
        try flush()
        writer?.close()
        writer = nil
        if let lock { try? lock.close() }
        lock = nil
        return report
    }

    private func flush() throws(JournalError) {
        guard let writer, !pending.isEmpty else { return }
        let written = try writer.append(pending, recordedAt: pendingTimes)
        for (record, link) in zip(written, pendingLinks) {
            precondition(record.sequence == link.sequence, "the writer numbered an imported record differently")
            if record.previousHash != link.previousHash {
                report.chainDifferences += 1
                if report.firstChainDifference == nil { report.firstChainDifference = record.sequence }
            }
            switch record.body {
            case .document: report.documents += 1
            case .duplicate: report.duplicates += 1
            case .rejected: report.rejected += 1
            }
        }
        report.records += UInt64(written.count)
        report.lastSequence = written.last?.sequence
        pending.removeAll(keepingCapacity: true)
        pendingTimes.removeAll(keepingCapacity: true)
        pendingLinks.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }
}

@available(*, unavailable)
extension JournalImport: Sendable {}
