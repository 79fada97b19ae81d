import CopydeskCore

/// Record bodies for journal tests: every kind, with non-ASCII text and raw bytes that include NUL, varying with
/// `n` so records differ from each other.
public enum RecordFixtures {
    public static func arrival(_ n: Int) -> Arrival {
        Arrival(
            file: "dépêche-\(n).txt",
            channel: n.isMultiple(of: 2) ? "xinhua" : nil,
            claim: "\(n)-claim.txt",
            receivedAt: Timestamp(microseconds: 1_767_225_600_000_000 + Int64(n) * 1_000_123),
            size: Int64(100 + n),
            sha256: SHA256.hash(Array("file \(n)".utf8))
        )
    }

    public static func document(_ n: Int, rawSize: Int = 64) -> RecordBody {
        var raw = Array("Zürich, 東京 — story \(n) 📰\n".utf8)
        raw.append(0)
        raw.append(contentsOf: (0..<rawSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ n) })
        raw.append(0)
        return .document(
            DocumentRecord(
                arrival: arrival(n),
                format: "text",
                charset: "utf-8",
                article: Article(
                    headline: "Sturm über Köln: «Alles zu» #\(n)",
                    byline: n.isMultiple(of: 3) ? "Ана Петрова" : nil,
                    dateline: "KÖLN, 2. Jan (dpa)",
                    language: "de",
                    paragraphs: [
                        "Erster Absatz mit Umlauten: äöüß.", "Second paragraph, \"quoted\" \\ slash / \(n).",
                    ]
                ),
                raw: raw
            )
        )
    }

    public static func duplicate(_ n: Int, of original: UInt64) -> RecordBody {
        .duplicate(DuplicateRecord(arrival: arrival(n), duplicateOf: original))
    }

    public static func rejected(_ n: Int) -> RecordBody {
        .rejected(
            RejectedRecord(
                arrival: arrival(n), reason: RejectReason(.undecodable, "byte 0xFF at 12 is not UTF-8 — «nope»"),
                rejectedAs: "dépêche-\(n).txt"
            )
        )
    }

    /// `count` bodies cycling through document, duplicate (of record 1) and rejected.
    public static func mixed(_ count: Int, startingAt first: Int = 1) -> [RecordBody] {
        (first..<first + count).map { n in
            switch n % 3 {
            case 0: duplicate(n, of: 1)
            case 1: document(n)
            default: rejected(n)
            }
        }
    }
}
