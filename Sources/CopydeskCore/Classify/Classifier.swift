#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Classify stage: one article in, its ``Classification`` out. Pure, and cheap enough to run on every file
/// (one automaton pass for all phrases, a few anchored regexes on the lead, a sample of the text for the language).
///
/// Holds the parsed rules and, optionally, a model the user trained; the daemon builds one at start and again on
/// SIGHUP, and shares it between preparing tasks (it is an immutable value).
public struct Classifier: Sendable {
    public let rules: ClassificationRules
    public let model: TextModel?
    public let languages: LanguageDetector
    public let entities: EntityExtractor

    public init(
        rules: ClassificationRules = .default, model: TextModel? = nil, languages: LanguageDetector = .standard,
        entities: EntityExtractor = .standard
    ) {
        self.rules = rules
        self.model = model
        self.languages = languages
        self.entities = entities
    }

    /// Classifies `article`; `channel` is the inbox sub-folder it came through, a hint for the source.
    public func classify(_ article: Article, channel: String? = nil) -> Classification {
        let view = DocumentView(article, channel: channel, settings: rules.settings)
        let evidence = RuleEvidence(rules: rules, view: view)
        let source = decideSource(article, channel: channel, evidence: evidence)
        let kind = decideKind(evidence, source: source)
        let text = ArticleText(article)
        let (verdict, language, people) = text.bytes.withUnsafeBufferPointer { bytes in
            (
                model.map { $0.verdict(bytes: bytes) },
                languages.detect(UnsafeBufferPointer(rebasing: bytes[..<text.languageSampleEnd]), declared: article.language),
                entities.extract(bytes, headlineEnd: text.headlineEnd, bodyStart: min(text.headlineEnd + 2, bytes.count))
            )
        }
        let topics = decideTopics(evidence, verdict: verdict)
        let urgency = decideUrgency(article, evidence: evidence)
        return Classification(
            kind: kind, source: source, topics: topics, language: language, entities: people, urgency: urgency,
            model: verdict
        )
    }

    /// The text a model reads: headline and body, as it was trained on.
    public static func modelText(_ article: Article) -> String {
        article.headline + "\n\n" + article.bodyText
    }

    // MARK: Kind

    private func decideKind(_ evidence: RuleEvidence, source: SourceLabel?) -> KindLabel {
        var totals: [DocumentKind: Double] = [:]
        var details: [DocumentKind: [String: Double]] = [:]
        var cues: [DocumentKind: [Cue]] = [:]
        for hit in evidence.hits where rules.rules[hit.rule].target == .kind {
            let rule = rules.rules[hit.rule]
            let kind = DocumentKind(rawValue: rule.label)!
            totals[kind, default: 0] += rule.weight
            if let detail = rule.detail { details[kind, default: [:]][detail, default: 0] += rule.weight }
            cues[kind, default: []] += hit.cues(rule, weight: rule.weight)
        }
        let positive = totals.values.filter { $0 > 0 }.reduce(0, +)
        if let (kind, total) = totals.max(by: { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }),
            total >= rules.settings.kindThreshold
        {
            let detail = details[kind]?.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            return KindLabel(kind: kind, detail: detail, score: total / (positive + 1), cues: cues[kind] ?? [])
        }
        // No kind cue: an editor goes by who sent it.
        if let source, source.isAgency {
            let cue = Cue("\(source.name) is a news agency", field: "source", weight: 0)
            return KindLabel(kind: .agencyStory, score: 0.5, cues: [cue])
        }
        if let source {
            let cue = Cue("issued by \(source.name)", field: "source", weight: 0)
            return KindLabel(kind: .pressRelease, score: 0.4, cues: [cue])
        }
        return KindLabel(kind: .other, score: 0, cues: [])
    }

    // MARK: Source

    private func decideSource(_ article: Article, channel: String?, evidence: RuleEvidence) -> SourceLabel? {
        var totals: [String: Double] = [:]
        var cues: [String: [Cue]] = [:]
        for hit in evidence.hits where rules.rules[hit.rule].target == .source {
            let rule = rules.rules[hit.rule]
            totals[rule.label, default: 0] += rule.weight
            cues[rule.label, default: []] += hit.cues(rule, weight: rule.weight)
        }
        if let declared = article.source?.trimmingSpaces, !declared.isEmpty {
            let name = rules.aliases[declared.lowercased()] ?? declared
            totals[name, default: 0] += rules.settings.declaredSourceWeight
            cues[name, default: []].append(Cue(declared, field: "source", weight: rules.settings.declaredSourceWeight))
        }
        if let channel, let name = rules.aliases[channel.lowercased()] {
            totals[name, default: 0] += rules.settings.channelWeight
            cues[name, default: []].append(Cue(channel, field: "channel", weight: rules.settings.channelWeight))
        }
        let positive = totals.values.filter { $0 > 0 }.reduce(0, +)
        guard let (name, total) = totals.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
            total >= rules.settings.sourceThreshold
        else { return nil }
        return SourceLabel(
            name: name, isAgency: rules.agencies.contains(name), score: total / (positive + 1), cues: cues[name] ?? []
        )
    }

