/// What `copydesk status` prints: the daemon's own snapshot when it answers, otherwise what the journal
/// holds. One value for both the text and `--json`.
public struct StatusReport: Codable, Sendable, Equatable {
    public var running: Bool
    /// Why the daemon could not be asked (socket missing, refused, timed out).
    public var unreachable: String?
    public var controlSocket: String
    public var daemon: StatusSnapshot?
    public var journal: JournalSummary?

    public init(
        running: Bool, unreachable: String?, controlSocket: String, daemon: StatusSnapshot?, journal: JournalSummary?
    ) {
        self.running = running
        self.unreachable = unreachable
        self.controlSocket = controlSocket
        self.daemon = daemon
        self.journal = journal
    }

    public var text: String {
        var lines: [String] = []
        if let daemon {
            lines.append("copydeskd is running (pid \(daemon.pid), \(daemon.state.rawValue), since \(daemon.startedAt.iso8601))")
            lines.append("  \(daemon.statusLine)")
            lines.append("  Journal:      \(daemon.journal) · last record #\(daemon.lastSequence)")
            if let arrival = daemon.lastArrival { lines.append("  Last arrival: \(arrival.iso8601)") }
            lines.append("  Rescans:      \(daemon.rescans) · inotify overflows \(daemon.overflows)")
            if let commits = daemon.commits, let records = daemon.committedRecords, commits > 0 {
                let tenths = (records * 10 + commits / 2) / commits
                lines.append("  Commits:      \(StatusSnapshot.grouped(commits)) (fdatasync) · "
                    + "\(tenths / 10).\(tenths % 10) records each")
            }
            if let channels = daemon.channels, !channels.isEmpty {
                lines.append("  Channels:")
                let width = max(8, channels.map(\.name.count).max() ?? 0)
                for channel in channels {
                    let name = channel.name + String(repeating: " ", count: max(0, width - channel.name.count))
                    var line = "    \(name)  \(StatusSnapshot.grouped(channel.stored)) stored · "
                        + "\(StatusSnapshot.grouped(channel.duplicates)) duplicates · "
                        + "\(StatusSnapshot.grouped(channel.rejected)) rejected"
                    if let last = channel.lastArrival { line += " · last \(last.iso8601)" }
                    if let gap = channel.usualGap { line += " · usually every \(ChannelStatus.span(gap))" }
                    lines.append(line)
                }
                for channel in daemon.quietChannels {
                    lines.append("  Warning: channel \(channel.quietText): has the feed broken upstream?")
                }
            }
        } else {
            lines.append("copydeskd is not running (\(unreachable ?? "no answer") on \(controlSocket))")
        }
        if let journal {
            lines.append("  Journal \(journal.path): \(StatusSnapshot.grouped(journal.records)) records · "
                + "\(StatusSnapshot.grouped(journal.counts.stored)) stored · "
                + "\(StatusSnapshot.grouped(journal.counts.duplicates)) duplicates · "
                + "\(StatusSnapshot.grouped(journal.counts.rejected)) rejected")
            if journal.lastSequence > 0 {
                lines.append("  Last record #\(journal.lastSequence)"
                    + (journal.lastRecordedAt.map { " at \($0.iso8601)" } ?? ""))
            }
            if let problem = journal.problem { lines.append("  Problem: \(problem)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// Totals read from the journal itself (when the daemon is down).
public struct JournalSummary: Codable, Sendable, Equatable {
    public var path: String
    public var records: Int
    public var lastSequence: UInt64
    public var lastRecordedAt: Timestamp?
    public var counts: StatusSnapshot.Counts
    /// Set when the journal could not be read to the end.
    public var problem: String?

    public init(
        path: String, records: Int, lastSequence: UInt64, lastRecordedAt: Timestamp?, counts: StatusSnapshot.Counts,
        problem: String?
    ) {
        self.path = path
        self.records = records
        self.lastSequence = lastSequence
        self.lastRecordedAt = lastRecordedAt
        self.counts = counts
        self.problem = problem
    }
}
