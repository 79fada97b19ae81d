@testable import CopydeskCore
import Foundation
import Testing

/// The extractor's name logic on bytes (``EntityExtractor/NameArena``) against the `String` logic it replaced,
/// kept as the reference: the same entities, types, counts and order on seeds, corpus text and random text, and
/// the byte path declines (leaving the story to the reference) exactly where `String` equality is not byte
/// equality.
@Suite("Classify: entity names as bytes")
struct ClassifyEntityNameTests {
    let extractor = EntityExtractor.standard

    /// Compares the two paths on one story; returns whether the byte path decided.
    @discardableResult
    func agree(_ text: String, headline: String = "", _ label: String) -> Bool {
        let reference = extractor.extract(text, headline: headline, path: .strings)
        let bytes = extractor.extract(text, headline: headline, path: .bytes)
        if let bytes { #expect(bytes == reference, "\(label)") }
        #expect(extractor.extract(text, headline: headline) == reference, "\(label) (public path)")
        return bytes != nil
    }

    @Test("seeds: same entities, and the byte path decides every one")
    func seeds() throws {
        for number in ["000", "001", "002", "003", "004"] {
            let text = String(decoding: try Seeds.bytes(number).bytes, as: UTF8.self)
            #expect(agree(text, "seed \(number)"))
            #expect(extractor.extract(text, path: .bytes)?.isEmpty == false, "seed \(number) has entities")
        }
    }

    @Test("crafted stories: surnames, ambiguous surnames, titles, organisations, gazetteer names")
    func crafted() {
        let stories = [
            "Secretary General Jens Stoltenberg said NATO would act. Stoltenberg added that the European Union agreed.",
            "Anna Smith said yes. John Smith said no. Smith was not there. President Smith spoke.",
            "The Foreign Ministry said. The Defence Ministry said. Foreign Ministry officials met the European Union.",
            "Mr. Juncker told reporters. Juncker said the EU would. Jean-Claude Juncker said so. O'Neill said.",
            "NATO's allies. NATO’s allies. The United States and US officials. Prime Minister Boris Johnson said.",
            "Chancellor Angela Merkel said. Merkel told. Angela said. The Bundestag Committee met. Merkel Merkel.",
            "President Vladimir Putin said. Putin said. Vladimir Putin Putin said. The Kremlin Council said.",
        ]
        for (position, story) in stories.enumerated() {
            #expect(agree(story, headline: "Headline Words Here", "story \(position)"))
        }
    }

    @Test("names that are not plainly NFC are left to the String path, which merges canonically equal spellings")
    func canonicallyEqualNames() {
        // ώ as U+03CE and as U+1F7D (its canonical singleton): one name to `String`, two byte strings.
        let story = "Minister Κ\u{03CE}στας said. Minister Κ\u{1F7D}στας said. The Council of Κ\u{03CE}στας met."
        #expect(extractor.extract(story, path: .bytes) == nil)
        let reference = extractor.extract(story, path: .strings)!
        #expect(extractor.extract(story) == reference)
        #expect(reference.contains { $0.name == "Κ\u{03CE}στας" && $0.type == .person && $0.count == 2 })
        // A decomposed "ü" is cut by the tokenizer at its combining mark, so no name holds one: decided on bytes.
        #expect(agree("Minister Hans Müller said. Minister Hans Mu\u{0308}ller said. Mu\u{0308}ller added.", "NFD"))
        #expect(extractor.extract("Minister Hans Mu\u{0308}ller said.", path: .bytes) != nil)
        // Cyrillic and CJK names are plain NFC: decided on bytes.
        #expect(agree("Президент Владимир Путин said. Путин said. Minister 王毅 said. 王毅 told.", "cyrillic, CJK"))
        // (Han has no capitals, so 王毅 starts no run; only the Cyrillic name is found.)
        let names = extractor.extract("President Владимир Путин said. Minister 王毅 said.", path: .bytes)?.map(\.name)
        #expect(names == ["Владимир Путин"])
    }

    @Test("random stories from name-like pieces: same entities as the String path")
    func randomStories() {
        var generator = SplitMix64(seed: 19)
        let pieces = [
            "President", "Minister", "Foreign", "Secretary", "General", "Mr.", "Dr", "Mrs", "Jens", "Stoltenberg",
            "Anna", "Smith", "John", "Jean-Claude", "Juncker", "O'Neill", "Ministry", "Council", "Bank", "Party",
            "The", "In", "And", "said", "told", "says", "NATO", "EU", "European", "Union", "United", "States", "US",
            "Brussels", "China", "Xinhua", "Müller", "Zoë", "Łukasz", "Путин", "王毅", "of", "the", "and", "a", "’s",
            "'s", ",", ".", ";", "\"", "(", ")", "\n", "\n\n", "—", "U.S.", "St.", "Gov.", "Sen.", "A", "I",
        ]
        var decided = 0
        for round in 0..<1_500 {
            let length = 5 + Int(generator.next() % 60)
            var words: [String] = []
            for _ in 0..<length { words.append(pieces[Int(generator.next() % UInt64(pieces.count))]) }
            let headline = words.prefix(Int(generator.next() % 5)).joined(separator: " ")
            if agree(words.joined(separator: " "), headline: headline, "round \(round)") { decided += 1 }
        }
        #expect(decided == 1_500)
    }

    @Test("corpus stories (BBC news, Reuters): same entities as the String path (../shared)")
    func corpus() throws {
        guard let bbc = ClassifyCorpus.bbc(every: 10), let lines = ClassifyCorpus.reutersLines() else {
            ClassifyCorpus.skipped("bbc-news or reuters21578-subset")
            return
        }
        var stories: [(headline: String, body: String, label: String)] = []
        for (name, text) in bbc {
            let headline = text.prefix { $0 != "\n" }
            stories.append((String(headline), String(text.dropFirst(headline.count)), name))
        }
        for (position, line) in lines.enumerated() where position % 2 == 0 {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let body = object["body"] as? String
            else { continue }
            stories.append(((object["title"] as? String) ?? "", body, "reuters \(position)"))
        }
        var decided = 0
        var entities = 0
        for story in stories {
            if agree(story.body, headline: story.headline, story.label) { decided += 1 }
            entities += extractor.extract(story.body, headline: story.headline).count
        }
        #expect(stories.count > 300)
        #expect(entities > stories.count * 3)
        #expect(decided * 100 >= stories.count * 99, "declined \(stories.count - decided) of \(stories.count)")
    }
}