    // MARK: Topics

    /// A topic cue before its text is made: most candidates' cues are dropped (a topic under the threshold, or
    /// past the eight shown), so only the cues shown are formatted (on the benchmark corpus this saved no
    /// measurable time: few cues are made per document; Benchmarks/CLASSIFY.md §3, third round).
    private enum PendingCue {
        case pattern(rule: Int, pattern: Int, count: Int, fields: ClassificationRules.Fields)
        case model(label: String)
        /// Evidence passed up from a narrower topic (its position in ``MediaTopics/all``).
        case via(topic: Int)
    }

    /// Topics by their position in ``MediaTopics/all``: scores in an array, cues in one list, and the order
    /// evidence is added in fixed (rules in file order, a rule's patterns in the order written, narrower topics
    /// in ``MediaTopics/all`` order). Dictionaries keyed by QCode and pattern made that order the hash order,
    /// which differs from one process to the next: equal-weight cues came out in a different order, and the
    /// floating-point sums could differ in their last bit.
    private func decideTopics(_ evidence: RuleEvidence, verdict: ModelVerdict?) -> [TopicLabel] {
        // Locals, not `self`: the closures below captured the whole `Classifier` (a copy, a retain per field).
        let settings = rules.settings
        let ruleList = rules.rules
        let ruleTopics = rules.ruleTopics
        let topics = MediaTopics.all
        var raw = [Double](repeating: 0, count: topics.count)
        var touched = [Bool](repeating: false, count: topics.count)
        // Weights are rounded to thousandths as `Cue` stores them, so the ranking below is the one `Cue`s had.
        var cues: [(topic: Int, weight: Double, value: Double, cue: PendingCue)] = []
        cues.reserveCapacity(64)  // a story's pattern and "via" cues; growing from empty reallocated them ~7 times
        for hit in evidence.hits where ruleTopics[hit.rule] >= 0 {
            // The weight alone: `let rule = ruleList[…]` copied the whole rule (a retain and release per field).
            let weight = ruleList[hit.rule].weight
            let topic = ruleTopics[hit.rule]
            var total = 0.0
            for match in hit.patterns {
                let value = weight * min(1 + log(Double(match.count)), 3)
                total += value
                cues.append((
                    topic, Thousandths.round(value), value,
                    .pattern(rule: hit.rule, pattern: match.pattern, count: match.count, fields: match.fields)
                ))
            }
            raw[topic] += total
            touched[topic] = true
        }
        if let verdict, let code = rules.modelTopics[verdict.label.lowercased()],
            let topic = MediaTopics.indexByCode[code]
        {
            let value = settings.modelTopicWeight * verdict.score
            raw[topic] += value
            touched[topic] = true
            cues.append((topic, Thousandths.round(value), value, .model(label: verdict.label)))
        }
        // Broader topics receive a share of their narrower topics' evidence (terrorism is conflict too).
        let own = raw
        let ownTouched = touched
        for topic in topics.indices where ownTouched[topic] {
            var share = own[topic] * settings.topicPropagation
            for ancestor in MediaTopics.ancestorIndices[topic] {
                raw[ancestor] += share
                touched[ancestor] = true
                cues.append((ancestor, Thousandths.round(share), share, .via(topic: topic)))
                share *= settings.topicPropagation
            }
        }
        let rank = MediaTopics.codeRank
        let chosen = topics.indices.filter { touched[$0] && raw[$0] >= settings.topicThreshold }
            .sorted { (raw[$0], rank[$1]) > (raw[$1], rank[$0]) }
            .prefix(settings.maxTopics)
        let cueList = cues
        return chosen.map { topic in
            let value = raw[topic]
            let label = topics[topic]
            // Positions, not the tuples: filtering copied each (with its `PendingCue`) through the runtime's
            // generic tuple copy. The same elements in the same order go to the same sort, so the same order out.
            let topCues = cueList.indices.filter { cueList[$0].topic == topic }
                .sorted { cueList[$0].weight > cueList[$1].weight }.prefix(8).map { position in
                let (_, _, value, pending) = cueList[position]
                switch pending {
                case .pattern(let ruleIndex, let pattern, let count, let fields):
                    let shown = ruleList[ruleIndex].patterns[pattern].display + (count > 1 ? " ×\(count)" : "")
                    return Cue(shown, field: fields.primaryName, weight: value, line: ruleList[ruleIndex].line)
                case .model(let label):
                    return Cue("model: \(label)", field: "model", weight: value)
                case .via(let narrower):
                    return Cue("via \(topics[narrower].label)", field: "topic", weight: value)
                }
            }
            return TopicLabel(
                code: label.code, label: label.label, parent: label.parent,
                score: 1 - exp(-value / max(settings.topicScale, 0.001)), cues: topCues
            )
        }
    }

    // MARK: Urgency

