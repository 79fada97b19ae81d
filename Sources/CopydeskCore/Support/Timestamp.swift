/// A point in time as microseconds since the Unix epoch (UTC), as journald counts.
///
/// The core never reads a clock: callers pass the time in, so tests are deterministic.
public struct Timestamp: Hashable, Comparable, Sendable, Codable {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static let epoch = Timestamp(microseconds: 0)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    public init(from decoder: any Decoder) throws {
        microseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microseconds)
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-22T23:19:00.123Z`.
    public var iso8601: String {
        let totalSeconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let millis = Int((microseconds - totalSeconds * 1_000_000) / 1000)
        var days = totalSeconds / 86_400
        var secondsOfDay = totalSeconds % 86_400
        if secondsOfDay < 0 { secondsOfDay += 86_400; days -= 1 }
        let (year, month, day) = Self.civil(fromDays: days)
        let h = Int(secondsOfDay / 3600), m = Int(secondsOfDay % 3600 / 60), s = Int(secondsOfDay % 60)
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
            + "\(Self.pad(h, 2)):\(Self.pad(m, 2)):\(Self.pad(s, 2)).\(Self.pad(millis, 3))Z"
    }

    // Howard Hinnant's days-to-civil; avoids Foundation's calendar machinery in the pure core.
    private static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
