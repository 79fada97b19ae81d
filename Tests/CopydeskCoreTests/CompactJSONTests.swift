@testable import CopydeskCore
import CopydeskTestSupport
import Foundation
import Testing

/// CompactJSON must write exactly the bytes JSONEncoder writes, or the journal's metadata would change with it; and
/// as it is written by hand per type, every field of every record type must be in it.
@Suite struct CompactJSONTests {
    static func reference<T: Encodable>(_ value: T) throws -> [UInt8] {
        [UInt8](try RecordCodec.encoder().encode(value))
    }

    static func expectSame<T: Encodable & CompactJSONWritable>(
        _ value: T, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let fast = CompactJSON.encode(value)
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
        }
    }

    /// A classification with every optional present and every list holding something, negative and fractional
    /// weights included.
    static func fullClassification(_ text: String) -> Classification {
        let cues = [Cue(text, field: "headline", weight: -1.2345, line: 12), Cue("b", field: "text", weight: 0.5)]
        return Classification(
            kind: KindLabel(kind: .pressRelease, detail: "doorstep \(text)", score: 0.9996, cues: cues),
            source: SourceLabel(name: "NATO \(text)", isAgency: false, score: 2.5, cues: cues),
            topics: [
                TopicLabel(code: "medtop:16000000", label: text, parent: "medtop:1", score: 0.25, cues: cues),
                TopicLabel(code: "medtop:11000000", label: "politics", parent: nil, score: 0, cues: []),
            ],
            language: LanguageLabel(code: "en", score: 0.873, cues: cues),
            entities: [Entity(name: text, type: .person, count: 3), Entity(name: "Brussels", type: .place, count: 1)],
            urgency: UrgencyLabel(level: 1, marker: "FLASH \(text)", cues: cues),
            model: ModelVerdict(
                modelName: "bbc \(text)", label: "politics", score: -0.001,
                alternatives: [.init(label: "tech", score: -3.14159)], features: [.init(text: text, weight: 1e-4)]
            )
        )
    }

    static func fullDocument(_ text: String) -> DocumentMetadata {
        let arrival = Arrival(file: text, channel: "x/\(text)", claim: "c", receivedAt: .init(microseconds: -5),
                              size: Int64.max, sha256: SHA256.hash(Array(text.utf8)))
        return DocumentMetadata(DocumentRecord(
            arrival: arrival, format: "nitf", charset: "windows-1252", article: fullArticle(text), raw: [1],
            classification: fullClassification(text),
            link: DedupLink(relation: .version, of: 7, similarity: 0.8765, reason: "same-item"), story: 3
        ))
    }

    @Test func fullyPopulatedRecordsOfEveryKindEncodeAlike() throws {
        for text in ["plain", Self.awkward] {
            try Self.expectSame(Self.fullDocument(text))
            let arrival = Self.fullDocument(text).arrival
            try Self.expectSame(DuplicateRecord(
                arrival: arrival, duplicateOf: 9, match: "near-duplicate", similarityPermille: 912
            ))
            try Self.expectSame(RejectedRecord(arrival: arrival, reason: RejectReason(.binary, text), rejectedAs: text))
        }
    }

    /// The fixtures above must leave nothing out, or a field the hand-written JSON forgets would pass unnoticed:
    /// walks every stored property by reflection and fails on a nil optional or an empty list. A new field on a
    /// record type fails here until the fixture fills it, and then `fullyPopulatedRecordsOfEveryKindEncodeAlike`
    /// fails until CompactJSON writes it.
    @Test func theFullFixturesFillEveryField() {
        // Paths without list indices: a field counts as covered when some element of its list fills it.
        var seen: Set<String> = []
        var filled: Set<String> = []
        func walk(_ value: Any, _ path: String) {
            seen.insert(path)
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional:
                guard let some = mirror.children.first else { return }
                walk(some.value, path)
            case .collection:
                if !mirror.children.isEmpty { filled.insert(path) }
                for child in mirror.children { walk(child.value, path + "[]") }
            case .dictionary:
                if !mirror.children.isEmpty { filled.insert(path) }
            case .struct, .class:
                filled.insert(path)
                if value is Digest || value is Timestamp { return }
                for child in mirror.children { walk(child.value, path + "." + (child.label ?? "?")) }
            default:
                filled.insert(path)
            }
        }
        walk(Self.fullDocument("x"), "document")
        walk(DuplicateRecord(arrival: Self.fullDocument("x").arrival, duplicateOf: 9, match: "m", similarityPermille: 1),
             "duplicate")
        walk(RejectedRecord(arrival: Self.fullDocument("x").arrival, reason: RejectReason(.binary, "m"), rejectedAs: "r"),
             "rejected")
        #expect(seen.count > 60, "the walk must reach the nested fields")
        #expect(seen.subtracting(filled).sorted() == [], "fill these in the fixtures so their JSON is compared")
    }

    @Test func emptyListsAndZeroesEncodeAlike() throws {
        var article = Article(headline: "", paragraphs: [])
        article.keywords = []
        article.metadata = [:]
        article.priority = 0
        article.urgency = Int.min
        try Self.expectSame(article)
        try Self.expectSame(Classification(kind: KindLabel(kind: .other, score: 0, cues: []),
                                           language: LanguageLabel(code: "", score: 0, cues: [])))
    }

    /// The eight-bytes-at-a-time skip in `string` against JSONEncoder on strings where the bytes that need escaping
    /// (controls, `"`, `\`) sit at every offset within and across words, beside non-ASCII bytes (0x80-0xFF, whose
    /// high bit the word test must not take for a control) and bytes just above and below the limits.
    @Test func stringsEscapeAtEveryOffset() throws {
        let pieces = ["a", "\u{1F}", "\u{20}", "\"", "\\", "!", "#", "[", "]", "\u{7F}", "é", "東", "📰", "\n", "\u{0}", "~", "\u{21}",
                      "\u{5B}", "\u{5D}", "\u{A0}", "\u{FF}"]
        var generator = SeededGenerator(seed: 11)
        for length in 0..<40 {
            for _ in 0..<40 {
                var text = ""
                for _ in 0..<length {
                    // Mostly plain letters, so runs of clean words occur between the awkward bytes.
                    text += generator.next() % 3 == 0 ? pieces[Int(generator.next() % UInt64(pieces.count))] : "x"
                }
                var writer = CompactJSONWriter()
                writer.string(text)
                let slow = try Self.reference(text)
                #expect(writer.bytes == slow, "\(Array(text.utf8))")
            }
        }
        // Every single byte value at every position of a 17-byte ASCII run.
        for scalar in 0..<0x80 {
            for position in 0..<17 {
                var characters = Array(repeating: Character("y"), count: 17)
                characters[position] = Character(UnicodeScalar(UInt8(scalar)))
                let text = String(characters)
                var writer = CompactJSONWriter()
                writer.string(text)
                #expect(writer.bytes == (try Self.reference(text)), "byte \(scalar) at \(position)")
            }
        }
    }

}
