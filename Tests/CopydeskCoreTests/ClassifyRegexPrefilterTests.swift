@testable import CopydeskCore
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
}
