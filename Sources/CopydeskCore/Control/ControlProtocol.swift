/// The daemon/CLI contract over the control socket: newline-delimited JSON, one request line, one
/// response line.
///
/// Version history (bump ``version`` on any change a peer must know about; add fields as optionals):
/// - 1: `status`. Later optional additions to ``StatusSnapshot`` (old peers ignore them, new peers read them as
///   nil from old daemons): `commits`, `committedRecords`, `problem`, `channels`, `latency`, `journalBytes`.
public enum ControlProtocol {
    public static let version = 1
}

public struct ControlRequest: Codable, Sendable, Equatable {
    public var version: Int
    public var command: Command

    public init(command: Command) {
        self.version = ControlProtocol.version
        self.command = command
    }

    public enum Command: String, Codable, Sendable {
        case status
    }
}

public struct ControlResponse: Codable, Sendable, Equatable {
    public var version: Int
    public var ok: Bool
    public var error: String?
    public var status: StatusSnapshot?

    public init(status: StatusSnapshot) {
        self.version = ControlProtocol.version
        self.ok = true
        self.error = nil
        self.status = status
    }

    public init(error: String) {
        self.version = ControlProtocol.version
        self.ok = false
        self.error = error
        self.status = nil
    }
}

/// What the daemon is doing, as `copydesk status` and `STATUS=` show it.
public struct StatusSnapshot: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case starting, ready, reloading, stopping
    }

    public var state: State
    public var pid: Int32
    public var startedAt: Timestamp
    public var inbox: String
    public var journal: String
    public var counts: Counts
    /// Files seen in the inbox or work/ and not yet finished.
    public var queue: Int
    public var lastSequence: UInt64
    public var lastArrival: Timestamp?
    public var rescans: Int
    public var overflows: Int
    /// Journal group commits (one `fdatasync` each) since the daemon started; nil from daemons before it.
    public var commits: Int?
    /// Records those commits carried: `committedRecords / commits` is the group-commit factor.
    public var committedRecords: Int?
    /// What keeps the daemon from storing, while it lasts (`Disk full: holding 12 files, retrying`); nil when
    /// healthy. It leads the `STATUS=` line.
    public var problem: String?
    /// Per channel (inbox sub-folder) since the daemon started, seeded from the journal's recent records.
    public var channels: [ChannelStatus]?
    /// Claim-to-durable latency since the daemon started.
    public var latency: LatencyHistogram?
    /// Bytes in journal segment files.
    public var journalBytes: Int64?

    /// Channels that usually deliver and have gone quiet.
    public var quietChannels: [ChannelStatus] { (channels ?? []).filter(\.quiet) }

    public init(
        state: State, pid: Int32, startedAt: Timestamp, inbox: String, journal: String, counts: Counts,
        queue: Int, lastSequence: UInt64, lastArrival: Timestamp?, rescans: Int, overflows: Int,
        commits: Int? = nil, committedRecords: Int? = nil, problem: String? = nil
    ) {
        self.state = state
        self.pid = pid
        self.startedAt = startedAt
        self.inbox = inbox
        self.journal = journal
        self.counts = counts
        self.queue = queue
        self.lastSequence = lastSequence
        self.lastArrival = lastArrival
        self.rescans = rescans
        self.overflows = overflows
        self.commits = commits
        self.committedRecords = committedRecords
        self.problem = problem
    }

    /// Totals over the whole journal (not just this run), so a restart does not reset what people see.
    public struct Counts: Codable, Sendable, Equatable {
        public var stored: Int
        public var duplicates: Int
        public var rejected: Int

        public init(stored: Int = 0, duplicates: Int = 0, rejected: Int = 0) {
            self.stored = stored
            self.duplicates = duplicates
            self.rejected = rejected
        }

        public mutating func count(_ kind: RecordKind) {
            switch kind {
            case .document: stored += 1
            case .duplicate: duplicates += 1
            case .rejected: rejected += 1
            }
        }
    }

    /// The one-line summary for `STATUS=`, e.g.
    /// `Watching /var/spool/copydesk/inbox · 1,234 stored · 56 duplicates · 2 rejected · queue 0`, or, while a
    /// ``problem`` lasts, `Disk full: holding 12 files, retrying · 1,234 stored · 56 duplicates · 2 rejected`.
    public var statusLine: String {
        let counted = "\(Self.grouped(counts.stored)) stored · \(Self.grouped(counts.duplicates)) duplicates · "
            + "\(Self.grouped(counts.rejected)) rejected"
        if let problem { return "\(problem) · \(counted)" }
        let quiet = quietChannels.map(\.name)
        let warning = quiet.isEmpty ? "" : " · quiet: " + quiet.joined(separator: ", ")
        let verb = switch state {
        case .starting: "Starting on"
        case .ready: "Watching"
        case .reloading: "Reloading"
        case .stopping: "Stopping"
        }
        return "\(verb) \(inbox) · \(counted) · queue \(Self.grouped(queue))" + warning
    }

    /// Thousands separated by commas, independent of locale (logs and STATUS= are read by people and grep).
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
