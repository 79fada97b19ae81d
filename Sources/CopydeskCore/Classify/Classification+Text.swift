/// How `copydesk show`, `copydesk inspect` and `copydesk list` present and filter a ``Classification``.
extension Classification {
    /// The lines `copydesk show N` prints: each decision with its score, no cues (`inspect` shows those).
    public var summaryLines: [String] {
        var lines: [String] = []
        func field(_ name: String, _ value: String) { lines.append(name.padding(13) + value) }
        field("Kind:", kind.kind.rawValue + (kind.detail.map { " (\($0))" } ?? "") + "  " + Self.score(kind.score))
        if let source {
            field("Issued by:", source.name + (source.isAgency ? " (agency)" : "") + "  " + Self.score(source.score))
        }
        for (index, topic) in topics.enumerated() {
            field(index == 0 ? "Topics:" : "", "\(topic.code) \(topic.label)  \(Self.score(topic.score))")
        }
        field("Detected:", language.code + "  " + Self.score(language.score))
        if !entities.isEmpty {
            field("Entities:", entities.prefix(12).map { "\($0.name) (\($0.type.rawValue) ×\($0.count))" }
                .joined(separator: ", ") + (entities.count > 12 ? ", …" : ""))
        }
        if let urgency { field("Urgency:", "\(urgency.level) (\(urgency.marker))") }
        if let model {
            field("Model:", "\(model.modelName): \(model.label)  \(Self.score(model.score))")
        }
        return lines
    }

    /// The full explanation `copydesk inspect` prints: every decision with the cues behind it (rules-file lines
    /// where a rule decided) and the model's top features.
    public var explanationLines: [String] {
        var lines = ["Classification:"]
        func cues(_ list: [Cue]) { lines += list.map { "      \($0)" } }
        lines.append("  Kind:      \(kind.kind.rawValue)\(kind.detail.map { " (\($0))" } ?? "")  \(Self.score(kind.score))")
        cues(kind.cues)
        if let source {
            lines.append("  Source:    \(source.name)\(source.isAgency ? " (agency)" : "")  \(Self.score(source.score))")
            cues(source.cues)
        } else {
            lines.append("  Source:    none found")
        }
        if topics.isEmpty { lines.append("  Topics:    none above the threshold") }
        for topic in topics {
            lines.append("  Topic:     \(topic.code) \(topic.label)  \(Self.score(topic.score))")
            cues(topic.cues)
        }
        lines.append("  Language:  \(language.code)  \(Self.score(language.score))")
        cues(language.cues)
        if !entities.isEmpty {
            lines.append("  Entities:  " + entities.map { "\($0.name) (\($0.type.rawValue) ×\($0.count))" }
                .joined(separator: ", "))
        }
        if let urgency {
            lines.append("  Urgency:   \(urgency.level) (\(urgency.marker))")
            cues(urgency.cues)
        }
        if let model {
            lines.append("  Model:     \(model.modelName): \(model.label)  \(Self.score(model.score))")
            if !model.alternatives.isEmpty {
                lines.append("      then " + model.alternatives.map { "\($0.label) \(Self.score($0.score))" }
                    .joined(separator: ", "))
            }
            if !model.features.isEmpty {
                lines.append("      features: " + model.features.map { "\"\($0.text)\" +\(Cue.format($0.weight))" }
                    .joined(separator: ", "))
            }
        }
        return lines
    }

    static func score(_ value: Double) -> String {
        "score " + Cue.format(value)
    }

    /// Whether this classification passes `copydesk list`'s filters (nil: not filtered). Kind, source and language
    /// compare without regard to case; a topic matches by its code (`medtop:16000000`, or just `16000000`) or its
    /// label (`conflict, war and peace`), and a broader topic does not match its narrower ones' filter.
    public func matches(kind: String? = nil, source: String? = nil, topic: String? = nil, language: String? = nil) -> Bool {
        if let kind, self.kind.kind.rawValue.lowercased() != kind.lowercased(),
            self.kind.detail?.lowercased() != kind.lowercased()
        {
            return false
        }
        if let source, self.source?.name.lowercased() != source.lowercased() { return false }
        if let language, self.language.code.lowercased() != language.lowercased() { return false }
        if let topic {
            let wanted = topic.lowercased()
            let code = wanted.hasPrefix("medtop:") ? wanted : "medtop:" + wanted
            guard topics.contains(where: { $0.code == code || $0.label.lowercased() == wanted }) else { return false }
        }
        return true
    }
}

