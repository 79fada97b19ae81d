import CopydeskCore
import Testing

@Suite struct ConfigurationTests {
    @Test func rootedLayoutKeepsEverythingUnderOneFolder() {
        let config = Configuration.rooted(at: "var/")
        #expect(config.inbox == "var/inbox")
        #expect(config.work == "var/work")
        #expect(config.rejected == "var/rejected")
        #expect(config.journal == "var/journal")
        #expect(config.controlSocket == "var/control.sock")
        #expect(config.maxFileSize == 16 << 20)
    }

    @Test func systemLayoutFollowsTheUnit() {
        #expect(Configuration.system.inbox == "/var/spool/copydesk/inbox")
        #expect(Configuration.system.journal == "/var/lib/copydesk")
        #expect(Configuration.system.controlSocket == "/run/copydesk/control.sock")
    }

    @Test func parsesEveryKey() throws {
        let text = """
            spool = "/srv/spool"
            state = "/srv/state"
            runtime = "/srv/run"
            [ingest]
            max_file_size = "2MiB"
            keep_done = true
            rescan_interval = "500ms"
            batch_max = 8
            batch_delay = "2ms"
            [journal]
            segment_size = "1MiB"
            retention_max_age = "30d"
            retention_max_size = "20GiB"
            checkpoint_records = 5000
            checkpoint_interval = "1min"
            [log]
            level = "debug"
            """
        let config = try Configuration.parse(text, over: .system)
        #expect(config.inbox == "/srv/spool/inbox")
        #expect(config.journal == "/srv/state")
        #expect(config.controlSocket == "/srv/run/control.sock")
        #expect(config.maxFileSize == 2 << 20)
        #expect(config.keepDone)
        #expect(config.rescanInterval == 0.5)
        #expect(config.batchMax == 8)
        #expect(config.batchDelay == 0.002)
        #expect(config.segmentSize == 1 << 20)
        #expect(config.checkpointRecords == 5000)
        #expect(config.checkpointInterval == 60)
        #expect(config.retentionMaxAge == Double(30 * 86_400))
        #expect(config.retentionMaxSize == 20 << 30)
        #expect(config.logLevel == "debug")
    }

    @Test func retentionKeepsEverythingByDefault() throws {
        let config = try Configuration.parse("[journal]\nsegment_size = \"8MiB\"", over: .system)
        #expect(config.retentionMaxAge == nil)
        #expect(config.retentionMaxSize == nil)
        let hours = try Configuration.parse("[journal]\nretention_max_age = \"12h\"", over: .system)
        #expect(hours.retentionMaxAge == Double(12 * 3600))
        #expect(hours.retentionMaxSize == nil)
        let bytes = try Configuration.parse("[journal]\nretention_max_size = 1000000", over: .system)
        #expect(bytes.retentionMaxSize == 1_000_000)
    }

    @Test func zeroDelayAndZeroCheckpointCountAreAllowed() throws {
        let config = try Configuration.parse(
            "[ingest]\nbatch_delay = 0\n[journal]\ncheckpoint_records = 0\ncheckpoint_interval = \"0s\"\n",
            over: .system
        )
        #expect(config.batchDelay == 0)
        #expect(config.checkpointRecords == 0)
        #expect(config.checkpointInterval == 0)
        #expect(Configuration.system.batchDelay == 0.005)
    }

    @Test func emptyTextKeepsTheBase() throws {
        #expect(try Configuration.parse("", over: .rooted(at: "x")) == .rooted(at: "x"))
    }

