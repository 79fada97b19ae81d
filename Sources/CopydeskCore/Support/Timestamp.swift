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
        if secondsOfDay < 0 {
            secondsOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Self.civil(fromDays: days)
        let h = Int(secondsOfDay / 3600)
        let m = Int(secondsOfDay % 3600 / 60)
        let s = Int(secondsOfDay % 60)
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T"
            + "\(Self.pad(h, 2)):\(Self.pad(m, 2)):\(Self.pad(s, 2)).\(Self.pad(millis, 3))Z"
    }

    /// Parses an ISO 8601 / RFC 3339 date or date-time (`copydesk export --since`): `2026-01-02`, `2026-01-02T03:04`,
    /// `2026-01-02T03:04:05.678Z`, `2026-01-02 03:04:05+02:00`. Without a zone it is UTC. Fractions beyond
    /// microseconds are cut. Nil when the text is not such a date or names an impossible one.
    public init?(iso8601 text: String) {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.take("-"), let month = scanner.number(digits: 2),
            scanner.take("-"), let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = Self.days(fromCivil: year, month, day) * 86_400
        var micros: Int64 = 0
        if scanner.take("T") || scanner.take("t") || scanner.take(" ") {
            guard let hour = scanner.number(digits: 2), scanner.take(":"), let minute = scanner.number(digits: 2),
                hour < 24, minute < 60
            else { return nil }
            seconds += Int64(hour * 3600 + minute * 60)
            if scanner.take(":") {
                guard let second = scanner.number(digits: 2), second < 61 else { return nil }
                seconds += Int64(second)
                if scanner.take(".") || scanner.take(",") {
                    var scale: Int64 = 100_000
                    var count = 0
                    while let digit = scanner.digit() {
                        micros += Int64(digit) * scale
                        scale /= 10
                        count += 1
                    }
                    guard count > 0 else { return nil }
                }
            }
            if scanner.take("Z") || scanner.take("z") {
            } else if let sign = scanner.sign() {
                guard let hours = scanner.number(digits: 2), hours < 24 else { return nil }
                var minutes = 0
                if scanner.take(":") {
                    guard let value = scanner.number(digits: 2) else { return nil }
                    minutes = value
                } else if let value = scanner.number(digits: 2) {
                    minutes = value
                }
                guard minutes < 60 else { return nil }
                seconds -= Int64(sign * (hours * 3600 + minutes * 60))
            }
        }
        guard scanner.atEnd else { return nil }
        self.init(microseconds: seconds * 1_000_000 + micros)
    }

    private struct DigitScanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                return nil
            }
            defer { index += 1 }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func number(digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days-from-civil, the inverse of `civil(fromDays:)`.
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
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
