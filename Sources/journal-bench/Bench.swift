import CopydeskCore
import CopydeskStore
import Foundation
import Logging

/// `copydesk-bench`: the Swift side of the journal benchmarks in `Benchmarks/` (run from a release build:
/// `swift build -c release --product copydesk-bench`). Not a test: it measures the disk, so its numbers only mean
/// something next to the disk's own limit measured in the same run (`Benchmarks/journal-append`).
///
/// ```
/// copydesk-bench append DIR --record-size 3072 --batch 64 --seconds 8 [--serial]
/// copydesk-bench generate DIR --records 1000000 --corpus DOCDIR [--batch 2048]
/// ```
@main
enum Bench {
    static func main() throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2 else { usage() }
        let command = arguments.removeFirst()
        let directory = arguments.removeFirst()
        var options: [String: String] = [:]
        // `--serial` alone is a flag; every other option takes a value.
        if let flag = arguments.firstIndex(of: "--serial") {
            options["serial"] = "1"
            arguments.remove(at: flag)
        }
        while arguments.count >= 2, arguments[0].hasPrefix("--") {
            options[String(arguments[0].dropFirst(2))] = arguments[1]
            arguments.removeFirst(2)
        }
        guard arguments.isEmpty else { usage() }
        func number(_ key: String, _ fallback: Double) -> Double {
            options[key].flatMap(Double.init) ?? fallback
        }
        switch command {
        case "append":
            try append(
                directory: directory, recordSize: Int(number("record-size", 3072)), batch: Int(number("batch", 64)),
                seconds: number("seconds", 8), serial: options["serial"] == "1"
            )
        case "generate":
            guard let corpus = options["corpus"] else { usage() }
            try generate(
                directory: directory, records: Int(number("records", 1_000_000)), corpus: corpus,
                batch: Int(number("batch", 2048)), distinct: options["distinct"] == "1"
            )
        case "stages":
            try stages(corpus: directory, count: Int(number("count", 2000)))
        default:
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("""
            usage: copydesk-bench append DIR [--record-size 3072] [--batch 64] [--seconds 8] [--serial]
                   copydesk-bench stages DOCDIR [--count 2000]
                   copydesk-bench generate DIR --corpus DOCDIR [--records 1000000] [--batch 2048] [--distinct 1]

            """.utf8))
        exit(2)
    }

    /// Appends document records whose frames are `recordSize` bytes, `batch` per commit (one `fdatasync` each), for
    /// `seconds`, into a fresh journal in DIR. Encoding, CRC, chain hash, write and sync are all timed, as the daemon
    /// pays them; building the record values is not.
    ///
    /// As the daemon's committer does, batch N+1 is encoded (``JournalEncoder``) on this thread while batch N is
    /// written and synced (``JournalWriter/commit(_:)``) on another; `serial` uses `JournalWriter.append` instead,
    /// which encodes, writes and syncs each batch in turn. A commit's latency runs from the start of its encoding to
    /// its fdatasync's return.
    static func append(directory: String, recordSize: Int, batch: Int, seconds: Double, serial: Bool) throws {
        try? FileManager.default.removeItem(atPath: directory)
        let writer = try JournalWriter.open(directory: directory, logger: Logger(label: "bench"))
        defer {
            writer.close()
            try? FileManager.default.removeItem(atPath: directory)
        }
        // Size the raw bytes so that the whole frame (header, fixed payload header, JSON metadata, raw) is
        // `recordSize` bytes, as diskbench's records are.
        let probe = document(number: 0, rawSize: 0)
        let overhead = Frame.headerSize + (try RecordCodec.encode(
            JournalRecord(sequence: 1, recordedAt: .epoch, previousHash: .zero, body: probe)
        )).count
        let rawSize = max(0, recordSize - overhead)
        let pool = (0..<max(batch, 64)).map { document(number: $0, rawSize: rawSize) }
        var next = 0
        func nextBodies() -> [RecordBody] {
            var bodies: [RecordBody] = []
            bodies.reserveCapacity(batch)
            for _ in 0..<batch {
                bodies.append(pool[next % pool.count])
                next += 1
            }
            return bodies
        }
        let time = Timestamp(microseconds: 1_767_225_600_000_000)
        var latencies: [Double] = []
        var records = 0
        let start = Date()
        let cpuStart = processCPUSeconds()
        if serial {
            while Date().timeIntervalSince(start) < seconds {
                let bodies = nextBodies()
                let t0 = Date()
                _ = try writer.append(bodies, recordedAt: time)
                latencies.append(Date().timeIntervalSince(t0))
                records += batch
            }
        } else {
            let disk = DiskThread(writer)
            let encoder = writer.encoder
            var tail = writer.tail
            while Date().timeIntervalSince(start) < seconds, disk.failure == nil {
                let bodies = nextBodies()
                let t0 = Date()
                let encoded = try encoder.encode(bodies, recordedAt: time, after: tail, reusing: disk.spareBuffer())
                tail = encoded.end
                disk.submit(encoded, startedAt: t0)
            }
            disk.drain()
            if let failure = disk.failure { throw failure }
            latencies = disk.latencies
            records = disk.records
        }
        let elapsed = Date().timeIntervalSince(start)
        let cpu = processCPUSeconds() - cpuStart
        let bytes = records * (overhead + rawSize)
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(p * Double(latencies.count - 1) + 0.5))] }
        print(String(
            format: "RESULT copydesk_append rec=%d batch=%d n=%d secs=%.2f recs_per_s=%.0f MB_per_s=%.2f commits_per_s=%.0f p50_commit_ms=%.3f p99_commit_ms=%.3f cpu_us_per_rec=%.1f mode=%@",
            overhead + rawSize, batch, records, elapsed, Double(records) / elapsed, Double(bytes) / elapsed / 1e6,
            Double(latencies.count) / elapsed, percentile(0.5) * 1000, percentile(0.99) * 1000,
            cpu / Double(records) * 1e6, serial ? "serial" : "pipelined"
        ))
    }

    /// CPU time (this thread's) per document of each pipeline stage on the files in `corpus`: where a file's
    /// microseconds go, independent of how busy the machine is.
    static func stages(corpus: String, count: Int) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") }.sorted()
        let texts = try names.prefix(count).map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: corpus + "/" + $0))) }
        func cpu() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        var times: [String: Double] = [:]
        func measure(_ name: String, _ body: () throws -> Void) rethrows {
            let t0 = cpu()
            try body()
            times[name, default: 0] += cpu() - t0
        }
        var bodies: [RecordBody] = []
        var payloads: [[UInt8]] = []
        for round in 0..<3 {
            bodies.removeAll()
            payloads.removeAll()
            measure("sha256") { for text in texts { _ = SHA256.hash(text) } }
            measure("parse") { for (i, text) in texts.enumerated() { _ = Parse.prepare(text, fileName: names[i]) } }
            for (i, text) in texts.enumerated() {
                let arrival = Arrival(
                    file: names[i], channel: nil, claim: "0000000000000001__" + names[i], receivedAt: .epoch,
                    size: Int64(text.count), sha256: SHA256.hash(text)
                )
                bodies.append(Decide.decide(text, arrival: arrival, seen: { _ in nil }, rejectedAs: names[i]))
            }
            try measure("encode") {
                for (i, body) in bodies.enumerated() {
                    payloads.append(try RecordCodec.encode(
                        JournalRecord(sequence: UInt64(i + 1), recordedAt: .epoch, previousHash: .zero, body: body)))
                }
            }
            try measure("decode") { for payload in payloads { _ = try RecordCodec.decode(payload) } }
            if round == 0 { times.removeAll() }  // warm-up
        }
        let per = Double(texts.count * 2)
        let bytes = payloads.reduce(0) { $0 + $1.count } / max(1, payloads.count)
        print("RESULT copydesk_stages docs=\(texts.count) payload_bytes=\(bytes) " + times.sorted { $0.key < $1.key }
            .map { "\($0.key)_us=" + String(format: "%.1f", $0.value / per * 1e6) }.joined(separator: " "))
    }

    /// A document record with `rawSize` raw bytes (printable text) and a small article.
    static func document(number: Int, rawSize: Int) -> RecordBody {
        var raw = Array("Story \(number)\n\n".utf8)
        let filler = Array("The quick brown fox jumps over the lazy dog. ".utf8)
        while raw.count < rawSize { raw.append(filler[raw.count % filler.count]) }
        raw = Array(raw.prefix(rawSize))
        let arrival = Arrival(
            file: "story-\(number).txt", channel: nil, claim: String(format: "%016x_", number) + "_story-\(number).txt",
            receivedAt: Timestamp(microseconds: 1_767_225_600_000_000 + Int64(number)), size: Int64(raw.count),
            sha256: SHA256.hash(raw)
        )
        return .document(DocumentRecord(
            arrival: arrival, format: "text", charset: "utf-8",
            article: Article(headline: "Story \(number)", paragraphs: ["The quick brown fox."]), raw: raw
        ))
    }

    /// Writes `records` documents made from the files in `corpus` (each copy made unique by a reference line)
    /// straight through `JournalWriter`, `batch` per commit: the 1M-document journal of the reopen benchmark
    /// without waiting for a million files to pass through the inbox.
    /// `distinct`: the reference line goes into the article too, so every record has its own normalized text and
    /// the dedup memory at a million records holds a million of each entry (the daemon's memory figure).
    static func generate(directory: String, records: Int, corpus: String, batch: Int, distinct: Bool = false) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { !$0.hasPrefix(".") }.sorted()
        guard !names.isEmpty else { throw BenchError("no files in \(corpus)") }
        let texts = try names.map { try [UInt8](Data(contentsOf: URL(fileURLWithPath: corpus + "/" + $0))) }
        // Each corpus file is parsed once; its copies differ only in the reference line added to the raw bytes,
        // which keeps a million records realistic in size and content without a million parses.
        let parsed = zip(texts, names).map { Parse.prepare($0, fileName: $1) }
        let writer = try JournalWriter.open(directory: directory, logger: Logger(label: "bench"))
        defer { writer.close() }
        var written = Int(writer.lastSequence)
        let start = Date()
        var lastReport = start
        let base: Int64 = 1_767_225_600_000_000
        while written < records {
            var bodies: [RecordBody] = []
            for number in written..<min(records, written + batch) {
                let bytes = texts[number % texts.count] + Array("\nRef: CDB-\(number)\n".utf8)
                let name = "g\(number)-" + names[number % names.count]
                let arrival = Arrival(
                    file: name, channel: nil, claim: String(format: "%016x", number) + "__" + name,
                    receivedAt: Timestamp(microseconds: base + Int64(number) * 1000), size: Int64(bytes.count),
                    sha256: SHA256.hash(bytes)
                )
                var prepared = parsed[number % texts.count]
                if distinct {
                    prepared = prepared.map { document in
                        var document = document
                        document.article.paragraphs.append("Ref: CDB-\(number)")
                        return document
                    }
                }
                bodies.append(Decide.decide(
                    bytes, arrival: arrival, prepared: prepared, seen: { _ in nil }, rejectedAs: name
                ))
            }
            _ = try writer.append(bodies, recordedAt: Timestamp(microseconds: base + Int64(written) * 1000))
            written += bodies.count
            if Date().timeIntervalSince(lastReport) >= 5 {
                lastReport = Date()
                FileHandle.standardError.write(Data("generate: \(written) of \(records) records\n".utf8))
            }
        }
        print(String(
            format: "RESULT copydesk_generate records=%d secs=%.1f", written, Date().timeIntervalSince(start)
        ))
    }
}

