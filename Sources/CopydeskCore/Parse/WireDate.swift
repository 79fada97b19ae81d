/// A timestamp as a wire file writes it, read without a calendar library and without guessing a zone.
///
/// Agencies write ISO 8601 in both its forms and a few near misses: `20131020T192751+1100` (NITF `norm`, NewsML
/// 1.2), `2018-02-26T21:20:34Z` and `2019-06-03T15:00:01+02:00` (NewsML-G2), `2016-04-13 04:52:21+00:00` (a space
/// for the `T`), fractions of a second, or no zone at all (STT writes Helsinki local time without saying so).
/// ``iso8601`` renders any of them in the extended form, keeping the zone exactly as given (`Z` stays `Z`, an
/// offset stays that offset, no zone stays no zone): converting to UTC or assuming a zone would record something
/// the agency did not say.
public struct WireDate: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    /// Nil for a date without a time.
    public var hour: Int?
    public var minute: Int?
    public var second: Int?
    /// Digits after the decimal point of the seconds, as written (`"924"`); empty for none.
    public var fraction: String
    /// Offset from UTC in minutes; nil when the file gave no zone.
    public var offsetMinutes: Int?
    /// Whether the zone was written `Z`.
    public var isZulu: Bool

    /// Reads `text`, or nil when it is not a date this understands (`YYYYMMDD000000-HHMM`, a placeholder some
    /// feeds send, is nil).
    public init?(_ text: String) {
        var scanner = DigitScanner(Array(text.utf8.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }))
        guard let year = scanner.number(digits: 4) else { return nil }
        let extended = scanner.skip(UInt8(ascii: "-"))
        guard let month = scanner.number(digits: 2) else { return nil }
        if extended && !scanner.skip(UInt8(ascii: "-")) { return nil }
        guard let day = scanner.number(digits: 2) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), year >= 1000 else { return nil }
        self.year = year
        self.month = month
        self.day = day
        fraction = ""
        offsetMinutes = nil
        isZulu = false
        if scanner.atEnd { return }
        guard scanner.skip(UInt8(ascii: "T")) || scanner.skip(UInt8(ascii: " ")) else { return nil }
        guard let hour = scanner.number(digits: 2) else { return nil }
        let colons = scanner.skip(UInt8(ascii: ":"))
        guard let minute = scanner.number(digits: 2) else { return nil }
        var second = 0
        if colons ? scanner.skip(UInt8(ascii: ":")) : scanner.peekDigit {
            guard let value = scanner.number(digits: 2) else { return nil }
            second = value
            if scanner.skip(UInt8(ascii: ".")) || scanner.skip(UInt8(ascii: ",")) {
                fraction = scanner.digits()
                if fraction.isEmpty { return nil }
            }
        }
        guard hour <= 24, minute <= 59, second <= 60 else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
        _ = scanner.skip(UInt8(ascii: " "))
        if scanner.atEnd { return }
        if scanner.skip(UInt8(ascii: "Z")) {
            offsetMinutes = 0
            isZulu = true
        } else {
            let sign: Int
            if scanner.skip(UInt8(ascii: "+")) {
                sign = 1
            } else if scanner.skip(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return nil
            }
            guard let hours = scanner.number(digits: 2) else { return nil }
            var minutes = 0
            if !scanner.atEnd {
                _ = scanner.skip(UInt8(ascii: ":"))
                guard let value = scanner.number(digits: 2) else { return nil }
                minutes = value
            }
            guard hours <= 14, minutes <= 59 else { return nil }
            offsetMinutes = sign * (hours * 60 + minutes)
        }
        guard scanner.atEnd else { return nil }
    }

    /// Extended ISO 8601: `2013-10-20T19:27:51+11:00`, `2018-03-01T18:34:39.924Z`, `2020-09-07T14:45:26`,
    /// `2017-01-02`.
    public var iso8601: String {
        var text = "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
        guard let hour, let minute, let second else { return text }
        text += "T\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))"
        if !fraction.isEmpty { text += "." + fraction }
        if isZulu {
            text += "Z"
        } else if let offsetMinutes {
            let magnitude = abs(offsetMinutes)
            text += (offsetMinutes < 0 ? "-" : "+") + Self.pad(magnitude / 60, 2) + ":" + Self.pad(magnitude % 60, 2)
        }
        return text
    }

    /// Seconds since 1970-01-01T00:00:00Z of the wall-clock time read as UTC (the zone ignored).
    public var wallClockSeconds: Double {
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + (hour ?? 0) * 3600 + (minute ?? 0) * 60 + (second ?? 0)
        let fractional = fraction.isEmpty ? 0 : (Double("0." + fraction) ?? 0)
        return Double(seconds) + fractional
    }

    /// The instant, in seconds since the Unix epoch; nil when the file gave no zone, because then the instant is
    /// not known.
    public var epochSeconds: Double? {
        offsetMinutes.map { wallClockSeconds - Double($0 * 60) }
    }

    /// Reads the day-first dotted form some press-release feeds use (`11.07.2019 12:17`, `2.4.2019 16:02:09`):
    /// with dots it is day-month-year everywhere, so it is not a guess.
    public init?(dayFirst text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let date = parts.first else { return nil }
        let fields = date.split(separator: ".", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count <= 2, fields[1].count <= 2, fields[2].count == 4,
            let day = Int(fields[0]), let month = Int(fields[1]), let year = Int(fields[2])
        else { return nil }
        var iso = "\(year)-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
        if parts.count > 1 {
            let time = parts[1].split(separator: ":")
            guard time.count >= 2, time.count <= 3, time.allSatisfy({ $0.count == 2 && Int($0) != nil }) else {
                return nil
            }
            iso += "T" + time.joined(separator: ":") + (time.count == 2 ? ":00" : "")
        }
        self.init(iso)
    }

    /// `text` in extended ISO 8601 if it reads as a date (ISO 8601 in either form, or day-first with dots), else
    /// nil.
    public static func normalize(_ text: String?) -> String? {
        text.flatMap { (WireDate($0) ?? WireDate(dayFirst: $0))?.iso8601 }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Reads ASCII digits and separators off the front of a byte string.
private struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        var end = bytes.count
        while end > 0,
            bytes[end - 1] == 0x20 || bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D || bytes[end - 1] == 0x09
        {
            end -= 1
        }
        self.bytes = Array(bytes[..<end])
    }

    var atEnd: Bool { index >= bytes.count }

    var peekDigit: Bool { index < bytes.count && (0x30...0x39).contains(bytes[index]) }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Exactly `digits` digits as a number.
    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    /// All the digits from here, as text.
    mutating func digits() -> String {
        let start = index
        while peekDigit { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}