    @Test(arguments: [
        ("spool = 3", "spool must be a string"),
        ("colour = \"red\"", "unknown key colour"),
        ("[ingest]\nmax_file_sise = 3", "unknown key ingest.max_file_sise"),
        ("[ingest]\nmax_file_size = \"lots\"", "ingest.max_file_size must be a size"),
        ("[ingest]\nbatch_max = 0", "ingest.batch_max must be between 1 and 65536"),
        ("[ingest]\nbatch_delay = \"2s\"", "ingest.batch_delay must be at most 1s"),
        ("[ingest]\nbatch_delay = \"-1ms\"", "ingest.batch_delay must be a duration"),
        ("[journal]\ncheckpoint_records = -1", "journal.checkpoint_records must be 0 or more"),
        ("[ingest]\nrescan_interval = 0", "ingest.rescan_interval must be a duration"),
        ("[log]\nlevel = \"loud\"", "log.level must be one of"),
        ("[journal]\nsegment_size = 100", "journal.segment_size must be at least 4KiB"),
        ("[journal]\nretention_max_age = \"soon\"", "journal.retention_max_age must be a duration"),
        ("[journal]\nretention_max_age = 0", "journal.retention_max_age must be a duration"),
        ("[journal]\nretention_max_size = \"big\"", "journal.retention_max_size must be a size"),
        ("[journal]\nretention = 3", "unknown key journal.retention"),
        ("spool = ", "line 1"),
    ])
    func badConfigurationSaysWhy(_ text: String, _ expected: String) {
        #expect {
            _ = try Configuration.parse(text, over: .system)
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(expected) == true
        }
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_455_196_440_123_456), "2016-02-11T13:14:00.123Z"),
        (Int64(951_782_400_000_000), "2000-02-29T00:00:00.000Z"),
        (Int64(-1_000), "1969-12-31T23:59:59.999Z"),
    ])
    func formatsRFC3339(_ micros: Int64, _ expected: String) {
        #expect(Timestamp(microseconds: micros).iso8601 == expected)
        let millisecond = micros - ((micros % 1000) + 1000) % 1000  // what the text keeps
        #expect(Timestamp(iso8601: expected) == Timestamp(microseconds: millisecond))
    }

    @Test(arguments: [
        ("2026-01-02", Int64(1_767_312_000_000_000)),
        ("2026-01-02T03:04", Int64(1_767_323_040_000_000)),
        ("2026-01-02T03:04:05Z", Int64(1_767_323_045_000_000)),
        ("2026-01-02 03:04:05.5", Int64(1_767_323_045_500_000)),
        ("2026-01-02T03:04:05.123456789+02:00", Int64(1_767_315_845_123_456)),
        ("2026-01-02T03:04:05-0130", Int64(1_767_328_445_000_000)),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000),
        ("1969-12-31T23:59:59.999Z", -1_000),
    ])
    func parsesISO8601(_ text: String, _ micros: Int64) {
        #expect(Timestamp(iso8601: text) == Timestamp(microseconds: micros), "\(text)")
    }

    @Test(arguments: [
        "", "2026", "2026-13-01", "2025-02-29", "2026-01-02T25:00", "2026-01-02T03:04:05.", "2026-01-02x",
        "2026-01-02T03:04:05+2", "yesterday",
    ])
    func refusesWhatIsNotADate(_ text: String) {
        #expect(Timestamp(iso8601: text) == nil, "\(text)")
    }
}

@Suite struct StatusTextTests {
    @Test func groupsThousands() {
        #expect(StatusSnapshot.grouped(0) == "0")
        #expect(StatusSnapshot.grouped(999) == "999")
        #expect(StatusSnapshot.grouped(1234) == "1,234")
        #expect(StatusSnapshot.grouped(1_234_567) == "1,234,567")
    }

    @Test func statusLineNamesInboxAndCounts() {
        let snapshot = StatusSnapshot(
            state: .ready, pid: 1, startedAt: .epoch, inbox: "/var/spool/copydesk/inbox", journal: "/j",
            counts: .init(stored: 1234, duplicates: 56, rejected: 2), queue: 0, lastSequence: 1292, lastArrival: nil,
            rescans: 0, overflows: 0
        )
        #expect(
            snapshot.statusLine
                == "Watching /var/spool/copydesk/inbox · 1,234 stored · 56 duplicates · 2 rejected · queue 0")
    }

    @Test func aProblemLeadsTheStatusLine() {
        var snapshot = StatusSnapshot(
            state: .ready, pid: 1, startedAt: .epoch, inbox: "/in", journal: "/j",
            counts: .init(stored: 3, duplicates: 0, rejected: 1), queue: 12, lastSequence: 4, lastArrival: nil,
            rescans: 0, overflows: 0
        )
        snapshot.problem = "Disk full: holding 12 files, retrying"
        #expect(snapshot.statusLine == "Disk full: holding 12 files, retrying · 3 stored · 0 duplicates · 1 rejected")
    }
}
