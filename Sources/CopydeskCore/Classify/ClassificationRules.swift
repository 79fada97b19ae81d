import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rules that map cues in a document to kinds, sources, topics and urgency: parsed from a text file users
/// read and edit (`deploy/rules.conf` is a copy of the default, ``defaultText``).
///
/// ## Why a line format, not TOML
/// Each rule is one line, so a rules file reads as a table, diffs line by line, and every error names the line it
/// is on — including errors TOML cannot know about (a regex that does not compile, an unknown topic code), which a
/// TOML parser could only place by table. Patterns need no escaping beyond quotes (a regex is written `/…/` as is),
/// and parsing stays a pure function of the text.
///
/// ## Format
/// ```
/// # comment (from # outside quotes or a regex to the end of the line)
/// kind    LABEL[:DETAIL]  WEIGHT  FIELDS  PATTERN…     # kinds: press-release agency-story transcript statement
///                                                      #        advisory feature other
/// source  NAME            WEIGHT  FIELDS  PATTERN…     # NAME quoted when it has spaces
/// topic   medtop:CODE     WEIGHT  FIELDS  PATTERN…     # CODE must be one of ``MediaTopics``
/// urgency MARKER          LEVEL   FIELDS  PATTERN…     # LEVEL: IPTC urgency 1 (flash) … 9
/// agency  NAME…                   # these sources are news agencies: their stories are agency stories
/// alias   NAME  "ALIAS"…          # other spellings of a source, for metadata and inbox channel names
/// model-topic LABEL medtop:CODE   # a trained model's label counts as evidence for that topic
/// set     KEY VALUE               # thresholds and weights, see ``Settings``
/// ```
/// FIELDS is a comma-separated list of `headline`, `lead` (headline, dateline, byline and the first paragraphs),
/// `tail` (the last three paragraphs), `body` (everything), `byline`, `dateline`, `source` (the file's own source
/// field), `channel` (the inbox sub-folder), `meta` (keywords, subjects, other metadata) or `any`.
///
/// PATTERN is `"a phrase"` or a bare word (case-insensitive, matched on word boundaries), `="…"` (a whole
/// paragraph), `^"…"` (a paragraph's start), `"…"$` (a paragraph's end, trailing punctuation ignored), or
/// `/regex/` (Swift Regex, case-sensitive, run on each paragraph of the fields; slower, keep them few).
///
/// Scoring: a `kind`, `source` or `urgency` rule adds its weight once if any of its patterns matched; a `topic`
/// rule adds its weight for each pattern found, times 1 + ln(count) capped at 3, so a story that keeps coming back
/// to a subject weighs more than one that mentions it in passing.
public struct ClassificationRules: Sendable {
    public enum Target: String, Sendable, CaseIterable {
        case kind, source, topic, urgency
    }

    /// Where a pattern is looked for.
    public struct Fields: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        public static let headline = Fields(rawValue: 1 << 0)
        public static let lead = Fields(rawValue: 1 << 1)
        public static let tail = Fields(rawValue: 1 << 2)
        public static let body = Fields(rawValue: 1 << 3)
        public static let byline = Fields(rawValue: 1 << 4)
        public static let dateline = Fields(rawValue: 1 << 5)
        public static let source = Fields(rawValue: 1 << 6)
        public static let channel = Fields(rawValue: 1 << 7)
        public static let meta = Fields(rawValue: 1 << 8)
        public static let any = Fields(rawValue: 0x1FF)

        /// Names in the order a cue reports them (most specific first).
        static let named: [(String, Fields)] = [
            ("headline", .headline), ("dateline", .dateline), ("byline", .byline), ("source", .source),
            ("channel", .channel), ("meta", .meta), ("lead", .lead), ("tail", .tail), ("body", .body),
        ]

