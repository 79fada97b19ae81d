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
}