/// Commits encoded batches on its own thread, in order, one at a time; at most one more waits behind the one being
/// committed, so with the batch being encoded two are in flight, as in the daemon's committer.
final class DiskThread: @unchecked Sendable {
    // @unchecked: `writer` is used only on `queue`; the rest is behind `lock`.
    private let writer: JournalWriter
    private let queue = DispatchQueue(label: "bench.disk")
    /// Batches handed over and not yet taken by the disk thread: at most one, so with the one being written two
    /// are in flight, as in the daemon's committer. A slot is given back when the disk thread TAKES a batch, not
    /// when it finishes one: the encoder then wakes while the disk is busy syncing, instead of at the moment the
    /// disk thread reaches for the next batch, where the two met on `lock` (a futex sleep and wake for the loser,
    /// seen in `strace` at one record per batch every few commits).
    private let slots = DispatchSemaphore(value: 1)
    private let lock = NSLock()
    /// Batches handed over and not yet taken by the disk thread: kept here rather than captured by the block that
    /// commits them, so that once committed the disk thread holds the only reference to the buffer and can recycle it.
    private var waiting: [(batch: EncodedBatch, startedAt: Date)] = []
    private var spare: [[UInt8]] = []
    private(set) var latencies: [Double] = []
    private(set) var records = 0
    private var error: (any Error)?

    init(_ writer: JournalWriter) { self.writer = writer }

    var failure: (any Error)? { lock.withLock { error } }

    func spareBuffer() -> [UInt8] { lock.withLock { spare.popLast() ?? [] } }

    func submit(_ batch: EncodedBatch, startedAt: Date) {
        slots.wait()
        lock.withLock { waiting.append((batch, startedAt)) }
        queue.async { [self] in
            var batch: EncodedBatch
            let startedAt: Date
            (batch, startedAt) = lock.withLock { waiting.removeFirst() }
            slots.signal()
            // After a failure the later batches start past the journal's end: commit would refuse them.
            guard failure == nil else { return }
            do {
                let written = try writer.commit(batch)
                let latency = Date().timeIntervalSince(startedAt)
                let buffer = batch.takeBuffer()
                lock.withLock {
                    latencies.append(latency)
                    records += written.count
                    spare.append(buffer)
                }
            } catch {
                lock.withLock { self.error = error }
            }
        }
    }

    /// Waits until every submitted batch is committed or dropped.
    func drain() { queue.sync {} }
}

/// User + system CPU time of this process, seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