        /// The most specific name among `self`'s fields.
        var primaryName: String {
            Self.named.first { contains($0.1) }?.0 ?? "body"
        }
    }

    public enum Anchor: Sendable, Equatable {
        /// Anywhere, on word boundaries.
        case anywhere
        /// The whole paragraph.
        case whole
        /// The paragraph's start.
        case prefix
        /// The paragraph's end.
        case suffix
    }

    public enum Pattern: Sendable {
        case phrase(String, Anchor)
        case regex(CompiledRegex)

        /// As written in the rules file, for cues.
        public var display: String {
            switch self {
            case .phrase(let text, .anywhere): text
            case .phrase(let text, .whole): "=" + text
            case .phrase(let text, .prefix): "^" + text
            case .phrase(let text, .suffix): text + "$"
            case .regex(let regex): "/" + regex.source + "/"
            }
        }
    }

    public struct Rule: Sendable {
        public var target: Target
        /// Kind name, source name, topic QCode or urgency marker.
        public var label: String
        /// For kinds: the detail after the colon (`transcript:speech`).
        public var detail: String?
        /// For urgency rules, the IPTC urgency level.
        public var weight: Double
        public var fields: Fields
        public var patterns: [Pattern]
        /// 1-based line in the rules text.
        public var line: Int
    }

    /// Thresholds and weights (`set KEY VALUE`).
    public struct Settings: Sendable, Equatable {
        /// A kind needs at least this much evidence; below it the kind follows the source (agency story, or press
        /// release for an organisation) or is `other`.
        public var kindThreshold = 2.0
        public var sourceThreshold = 3.0
        /// A topic is reported from this raw score on.
        public var topicThreshold = 4.0
        /// Raw topic score at which the 0…1 score reaches 63 % (1 - e⁻¹).
        public var topicScale = 8.0
        public var maxTopics = 6
        /// Share of a narrower topic's score its broader topics receive.
        public var topicPropagation = 0.6
        /// Weight of a source named by the inbox channel (`inbox/xinhua/`).
        public var channelWeight = 8.0
        /// Weight of a source the file itself declares (NITF `doc.copyright`, NewsML provider, …).
        public var declaredSourceWeight = 10.0
        /// Raw topic score a trained model's label adds at probability 1 (see `model-topic`).
        public var modelTopicWeight = 8.0
        /// Paragraphs of the lead: at most this many…
        public var leadParagraphs = 10
        /// …and none starting after this many characters.
        public var leadCharacters = 1500

        static let numberKeys = [
            "kind-threshold", "source-threshold", "topic-threshold", "topic-scale", "topic-propagation",
            "channel-weight", "declared-source-weight", "model-topic-weight",
        ]
        static let integerKeys = ["max-topics", "lead-paragraphs", "lead-characters"]

        /// Sets `key`; false for an unknown key.
        mutating func set(_ key: String, number: Double) -> Bool {
            switch key {
            case "kind-threshold": kindThreshold = number
            case "source-threshold": sourceThreshold = number
            case "topic-threshold": topicThreshold = number
            case "topic-scale": topicScale = number
            case "topic-propagation": topicPropagation = number
            case "channel-weight": channelWeight = number
            case "declared-source-weight": declaredSourceWeight = number
            case "model-topic-weight": modelTopicWeight = number
            default: return false
            }
            return true
        }

        mutating func set(_ key: String, integer: Int) -> Bool {
            switch key {
            case "max-topics": maxTopics = integer
            case "lead-paragraphs": leadParagraphs = integer
            case "lead-characters": leadCharacters = integer
            default: return false
            }
            return true
        }
    }

    public private(set) var rules: [Rule]
    /// Canonical names of the sources that are news agencies.
    public private(set) var agencies: Set<String>
    /// Lowercased spelling → canonical source name (every source name is its own alias).
    public private(set) var aliases: [String: String]
    /// Lowercased model label → topic QCode.
    public private(set) var modelTopics: [String: String]
    public private(set) var settings: Settings

    // Compiled phrase patterns: one automaton for all rules.
    let matcher: PhraseMatcher
    /// Per phrase in `matcher`, the rules and patterns that use it.
    let phraseUses: [[PhraseUse]]
    /// Per phrase, whether its first / last byte is part of a word (so a word boundary is required there).
    let phraseEdges: [(leading: Bool, trailing: Bool)]
    /// Rules with at least one regex pattern.
    let regexRules: [Int]

    struct PhraseUse: Sendable {
        var rule: Int
        var pattern: Int
        var anchor: Anchor
        /// The rule's fields (read at every occurrence; the `Rule` itself is a cache line elsewhere).
        var fields: Fields = []
    }

    /// Per phrase, what an occurrence needs — its length, its edges and where its uses are in ``flatUses`` — in
    /// one record: an occurrence read the matcher's lengths, the edges and an array of uses per phrase (a pointer
    /// to follow), several cache misses per phrase found; now one record and its uses.
    struct PhraseEntry: Sendable {
        var length: Int32
        var usesStart: Int32
        var usesEnd: Int32
        var leading: Bool
        var trailing: Bool
    }

    let phraseEntries: [PhraseEntry]
    /// ``phraseUses`` end to end.
    let flatUses: [PhraseUse]
    /// Per rule, its topic's position in ``MediaTopics/all`` (-1 for rules of other targets).
    let ruleTopics: [Int]

    /// A regex pattern with its rule: what the evidence loop runs. (Reading them from `rules` copied each
    /// rule's `Pattern`s, enums holding the compiled regex, retained and released per document.)
    struct RegexUse: Sendable {
        var rule: Int
        var pattern: Int
        var fields: Fields
        var regex: CompiledRegex
    }

    /// Every regex pattern, rule by rule in file order, each rule's patterns in the order written.
    let regexUses: [RegexUse]

    /// Parses a rules text. Pure: the caller reads the file.
    public static func parse(_ text: String) throws(RulesError) -> ClassificationRules {
        var rules: [Rule] = []
        var agencies: Set<String> = []
        var aliases: [String: String] = [:]
        var modelTopics: [String: String] = [:]
        var settings = Settings()
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let tokens = try RuleLexer.tokens(of: rawLine, line: lineNumber)
            guard let head = tokens.first else { continue }
            guard case .word(let directive) = head else {
                throw RulesError(line: lineNumber, "a line starts with a directive (kind, source, topic, …)")
            }
            let rest = Array(tokens.dropFirst())
            switch directive {
            case "kind", "source", "topic", "urgency":
                let target = Target(rawValue: directive)!
                rules.append(try rule(target, rest, line: lineNumber))
            case "agency":
                guard !rest.isEmpty else { throw RulesError(line: lineNumber, "agency needs at least one name") }
                for token in rest {
                    let name = try token.name(line: lineNumber)
                    agencies.insert(name)
                    aliases[name.lowercased()] = name
                }
            case "alias":
                guard rest.count >= 2 else { throw RulesError(line: lineNumber, "alias needs a name and spellings") }
                let name = try rest[0].name(line: lineNumber)
                aliases[name.lowercased()] = name
                for token in rest.dropFirst() { aliases[try token.name(line: lineNumber).lowercased()] = name }
            case "model-topic":
                guard rest.count == 2 else {
                    throw RulesError(line: lineNumber, "model-topic needs a model label and a topic code")
                }
                let label = try rest[0].name(line: lineNumber)
                let code = try rest[1].name(line: lineNumber)
                guard MediaTopics.byCode[code] != nil else {
                    throw RulesError(line: lineNumber, "unknown IPTC media topic \(code)")
                }
                modelTopics[label.lowercased()] = code
            case "set":
                guard rest.count == 2 else { throw RulesError(line: lineNumber, "set needs a key and a value") }
                let key = try rest[0].name(line: lineNumber)
                let value = try rest[1].name(line: lineNumber)
                if Settings.numberKeys.contains(key) {
                    guard let number = Double(value), number.isFinite, number >= 0 else {
                        throw RulesError(line: lineNumber, "\(key) must be a number ≥ 0, not \(value)")
                    }
                    _ = settings.set(key, number: number)
                } else if Settings.integerKeys.contains(key) {
                    guard let number = Int(value), number >= 0 else {
                        throw RulesError(line: lineNumber, "\(key) must be a whole number ≥ 0, not \(value)")
                    }
                    _ = settings.set(key, integer: number)
                } else {
                    let known = (Settings.numberKeys + Settings.integerKeys).sorted()
                    throw RulesError(line: lineNumber, "unknown setting \(key) (known: \(known.joined(separator: ", ")))")
                }
            default:
                throw RulesError(
                    line: lineNumber,
                    "unknown directive \(directive) (kind, source, topic, urgency, agency, alias, model-topic, set)"
                )
            }
        }
        for rule in rules where rule.target == .source { aliases[rule.label.lowercased()] = rule.label }
        return ClassificationRules(
            rules: rules, agencies: agencies, aliases: aliases, modelTopics: modelTopics, settings: settings
        )
    }

    private init(
        rules: [Rule], agencies: Set<String>, aliases: [String: String], modelTopics: [String: String],
        settings: Settings
    ) {
        self.rules = rules
        self.agencies = agencies
        self.aliases = aliases
        self.modelTopics = modelTopics
        self.settings = settings
        var phraseIndex: [String: Int] = [:]
        var phrases: [[UInt8]] = []
        var uses: [[PhraseUse]] = []
        var regexRules: [Int] = []
        for (ruleIndex, rule) in rules.enumerated() {
            var hasRegex = false
            for (patternIndex, pattern) in rule.patterns.enumerated() {
                switch pattern {
                case .phrase(let text, let anchor):
                    let key = TextBytes.lowercased(text)
                    let index: Int
                    if let known = phraseIndex[key] {
                        index = known
                    } else {
                        index = phrases.count
                        phraseIndex[key] = index
                        phrases.append(Array(key.utf8))
                        uses.append([])
                    }
                    uses[index].append(
                        PhraseUse(rule: ruleIndex, pattern: patternIndex, anchor: anchor, fields: rule.fields)
                    )
                case .regex:
                    hasRegex = true
                }
            }
            if hasRegex { regexRules.append(ruleIndex) }
        }
        self.matcher = PhraseMatcher(phrases)
        self.phraseUses = uses
        self.phraseEdges = phrases.map { bytes in
            (TextBytes.isWordByte(bytes.first ?? 0x20), TextBytes.isWordByte(bytes.last ?? 0x20))
        }
        self.regexRules = regexRules
        var entries: [PhraseEntry] = []
        var flat: [PhraseUse] = []
        for (index, phrase) in phrases.enumerated() {
            let start = Int32(flat.count)
            flat += uses[index]
            entries.append(PhraseEntry(
                length: Int32(phrase.count), usesStart: start, usesEnd: Int32(flat.count),
                leading: phraseEdges[index].leading, trailing: phraseEdges[index].trailing
            ))
        }
        self.phraseEntries = entries
        self.flatUses = flat
        self.ruleTopics = rules.map { $0.target == .topic ? MediaTopics.indexByCode[$0.label] ?? -1 : -1 }
        var regexUses: [RegexUse] = []
        for ruleIndex in regexRules {
            for (patternIndex, pattern) in rules[ruleIndex].patterns.enumerated() {
                guard case .regex(let compiled) = pattern else { continue }
                regexUses.append(
                    RegexUse(rule: ruleIndex, pattern: patternIndex, fields: rules[ruleIndex].fields, regex: compiled)
                )
            }
        }
        self.regexUses = regexUses
    }

    private static func rule(_ target: Target, _ tokens: [RuleLexer.Token], line: Int) throws(RulesError) -> Rule {
        guard tokens.count >= 4 else {
            throw RulesError(line: line, "\(target.rawValue) needs a label, a weight, fields and at least one pattern")
        }
        let labelText = try tokens[0].name(line: line)
        var label = labelText
        var detail: String?
        switch target {
        case .kind:
            let parts = labelText.split(separator: ":", maxSplits: 1).map(String.init)
            guard let first = parts.first, DocumentKind(rawValue: first) != nil else {
                let known = DocumentKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw RulesError(line: line, "unknown kind \(labelText) (known: \(known))")
            }
            label = first
            detail = parts.count > 1 ? parts[1] : nil
        case .topic:
            guard MediaTopics.byCode[labelText] != nil else {
                throw RulesError(line: line, "unknown IPTC media topic \(labelText)")
            }
        case .source, .urgency:
            break
        }
        let weightText = try tokens[1].name(line: line)
        guard let weight = Double(weightText), weight.isFinite else {
            throw RulesError(line: line, "weight must be a number, not \(weightText)")
        }
        if target == .urgency && !(1...9).contains(weight) {
            throw RulesError(line: line, "urgency level must be 1…9, not \(weightText)")
        }
        var fields: Fields = []
        for name in try tokens[2].name(line: line).split(separator: ",") {
            if name == "any" {
                fields.formUnion(.any)
            } else if let field = Fields.named.first(where: { $0.0 == name })?.1 {
                fields.formUnion(field)
            } else {
                let known = Fields.named.map(\.0).joined(separator: ", ")
                throw RulesError(line: line, "unknown field \(name) (known: \(known), any)")
            }
        }
        var patterns: [Pattern] = []
        for token in tokens.dropFirst(3) {
            switch token {
            case .word(let word): patterns.append(.phrase(word, .anywhere))
            case .quoted(let text, let anchor):
                guard !text.isEmpty else { throw RulesError(line: line, "empty phrase") }
                patterns.append(.phrase(text, anchor))
            case .regex(let source):
                do {
                    patterns.append(.regex(CompiledRegex(source: source, regex: try Regex(source))))
                } catch {
                    throw RulesError(line: line, "regex /\(source)/ does not compile: \(error)")
                }
            }
        }
        return Rule(target: target, label: label, detail: detail, weight: weight, fields: fields, patterns: patterns,
                    line: line)
    }
}

