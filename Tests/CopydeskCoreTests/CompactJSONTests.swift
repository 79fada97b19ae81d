@testable import CopydeskCore
import CopydeskTestSupport
import Foundation
import Testing

/// CompactJSON must write exactly the bytes JSONEncoder writes, or the journal's metadata would change with it.
@Suite struct CompactJSONTests {
    static func reference<T: Encodable>(_ value: T) throws -> [UInt8] {
        [UInt8](try RecordCodec.encoder().encode(value))
    }

    static func expectSame<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fast = try CompactJSON.encode(value)
        let slow = try reference(value)
        // As text, so a failure reads; both are valid UTF-8, so equal text is equal bytes.
        let fastText = String(decoding: fast, as: UTF8.self)
        let slowText = String(decoding: slow, as: UTF8.self)
        #expect(fastText == slowText, sourceLocation: sourceLocation)
    }

    /// Every control character, both escapes JSONEncoder treats specially, a slash, DEL and non-ASCII.
    static let awkward = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined()
        + "\"quoted\" back\\slash /path/ \u{7F} é 東京 📰 e\u{301} \u{2028} \u{FEFF} end"

    static func fullArticle(_ text: String) -> Article {
        var article = Article(
            headline: "Head \(text)", subheadline: "Sub \(text)", byline: "By \(text)", dateline: "DL \(text)",
            published: "2026-01-02T03:04:05Z", source: "AAP", language: "en-GB", paragraphs: [text, "", "second \(text)"]
        )
        article.datelinePlace = "BRUSSELS"
        article.datelineDate = "2016-02-11"
        article.created = "2016-02-11T10:00:00+01:00"
        article.versionCreated = "2016-02-11T10:05:00+01:00"
        article.slugline = "BC-\(text)"
        article.keywords = ["b", text, "a"]
        article.priority = 3
        article.urgency = -1
        article.itemID = "urn:newsml:\(text)"
        article.version = "2"
        article.summary = text
        article.editorNote = "note"
        article.takeKey = "UPDATE 1"
        article.subjects = ["15000000", "medtop:20000001"]
        article.genre = "Current"
        article.metadata = ["b": "2", "a": "1", "Z": "upper", "é": "accent", "a1": text, "ä": "umlaut", "": "empty"]
        return article
    }

    @Test func everyRecordKindOfTheFixturesEncodesAlike() throws {
        for body in RecordFixtures.mixed(30) {
            switch body {
            case .document(let document): try Self.expectSame(DocumentMetadata(document))
            case .duplicate(let duplicate): try Self.expectSame(duplicate)
            case .rejected(let rejected): try Self.expectSame(rejected)
            }
        }
    }

    @Test func aFullyPopulatedArticleWithAwkwardTextEncodesAlike() throws {
        try Self.expectSame(Self.fullArticle(Self.awkward))
        let arrival = Arrival(file: Self.awkward, channel: "x/y", claim: "c", receivedAt: .init(microseconds: -5), size: 0,
                              sha256: nil)
        try Self.expectSame(DocumentMetadata(DocumentRecord(
            arrival: arrival, format: "text", charset: "utf-8", article: Self.fullArticle(Self.awkward), raw: [1, 2]
        )))
        try Self.expectSame(RejectedRecord(arrival: arrival, reason: RejectReason(.binary, Self.awkward), rejectedAs: "a/b"))
        try Self.expectSame(DuplicateRecord(arrival: arrival, duplicateOf: UInt64.max, match: ""))
    }

    @Test func randomTextEncodesAlike() throws {
        var generator = SystemRandomNumberGenerator()
        let pools: [ClosedRange<UInt32>] = [0...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFD, 0x1F300...0x1F6FF]
        for _ in 0..<300 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...60, using: &generator) {
                let pool = pools.randomElement(using: &generator)!
                scalars.append(UnicodeScalar(UInt32.random(in: pool, using: &generator))!)
            }
            let text = String(scalars)
            try Self.expectSame(Self.fullArticle(text))
            try Self.expectSame([text: [text, text], "k": []])
        }
    }

    /// Shapes the record types do not use today, so a custom encode(to:) added later still encodes alike.
    struct Unusual: Encodable {
        enum Keys: String, CodingKey { case twice, nested, list, nothing, flag, small, superValue }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode("first", forKey: .twice)
            try container.encode("second", forKey: .twice)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encode(Int8(-8), forKey: .small)
            try nested.encodeNil(forKey: .flag)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(true)
            try list.encode(UInt16(7))
            try list.encodeNil()
            var inner = list.nestedUnkeyedContainer()
            try inner.encode("x")
            try container.encode(Nothing(), forKey: .nothing)
            try container.encode(Optional<Int>.none, forKey: .flag)
            try container.encodeIfPresent(Optional<Int>.none, forKey: .small)
            try "from super".encode(to: container.superEncoder(forKey: .superValue))
        }
    }

    @Test func unusualShapesEncodeAlike() throws {
        try Self.expectSame(Unusual())
        try Self.expectSame([Unusual(), Unusual()])
        try Self.expectSame([3: "three", 1: "one", 20: "twenty"])
        try Self.expectSame(["b": ["z": 1], "a": [:]])
        try Self.expectSame([String]())
    }

    /// Floating point and Foundation types are JSONEncoder's own business: CompactJSON refuses them and the codec
    /// falls back to JSONEncoder, so the bytes are still the same.
    @Test func whatItDoesNotImitateFallsBackToJSONEncoder() throws {
        struct WithDouble: Encodable { var score = 0.1; var name = "x" }
        struct WithDate: Encodable { var when = Date(timeIntervalSince1970: 1000.5) }
        #expect(throws: CompactJSON.Unsupported.self) { try CompactJSON.encode(WithDouble()) }
        #expect(throws: CompactJSON.Unsupported.self) { try CompactJSON.encode(WithDate()) }
        #expect(try RecordCodec.json(WithDouble()) == Self.reference(WithDouble()))
        #expect(try RecordCodec.json(WithDate()) == Self.reference(WithDate()))
    }
}
