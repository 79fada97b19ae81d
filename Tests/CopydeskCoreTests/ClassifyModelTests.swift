import CopydeskCore
import Testing

@Suite("Classify: trained model")
struct ClassifyModelTests {
    /// A tiny labelled corpus: enough words per label that a linear model must separate them by content.
    static let examples: [(text: String, label: String)] = {
        let sport = [
            "The striker scored twice as the home team won the league match",
            "The coach praised his players after the cup final victory",
            "Tennis champion wins the tournament final in straight sets",
            "The team lost the match after a late goal from the visitors",
            "Olympic sprinter breaks the world record in the final race",
            "The league season ends with a dramatic title win for the club",
        ]
        let markets = [
            "Shares fell as investors worried about interest rates and inflation",
            "The bank reported higher profits and raised its dividend for investors",
            "Oil prices rose while the stock market closed lower on Friday",
            "The company said quarterly sales and profits beat forecasts",
            "Inflation figures pushed bond yields and the dollar higher",
            "Investors sold shares of the bank after the profit warning",
        ]
        let weather = [
            "Heavy rain and strong winds are forecast for the coast tomorrow",
            "A storm warning was issued as snow and ice spread north",
            "Temperatures will fall sharply with frost expected overnight",
            "Forecasters expect sunshine after morning fog clears inland",
            "Flood warnings remain in place after days of heavy rain",
            "Strong winds and snow showers are forecast for the hills",
        ]
        return sport.map { ($0, "sport") } + markets.map { ($0, "markets") } + weather.map { ($0, "weather") }
    }()

    @Test(arguments: TextModel.Algorithm.allCases)
    func trainsAndPredicts(_ algorithm: TextModel.Algorithm) {
        var options = TextModel.Options()
        options.algorithm = algorithm
        options.bucketBits = 16
        let model = TextModel.train(Self.examples, options: options, name: "tiny")
        #expect(model.labels == ["markets", "sport", "weather"])
        #expect(model.predict("The team won the cup final after a late goal") == "sport")
        #expect(model.predict("Shares and the dollar fell as inflation worried investors") == "markets")
        #expect(model.predict("Snow, frost and strong winds are forecast overnight") == "weather")
        let verdict = model.verdict(for: "The striker scored in the final match")
        #expect(verdict.label == "sport")
        #expect(verdict.score > 0.34)
        #expect(!verdict.features.isEmpty)
        #expect(verdict.features.allSatisfy { "the striker scored in the final match".contains($0.text) })
        #expect(model.topFeatures.count == 3)
        #expect(model.topFeatures[1].contains { ["match", "team", "final", "league"].contains($0.text) })
    }

    @Test(arguments: TextModel.Algorithm.allCases)
    func serializationRoundTrips(_ algorithm: TextModel.Algorithm) throws {
        var options = TextModel.Options()
        options.algorithm = algorithm
        options.bucketBits = 14
        let model = TextModel.train(Self.examples, options: options, name: "tiny")
        let bytes = model.serialized()
        let loaded = try TextModel(serialized: bytes)
        #expect(loaded.name == "tiny")
        #expect(loaded.algorithm == algorithm)
        #expect(loaded.labels == model.labels)
        #expect(loaded.documentCount == model.documentCount)
        #expect(loaded.topFeatures == model.topFeatures)
        for text in ["Storm warning for the coast", "Profits beat forecasts", "Cup final tonight", "zzz"] {
            let (a, b) = (model.scores(text), loaded.scores(text))
            #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 }, "\(text): \(a) vs \(b)")
        }
        #expect(loaded.serialized() == bytes)
    }

    @Test func damagedFilesAreRefused() throws {
        var options = TextModel.Options()
        options.bucketBits = 12
        let bytes = TextModel.train(Self.examples, options: options).serialized()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: ModelFileError.self) { try TextModel(serialized: flipped) }
        #expect(throws: ModelFileError.self) { try TextModel(serialized: Array(bytes.prefix(bytes.count - 10))) }
        #expect(throws: ModelFileError.self) { try TextModel(serialized: Array("not a model".utf8)) }
    }

    @Test func trainingIsDeterministic() {
        var options = TextModel.Options()
        options.bucketBits = 12
        options.seed = 42
        let a = TextModel.train(Self.examples, options: options).serialized()
        let b = TextModel.train(Self.examples, options: options).serialized()
        #expect(a == b)
    }

    /// The model's label becomes a topic through `model-topic`, with the model named in the cue.
    @Test func modelLabelsBecomeTopics() throws {
        var options = TextModel.Options()
        options.bucketBits = 12
        let model = TextModel.train(Self.examples, options: options, name: "tiny")
        let rules = try ClassificationRules.parse("model-topic sport medtop:15000000\nset topic-threshold 1")
        let result = Classifier(rules: rules, model: model).classify(
            Article(headline: "Late goal wins the cup final", paragraphs: ["The striker scored for the team."])
        )
        #expect(result.model?.label == "sport")
        #expect(result.model?.modelName == "tiny")
        #expect(result.topics.first?.code == "medtop:15000000")
        #expect(result.topics.first?.cues.contains { $0.text == "model: sport" } == true)
    }
}