/// A compiled regex and its source text.
///
/// `@unchecked Sendable`: the daemon classifies on several threads with one set of rules, and `Regex` does not
/// promise that matching one value from two threads at once is safe (it builds and caches its compiled program on
/// first use). Each match therefore holds the regex's lock; the engine runs only for the few paragraphs that pass
/// the cheap checks below, so the lock is rarely contended.
public struct CompiledRegex: @unchecked Sendable {
    public let source: String
    let regex: Regex<AnyRegexOutput>
    private let lock = RegexLock()
    /// For `^X…`, `^(Alt|Other)…` and `^[A-Z]…`: the characters a match can start with, checked before running
    /// the regex engine (which costs microseconds even to fail).
    let firstCharacters: Set<Character>?
    /// ASCII characters every match contains (escaped literals outside groups and classes, such as the `\(` of
    /// a dateline): a paragraph without one cannot match, and checking bytes is far cheaper than the engine.
    let requiredBytes: [UInt8]
    /// For `^WORD\b…` and `^(WORD|OTHER)\b…` (the urgency markers): the words a match starts with. A paragraph
    /// starting with none of them cannot match; "But" and "BRUSSELS" no longer run the engine for `^BULLETIN\b`.
    let literalPrefixes: [[UInt8]]?
    /// Whether this is the built-in agency-dateline pattern (``agencyDateline``), for which ``couldBeDateline(_:)``
    /// rules out most paragraphs before the engine runs.
    let isAgencyDateline: Bool

