@testable import CopydeskCore
import CopydeskTestSupport
import Foundation
import Testing

/// The daemon's decision (``DedupMemory/decide``) record by record, the journal replay that rebuilds it, and its
/// checkpoint encoding.
@Suite struct DedupMemoryTests {
    static let body = TextFixtures.bahiaCocoa

    /// A file as the daemon sees it: bytes (the text itself), an arrival at minute `minute`, the parsed article.
    struct File {
        var bytes: [UInt8]
        var article: Article
        var minute: Int64

        init(_ headline: String, _ body: [String], source: String? = "Reuters", id: String? = nil, minute: Int64) {
            article = Article(headline: headline, source: source, paragraphs: body)
            article.itemID = id
            bytes = Array((headline + "\n\n" + body.joined(separator: "\n\n")).utf8)
            self.minute = minute
        }
    }

    /// Decides `files` in order as the daemon does; returns the records.
    static func ingest(_ files: [File], into memory: inout DedupMemory, firstSequence: UInt64 = 1) -> [JournalRecord] {
        var records: [JournalRecord] = []
        for (offset, file) in files.enumerated() {
            let sequence = firstSequence + UInt64(offset)
            let arrival = Arrival(
                file: "f\(sequence).txt", channel: file.article.source?.lowercased(), claim: "c\(sequence)",
                receivedAt: Timestamp(microseconds: 1_767_225_600_000_000 + file.minute * 60_000_000),
                size: Int64(file.bytes.count), sha256: SHA256.hash(file.bytes))
            let prepared = PreparedDocument(format: "text", charset: "utf-8", article: file.article).fingerprinted()
            let body = memory.decide(
                file.bytes, arrival: arrival, prepared: .success(prepared), sequence: sequence, rejectedAs: "x")
            records.append(JournalRecord(
                sequence: sequence, recordedAt: arrival.receivedAt, previousHash: .zero, body: body))
        }
        return records
    }

    static var wireDay: [File] {
        let update = body + [
            "Bahia exporters said shipments would resume next week after the rains, with the first cargo due in "
                + "Ilheus on Monday and a second later in the month, traders said.",
        ]
        var correction = update
        correction[1] = correction[1].replacingOccurrences(of: "155,221", with: "155,212")
        return [
            File("Bahia cocoa review", body, minute: 0),
            File("Fed holds rates", [
                "The Federal Reserve held interest rates steady on Wednesday and signalled patience on future cuts "
                    + "as inflation cooled only slowly, officials said after a two-day meeting.",
            ], source: "AP", minute: 1),
            // Redelivered: the same bytes.
            File("Bahia cocoa review", body, minute: 2),
            // Re-wrapped and re-cased: the same words.
            File("BAHIA COCOA REVIEW", [body.joined(separator: "\n").uppercased()], minute: 3),
            File("UPDATE 1-Bahia cocoa review", update, minute: 4),
            File("CORRECTED-UPDATE 1-Bahia cocoa review", correction, minute: 5),
            // Another wire re-issues the first take with a credit line.
            File("Rains ease Bahia drought", body + ["(Reporting by Jane Doe)"], source: "AFP", minute: 6),
        ]
    }

    @Test func decidesEachKindAndFilesStories() throws {
        var memory = DedupMemory()
        let records = Self.ingest(Self.wireDay, into: &memory)
        func duplicate(_ index: Int) -> DuplicateRecord? {
            if case .duplicate(let record) = records[index].body { return record }
            return nil
        }
        func document(_ index: Int) -> DocumentRecord? {
            if case .document(let record) = records[index].body { return record }
            return nil
        }
        #expect(document(0)?.link == nil && document(0)?.story == 1)
        #expect(document(1)?.link == nil && document(1)?.story == 2)
        #expect(duplicate(2)?.duplicateOf == 1 && duplicate(2)?.match == "exact")
        #expect(duplicate(3)?.duplicateOf == 1 && duplicate(3)?.match == "normalized")
        let update = try #require(document(4)?.link)
        #expect(update.relation == .version && update.of == 1 && update.reason == "update-marker")
        let correction = try #require(document(5)?.link)
        #expect(correction.relation == .version && correction.of == 5, "the correction follows the latest version")
        let other = try #require(document(6)?.link)
        #expect(other.relation == .nearDuplicate && [1, 5, 6].contains(other.of))
        #expect((other.similarityPermille ?? 0) >= 800)
        // The cocoa documents share a story; the Fed story stays alone.
        #expect([4, 5, 6].allSatisfy { document($0)?.story == 1 })
        #expect(memory.exact.count == 5)
    }

    @Test func dropsNearDuplicatesWhenConfigured() {
        var memory = DedupMemory(settings: DedupSettings(nearDuplicates: .drop))
        let records = Self.ingest(Self.wireDay, into: &memory)
        guard case .duplicate(let dropped) = records[6].body else {
            Issue.record("expected a duplicate record, got \(records[6].body.verdict)")
            return
        }
        #expect(dropped.match == "near-duplicate" && (dropped.similarityPermille ?? 0) >= 800)
        // Versions are never dropped: they carry new information.
        if case .document = records[4].body {} else { Issue.record("the update must be stored") }
    }

