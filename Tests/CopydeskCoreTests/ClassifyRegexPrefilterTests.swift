@testable import CopydeskCore
import Foundation
import Testing

/// The cheap checks that keep the regex engine from running on paragraphs a rule's regex cannot match: they may
/// only ever skip a paragraph the regex would not have matched.
@Suite("Classify: regex prefilters")
struct ClassifyRegexPrefilterTests {
    @Test("^WORD\\b and ^(A|B)\\b give their words; anything less certain gives none")
    func literalPrefixes() {
        func words(_ source: String) -> [String]? {
            CompiledRegex.literalPrefixes(of: source)?.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(words(#"^FLASH\b"#) == ["FLASH"])
        #expect(words(#"^(URGENT|DRINGEND|URGENTE)\b"#) == ["URGENT", "DRINGEND", "URGENTE"])
        #expect(words(#"^FLASH?\b"#) == nil)
        #expect(words(#"^FLASH"#) == nil)
        #expect(words(#"^(URGENT|)\b"#) == nil)
        #expect(words(#"^(?i)flash\b"#) == nil)
        #expect(words(#"^[A-Z][a-z]+\b"#) == nil)
        #expect(words(#"FLASH\b"#) == nil)
    }

    @Test("urgency regexes: the prefilter and the engine agree on paragraphs that do and do not start with the word")
    func prefilterAgreesWithTheEngine() throws {
        let sources = [#"^FLASH\b"#, #"^BULLETIN\b"#, #"^(URGENT|DRINGEND|URGENTE)\b"#, #"^(ALERT|BREAKING)\b"#]
        let texts = [
            "FLASH Something happened", "FLASHING lights", "BULLETIN: vote", "But the bulletin", "BRUSSELS (Sputnik) —",
            "URGENTE: sismo", "URGENT", "DRINGEND Eilmeldung", "BREAKING: news", "ALERTS issued", "Flash flood", "",
            " URGENT with a space",
        ]
        for source in sources {
            let compiled = CompiledRegex(source: source, regex: try Regex(source))
            #expect(compiled.literalPrefixes != nil)
            for text in texts {
                let engine = (try? Regex(source).prefixMatch(in: text)) != nil
                #expect(compiled.matches(text) == engine, "\(source) on \(text)")
            }
        }
    }

    @Test("the built-in rules' dateline regex is the one the dateline prefilter is for")
    func datelinePrefilterIsUsed() throws {
        let compiled = ClassificationRules.default.rules.flatMap(\.patterns).compactMap { pattern -> CompiledRegex? in
            if case .regex(let regex) = pattern { return regex } else { return nil }
        }
        #expect(compiled.contains { $0.isAgencyDateline })
        #expect(compiled.filter(\.isAgencyDateline).allSatisfy { $0.source == CompiledRegex.agencyDateline })
    }

    /// Paragraphs around the dateline's edges: datelines that match, near misses on each side of the prefilter's
    /// checks, non-ASCII letters, spaces and digits, and 55/56 characters before the bracket.
    static let datelineTexts: [String] = [
        "BRUSSELS (Sputnik) — NATO said", "LONDON, Jan 5 (Reuters) - Shares", "WASHINGTON (AP) — The", "PARIS (AFP) -",
        "BEIJING, March 3 (Xinhua) -- China", "Brussels (Sputnik) - x", "NEW YORK/LONDON (Reuters) - x",
        "ST. PETERSBURG (TASS) – x", "O'HARE (AP) — x", "UNITED NATIONS, Sept. 12 (Xinhua) — x",
        "LONDON:(Reuters) - x", "LONDON; (Reuters) - x", "LONDON \"(Reuters) - x", "100% (Reuters) - x",
        "Shares in TimeWarner jumped 76% to $1.13bn (£600m) for", "The firm (which) said", "A (B) - c",
        "MÜNCHEN (dpa) - x", "ZÜRICH (SDA) – x", "KYIV\u{00A0}(Ukrinform) — x", "KYIV\u{2003}(UNIAN) — x",
        "TOKYO, Jan ٣ (Kyodo) - x", "BERLIN\t\n(dpa) - x", "A\u{0301}THENS (AP) - x", "ATHENS\u{0301} (AP) - x",
        "X" + String(repeating: "a", count: 40) + ", Sept. 12 (Xinhua) — x",
        "X" + String(repeating: "a", count: 41) + ", Sept. 12 (Xinhua) — x",
        "X" + String(repeating: "a", count: 40) + ",      Septembe. 12, (Xinhua) — x",
        "X" + String(repeating: "a", count: 60) + " (Reuters) - x", "NO BRACKET - x", "", "(Reuters) - x",
        "LONDON (Reuters)- x", "LONDON (Reuters) x", "LONDON (reuters) - x", "LONDON\u{0600}(Reuters) - x",
    ]

    @Test("agency dateline: the prefilter never rejects a paragraph the engine matches (crafted edge cases, seeds)")
    func datelinePrefilterAgreesWithTheEngine() throws {
        let source = CompiledRegex.agencyDateline
        let regex = try Regex(source)
        let compiled = CompiledRegex(source: source, regex: regex)
        #expect(compiled.isAgencyDateline)
        var texts = Self.datelineTexts
        for number in ["000", "001", "002", "003", "004"] {
            let seed = try Seeds.bytes(number)
            texts += String(decoding: seed.bytes, as: UTF8.self).components(separatedBy: "\n")
        }
        var matched = 0
        var rejected = 0
        for text in texts {
            let engine = (try? regex.prefixMatch(in: text)) != nil
            var copy = text
            let possible = copy.withUTF8 { compiled.couldBeDateline($0) }
            if engine {
                matched += 1
                #expect(possible, "prefilter rejects a dateline: \(text)")
            }
            if !possible { rejected += 1 }
            #expect(compiled.matches(text) == engine, "\(text)")
        }
        #expect(matched >= 12)
        #expect(rejected >= 10)
    }

    /// The hand matcher against the engine on one text: where it decides, it must say what the engine says.
    /// Returns whether it decided.
    static func handMatcherAgrees(_ text: String, _ regex: Regex<AnyRegexOutput>) -> Bool {
        let engine = (try? regex.prefixMatch(in: text)) != nil
        var copy = text
        let decided = copy.withUTF8 { CompiledRegex.matchAgencyDateline($0) }
        if let decided { #expect(decided == engine, "hand matcher says \(decided), engine \(engine): \(text)") }
        return decided != nil
    }

    @Test("agency dateline: the byte matcher agrees with the engine on edge cases, seeds and random lines")
    func datelineMatcherAgreesOnEdgesAndRandomLines() throws {
        let regex = try Regex(CompiledRegex.agencyDateline)
        var texts = Self.datelineTexts + [
            "LONDON, Jan. 5 (Reuters) - x", "LONDON, January 5 (Reuters) - x", "LONDON, Jan 123 (Reuters) - x",
            "LONDON Jan 5, (Reuters) - x", "LONDON, Jan 5,(Reuters) - x", "L (A) -", "L (A)", "LO (Ab) -",
            "LO (Abcdefghijklm) - x", "LO (Abcdefghijkl) - x", "LO (Ab Cd) - x", "LO (Ab Cd Ef) - x", "LO (Ab C) - x",
            "LO (Ab cd) - x", "LO (AB-C.D) — x", "LO (Ab)\r\n- x", "LO (Ab)\u{0B}- x", "LO (Ab) -\u{0301}x",
            "LO (Ab) —\u{0301}x", "LO (Ab) —", "LO (Ab) \u{2014}x", "LO (Ab) \u{2015} x", "LO (Ab) \u{00A0}- x",
            "LO,  \t (Ab) - x", "LO,, (Ab) - x", "LO , (Ab) - x", "LO. Jan 5 (Ab) - x", "L Ja 5 (Ab) - x",
            "LONDON Jan 5 (Ab) - x", "LONDON Jan 5  (Ab) - x", "LONDON Jan5 (Ab) - x", "LO (Ab) (Cd) - x",
        ]
        for number in ["000", "001", "002", "003", "004"] {
            let seed = try Seeds.bytes(number)
            texts += String(decoding: seed.bytes, as: UTF8.self).components(separatedBy: "\n")
        }
        // Random lines from the pieces a dateline is made of, so that near misses of every element come up.
        var generator = SplitMix64(seed: 11)
        let pieces = [
            "A", "Z", "L", "ON", "a", "z", "on", "Jan", "Sept", "Janu", "'", "/", ".", " ", "-", ",", "(", ")", "\t",
            "\n", "\r", "\r\n", "1", "9", "12", "123", "—", "–", "é", "\u{0301}", "\u{00A0}", "\u{2003}", "\u{0B}",
            "Reuters", "Xinhua", " Staff", " staff", "(AP)", ") -", " (Reuters) - ", "٣", "x",
        ]
        for _ in 0..<20_000 {
            let length = 1 + Int(generator.next() % 14)
            texts.append((0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined())
        }
        var decided = 0
        var matched = 0
        for text in texts {
            if Self.handMatcherAgrees(text, regex) { decided += 1 }
            if (try? regex.prefixMatch(in: text)) != nil { matched += 1 }
        }
        // A third of the random lines hold a non-ASCII piece before the dash: those go to the engine.
        #expect(matched >= 200)
        #expect(decided * 100 > texts.count * 65, "the engine is left \(texts.count - decided) of \(texts.count)")
    }

    @Test("agency dateline: the byte matcher agrees with the engine on corpus paragraphs and datelines (../shared)")
    func datelineMatcherAgreesOnCorpus() throws {
        guard let bbc = ClassifyCorpus.bbc(every: 20), let lines = ClassifyCorpus.reutersLines() else {
            ClassifyCorpus.skipped("bbc-news or reuters21578-subset")
            return
        }
        let regex = try Regex(CompiledRegex.agencyDateline)
        var texts: [String] = []
        for (_, text) in bbc { texts += text.components(separatedBy: "\n") }
        // Reuters' datelines ("SALVADOR, Feb 26 -") as a wire writes them, with the agency in brackets.
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let dateline = object["dateline"] as? String, let body = object["body"] as? String
            else { continue }
            let place = dateline.trimmingCharacters(in: .whitespaces).dropLast().trimmingCharacters(in: .whitespaces)
            let lead = String(body.prefix(80)).replacingOccurrences(of: "\n", with: " ")
            texts += [
                "\(place) (Reuters) - \(lead)", "\(place) (Reuters) — \(lead)", "\(dateline) \(lead)",
                "\(place)(Reuters)-\(lead)",
            ]
        }
        var decided = 0
        var matched = 0
        for text in texts {
            if Self.handMatcherAgrees(text, regex) { decided += 1 }
            if (try? regex.prefixMatch(in: text)) != nil { matched += 1 }
        }
        #expect(matched > 100)
        #expect(decided * 100 > texts.count * 95, "the engine is left \(texts.count - decided) of \(texts.count)")
    }
}