    init(source: String, regex: Regex<AnyRegexOutput>) {
        self.source = source
        self.regex = regex
        self.firstCharacters = Self.firstCharacters(of: source)
        self.requiredBytes = Self.requiredBytes(of: source)
        self.literalPrefixes = Self.literalPrefixes(of: source)
        self.isAgencyDateline = source == Self.agencyDateline
    }

    /// The default rules' agency dateline (`BRUSSELS (Sputnik) —`, `LONDON, Jan 5 (Reuters) -`). It ran on every
    /// lead paragraph that starts with a capital and has a bracket, and the engine costs microseconds even to fail.
    static let agencyDateline =
        #"^[A-Z][A-Za-z'\/. -]{1,40},?\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2},? )?\((?:[A-Z][A-Za-z.-]{1,12}(?: [A-Z][a-z]+)?)\)\s*[-—–]"#

    /// ASCII bytes that can come before the bracket of ``agencyDateline``: its classes' letters and punctuation,
    /// the comma, digits (`\d`) and whitespace (`\s`; 0x1C–0x1F too, to be safe).
    private static let datelineBytes: [Bool] = (0..<128).map { value in
        let byte = UInt8(value)
        return (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || "'/. -,".utf8.contains(byte) || (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x20)
    }

    /// False only when ``agencyDateline`` cannot match `text`: an ASCII byte none of its elements before `\(`
    /// accepts comes before the first "(", or more non-space ASCII bytes come before it than those elements can
    /// take (1 + 40 + 1 + 13 = 55 characters; whitespace is unbounded). Why this is safe with the engine's
    /// character (grapheme) semantics: an ASCII byte is the first scalar of its character unless a prepended
    /// (non-ASCII) scalar comes first, and no element before the bracket accepts a character starting with a
    /// disallowed ASCII byte or with a prepended scalar; so each counted byte is a character the bounded elements
    /// must take, and no character before the bracket the regex matches can contain "(".
    func couldBeDateline(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var counted = 0
        for byte in text {
            if byte == 0x28 { return true }
            guard byte < 0x80 else { continue }
            if !Self.datelineBytes[Int(byte)] { return false }
            if byte > 0x20 {
                counted += 1
                if counted > 60 { return false }
            }
        }
        return false
    }

    /// ``agencyDateline`` matched by hand on bytes: true or false where the answer is certain, nil where the
    /// text holds something whose meaning under the engine's character (grapheme) semantics this does not model —
    /// a non-ASCII byte before the closing dash or right after it (a combining mark would join the character
    /// before it), or a control byte other than tab, line feed and carriage return. The engine decides those.
    ///
    /// Why reading bytes is exact otherwise: in ASCII every byte is one character except CR LF, which only
    /// `\s` can take and takes whole either way. No element before `\(` accepts "(", so the bracket is the
    /// first "(" of the text; the part before it must be matched whole by `C C{1,40},?\s*G?`, tried for every
    /// length of the bounded run; after it every run is followed by a byte the next element needs and the run's
    /// class lacks, so maximal runs are the only ones that can succeed (backtracking would find nothing else).
    static func matchAgencyDateline(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        let count = text.count
        @inline(__always) func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
        @inline(__always) func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
        @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        @inline(__always) func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }
        // Bytes left to the engine: non-ASCII, and controls other than tab, LF and CR (is \v or U+001C a `\s`?).
        @inline(__always) func isUnmodelled(_ byte: UInt8) -> Bool {
            byte >= 0x80 || byte == 0x7F || (byte < 0x20 && !isSpace(byte))
        }
        // `[A-Za-z'\/. -]`
        @inline(__always) func isRunByte(_ byte: UInt8) -> Bool {
            isUpper(byte) || isLower(byte) || byte == 0x27 || byte == 0x2F || byte == 0x2E || byte == 0x20
                || byte == 0x2D
        }
        // `[A-Za-z.-]`
        @inline(__always) func isAgencyByte(_ byte: UInt8) -> Bool {
            isUpper(byte) || isLower(byte) || byte == 0x2E || byte == 0x2D
        }
        guard count > 0 else { return false }
        if isUnmodelled(text[0]) { return nil }
        guard isUpper(text[0]) else { return false }
        var open = 1
        while open < count && text[open] != 0x28 {
            if isUnmodelled(text[open]) { return nil }
            open += 1
        }
        guard open < count else { return false }
        // `(?:[A-Z][a-z]{2,8}\.? \d{1,2},? )?` ending exactly at the bracket, from `start`.
        func monthDayEndsAtBracket(_ start: Int) -> Bool {
            var index = start
            guard index < open, isUpper(text[index]) else { return false }
            index += 1
            let letters = index
            while index < open && isLower(text[index]) { index += 1 }
            guard (2...8).contains(index - letters) else { return false }
            if index < open && text[index] == 0x2E { index += 1 }
            guard index < open, text[index] == 0x20 else { return false }
            index += 1
            let digits = index
            while index < open && isDigit(text[index]) { index += 1 }
            guard (1...2).contains(index - digits) else { return false }
            if index < open && text[index] == 0x2C { index += 1 }
            guard index < open, text[index] == 0x20 else { return false }
            return index + 1 == open
        }
        // `[A-Z][A-Za-z'\/. -]{1,40},?\s*` then the optional month and day: every length of the run.
        var runEnd = 1
        while runEnd < open && runEnd <= 40 && isRunByte(text[runEnd]) { runEnd += 1 }
        var beforeBracket = false
        if runEnd >= 2 {
            search: for end in 2...runEnd {
                for withComma in [false, true] {
                    if withComma && !(end < open && text[end] == 0x2C) { continue }
                    var index = withComma ? end + 1 : end
                    while true {
                        if index == open || monthDayEndsAtBracket(index) {
                            beforeBracket = true
                            break search
                        }
                        guard index < open, isSpace(text[index]) else { break }
                        index += 1
                    }
                }
            }
        }
        guard beforeBracket else { return false }
        // `\((?:[A-Z][A-Za-z.-]{1,12}(?: [A-Z][a-z]+)?)\)\s*[-—–]`
        var index = open + 1
        guard index < count else { return false }
        if isUnmodelled(text[index]) { return nil }
        guard isUpper(text[index]) else { return false }
        index += 1
        let agency = index
        while index < count && isAgencyByte(text[index]) { index += 1 }
        guard index < count else { return false }
        if isUnmodelled(text[index]) { return nil }
        guard (1...12).contains(index - agency) else { return false }
        if text[index] == 0x20 {
            index += 1
            guard index < count else { return false }
            if isUnmodelled(text[index]) { return nil }
            guard isUpper(text[index]) else { return false }
            index += 1
            let lower = index
            while index < count && isLower(text[index]) { index += 1 }
            guard index < count else { return false }
            if isUnmodelled(text[index]) { return nil }
            guard index > lower else { return false }
        }
        guard text[index] == 0x29 else { return false }
        index += 1
        while index < count && isSpace(text[index]) { index += 1 }
        guard index < count else { return false }
        let next: Int
        if text[index] == 0x2D {
            next = index + 1
        } else if text[index] == 0xE2, index + 2 < count, text[index + 1] == 0x80,
            text[index + 2] == 0x93 || text[index + 2] == 0x94
        {
            next = index + 3
        } else {
            return isUnmodelled(text[index]) ? nil : false
        }
        if next < count && text[next] >= 0x80 { return nil }
        return true
    }