    /// The rebuild from the journal reaches the very state the live decisions built: same bytes, same next verdict.
    @Test func replayRebuildsTheSameMemory() throws {
        var live = DedupMemory()
        let records = Self.ingest(Self.wireDay, into: &live)
        var rebuilt = DedupMemory()
        for record in records {
            // Through the record codec, as the daemon reads the journal.
            rebuilt.replay(try RecordCodec.decode(RecordCodec.encode(record)))
        }
        #expect(rebuilt.encoded() == live.encoded())
        let next = [File("UPDATE 2-Bahia cocoa review", Self.body + ["Traders said prices eased."], minute: 9)]
        var a = live, b = rebuilt
        let fromLive = Self.ingest(next, into: &a, firstSequence: 8)
        let fromRebuilt = Self.ingest(next, into: &b, firstSequence: 8)
        #expect(fromLive == fromRebuilt)
    }

    @Test func checkpointEncodingRoundTrips() throws {
        var memory = DedupMemory()
        _ = Self.ingest(Self.wireDay, into: &memory)
        let bytes = memory.encoded()
        let decoded = try DedupMemory(decoding: bytes, settings: DedupSettings())
        #expect(decoded.encoded() == bytes)
        #expect(decoded.exact == memory.exact)
        // A memory made under other settings is refused: the daemon rebuilds rather than mix decisions.
        #expect(throws: DedupCodecError.self) {
            try DedupMemory(decoding: bytes, settings: DedupSettings(threshold: 0.9))
        }
        var damaged = bytes
        damaged.removeLast(3)
        #expect(throws: DedupCodecError.self) { try DedupMemory(decoding: damaged, settings: DedupSettings()) }
    }

    /// New record fields are optional and CompactJSON writes them as JSONEncoder does.
    @Test func linkedRecordsEncodeCompactlyAndRoundTrip() throws {
        var memory = DedupMemory()
        let records = Self.ingest(Self.wireDay, into: &memory)
        for record in records {
            #expect(try RecordCodec.decode(RecordCodec.encode(record)) == record)
        }
        guard case .document(let linked) = records[4].body else { Issue.record("expected a document"); return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let link = try #require(linked.link)
        #expect(try CompactJSON.encode(link) == Array(encoder.encode(link)))
        guard case .duplicate(let duplicate) = records[3].body else { Issue.record("expected a duplicate"); return }
        #expect(try CompactJSON.encode(duplicate) == Array(encoder.encode(duplicate)))
        // An old record (no link, no story) encodes without the new keys.
        let old = DuplicateRecord(arrival: duplicate.arrival, duplicateOf: 1)
        #expect(!String(decoding: try CompactJSON.encode(old), as: UTF8.self).contains("similarity"))
    }

    @Test func linkText() {
        #expect(DedupLink(relation: .nearDuplicate, of: 12, similarity: 0.934).text
            == "near-duplicate of #12 (similarity 0.93)")
        #expect(DedupLink(relation: .version, of: 7, similarity: 0.705, reason: "update-marker").text
            == "version of #7 (update-marker, similarity 0.71)")
        #expect(DedupLink(relation: .version, of: 7, similarity: nil, reason: "same-item").text
            == "version of #7 (same-item)")
    }

    @Test func dedupSectionOfTheConfiguration() throws {
        let base = Configuration.rooted(at: "/tmp/x")
        #expect(base.dedup == DedupSettings())
        let parsed = try Configuration.parse("""
            [dedup]
            threshold = 0.85
            near_duplicates = "drop"
            version_similarity = 0.6
            story_threshold = 0.2
            story_window = "12h"
            near_duplicate_capacity = 524288
            """, over: base)
        #expect(parsed.dedup == DedupSettings(
            threshold: 0.85, nearDuplicates: .drop, versionSimilarity: 0.6, storyThreshold: 0.2,
            storyWindow: 12 * 3600, nearDuplicateCapacity: 524_288))
        #expect(parsed.dedup.stateConfiguration.stories.window == 12 * 3_600_000_000)
        for (text, message) in [
            ("threshold = 1.5", "dedup.threshold must be a number above 0 and at most 1"),
            ("near_duplicates = \"hide\"", "dedup.near_duplicates must be \"store\" or \"drop\""),
            ("near_duplicate_capacity = 10", "dedup.near_duplicate_capacity must be between"),
            ("shingles = 4", "unknown key dedup.shingles"),
        ] {
            #expect {
                try Configuration.parse("[dedup]\n" + text, over: base)
            } throws: { error in
                (error as? ConfigurationError)?.message.contains(message) == true
            }
        }
    }
}
