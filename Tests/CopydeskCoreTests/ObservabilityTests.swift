import CopydeskCore
import Testing

@Suite struct ChannelTrackerTests {
    let start = Timestamp(microseconds: 1_767_225_600_000_000)
    func at(_ seconds: Double) -> Timestamp { Timestamp(microseconds: start.microseconds + Int64(seconds * 1e6)) }

    @Test func aChannelThatStopsDeliveringGoesQuietAndComesBack() {
        var tracker = ChannelTracker(factor: 4, minimum: 600)
        for n in 0..<10 { tracker.record(channel: "xinhua", kind: .document, at: at(Double(n) * 300)) }
        tracker.record(channel: "xinhua", kind: .rejected, at: at(2700))
        // Last arrival at 2,700 s, usually every 300 s: quiet after 4 × 300 = 1,200 s.
        var status = tracker.statuses(at: at(2700 + 1100))[0]
        #expect(status.name == "xinhua" && status.stored == 10 && status.rejected == 1)
        #expect(status.usualGap == 300)
        #expect(!status.quiet)
        status = tracker.statuses(at: at(2700 + 1300))[0]
        #expect(status.quiet)
        #expect(status.quietText == "xinhua silent 21m 40s (usually every 5m 0s)")
        tracker.record(channel: "xinhua", kind: .duplicate, at: at(4000))
        #expect(!tracker.statuses(at: at(4001))[0].quiet)
    }

    @Test func theMinimumAndTheArrivalCountGuardAgainstFalseAlarms() {
        var tracker = ChannelTracker(factor: 4, minimum: 600)
        // A busy feed (every 10 s) is not quiet after 41 s: the minimum is 10 minutes.
        for n in 0..<10 { tracker.record(channel: "afp", kind: .document, at: at(Double(n) * 10)) }
        #expect(!tracker.statuses(at: at(90 + 41)).first!.quiet)
        #expect(tracker.statuses(at: at(90 + 601)).first!.quiet)
        // Three arrivals say nothing about a rhythm yet.
        for n in 0..<3 { tracker.record(channel: "new", kind: .document, at: at(Double(n) * 10)) }
        #expect(!tracker.statuses(at: at(100_000)).first { $0.name == "new" }!.quiet)
        // Files of one delivery (under a second apart) do not count as gaps.
        var burst = ChannelTracker(factor: 4, minimum: 1)
        for n in 0..<50 { burst.record(channel: nil, kind: .document, at: at(Double(n) * 0.01)) }
        let inbox = burst.statuses(at: at(10))[0]
        #expect(inbox.name == ChannelTracker.inboxName && inbox.usualGap == nil && !inbox.quiet)
    }
}

@Suite struct MetricsTests {
    @Test func theHistogramCountsEachObservationInOneBucket() {
        var histogram = LatencyHistogram()
        for value in [0.0005, 0.001, 0.003, 0.2, 30] { histogram.observe(value) }
        #expect(histogram.count == 5)
        #expect(histogram.counts[0] == 2)  // ≤ 1 ms, the bound included
        #expect(histogram.counts[2] == 1)  // ≤ 5 ms
        #expect(histogram.counts[7] == 1)  // ≤ 250 ms
        #expect(histogram.counts.last == 1)  // above 10 s
        #expect(abs(histogram.sum - 30.2045) < 1e-9)
    }

    @Test func prometheusTextCarriesCountersHistogramAndChannels() {
        var histogram = LatencyHistogram()
        histogram.observe(0.002)
        histogram.observe(0.04)
        let snapshot = StatusSnapshot(
            state: .ready, pid: 42, startedAt: Timestamp(microseconds: 1_767_225_600_000_000), inbox: "/in",
            journal: "/j", counts: .init(stored: 7, duplicates: 2, rejected: 1), queue: 3, lastSequence: 10,
            lastArrival: nil, rescans: 4, overflows: 1, commits: 5, committedRecords: 10, problem: nil
        )
        var full = snapshot
        full.latency = histogram
        full.journalBytes = 4096
        full.channels = [ChannelStatus(
            name: "a\"b", stored: 7, duplicates: 2, rejected: 1, lastArrival: Timestamp(microseconds: 1_500_000),
            usualGap: 60, silentFor: 1000, quiet: true
        )]
        let text = PrometheusText.render(full)
        let lines = Set(text.split(separator: "\n").map(String.init))
        for expected in [
            "copydesk_up 1", "copydesk_documents_stored_total 7", "copydesk_duplicates_total 2",
            "copydesk_rejected_total 1", "copydesk_queue_files 3", "copydesk_inotify_overflows_total 1",
            "copydesk_rescans_total 4", "copydesk_journal_bytes 4096", "copydesk_journal_commits_total 5",
            "copydesk_start_time_seconds 1767225600", "copydesk_problem 0",
            "copydesk_ingest_latency_seconds_bucket{le=\"0.001\"} 0",
            "copydesk_ingest_latency_seconds_bucket{le=\"0.0025\"} 1",
            "copydesk_ingest_latency_seconds_bucket{le=\"0.05\"} 2",
            "copydesk_ingest_latency_seconds_bucket{le=\"+Inf\"} 2", "copydesk_ingest_latency_seconds_count 2",
            "copydesk_channel_records_total{channel=\"a\\\"b\",verdict=\"stored\"} 7",
            "copydesk_channel_quiet{channel=\"a\\\"b\"} 1", "copydesk_channel_last_arrival_seconds{channel=\"a\\\"b\"} 1.5",
            "# TYPE copydesk_ingest_latency_seconds histogram", "# TYPE copydesk_documents_stored_total counter",
        ] {
            #expect(lines.contains(expected), "missing: \(expected)\n\(text)")
        }
        // Every sample line is NAME{labels} VALUE with a numeric value.
        for line in lines where !line.hasPrefix("#") {
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Double(value) != nil, "\(line)")
        }
        #expect(PrometheusText.render(nil) == "# HELP copydesk_up 1 when copydeskd answered on its control socket.\n"
            + "# TYPE copydesk_up gauge\ncopydesk_up 0\n")
        #expect(snapshot.statusLine.hasSuffix("queue 3"))
        #expect(full.statusLine.hasSuffix("queue 3 · quiet: a\"b"))
    }

    @Test func metricsAndChannelKeysParse() throws {
        let config = try Configuration.parse(
            "[metrics]\ntextfile = \"/var/lib/prom/copydesk.prom\"\ninterval = \"30s\"\n"
                + "[channels]\nquiet_factor = 2.5\nquiet_minimum = \"20min\"\n",
            over: .rooted(at: "/r"))
        #expect(config.metricsTextfile == "/var/lib/prom/copydesk.prom")
        #expect(config.metricsInterval == 30)
        #expect(config.quietFactor == 2.5)
        #expect(config.quietMinimum == 1200)
        #expect(throws: ConfigurationError.self) { try Configuration.parse("[channels]\nquiet_factor = 0.5\n", over: .rooted(at: "/r")) }
        #expect(throws: ConfigurationError.self) { try Configuration.parse("[metrics]\npath = \"x\"\n", over: .rooted(at: "/r")) }
    }
}
