/// The pure decision for one file: bytes and how they arrived in, the record body out.
///
/// Bad input is a value (a `rejected` body), never an error: only infrastructure failures are thrown, and
/// those happen at the edge, not here.
public enum Decide {
    /// `arrival.sha256` must be the digest of `bytes`; `seen` looks a digest up in the exact-duplicate memory;
    /// `rejectedAs` names the file in `rejected/` and is asked only when the file is rejected.
    public static func decide(
        _ bytes: [UInt8], arrival: Arrival, seen: (Digest) -> UInt64?, rejectedAs: @autoclosure () -> String
    ) -> RecordBody {
        if let digest = arrival.sha256, let original = seen(digest) {
            return .duplicate(DuplicateRecord(arrival: arrival, duplicateOf: original, match: "exact"))
        }
        return decide(bytes, arrival: arrival, prepared: Parse.prepare(bytes, fileName: arrival.file), seen: seen,
                      rejectedAs: rejectedAs())
    }

    /// The same decision with the Parse stage already run: the daemon parses files on several cores (parsing is
    /// pure) and decides them one by one against one index. A duplicate's parse result is simply not used.
    public static func decide(
        _ bytes: [UInt8], arrival: Arrival, prepared: Result<PreparedDocument, RejectReason>,
        seen: (Digest) -> UInt64?, rejectedAs: @autoclosure () -> String
    ) -> RecordBody {
        if let digest = arrival.sha256, let original = seen(digest) {
            return .duplicate(DuplicateRecord(arrival: arrival, duplicateOf: original, match: "exact"))
        }
        switch prepared {
        case .success(let prepared):
            return .document(DocumentRecord(
                arrival: arrival, format: prepared.format, charset: prepared.charset, article: prepared.article,
                raw: bytes, classification: prepared.classification
            ))
        case .failure(let reason):
            return .rejected(RejectedRecord(arrival: arrival, reason: reason, rejectedAs: rejectedAs()))
        }
    }

    /// The `key: value` lines of a reason file read back (the first of a repeated key wins): what `copydesk trace`
    /// and `copydesk retry` learn of a rejected file.
    public static func reasonFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            func trimmed(_ part: Substring) -> String {
                String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            }
            let key = trimmed(line[..<colon])
            if fields[key] == nil { fields[key] = trimmed(line[line.index(after: colon)...]) }
        }
        return fields
    }

    /// The text of `rejected/NAME.reason`: `key: value` lines a person reads and a script greps.
    public static func reasonFileText(_ record: RejectedRecord, sequence: UInt64) -> String {
        var lines = [
            "reason: \(record.reason.code)",
            "message: \(record.reason.message)",
            "file: \(record.arrival.file)",
        ]
        if let channel = record.arrival.channel { lines.append("channel: \(channel)") }
        lines.append("received: \(record.arrival.receivedAt.iso8601)")
        lines.append("size: \(record.arrival.size)")
        if let digest = record.arrival.sha256 { lines.append("sha256: \(digest.hex)") }
        lines.append("record: \(sequence)")
        lines.append("retry: fix the cause, then move the file back into the inbox")
        return lines.joined(separator: "\n") + "\n"
    }
}
