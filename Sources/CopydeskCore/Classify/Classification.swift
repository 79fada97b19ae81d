/// What an editor would say about a document at a glance: what it is, who issued it, what it is about, what
/// language it is in, who is in it and how urgent it is — each with the score and the cues that decided it, so
/// `copydesk inspect` can show why and a wrong rule can be found and fixed.
///
/// Stored with every document record (`DocumentRecord.classification`, optional, so older records still decode).
/// Field names are stable: they are what `copydesk list --kind/--source/--topic/--lang` filter on and what `--json`
/// prints. Scores and weights are written as integers in thousandths (`"score": 873` is 0.873; see
/// ``Thousandths``).
public struct Classification: Codable, Sendable, Equatable {
    /// Bumped when the meaning of a field changes, so readers of old records know what they hold.
    public static let currentVersion = 1

    public var version: Int
    /// Press release, agency story, transcript, statement, advisory, feature or other.
    public var kind: KindLabel
    /// The issuing organisation or agency, when any cue names one.
    public var source: SourceLabel?
    /// IPTC Media Topics, best first; a parent topic follows its children's evidence.
    public var topics: [TopicLabel]
    /// ISO 639-1 code of the body's main language.
    public var language: LanguageLabel
    /// People, organisations and places, most mentioned first.
    public var entities: [Entity]
    /// Set only when the format or the text marks the story as urgent.
    public var urgency: UrgencyLabel?
    /// What the user-trained model said, when one is loaded.
    public var model: ModelVerdict?

    public init(
        kind: KindLabel, source: SourceLabel? = nil, topics: [TopicLabel] = [], language: LanguageLabel,
        entities: [Entity] = [], urgency: UrgencyLabel? = nil, model: ModelVerdict? = nil
    ) {
        self.version = Self.currentVersion
        self.kind = kind
        self.source = source
        self.topics = topics
        self.language = language
        self.entities = entities
        self.urgency = urgency
        self.model = model
    }
}

