import CopydeskCore
import CopydeskStore
import Foundation
import Logging
import Synchronization

/// What the daemon tells dashboards beyond `STATUS=`: per-channel arrivals with the quiet-feed warning, the
/// claim-to-durable latency histogram, journal bytes, and the Prometheus textfile.
///
/// Fed from the commit thread (``recorded(_:claimedAt:durableAt:)``) and read from the pipeline task
/// (``refresh(_:configuration:)``), hence the locks.
final class Observer: Sendable {
    private let channels: Mutex<ChannelTracker>
    private let latency = Mutex(LatencyHistogram())
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var quiet: Set<String> = []
        var lastMetrics = -Double.infinity
        var lastBytes = -Double.infinity
        var journalBytes: Int64?
    }

    init(configuration: Configuration, logger: Logger) {
        channels = Mutex(ChannelTracker(factor: configuration.quietFactor, minimum: configuration.quietMinimum))
        self.logger = logger
    }

    /// How many recent records seed the channel figures at start, so the usual gaps survive a restart.
    static let seedRecords = 2000

    /// Seeds the channel figures from the journal's most recent records (oldest first).
    func seed(journal: String) {
        guard let reader = try? JournalReader.open(directory: journal),
              let recent = try? reader.recent(limit: Self.seedRecords) else { return }
        channels.withLock { tracker in
            for record in recent.reversed() {
                tracker.record(channel: record.body.arrival.channel, kind: record.body.kind, at: record.body.arrival.receivedAt)
            }
        }
    }

    /// A batch is durable: count its records per channel and how long each file took since its claim.
    func recorded(_ records: [JournalRecord], claimedAt: [Double], durableAt: Double) {
        channels.withLock { tracker in
            for index in records.indices {
                let arrival = records[index].body.arrival
                tracker.record(channel: arrival.channel, kind: records[index].body.kind, at: arrival.receivedAt)
            }
        }
        latency.withLock { histogram in
            for claimed in claimedAt where claimed > 0 { histogram.observe(durableAt - claimed) }
        }
    }

    /// Puts the figures on the board, logs channels that went quiet (or came back), and rewrites the metrics
    /// textfile when it is due. Cheap enough for every tick.
    func refresh(_ board: StatusBoard, configuration: Configuration) {
        let clock = monotonicSeconds()
        let statuses = channels.withLock { tracker in
            tracker.factor = configuration.quietFactor
            tracker.minimum = configuration.quietMinimum
            return tracker.statuses(at: now())
        }
        let histogram = latency.withLock { $0 }
        let (bytes, writeMetrics) = state.withLock { state -> (Int64?, Bool) in
            if clock - state.lastBytes >= 10 {
                state.lastBytes = clock
                state.journalBytes = Self.journalBytes(configuration.journal)
            }
            let due = configuration.metricsTextfile != nil && clock - state.lastMetrics >= configuration.metricsInterval
            if due { state.lastMetrics = clock }
            return (state.journalBytes, due)
        }
        board.update {
            $0.channels = statuses
            $0.latency = histogram
            $0.journalBytes = bytes
        }
        reportQuietChanges(statuses)
        if writeMetrics, let path = configuration.metricsTextfile {
            writeTextfile(PrometheusText.render(board.snapshot), to: path)
        }
    }

    private func reportQuietChanges(_ statuses: [ChannelStatus]) {
        let quietNow = Set(statuses.filter(\.quiet).map(\.name))
        let (started, ended) = state.withLock { state -> (Set<String>, Set<String>) in
            defer { state.quiet = quietNow }
            return (quietNow.subtracting(state.quiet), state.quiet.subtracting(quietNow))
        }
        for channel in statuses where started.contains(channel.name) {
            logger.warning("channel \(channel.quietText): has the feed broken upstream?", metadata: [
                "copydesk.event": "channel-quiet", "copydesk.channel": "\(channel.name)",
                "channel.silent_s": "\(Int(channel.silentFor ?? 0))", "channel.usual_gap_s": "\(Int(channel.usualGap ?? 0))",
            ])
        }
        for name in ended.sorted() {
            logger.notice("channel \(name) delivers again", metadata: ["copydesk.channel": "\(name)"])
        }
    }

    /// Written beside, then renamed over: the collector never reads half a file.
    private func writeTextfile(_ text: String, to path: String) {
        let temporary = path + ".tmp"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw DaemonError("rename: \(String(cString: strerror(errno)))")
            }
        } catch {
            logger.warning("cannot write the metrics textfile", metadata: ["metrics.path": "\(path)", "error": "\(error)"])
        }
    }

    static func journalBytes(_ directory: String) -> Int64? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var total: Int64 = 0
        for name in names where name.hasSuffix(".cdj") {
            var info = stat()
            if stat(directory + "/" + name, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }
}
