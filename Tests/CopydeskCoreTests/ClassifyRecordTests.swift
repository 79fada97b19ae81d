@testable import CopydeskCore
import CopydeskTestSupport
import Foundation
import Testing

/// The classification as the journal stores it: inside the document's metadata, written by the fast encoder,
/// read back equal, and absent from records written before it existed.
@Suite("Classify: stored in records")
struct ClassifyRecordTests {
    static func classifiedSeed(_ number: String, channel: String? = nil) throws -> DocumentRecord {
        let seed = try Seeds.bytes(number)
        var prepared = try #require(Parse.prepare(seed.bytes, fileName: seed.name).success)
        prepared.classification = Classifier().classify(prepared.article, channel: channel)
        let arrival = Arrival(
            file: seed.name, channel: channel, claim: "1-claim", receivedAt: Timestamp(microseconds: 1_767_225_600_000_000),
            size: Int64(seed.bytes.count), sha256: SHA256.hash(seed.bytes)
        )
        guard case .document(let document) = Decide.decide(
            seed.bytes, arrival: arrival, prepared: .success(prepared), seen: { _ in nil }, rejectedAs: "x"
        ) else {
            Issue.record("seed \(number) is not a document")
            throw CancellationError()
        }
        return document
    }

    @Test(arguments: ["000", "001", "002", "003", "004"])
    func aClassifiedDocumentRoundTripsThroughTheCodec(_ number: String) throws {
        let document = try Self.classifiedSeed(number, channel: number == "001" ? "xinhua" : nil)
        let classification = try #require(document.classification, "Decide must copy the classification through")
        #expect(!classification.kind.cues.isEmpty)
        let record = JournalRecord(sequence: 7, recordedAt: .epoch, previousHash: .zero, body: .document(document))
        let payload = try RecordCodec.encode(record)
        let decoded = try RecordCodec.decode(payload)
        #expect(decoded == record)
        #expect(try RecordCodec.encode(decoded) == payload)
    }

    /// Doubles would make CompactJSON give up (`Unsupported`) and the journal fall back to JSONEncoder at several
    /// times the cost; scores are integers in thousandths, so the fast path holds and writes JSONEncoder's bytes.
    @Test(arguments: ["000", "002", "004"])
    func theFastEncoderWritesTheClassification(_ number: String) throws {
        let metadata = DocumentMetadata(try Self.classifiedSeed(number))
        let fast = try CompactJSON.encode(metadata)
        let reference = [UInt8](try RecordCodec.encoder().encode(metadata))
        #expect(String(decoding: fast, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        #expect(String(decoding: fast, as: UTF8.self).contains("\"classification\":{"))
    }

    @Test func scoresAreStoredInThousandths() throws {
        let label = LanguageLabel(code: "en", score: 0.87349, cues: [Cue("x", field: "text", weight: -2.00049)])
        #expect(label.score == 0.873)
        let json = String(decoding: try CompactJSON.encode(label), as: UTF8.self)
        #expect(json == #"{"code":"en","cues":[{"field":"text","text":"x","weight":-2000}],"score":873}"#)
        let decoded = try JSONDecoder().decode(LanguageLabel.self, from: Data(json.utf8))
        #expect(decoded == label)
    }

    /// A payload as version 1 wrote it before classification existed (its metadata JSON typed out here, not
    /// produced by today's encoder) still decodes, with no classification.
    @Test func aRecordWrittenBeforeClassificationDecodes() throws {
        let json = #"{"arrival":{"claim":"9-a.txt","file":"a.txt","receivedAt":1767225600000000,"sha256":"#
            + #""0000000000000000000000000000000000000000000000000000000000000000","size":5},"#
            + #""article":{"headline":"Old story","paragraphs":["Body."]},"charset":"utf-8","format":"text"}"#
        var payload: [UInt8] = [RecordCodec.payloadVersion, RecordKind.document.rawValue, 0, 0]
        payload += withUnsafeBytes(of: UInt64(3).littleEndian, Array.init)
        payload += withUnsafeBytes(of: Int64(1_767_225_600_000_001).littleEndian, Array.init)
        payload += [UInt8](repeating: 0, count: 32)
        payload += withUnsafeBytes(of: UInt32(json.utf8.count).littleEndian, Array.init)
        payload += Array(json.utf8)
        payload += withUnsafeBytes(of: UInt32(5).littleEndian, Array.init)
        payload += Array("Body.".utf8)
        let record = try RecordCodec.decode(payload)
        guard case .document(let document) = record.body else {
            Issue.record("not a document")
            return
        }
        #expect(document.article.headline == "Old story")
        #expect(document.classification == nil)
        #expect(RecordView(record).classification == nil)
        // Written again it stays without the key: an unclassified record's bytes did not change.
        #expect(!String(decoding: try RecordCodec.encode(record), as: UTF8.self).contains("classification"))
    }

    @Test func exportAndImportKeepTheClassification() throws {
        let document = try Self.classifiedSeed("002")
        let record = JournalRecord(sequence: 2, recordedAt: .epoch, previousHash: .zero, body: .document(document))
        let line = try ExportedRecord(record, includeRaw: true).line()
        let back = try JSONDecoder().decode(ExportedRecord.self, from: Data(line)).record()
        #expect(back == record)
    }

    @Test func listFiltersMatchKindSourceTopicAndLanguage() throws {
        let transcript = try #require(try Self.classifiedSeed("002").classification)
        #expect(transcript.matches(kind: "transcript"))
        #expect(transcript.matches(kind: "Press-Conference"))
        #expect(!transcript.matches(kind: "agency-story"))
        #expect(transcript.matches(source: "nato"))
        #expect(!transcript.matches(source: "Xinhua"))
        #expect(transcript.matches(language: "EN"))
        #expect(!transcript.matches(language: "fr"))
        let topic = try #require(transcript.topics.first)
        #expect(transcript.matches(topic: topic.code))
        #expect(transcript.matches(topic: String(topic.code.dropFirst("medtop:".count))))
        #expect(transcript.matches(topic: topic.label.uppercased()))
        #expect(!transcript.matches(topic: "medtop:15000000"))  // sport
        #expect(transcript.matches(kind: "transcript", source: "NATO", topic: topic.code, language: "en"))
        #expect(!transcript.matches(kind: "transcript", source: "Sputnik"))
    }

    @Test func showAndInspectTextCarryTheDecisions() throws {
        let classification = try #require(try Self.classifiedSeed("004").classification)
        let summary = classification.summaryLines.joined(separator: "\n")
        #expect(summary.contains("agency-story"))
        #expect(summary.contains("Sputnik (agency)"))
        #expect(summary.contains("medtop:"))
        let explanation = classification.explanationLines.joined(separator: "\n")
        #expect(explanation.contains("(rules:"))  // cues point at rules-file lines
    }
}