/// One piece of evidence: what was found, where, and what it was worth. `line` points into the rules file, so a
/// user who disagrees with a decision can open the rule that made it.
public struct Cue: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The text that matched (a phrase, a regex match, a metadata value) or a sentence for built-in reasoning.
    public var text: String
    /// Where it was found: `headline`, `lead`, `tail`, `body`, `byline`, `dateline`, `source`, `channel`, `meta`,
    /// or `text`/`metadata` for built-in checks.
    public var field: String
    @Thousandths public var weight: Double
    /// The rules-file line of the rule, when a rule produced the cue.
    public var line: Int?

    public init(_ text: String, field: String, weight: Double, line: Int? = nil) {
        self.text = text
        self.field = field
        self.weight = weight
        self.line = line
    }

    public var description: String {
        let sign = weight >= 0 ? "+" : ""
        let place = line.map { " (rules:\($0))" } ?? ""
        return "\"\(text)\" in \(field) \(sign)\(Self.format(weight))\(place)"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// The kinds of document an editor tells apart.
public enum DocumentKind: String, Codable, Sendable, CaseIterable {
    case pressRelease = "press-release"
    case agencyStory = "agency-story"
    case transcript
    case statement
    case advisory
    case feature
    case other
}

public struct KindLabel: Codable, Sendable, Equatable {
    public var kind: DocumentKind
    /// A finer kind within it: `press-conference`, `speech`, `interview`, `doorstep` for transcripts.
    public var detail: String?
    /// 0…1: how far the evidence for this kind outweighs the rest.
    @Thousandths public var score: Double
    public var cues: [Cue]

    public init(kind: DocumentKind, detail: String? = nil, score: Double, cues: [Cue]) {
        self.kind = kind
        self.detail = detail
        self.score = score
        self.cues = cues
    }
}

public struct SourceLabel: Codable, Sendable, Equatable {
    /// The canonical name (`Xinhua`, `NATO`, `Reuters`).
    public var name: String
    /// True for news agencies (their stories are agency stories), false for issuing organisations.
    public var isAgency: Bool
    @Thousandths public var score: Double
    public var cues: [Cue]

    public init(name: String, isAgency: Bool, score: Double, cues: [Cue]) {
        self.name = name
        self.isAgency = isAgency
        self.score = score
        self.cues = cues
    }
}

public struct TopicLabel: Codable, Sendable, Equatable {
    /// The IPTC Media Topic QCode (`medtop:16000000`).
    public var code: String
    /// The IPTC English label (`conflict, war and peace`).
    public var label: String
    /// The QCode of the broader topic, nil for the 17 top-level topics.
    public var parent: String?
    @Thousandths public var score: Double
    public var cues: [Cue]

    public init(code: String, label: String, parent: String?, score: Double, cues: [Cue]) {
        self.code = code
        self.label = label
        self.parent = parent
        self.score = score
        self.cues = cues
    }
}

public struct LanguageLabel: Codable, Sendable, Equatable {
    /// ISO 639-1 (`en`), or `und` when there is too little text to tell.
    public var code: String
    @Thousandths public var score: Double
    public var cues: [Cue]

    public init(code: String, score: Double, cues: [Cue]) {
        self.code = code
        self.score = score
        self.cues = cues
    }
}

public struct Entity: Codable, Sendable, Equatable {
    public enum EntityType: String, Codable, Sendable, CaseIterable {
        case person
        case organisation
        case place
    }

    public var name: String
    public var type: EntityType
    /// Mentions, including short forms linked to the full name (`Stoltenberg` → `Jens Stoltenberg`).
    public var count: Int

    public init(name: String, type: EntityType, count: Int) {
        self.name = name
        self.type = type
        self.count = count
    }
}

/// Urgency on the IPTC NewsML-G2 scale: 1 is most urgent, 9 least. Text markers map to 1 (FLASH), 2 (BULLETIN),
/// 3 (URGENT, ALERT).
public struct UrgencyLabel: Codable, Sendable, Equatable {
    public var level: Int
    /// The marker's name (`flash`, `bulletin`, `urgent`, `alert`) or `metadata`.
    public var marker: String
    public var cues: [Cue]

    public init(level: Int, marker: String, cues: [Cue]) {
        self.level = level
        self.marker = marker
        self.cues = cues
    }
}

/// The trained model's answer: its best label, the runners-up and the features that weighed most.
public struct ModelVerdict: Codable, Sendable, Equatable {
    public struct Alternative: Codable, Sendable, Equatable {
        public var label: String
        @Thousandths public var score: Double

        public init(label: String, score: Double) {
            self.label = label
            self.score = score
        }

    }

    public struct Feature: Codable, Sendable, Equatable {
        /// A word or a word pair (`european union`).
        public var text: String
        /// What it added to the winning label's score.
        @Thousandths public var weight: Double

        public init(text: String, weight: Double) {
            self.text = text
            self.weight = weight
        }

    }

    /// The model's name as trained (`copydesk train` writes it; usually the training folder's name).
    public var modelName: String
    public var label: String
    /// 0…1 (softmax over the labels' scores).
    @Thousandths public var score: Double
    public var alternatives: [Alternative]
    public var features: [Feature]

    public init(modelName: String, label: String, score: Double, alternatives: [Alternative], features: [Feature]) {
        self.modelName = modelName
        self.label = label
        self.score = score
        self.alternatives = alternatives
        self.features = features
    }
}

// MARK: - Stored form

/// A score or weight as records hold it: rounded to thousandths when a label is made (so a record reads back
/// equal to what was written) and stored as an integer count of them (`"score": 873` is 0.873). Integers, because
/// three decimals is all a score says and the journal's metadata writer (``CompactJSON``) writes integers byte for
/// byte as `JSONEncoder` does; one wrapper, so each label keeps its synthesized `Codable`.
@propertyWrapper
public struct Thousandths: Codable, Sendable, Equatable {
    public var wrappedValue: Double

    public init(wrappedValue: Double) {
        self.wrappedValue = Self.round(wrappedValue)
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = Self.value(try decoder.singleValueContainer().decode(Int.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.stored(wrappedValue))
    }

    @inline(__always)
    static func round(_ value: Double) -> Double { value.isFinite ? (value * 1000).rounded() / 1000 : 0 }
    static func stored(_ value: Double) -> Int { value.isFinite ? Int((value * 1000).rounded()) : 0 }
    static func value(_ stored: Int) -> Double { Double(stored) / 1000 }
}
