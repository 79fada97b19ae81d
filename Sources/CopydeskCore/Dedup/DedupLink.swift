/// How a stored document relates to an earlier one: `near-duplicate of N` or `version of N`. Part of the
/// document record (optional, so records written before dedup decode unchanged).
///
/// The similarity is kept in thousandths, an integer: the record's JSON is written by ``CompactJSON``, which
/// writes integers byte for byte as `JSONEncoder` does but not doubles.
public struct DedupLink: Codable, Sendable, Equatable, Hashable {
    public enum Relation: String, Codable, Sendable, Hashable {
        case nearDuplicate = "near-duplicate"
        case version
    }

    public var relation: Relation
    /// The sequence number of the earlier document.
    public var of: UInt64
    /// Estimated Jaccard of the two texts' shingle sets, in thousandths (nil when unknown, e.g. a version by
    /// item id whose original left the near-duplicate index).
    public var similarityPermille: Int?
    /// Why a version is one: `same-item` (the agency's item id) or `update-marker` (same source, similar text,
    /// an `UPDATE`/`CORRECTED`/… marker).
    public var reason: String?

    public init(relation: Relation, of: UInt64, similarity: Double?, reason: String? = nil) {
        self.relation = relation
        self.of = of
        similarityPermille = similarity.map(DedupLink.permille)
        self.reason = reason
    }

    public var similarity: Double? { similarityPermille.map { Double($0) / 1000 } }

    /// `near-duplicate of #12 (similarity 0.93)`, `version of #7 (update-marker, similarity 0.71)`.
    public var text: String {
        var details: [String] = []
        if let reason { details.append(reason) }
        if let similarity { details.append("similarity " + DedupLink.format(similarity)) }
        let tail = details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")"
        return "\(relation.rawValue) of #\(of)" + tail
    }

    public static func permille(_ value: Double) -> Int { Int((min(1, max(0, value)) * 1000).rounded()) }

    /// Two decimals, as people read a similarity.
    public static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension VersionReason {
    /// The word records and the CLI use.
    public var name: String {
        switch self {
        case .sameItem: "same-item"
        case .updateMarker: "update-marker"
        }
    }
}
