import CopydeskCore
import Testing

@Suite("Classify: language")
struct ClassifyLanguageTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var code: String
        var text: String
        var testDescription: String { "\(code): \(text)" }
    }

    /// One news sentence per language (written for this test, not taken from the profiles' sources).
    static let sentences: [Sample] = [
        Sample(code: "en", text: "The government announced new measures on Tuesday."),
        Sample(code: "fr", text: "Le gouvernement a annoncé de nouvelles mesures mardi."),
        Sample(code: "de", text: "Die Regierung hat am Dienstag neue Maßnahmen angekündigt."),
        Sample(code: "es", text: "El gobierno anunció nuevas medidas el martes."),
        Sample(code: "it", text: "Il governo ha annunciato nuove misure martedì."),
        Sample(code: "pt", text: "O governo anunciou novas medidas na terça-feira."),
        Sample(code: "nl", text: "De regering heeft dinsdag nieuwe maatregelen aangekondigd."),
        Sample(code: "ru", text: "Правительство объявило о новых мерах во вторник."),
        Sample(code: "uk", text: "Уряд оголосив про нові заходи у вівторок."),
        Sample(code: "pl", text: "Rząd ogłosił we wtorek nowe środki."),
        Sample(code: "tr", text: "Hükümet salı günü yeni önlemler açıkladı."),
        Sample(code: "ar", text: "أعلنت الحكومة عن إجراءات جديدة يوم الثلاثاء."),
        Sample(code: "zh", text: "政府周二宣布了新措施。"),
        Sample(code: "ja", text: "政府は火曜日に新たな措置を発表した。"),
    ]

    /// Headline-sized fragments: three or four words.
    static let fragments: [Sample] = [
        Sample(code: "en", text: "Talks end without agreement"),
        Sample(code: "fr", text: "Le président reçoit les syndicats"),
        Sample(code: "de", text: "Streik legt Flughafen lahm"),
        Sample(code: "es", text: "El paro baja en marzo"),
        Sample(code: "it", text: "Il governo cade di nuovo"),
        Sample(code: "pt", text: "Governo aprova orçamento"),
        Sample(code: "nl", text: "Kabinet valt over stikstof"),
        Sample(code: "ru", text: "Выборы пройдут в марте"),
        Sample(code: "uk", text: "Вибори відбудуться у березні"),
        Sample(code: "pl", text: "Sejm przyjął ustawę"),
        Sample(code: "tr", text: "Meclis yasayı kabul etti"),
    ]

    @Test(arguments: sentences + fragments)
    func detects(_ sample: Sample) {
        #expect(LanguageDetector.standard.detect(sample.text).code == sample.code)
    }

    @Test func ukrainianAndRussianLettersDecide() {
        let ukrainian = LanguageDetector.standard.detect("Їхня позиція є зрозумілою")
        #expect(ukrainian.code == "uk")
        #expect(ukrainian.cues.contains { $0.text.hasPrefix("і ї є ґ") })
        let russian = LanguageDetector.standard.detect("Эта позиция вызывает вопросы")
        #expect(russian.code == "ru")
    }

    @Test func onlyTheMainScriptIsScored() {
        let text = "NATO leaders met in Brussels on Thursday to discuss the alliance's role in the coalition. "
            + "Заголовок открываемого материала"
        let result = LanguageDetector.standard.detect(text)
        #expect(result.code == "en")
        #expect(result.cues.contains { $0.text.hasPrefix("script Latin") && $0.text.contains("Cyrillic") })
    }

    @Test func tooLittleTextFallsBackToTheDeclaredLanguage() {
        #expect(LanguageDetector.standard.detect("OK", declared: "de-CH").code == "de")
        #expect(LanguageDetector.standard.detect("12:30", declared: nil).code == "und")
        // With enough text the text wins over a wrong declaration, and the declaration stays visible as a cue.
        let result = LanguageDetector.standard.detect("The minister resigned after the vote on Monday.", declared: "fr")
        #expect(result.code == "en")
        #expect(result.cues.contains { $0.text == "declared fr" })
    }

    @Test func scriptsThatNameTheirLanguage() {
        #expect(LanguageDetector.standard.detect("Η κυβέρνηση ανακοίνωσε νέα μέτρα").code == "el")
        #expect(LanguageDetector.standard.detect("정부는 화요일에 새로운 조치를 발표했다").code == "ko")
        #expect(LanguageDetector.standard.detect("הממשלה הודיעה על צעדים חדשים").code == "he")
    }
}

@Suite("Classify: entities and phrases")
struct ClassifyEntityTests {
    @Test func titlesAndSpeechVerbsFindPeople() {
        let entities = EntityExtractor.standard.extract(
            "NATO Secretary General Jens Stoltenberg met EU ministers in Brussels. Stoltenberg said the EU "
                + "and NATO would work together. Jean-Claude Juncker said he agreed. Mr. Juncker left for Paris."
        )
        func count(_ name: String) -> Int? { entities.first { $0.name == name }?.count }
        #expect(count("Jens Stoltenberg") == 2)
        #expect(count("Jean-Claude Juncker") == 2)
        #expect(count("European Union") == 2)  // "EU" is the European Union
        #expect(count("NATO") == 2)
        #expect(entities.first { $0.name == "Paris" }?.type == .place)
    }

    @Test func organisationsByTheirLastWord() {
        let entities = EntityExtractor.standard.extract("The Standing Maritime Group was joined by the Border Police.")
        #expect(entities.contains { $0.name == "Standing Maritime Group" && $0.type == .organisation })
        #expect(entities.contains { $0.name == "Border Police" && $0.type == .organisation })
    }

    @Test func aSentenceEndIsNotATitle() {
        let entities = EntityExtractor.standard.extract("He spoke to the General. Ministers then left.")
        #expect(!entities.contains { $0.name == "Ministers" })
    }
}
