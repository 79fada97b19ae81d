/// The IPTC Media Topics Copydesk knows: the 17 top-level topics and the narrower ones that matter most for wire
/// news (terrorism, armed conflict, defence, diplomacy, migration and refugees, elections, …), with their real
/// QCodes, English (en-GB) labels and broader topic.
///
/// Source: IPTC Media Topic NewsCodes, http://cv.iptc.org/newscodes/mediatopic/ (CC BY 4.0, © IPTC). Codes were
/// checked against published copies of the vocabulary; IPTC never reuses a code for another meaning, though labels
/// are occasionally reworded (e.g. `medtop:20000598` "defence" is shown as "national security" in some recent
/// copies). A rules file may name only codes listed here, so a typo is an error rather than a silent new topic.
public enum MediaTopics {
    public struct Topic: Sendable, Equatable {
        public var code: String
        public var label: String
        public var parent: String?
    }

    /// Every topic, top-level first.
    public static let all: [Topic] = [
        Topic(code: "medtop:01000000", label: "arts, culture, entertainment and media", parent: nil),
        Topic(code: "medtop:02000000", label: "crime, law and justice", parent: nil),
        Topic(code: "medtop:03000000", label: "disaster, accident and emergency incident", parent: nil),
        Topic(code: "medtop:04000000", label: "economy, business and finance", parent: nil),
        Topic(code: "medtop:05000000", label: "education", parent: nil),
        Topic(code: "medtop:06000000", label: "environment", parent: nil),
        Topic(code: "medtop:07000000", label: "health", parent: nil),
        Topic(code: "medtop:08000000", label: "human interest", parent: nil),
        Topic(code: "medtop:09000000", label: "labour", parent: nil),
        Topic(code: "medtop:10000000", label: "lifestyle and leisure", parent: nil),
        Topic(code: "medtop:11000000", label: "politics", parent: nil),
        Topic(code: "medtop:12000000", label: "religion", parent: nil),
        Topic(code: "medtop:13000000", label: "science and technology", parent: nil),
        Topic(code: "medtop:14000000", label: "society", parent: nil),
        Topic(code: "medtop:15000000", label: "sport", parent: nil),
        Topic(code: "medtop:16000000", label: "conflict, war and peace", parent: nil),
        Topic(code: "medtop:17000000", label: "weather", parent: nil),
        // conflict, war and peace
        Topic(code: "medtop:20000053", label: "act of terror", parent: "medtop:16000000"),
        Topic(code: "medtop:20000056", label: "armed conflict", parent: "medtop:16000000"),
        Topic(code: "medtop:20000065", label: "civil unrest", parent: "medtop:16000000"),
        Topic(code: "medtop:20000070", label: "coup d'etat", parent: "medtop:16000000"),
        Topic(code: "medtop:20000071", label: "massacre", parent: "medtop:16000000"),
        Topic(code: "medtop:20000073", label: "peace process", parent: "medtop:16000000"),
        Topic(code: "medtop:20000080", label: "prisoners of war", parent: "medtop:16000000"),
        // crime, law and justice
        Topic(code: "medtop:20000082", label: "crime", parent: "medtop:02000000"),
        Topic(code: "medtop:20000106", label: "judiciary", parent: "medtop:02000000"),
        Topic(code: "medtop:20000129", label: "law enforcement", parent: "medtop:02000000"),
        // disaster, accident and emergency incident
        Topic(code: "medtop:20000139", label: "accident and emergency incident", parent: "medtop:03000000"),
        Topic(code: "medtop:20000148", label: "disaster", parent: "medtop:03000000"),
        // economy, business and finance
        Topic(code: "medtop:20000170", label: "business information", parent: "medtop:04000000"),
        Topic(code: "medtop:20000344", label: "economy", parent: "medtop:04000000"),
        Topic(code: "medtop:20000385", label: "market and exchange", parent: "medtop:04000000"),
        // environment, health
        Topic(code: "medtop:20000418", label: "climate change", parent: "medtop:06000000"),
        Topic(code: "medtop:20000446", label: "diseases and conditions", parent: "medtop:07000000"),
        // labour
        Topic(code: "medtop:20000509", label: "employment", parent: "medtop:09000000"),
        Topic(code: "medtop:20000524", label: "labour relations", parent: "medtop:09000000"),
        // politics
        Topic(code: "medtop:20000574", label: "election", parent: "medtop:11000000"),
        Topic(code: "medtop:20000593", label: "government", parent: "medtop:11000000"),
        Topic(code: "medtop:20000598", label: "defence", parent: "medtop:20000593"),
        Topic(code: "medtop:20000621", label: "government policy", parent: "medtop:11000000"),
        Topic(code: "medtop:20000634", label: "migration of people", parent: "medtop:20000621"),
        Topic(code: "medtop:20000638", label: "international relations", parent: "medtop:11000000"),
        Topic(code: "medtop:20000639", label: "diplomacy", parent: "medtop:20000638"),
        Topic(code: "medtop:20000642", label: "economic sanction", parent: "medtop:20000638"),
        Topic(code: "medtop:20000645", label: "refugees and internally displaced people", parent: "medtop:20000638"),
        // science and technology
        Topic(code: "medtop:20000735", label: "scientific research", parent: "medtop:13000000"),
        Topic(code: "medtop:20000756", label: "technology and engineering", parent: "medtop:13000000"),
    ]

    /// Topics by QCode.
    public static let byCode: [String: Topic] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// Each topic's position in ``all``, by QCode.
    static let indexByCode: [String: Int] = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.code, $0) })

    /// Per topic (position in ``all``), the positions of its broader topics, nearest first.
    static let ancestorIndices: [[Int]] = all.map { ancestors(of: $0.code).compactMap { indexByCode[$0] } }

    /// Per topic (position in ``all``), its rank in QCode order: ties in score go to the lower code.
    static let codeRank: [Int] = {
        var rank = [Int](repeating: 0, count: all.count)
        for (position, index) in all.indices.sorted(by: { all[$0].code < all[$1].code }).enumerated() {
            rank[index] = position
        }
        return rank
    }()

    /// The broader topics of `code`, nearest first (`defence` → `government`, `politics`).
    public static func ancestors(of code: String) -> [String] {
        var chain: [String] = []
        var current = byCode[code]?.parent
        while let parent = current, chain.count < 8 {
            chain.append(parent)
            current = byCode[parent]?.parent
        }
        return chain
    }
}
