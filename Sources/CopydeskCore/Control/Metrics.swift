/// Drop-to-durable latency: from the moment the daemon claims a file to the moment its record is on the disk.
/// Fixed buckets (seconds), so histograms from different runs and hosts aggregate in Prometheus.
public struct LatencyHistogram: Codable, Sendable, Equatable {
    public static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Observations per bucket (not cumulative); the last counts those above every bound.
    public var counts: [Int]
    public var sum: Double
    public var count: Int

    public init() {
        counts = Array(repeating: 0, count: Self.bounds.count + 1)
        sum = 0
        count = 0
    }

    public mutating func observe(_ seconds: Double) {
        let value = max(0, seconds)
        let bucket = Self.bounds.firstIndex { value <= $0 } ?? Self.bounds.count
        counts[bucket] += 1
        sum += value
        count += 1
    }
}

/// The daemon's counters in the Prometheus text exposition format (version 0.0.4), for the node_exporter
/// textfile collector and `copydesk metrics`.
public enum PrometheusText {
    /// `snapshot` nil: the daemon did not answer (`copydesk_up 0` and nothing else that could mislead).
    public static func render(_ snapshot: StatusSnapshot?, journalBytes: Int64? = nil) -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        }
        metric("copydesk_up", "gauge", "1 when copydeskd answered on its control socket.", [("", snapshot == nil ? "0" : "1")])
        guard let status = snapshot else { return out }
        metric("copydesk_documents_stored_total", "counter", "Documents stored (journal total).",
               [("", "\(status.counts.stored)")])
        metric("copydesk_duplicates_total", "counter", "Deliveries recorded as duplicates (journal total).",
               [("", "\(status.counts.duplicates)")])
        metric("copydesk_rejected_total", "counter", "Files rejected (journal total).", [("", "\(status.counts.rejected)")])
        metric("copydesk_queue_files", "gauge", "Files in the inbox or work/ not yet finished.", [("", "\(status.queue)")])
        metric("copydesk_inotify_overflows_total", "counter", "inotify queue overflows since start.",
               [("", "\(status.overflows)")])
        metric("copydesk_rescans_total", "counter", "Inbox rescans since start.", [("", "\(status.rescans)")])
        metric("copydesk_journal_last_sequence", "gauge", "Sequence number of the last durable record.",
               [("", "\(status.lastSequence)")])
        if let bytes = journalBytes ?? status.journalBytes {
            metric("copydesk_journal_bytes", "gauge", "Bytes in journal segment files.", [("", "\(bytes)")])
        }
        if let commits = status.commits {
            metric("copydesk_journal_commits_total", "counter", "Group commits (one fdatasync each) since start.",
                   [("", "\(commits)")])
        }
        if let records = status.committedRecords {
            metric("copydesk_journal_committed_records_total", "counter", "Records written by those commits.",
                   [("", "\(records)")])
        }
        metric("copydesk_start_time_seconds", "gauge", "When the daemon started (Unix time).",
               [("", number(Double(status.startedAt.microseconds) / 1e6))])
        metric("copydesk_problem", "gauge", "1 while something keeps the daemon from storing (disk full, damage).",
               [("", status.problem == nil ? "0" : "1")])
        if let latency = status.latency {
            out += "# HELP copydesk_ingest_latency_seconds From claiming a file to its record being durable.\n"
            out += "# TYPE copydesk_ingest_latency_seconds histogram\n"
            var cumulative = 0
            for (index, bound) in LatencyHistogram.bounds.enumerated() {
                cumulative += latency.counts[index]
                out += "copydesk_ingest_latency_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "copydesk_ingest_latency_seconds_bucket{le=\"+Inf\"} \(latency.count)\n"
            out += "copydesk_ingest_latency_seconds_sum \(latency.sum)\n"
            out += "copydesk_ingest_latency_seconds_count \(latency.count)\n"
        }
        if let channels = status.channels, !channels.isEmpty {
            func label(_ channel: ChannelStatus) -> String { "{channel=\"\(escape(channel.name))\"}" }
            metric("copydesk_channel_records_total", "counter", "Records per channel since start, by verdict.",
                   channels.flatMap { channel in
                       [("stored", channel.stored), ("duplicate", channel.duplicates), ("rejected", channel.rejected)]
                           .map { ("{channel=\"\(escape(channel.name))\",verdict=\"\($0.0)\"}", "\($0.1)") }
                   })
            metric("copydesk_channel_last_arrival_seconds", "gauge", "Last arrival per channel (Unix time).",
                   channels.compactMap { channel in
                       channel.lastArrival.map { (label(channel), number(Double($0.microseconds) / 1e6)) }
                   })
            metric("copydesk_channel_quiet", "gauge", "1 when a channel that usually delivers has gone quiet.",
                   channels.map { (label($0), $0.quiet ? "1" : "0") })
        }
        return out
    }

    /// Label values escape `\`, `"` and newlines.
    static func escape(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }
}