    static func literalPrefixes(of source: String) -> [[UInt8]]? {
        let bytes = Array(source.utf8)
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
        }
        guard bytes.count > 3, bytes[0] == UInt8(ascii: "^") else { return nil }
        var index = 1
        var words: [[UInt8]] = []
        if bytes[index] == UInt8(ascii: "(") {
            index += 1
            var word: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if isWordByte(byte) {
                    word.append(byte)
                } else if byte == UInt8(ascii: "|") || byte == UInt8(ascii: ")") {
                    guard !word.isEmpty else { return nil }
                    words.append(word)
                    word = []
                    if byte == UInt8(ascii: ")") { break }
                } else {
                    return nil
                }
                index += 1
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ")") else { return nil }
            index += 1
        } else {
            let start = index
            while index < bytes.count && isWordByte(bytes[index]) { index += 1 }
            guard index > start else { return nil }
            words.append(Array(bytes[start..<index]))
        }
        // Only a word boundary may follow: anything else (a quantifier making the last letter optional, more
        // letters in a class) and the words are not certain.
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "b") else {
            return nil
        }
        return words
    }

    static func requiredBytes(of source: String) -> [UInt8] {
        let characters = Array(source.utf8)
        var required: [UInt8] = []
        var depth = 0
        var inClass = false
        var index = 0
        while index < characters.count {
            let byte = characters[index]
            if byte == UInt8(ascii: "\\"), index + 1 < characters.count {
                let escaped = characters[index + 1]
                let quantified = index + 2 < characters.count && "?*{".utf8.contains(characters[index + 2])
                if !inClass && depth == 0 && !quantified && "()[]{}.-/".utf8.contains(escaped) {
                    required.append(escaped)
                }
                index += 2
                continue
            }
            if inClass {
                if byte == UInt8(ascii: "]") { inClass = false }
            } else if byte == UInt8(ascii: "[") {
                inClass = true
            } else if byte == UInt8(ascii: "(") {
                depth += 1
            } else if byte == UInt8(ascii: ")") {
                depth = max(0, depth - 1)
            } else if byte == UInt8(ascii: "|") && depth == 0 {
                return []  // a top-level alternative: nothing is required
            }
            index += 1
        }
        return required
    }

    /// Whether `text` contains a match. A pattern starting with `^` is tried at the start only: Swift's
    /// `firstMatch` would try every position of a 3 KiB paragraph, which costs far more than the match.
    func matches(_ text: String) -> Bool {
        // In place, by `memcmp` and `memchr`: `String.UTF8View.starts(with:)` and `contains` went byte by byte
        // through the generic path.
        var text = text
        if let literalPrefixes {
            let starts = text.withUTF8 { bytes in
                literalPrefixes.contains { prefix in
                    prefix.count <= bytes.count
                        && memcmp(bytes.baseAddress!, prefix.withUnsafeBufferPointer { $0.baseAddress! }, prefix.count) == 0
                }
            }
            guard starts else { return false }
        }
        if let firstCharacters {
            guard let first = text.first, firstCharacters.contains(first) else { return false }
        }
        // Decided without the engine where the bytes can (nil: the engine decides).
        let decided = text.withUTF8 { bytes -> Bool? in
            for byte in requiredBytes {
                guard let base = bytes.baseAddress, memchr(base, Int32(byte), bytes.count) != nil else { return false }
            }
            guard isAgencyDateline else { return nil }
            guard couldBeDateline(bytes) else { return false }
            // On the bytes when they are plain ASCII (the engine cost ~150k instructions per paragraph that
            // reached it, a sixth of the corpus documents).
            return Self.matchAgencyDateline(bytes)
        }
        if let decided { return decided }
        return lock.mutex.withLock { _ in
            if source.hasPrefix("^") { return (try? regex.prefixMatch(in: text)) != nil }
            return (try? regex.firstMatch(in: text)) != nil
        }
    }

    static func firstCharacters(of source: String) -> Set<Character>? {
        let characters = Array(source)
        guard characters.count > 2, characters[0] == "^" else { return nil }
        let next = characters[1]
        if next.isLetter || next.isNumber {
            return characters.count > 2 && "?*{".contains(characters[2]) ? nil : [next]
        }
        if next == "[", characters.count >= 6, characters[3] == "-", characters[5] == "]",
            let low = characters[2].unicodeScalars.first?.value, let high = characters[4].unicodeScalars.first?.value,
            low <= high, high - low < 128
        {
            return Set((low...high).compactMap { Unicode.Scalar($0).map(Character.init) })
        }
        if next == "(", let close = characters.firstIndex(of: ")") {
            let alternatives = String(characters[2..<close]).split(separator: "|", omittingEmptySubsequences: false)
            guard !alternatives.isEmpty,
                alternatives.allSatisfy({ $0.first.map { $0.isLetter || $0.isNumber } ?? false }),
                close + 1 >= characters.count || !"?*{".contains(characters[close + 1])
            else { return nil }
            return Set(alternatives.compactMap(\.first))
        }
        return nil
    }
}

