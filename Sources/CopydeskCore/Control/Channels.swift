/// Per-channel arrivals (an inbox sub-folder, or the inbox itself), and when a channel that usually delivers has
/// gone quiet: the first sign that a feed broke upstream, long before anyone misses its stories.
///
/// Pure: times are passed in. A channel's usual gap is the median of its last ``gapHistory`` gaps between
/// arrivals; it is quiet when the time since its last arrival exceeds `factor` times that, and at least
/// `minimum` seconds, once it has ``minimumArrivals`` arrivals to judge by.
public struct ChannelTracker: Sendable, Equatable {
    public static let gapHistory = 32
    public static let minimumArrivals = 5

    public var factor: Double
    public var minimum: Double
    private(set) var channels: [String: Entry] = [:]

    struct Entry: Sendable, Equatable {
        var stored = 0
        var duplicates = 0
        var rejected = 0
        var arrivals = 0
        var last: Timestamp?
        /// The most recent gaps, seconds, oldest first.
        var gaps: [Double] = []
    }

    public init(factor: Double = 4, minimum: Double = 900) {
        self.factor = factor
        self.minimum = minimum
    }

    /// The name a file without a channel folder is counted under.
    public static let inboxName = "(inbox)"

    /// Counts one record's arrival. Records must come in arrival order per channel (the journal's order is).
    public mutating func record(channel: String?, kind: RecordKind, at time: Timestamp) {
        let name = channel ?? Self.inboxName
        var entry = channels[name] ?? Entry()
        switch kind {
        case .document: entry.stored += 1
        case .duplicate: entry.duplicates += 1
        case .rejected: entry.rejected += 1
        }
        if let last = entry.last {
            let gap = Double(time.microseconds - last.microseconds) / 1e6
            // Files of one delivery arrive together: a near-zero gap says nothing about the feed's rhythm.
            if gap >= 1 {
                entry.gaps.append(gap)
                if entry.gaps.count > Self.gapHistory { entry.gaps.removeFirst(entry.gaps.count - Self.gapHistory) }
            }
        }
        if entry.last.map({ time > $0 }) ?? true { entry.last = time }
        entry.arrivals += 1
        channels[name] = entry
    }

    /// Every channel's figures at `now`, by name.
    public func statuses(at now: Timestamp) -> [ChannelStatus] {
        channels.keys.sorted().map { name in
            let entry = channels[name]!
            let usual = Self.median(entry.gaps)
            let silent = entry.last.map { Double(now.microseconds - $0.microseconds) / 1e6 }
            var quiet = false
            if let usual, let silent, entry.arrivals >= Self.minimumArrivals, entry.gaps.count >= Self.minimumArrivals - 1 {
                quiet = silent > max(factor * usual, minimum)
            }
            return ChannelStatus(
                name: name, stored: entry.stored, duplicates: entry.duplicates, rejected: entry.rejected,
                lastArrival: entry.last, usualGap: usual, silentFor: silent, quiet: quiet
            )
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// One channel as `copydesk status`, `STATUS=` and the metrics show it.
public struct ChannelStatus: Codable, Sendable, Equatable {
    public var name: String
    public var stored: Int
    public var duplicates: Int
    public var rejected: Int
    public var lastArrival: Timestamp?
    /// Median gap between arrivals, seconds (nil until there are two arrivals a second or more apart).
    public var usualGap: Double?
    /// Seconds since the last arrival.
    public var silentFor: Double?
    public var quiet: Bool

    public init(
        name: String, stored: Int, duplicates: Int, rejected: Int, lastArrival: Timestamp?, usualGap: Double?,
        silentFor: Double?, quiet: Bool
    ) {
        self.name = name
        self.stored = stored
        self.duplicates = duplicates
        self.rejected = rejected
        self.lastArrival = lastArrival
        self.usualGap = usualGap
        self.silentFor = silentFor
        self.quiet = quiet
    }

    /// `xinhua silent 2h 5m (usually every 4m 10s)`.
    public var quietText: String {
        "\(name) silent \(Self.span(silentFor ?? 0))" + (usualGap.map { " (usually every \(Self.span($0)))" } ?? "")
    }

    /// A duration for people: `45s`, `4m 10s`, `2h 5m`, `3d 4h`.
    public static func span(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (days, hours, minutes, secs) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(secs)s" }
        return "\(secs)s"
    }
}