    private func decideUrgency(_ article: Article, evidence: RuleEvidence) -> UrgencyLabel? {
        var best: UrgencyLabel?
        if let level = article.urgency, (1...9).contains(level) {
            best = UrgencyLabel(level: level, marker: "metadata", cues: [Cue("urgency \(level)", field: "meta", weight: 0)])
        } else if let level = article.priority, (1...3).contains(level) {
            best = UrgencyLabel(
                level: level, marker: "metadata", cues: [Cue("priority \(level)", field: "meta", weight: 0)]
            )
        }
        for hit in evidence.hits where rules.rules[hit.rule].target == .urgency {
            let rule = rules.rules[hit.rule]
            let level = Int(rule.weight)
            let cues = hit.cues(rule, weight: rule.weight)
            if let current = best, current.level <= level {
                best?.cues += cues
            } else {
                best = UrgencyLabel(level: level, marker: rule.label, cues: cues + (best?.cues ?? []))
            }
        }
        return best
    }
}

/// Which rules matched a document, which of their patterns, how often and where.
struct RuleEvidence {
    struct Hit {
        struct Match {
            var pattern: Int
            var count: Int
            /// The fields of its first match.
            var fields: ClassificationRules.Fields
        }

        var rule: Int
        /// The patterns that matched, in pattern order. (Dictionaries keyed by pattern cost a hash per
        /// occurrence and iterated in hash order, which changes from one process to the next.)
        var patterns: [Match] = []

        /// Counts one occurrence of `pattern`, first found in `fields`.
        mutating func record(_ pattern: Int, _ fields: ClassificationRules.Fields) {
            var position = 0
            while position < patterns.count && patterns[position].pattern < pattern { position += 1 }
            if position < patterns.count && patterns[position].pattern == pattern {
                patterns[position].count += 1
            } else {
                // Appended and moved into place: `insert(_:at:)` went through the generic `replaceSubrange`
                // (~340 instructions, about one insertion per phrase occurrence).
                patterns.append(Match(pattern: pattern, count: 1, fields: fields))
                patterns.withUnsafeMutableBufferPointer { patterns in
                    var index = patterns.count - 1
                    while index > position {
                        patterns.swapAt(index, index - 1)
                        index -= 1
                    }
                }
            }
        }

        /// One cue per matched pattern, the rule's weight on the first (kinds and sources count a rule once).
        func cues(_ rule: ClassificationRules.Rule, weight: Double) -> [Cue] {
            patterns.enumerated().map { position, match in
                let shown = rule.patterns[match.pattern].display + (match.count > 1 ? " ×\(match.count)" : "")
                return Cue(shown, field: match.fields.primaryName, weight: position == 0 ? weight : 0,
                           line: rule.line)
            }
        }
    }

    private(set) var hits: [Hit] = []

    init(rules: ClassificationRules, view: DocumentView) {
        // Indexed by rule and mutated in place: taking a `Hit` out of a dictionary and putting it back copied its
        // two dictionaries on every phrase occurrence, which made matching cost more than the automaton.
        var byRule = [Hit?](repeating: nil, count: rules.rules.count)
        func record(_ rule: Int, _ pattern: Int, _ fields: ClassificationRules.Fields) {
            if byRule[rule] == nil { byRule[rule] = Hit(rule: rule) }
            byRule[rule]!.record(pattern, fields)
        }
        let entries = rules.phraseEntries
        let uses = rules.flatUses
        view.lowered.withUnsafeBufferPointer { text in
            for (phrase, end) in rules.matcher.occurrences(in: text) {
                let entry = entries[phrase]
                let start = end - Int(entry.length)
                if entry.leading && start > 0 && TextBytes.isWordCharacter(text, at: start - 1) { continue }
                if entry.trailing && end < text.count && TextBytes.isWordCharacter(text, at: end) { continue }
                // The segment's fields and bounds, not the `Segment` (a copy retained and released its text).
                let segment = view.segment(containing: start)
                let segmentFields = view.segments[segment].fields
                let trimmedStart = view.segments[segment].trimmedStart
                let trimmedEnd = view.segments[segment].trimmedEnd
                for use in uses[Int(entry.usesStart)..<Int(entry.usesEnd)] {
                    let fields = use.fields.intersection(segmentFields)
                    if fields.isEmpty { continue }
                    switch use.anchor {
                    case .anywhere: break
                    case .whole: if start != trimmedStart || end != trimmedEnd { continue }
                    case .prefix: if start != trimmedStart { continue }
                    case .suffix: if end != trimmedEnd { continue }
                    }
                    if byRule[use.rule] == nil { byRule[use.rule] = Hit(rule: use.rule) }
                    byRule[use.rule]!.record(use.pattern, fields)
                }
            }
        }
        for use in rules.regexUses {
            for segment in view.segments.indices {
                let fields = use.fields.intersection(view.segments[segment].fields)
                if !fields.isEmpty && use.regex.matches(view.segments[segment].text) {
                    record(use.rule, use.pattern, fields)
                }
            }
        }
        hits = byRule.compactMap { $0 }
    }
}
