import CopydeskCore
@testable import CopydeskDaemon
import CopydeskTestSupport
import Foundation
import Logging
import Testing

/// Letting go of durable files in chunks, and preparing claimed files on a few draining workers.
@Suite struct FinisherTests {
    @Test func chunksCoverEveryDeletionOnceInOrder() {
        for workers in [1, 2, 3, 16, 32] {
            for count in 0...600 {
                let chunks = Finisher.chunks(count, workers: workers)
                #expect(chunks.flatMap { Array($0) } == Array(0..<count), "\(count) over \(workers)")
                guard count > 0 else {
                    #expect(chunks.isEmpty)
                    continue
                }
                #expect(chunks.count <= workers)
                let sizes = chunks.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 1, "\(count) over \(workers): \(sizes)")
                if chunks.count > 1 { #expect(sizes.min()! >= Finisher.minimumChunk, "\(count): \(sizes)") }
                // As many chunks as the minimum size allows, up to one per worker: large batches use every worker.
                #expect(chunks.count == max(1, min(workers, count / Finisher.minimumChunk)))
            }
        }
    }

    /// A batch of stored, duplicate and rejected files is let go of: deletions (in chunks) leave `work/` empty,
    /// the rejected file lands in `rejected/` with its reason, and nothing is left unacknowledged.
    @Test func aMixedBatchIsLetGoOf() throws {
        let root = try TemporaryDirectory(prefix: "finisher")
        defer { root.remove() }
        let spool = Spool(config: .rooted(at: root.path))
        try spool.createDirectories()
        var files: [ClaimedFile] = []
        var records: [JournalRecord] = []
        for n in 0..<41 {
            let name = "story-\(n).txt"
            try Data("Headline \(n)\n\nBody.\n".utf8).write(to: URL(fileURLWithPath: root.appending("inbox/\(name)")))
            let claimed = try #require(try spool.claim(InboxEntry(channel: nil, name: name), id: UInt64(n + 1)))
            files.append(claimed)
            let body: RecordBody = n == 7 ? RecordFixtures.rejected(n) : n % 5 == 0
                ? RecordFixtures.duplicate(n, of: 1) : RecordFixtures.document(n)
            records.append(JournalRecord(sequence: UInt64(n + 1), recordedAt: .epoch, previousHash: .zero, body: body))
        }
        #expect(try spool.workFiles().count == 41)
        let finisher = Finisher(spool: spool, logger: Logger(label: "test"))
        finisher.finish(files, records: records)
        #expect(finisher.drain(timeout: 30))
        #expect(try spool.workFiles().isEmpty)
        #expect(finisher.outstanding == 0)
        let rejected = try FileManager.default.contentsOfDirectory(atPath: root.appending("rejected"))
        #expect(rejected.contains("dépêche-7.txt"), "\(rejected)")
        #expect(rejected.contains { $0.hasPrefix("dépêche-7.txt") && $0.hasSuffix(".reason") }, "\(rejected)")
    }

    /// Results come back by ticket whatever order the workers finish in, including tickets asked for before they
    /// are submitted and many more files than workers.
    /// (A lost ticket would leave `result` waiting: the time limit turns that into a failure.)
    @Test(.timeLimit(.minutes(1))) func theWindowReturnsEveryFileByItsTicket() async throws {
        let root = try TemporaryDirectory(prefix: "prepare-window")
        defer { root.remove() }
        let spool = Spool(config: .rooted(at: root.path))
        try spool.createDirectories()
        let window = PrepareWindow(spool: spool, classifier: Classifier())
        var claimed: [ClaimedFile] = []
        for n in 0..<300 {
            let name = "s\(n).txt"
            try Data("Headline number \(n)\n\nThe body of story \(n).\n".utf8)
                .write(to: URL(fileURLWithPath: root.appending("inbox/\(name)")))
            claimed.append(try #require(try spool.claim(InboxEntry(channel: nil, name: name), id: UInt64(n + 1))))
        }
        for (ticket, file) in claimed.enumerated() { window.submit(file, ticket: ticket) }
        for ticket in claimed.indices {
            guard case .bytes(let bytes, _, .success(let document)) = await window.result(ticket: ticket) else {
                Issue.record("ticket \(ticket) was not prepared")
                continue
            }
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("Headline number \(ticket)\n"))
            #expect(document.article.headline == "Headline number \(ticket)")
        }
        // A lone file after the burst, asked for before a worker can have finished it.
        try Data("Late story\n\nBody.\n".utf8).write(to: URL(fileURLWithPath: root.appending("inbox/late.txt")))
        let late = try #require(try spool.claim(InboxEntry(channel: nil, name: "late.txt"), id: 999))
        window.submit(late, ticket: claimed.count)
        guard case .bytes(_, _, .success(let document)) = await window.result(ticket: claimed.count) else {
            Issue.record("the late file was not prepared")
            return
        }
        #expect(document.article.headline == "Late story")
    }
}
