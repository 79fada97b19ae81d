import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Logging
import Synchronization

/// Keeps every log entry so tests can check what the journal reported (swift-log's advice: no bootstrap in tests).
struct RecordingLogHandler: LogHandler {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Entries: Sendable {
        private let storage = Mutex<[Entry]>([])
        func append(_ entry: Entry) { storage.withLock { $0.append(entry) } }
        var all: [Entry] { storage.withLock { $0 } }
    }

    let entries: Entries
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(entries: Entries) { self.entries = entries }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        entries.append(
            Entry(
                level: event.level, message: "\(event.message)",
                metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }

    static func logger() -> (Logger, Entries) {
        let entries = Entries()
        return (Logger(label: "copydesk.test") { _ in RecordingLogHandler(entries: entries) }, entries)
    }
}

let quietLogger = Logger(label: "copydesk.test") { _ in SwiftLogNoOpLogHandler() }
let testTime = Timestamp(microseconds: 1_767_225_600_000_000)

func openWriter(_ directory: String, segmentSize: Int = 64 << 20, logger: Logger = quietLogger) throws -> JournalWriter
{
    try JournalWriter.open(directory: directory, options: JournalOptions(segmentSize: segmentSize), logger: logger)
}

func readAll(_ directory: String) throws -> [JournalRecord] {
    var records: [JournalRecord] = []
    try JournalReader.open(directory: directory).forEach { records.append($0) }
    return records
}

/// The segment files of a journal directory, oldest first, as full paths.
func segmentPaths(_ directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".cdj") }
        .sorted()
        .map { directory + "/" + $0 }
}

func fileBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func fileSize(_ path: String) throws -> Int64 {
    Int64(try fileBytes(path).count)
}

/// Checks the hash chain over `records` the way `verify` will: each links to the SHA-256 of the previous payload.
func checkChain(_ records: [JournalRecord], from start: ChainLink = .genesis) throws {
    var link = start
    for record in records {
        link = try link.following(record, payload: try RecordCodec.encode(record))
    }
}

/// Where each record's frame starts in a single-segment journal, and where the last one ends.
func frameOffsets(_ records: [JournalRecord]) throws -> [Int64] {
    var offsets: [Int64] = [Int64(SegmentHeader.size)]
    for record in records {
        offsets.append(offsets.last! + Int64(Frame.headerSize + (try RecordCodec.encode(record)).count))
    }
    return offsets
}

/// Runs `body` and returns the `JournalError` it throws (nil if it throws nothing).
func journalError(_ body: () throws -> Void) -> JournalError? {
    do {
        try body()
        return nil
    } catch let error as JournalError {
        return error
    } catch {
        return JournalError(code: .io, message: "unexpected error type: \(error)")
    }
}

/// The frames of one segment file's bytes and its trailer, if sealed: walks frame headers from the header on and
/// stops at the trailer's magic.
func segmentLayout(_ bytes: [UInt8]) throws -> (offsets: [Int], trailer: SegmentTrailer?) {
    var offsets: [Int] = []
    var offset = SegmentHeader.size
    while offset < bytes.count {
        if Array(bytes[offset..<min(bytes.count, offset + 8)]) == SegmentTrailer.magic {
            return (offsets, try SegmentTrailer.decode(Array(bytes[offset...])))
        }
        offsets.append(offset)
        offset = try Frame.decode(bytes, at: offset).next
    }
    return (offsets, nil)
}