/// A `Mutex` in a class, so the copyable ``CompiledRegex`` can hold one and every copy shares it.
final class RegexLock: Sendable {
    let mutex = Mutex(())
}

/// A rules text that cannot be used, and the line that says why.
public struct RulesError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "rules line \(line): \(message)" }
}

/// Splits one rules line into tokens: bare words, quoted phrases with their anchors, and `/regex/`s.
enum RuleLexer {
    enum Token: Equatable {
        case word(String)
        case quoted(String, ClassificationRules.Anchor)
        case regex(String)

        /// A label, weight or name: a bare word or a plain quoted string.
        func name(line: Int) throws(RulesError) -> String {
            switch self {
            case .word(let word): return word
            case .quoted(let text, .anywhere): return text
            default: throw RulesError(line: line, "expected a name, not a pattern")
            }
        }
    }

    static func tokens(of line: Substring, line number: Int) throws(RulesError) -> [Token] {
        var tokens: [Token] = []
        let characters = Array(line)
        var index = 0
        func isSpace(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\r" }
        while index < characters.count {
            let character = characters[index]
            if isSpace(character) {
                index += 1
                continue
            }
            if character == "#" { break }
            if character == "/" {
                // A regex runs to the last "/" that is followed by whitespace or the end of the line.
                var end = index + 1
                var close: Int?
                while end < characters.count {
                    if characters[end] == "\\" {
                        end += 2
                        continue
                    }
                    if characters[end] == "/" && (end + 1 == characters.count || isSpace(characters[end + 1])) {
                        close = end
                        break
                    }
                    end += 1
                }
                guard let close, close > index + 1 else {
                    throw RulesError(line: number, "unterminated regex (write /pattern/)")
                }
                tokens.append(.regex(String(characters[(index + 1)..<close])))
                index = close + 1
                continue
            }
            var anchor = ClassificationRules.Anchor.anywhere
            var start = index
            if (character == "=" || character == "^") && index + 1 < characters.count && characters[index + 1] == "\"" {
                anchor = character == "=" ? .whole : .prefix
                start = index + 1
            }
            if characters[start] == "\"" {
                var text = ""
                var end = start + 1
                var closed = false
                while end < characters.count {
                    let current = characters[end]
                    if current == "\\" && end + 1 < characters.count {
                        text.append(characters[end + 1])
                        end += 2
                        continue
                    }
                    if current == "\"" {
                        closed = true
                        break
                    }
                    text.append(current)
                    end += 1
                }
                guard closed else { throw RulesError(line: number, "unterminated quote") }
                end += 1
                if end < characters.count && characters[end] == "$" {
                    guard anchor == .anywhere else {
                        throw RulesError(line: number, "a pattern is anchored at one end, or is a whole paragraph")
                    }
                    anchor = .suffix
                    end += 1
                }
                if end < characters.count && !isSpace(characters[end]) && characters[end] != "#" {
                    throw RulesError(line: number, "expected a space after the closing quote")
                }
                tokens.append(.quoted(text, anchor))
                index = end
                continue
            }
            var end = index
            while end < characters.count && !isSpace(characters[end]) { end += 1 }
            let word = String(characters[index..<end])
            if word.contains("\"") { throw RulesError(line: number, "stray quote in \(word)") }
            tokens.append(.word(word))
            index = end
        }
        return tokens
    }
}

/// Byte-level helpers shared by the matchers and the model's tokenizer.
enum TextBytes {
    /// Lowercases with a fast path for the alphabets news is written in (ASCII, Latin-1, Latin Extended-A,
    /// Greek, Cyrillic) and Unicode's full mapping for the rest, straight into UTF-8 bytes. `String.lowercased()`
    /// asks Unicode for every non-ASCII character, which made it the most expensive step of classifying a story
    /// with curly quotes.
    ///
    /// Runs of ASCII (most of a story, and most of what lies between its curly quotes and dashes) are copied
    /// whole and lowercased eight bytes at a time (``lowercaseASCII(_:from:)``); the old path went byte by byte
    /// from a field's first non-ASCII character on (``lowercasedUTF8ByteByByte(_:into:)``, kept as the
    /// reference).
    static func lowercasedUTF8(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                // The run's end eight bytes at a time (the first byte with its top bit set), then byte by byte
                // for the last few: a test per byte was most of the view's lowercasing.
                var runEnd = index
                while runEnd + 8 <= bytes.count {
                    let high = TextScan.eightBytes(at: runEnd, in: bytes) & 0x8080_8080_8080_8080
                    if high != 0 {
                        runEnd += high.trailingZeroBitCount >> 3
                        break
                    }
                    runEnd += 8
                }
                while runEnd < bytes.count && bytes[runEnd] < 0x80 { runEnd += 1 }
                if runEnd > index {
                    let at = out.count
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<runEnd]))
                    out.withUnsafeMutableBufferPointer { lowercaseASCII($0, from: at) }
                    index = runEnd
                    continue
                }
                index += appendLowercasedScalar(bytes, at: index, into: &out)
            }
        }
    }

    /// Appends the non-ASCII character starting at `bytes[index]` lowercased (a byte that starts no valid
    /// sequence as it is) and returns how many bytes it took: the one step both lowercasing paths share.
    @inline(__always)
    static func appendLowercasedScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, into out: inout [UInt8]) -> Int {
        let byte = bytes[index]
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        guard let scalar = decodeScalar(bytes, at: index) else {
            out.append(byte)
            return 1
        }
        let lowered = lowerValue(scalar.value)
        if lowered == scalar.value {
            for offset in 0..<min(length, bytes.count - index) { out.append(bytes[index + offset]) }
        } else if let mapped = Unicode.Scalar(lowered) {
            out.append(contentsOf: UTF8.encode(mapped)!)
        }
        return length
    }

    /// Lowercases the ASCII bytes `buffer[from...]` in place, eight at a time: with no byte at 0x80 or above,
    /// adding 0x3F to every byte sets its top bit exactly when it is ≥ "A", adding 0x25 when it is > "Z" (no
    /// carry crosses a byte), and the top bit shifted right by two is the 0x20 that lowercases a capital.
    @inline(__always)
    static func lowercaseASCII(_ buffer: UnsafeMutableBufferPointer<UInt8>, from start: Int) {
        guard let base = buffer.baseAddress else { return }
        let raw = UnsafeMutableRawPointer(base)
        var index = start
        let end = buffer.count
        while index + 8 <= end {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let high: UInt64 = 0x8080_8080_8080_8080
            let capitals = (word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & high
            if capitals != 0 { raw.storeBytes(of: word | (capitals >> 2), toByteOffset: index, as: UInt64.self) }
            index += 8
        }
        while index < end {
            let byte = base[index]
            if byte >= 0x41 && byte <= 0x5A { base[index] = byte | 0x20 }
            index += 1
        }
    }

    /// ``lowercasedUTF8(_:into:)`` as it was before its ASCII runs went eight bytes at a time: the reference
    /// its tests compare against.
    static func lowercasedUTF8ByteByByte(_ text: String, into out: inout [UInt8]) {
        // ASCII, most of a story, is copied whole and lowercased in place; from the first non-ASCII byte on, the
        // character-by-character path below (appending byte by byte cost more than the lowercasing).
        let start = out.count
        out.append(contentsOf: text.utf8)
        let end = out.count
        let firstNonASCII = out.withUnsafeMutableBufferPointer { buffer -> Int? in
            for index in start..<end {
                let byte = buffer[index]
                if byte >= 0x80 { return index }
                if byte >= 0x41 && byte <= 0x5A { buffer[index] = byte | 0x20 }
            }
            return nil
        }
        guard let firstNonASCII else { return }
        out.removeSubrange(firstNonASCII...)
        var text = text
        text.withUTF8 { bytes in
            var index = firstNonASCII - start
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0x80 {
                    out.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                    index += 1
                    continue
                }
                index += appendLowercasedScalar(bytes, at: index, into: &out)
            }
        }
    }

    static func lowercased(_ text: String) -> String {
        var bytes: [UInt8] = []
        lowercasedUTF8(text, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One scalar's lowercase (the first scalar of Unicode's mapping when it has several).
    @inline(__always)
    static func lowerValue(_ value: UInt32) -> UInt32 {
        switch value {
        case 0x41...0x5A, 0xC0...0xD6, 0xD8...0xDE, 0x391...0x3A1, 0x3A3...0x3AB, 0x410...0x42F: return value + 0x20
        case 0x400...0x40F: return value + 0x50
        case 0...0x7F, 0xDF...0xFF: return value
        case 0x100...0x12F, 0x132...0x137, 0x14A...0x177: return value | 1  // even upper, odd lower (Ś ś, Ğ ğ)
        case 0x139...0x148, 0x179...0x17E: return value & 1 == 1 ? value + 1 : value  // odd upper (Ł ł, Ż ż)
        case 0x130: return 0x69  // İ: Turkish capital dotted I
        case 0x2000...0x206F, 0x3000...0x9FFF, 0x430...0x45F, 0x3AC...0x3CE, 0x600...0x6FF: return value
        default:
            return lowerValueByUnicode(value)
        }
    }

    /// ``lowerValue(_:)`` by Unicode's mapping. Not inlined: asking `properties` fetches type metadata and makes
    /// stack room on entry to whatever function does it, which every caller of the inlined fast path paid.
    @inline(never)
    static func lowerValueByUnicode(_ value: UInt32) -> UInt32 {
        guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenLowercased else { return value }
        return scalar.properties.lowercaseMapping.unicodeScalars.first?.value ?? value
    }

    /// ASCII letters and digits, and any byte of a non-ASCII character (a quick test; see ``isWordCharacter``).
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte >= 0x80
    }

    /// Whether the character whose UTF-8 encoding covers byte `index` is a letter or digit: "Zürich" and
    /// "Заголовок" are words, while "…", "”" and "—" end one as "." and "\"" do.
    @inline(__always)
    static func isWordCharacter(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let byte = text[index]
        if byte < 0x80 { return isWordByte(byte) }
        return isWordScalar(text, at: index)
    }

    /// ``isWordCharacter(_:at:)`` for a non-ASCII byte. Apart, and not inlined: asking `properties` fetches
    /// type metadata and makes stack room on entry to whatever function does it, which the ASCII test paid at
    /// every phrase boundary.
    @inline(never)
    static func isWordScalar(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        var start = index
        while start > 0 && text[start] & 0xC0 == 0x80 && index - start < 3 { start -= 1 }
        guard let scalar = decodeScalar(text, at: start) else { return false }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// The scalar starting at `index` (a lead byte), or nil for malformed UTF-8.
    static func decodeScalar(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Unicode.Scalar? {
        let lead = text[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= text.count else { return nil }
        var value = UInt32(lead) & (0xFF >> UInt32(length + 1))
        for offset in 1..<length { value = value << 6 | UInt32(text[index + offset] & 0x3F) }
        return Unicode.Scalar(value)
    }
}
