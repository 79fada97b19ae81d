import TOMLKit

/// Where Copydesk keeps things and how it ingests, from `copydesk.toml`, `--root`, or the systemd defaults.
///
/// Parsing is pure (text in, value out) so the CLI and the daemon read the same file the same way; reading
/// the file is the caller's job.
public struct Configuration: Sendable, Equatable {
    /// The spool: `inbox/`, `work/`, `rejected/`, `done/` live under it.
    public var spool: String
    /// The journal directory (segments, lock, later index checkpoints).
    public var journal: String
    /// The control socket's path.
    public var controlSocket: String
    /// Files larger than this are rejected from their size alone, without being read.
    public var maxFileSize: Int64
    /// Move finished files to `done/` instead of deleting them.
    public var keepDone: Bool
    /// How often the inbox is scanned as a net under inotify (seconds).
    public var rescanInterval: Double
    /// Records per journal batch (one `fdatasync` each) at most.
    public var batchMax: Int
    /// How long the first file of a batch may wait for more files to share its `fdatasync` (seconds) while
    /// further files are being prepared. A lone file is committed at once; this only bounds the wait under load.
    public var batchDelay: Double
    public var segmentSize: Int
    /// Retention: sealed segments whose last record is older than this many seconds are removed (nil: kept).
    public var retentionMaxAge: Double?
    /// Retention: the oldest sealed segments are removed while the journal is larger than this (nil: no limit).
    public var retentionMaxSize: Int64?
    /// Write the index checkpoint after this many new records (0: only by time and at shutdown).
    public var checkpointRecords: Int
    /// ... or after this many seconds with new records (0: only by count and at shutdown).
    public var checkpointInterval: Double
    /// swift-log level name: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String
    /// Where to write the Prometheus metrics for node_exporter's textfile collector (nil: not written).
    public var metricsTextfile: String? = nil
    /// How often that file is rewritten (seconds).
    public var metricsInterval: Double = 15
    /// A channel is quiet after this many times its usual gap between arrivals…
    public var quietFactor: Double = 4
    /// …and at least this many seconds.
    public var quietMinimum: Double = 900
    /// `[classify] rules`: the classification rules file; nil for the built-in rules.
    public var classifyRules: String? = nil
    /// `[classify] model`: the trained model file; nil for `model.cdm` in the state directory.
    public var classifyModel: String? = nil

    /// Where the daemon loads the trained model from and `copydesk train` writes it.
    public var classifyModelPath: String { classifyModel ?? journal + "/" + Self.modelFileName }
    public static let modelFileName = "model.cdm"
    /// Duplicates, near-duplicates, versions and stories (`[dedup]`).
    public var dedup: DedupSettings

    public static let defaultMaxFileSize: Int64 = 16 << 20
    public static let systemConfigPath = "/etc/copydesk/copydesk.toml"

    /// The layout under systemd (`StateDirectory=copydesk`, `RuntimeDirectory=copydesk`).
    public static let system = Configuration(
        spool: "/var/spool/copydesk", journal: "/var/lib/copydesk", controlSocket: "/run/copydesk/control.sock"
    )

    /// Everything under one folder: the development and test layout (`--root DIR`).
    public static func rooted(at root: String) -> Configuration {
        let base = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        return Configuration(spool: base, journal: base + "/journal", controlSocket: base + "/control.sock")
    }

    public init(
        spool: String, journal: String, controlSocket: String, maxFileSize: Int64 = Configuration.defaultMaxFileSize,
        keepDone: Bool = false, rescanInterval: Double = 30, batchMax: Int = 256, batchDelay: Double = 0.005,
        segmentSize: Int = 64 << 20, checkpointRecords: Int = 100_000, checkpointInterval: Double = 600,
        logLevel: String = "info", retentionMaxAge: Double? = nil, retentionMaxSize: Int64? = nil,
        dedup: DedupSettings = DedupSettings()
    ) {
        self.dedup = dedup
        self.spool = spool
        self.journal = journal
        self.controlSocket = controlSocket
        self.maxFileSize = maxFileSize
        self.keepDone = keepDone
        self.rescanInterval = rescanInterval
        self.batchMax = batchMax
        self.batchDelay = batchDelay
        self.segmentSize = segmentSize
        self.checkpointRecords = checkpointRecords
        self.checkpointInterval = checkpointInterval
        self.logLevel = logLevel
        self.retentionMaxAge = retentionMaxAge
        self.retentionMaxSize = retentionMaxSize
    }

    public var inbox: String { spool + "/inbox" }
    public var work: String { spool + "/work" }
    public var rejected: String { spool + "/rejected" }
    public var done: String { spool + "/done" }

    /// Applies the TOML text on top of `base`. Unknown keys are errors, not warnings: a misspelt key that
    /// silently does nothing is how a newsroom loses a feed.
    public static func parse(_ text: String, over base: Configuration) throws(ConfigurationError) -> Configuration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(
                "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)"
            )
        } catch {
            throw ConfigurationError("\(error)")
        }
        var config = base
        for key in table.keys {
            let value = table[key]!
            switch key {
            case "spool": config.spool = try string(value, key)
            case "state": config.journal = try string(value, key)
            case "runtime": config.controlSocket = try string(value, key) + "/control.sock"
            case "ingest":
                let section = try section(value, key)
                for sub in section.keys {
                    let item = section[sub]!
                    let name = "ingest.\(sub)"
                    switch sub {
                    case "max_file_size": config.maxFileSize = Int64(try size(item, name))
                    case "keep_done": config.keepDone = try bool(item, name)
                    case "rescan_interval": config.rescanInterval = try duration(item, name)
                    case "batch_max":
                        config.batchMax = try integer(item, name)
                        guard (1...65_536).contains(config.batchMax) else {
                            throw ConfigurationError("\(name) must be between 1 and 65536")
                        }
                    case "batch_delay":
                        config.batchDelay = try duration(item, name, allowingZero: true)
                        guard config.batchDelay <= 1 else { throw ConfigurationError("\(name) must be at most 1s") }
                    default: throw ConfigurationError("unknown key \(name)")
                    }
                }
            case "journal":
                let section = try section(value, key)
                for sub in section.keys {
                    switch sub {
                    case "segment_size":
                        config.segmentSize = try size(section[sub]!, "journal.segment_size")
                        guard config.segmentSize >= 4096 else {
                            throw ConfigurationError("journal.segment_size must be at least 4KiB")
                        }
                    case "retention_max_age":
                        config.retentionMaxAge = try duration(section[sub]!, "journal.retention_max_age")
                    case "retention_max_size":
                        config.retentionMaxSize = Int64(try size(section[sub]!, "journal.retention_max_size"))
                    case "checkpoint_records":
                        config.checkpointRecords = try integer(section[sub]!, "journal.checkpoint_records")
                        guard config.checkpointRecords >= 0 else {
                            throw ConfigurationError("journal.checkpoint_records must be 0 or more")
                        }
                    case "checkpoint_interval":
                        config.checkpointInterval = try duration(
                            section[sub]!, "journal.checkpoint_interval", allowingZero: true
                        )
                    default: throw ConfigurationError("unknown key journal.\(sub)")
                    }
                }
            case "metrics":
                let section = try section(value, key)
                for sub in section.keys {
                    switch sub {
                    case "textfile": config.metricsTextfile = try string(section[sub]!, "metrics.textfile")
                    case "interval": config.metricsInterval = try duration(section[sub]!, "metrics.interval")
                    default: throw ConfigurationError("unknown key metrics.\(sub)")
                    }
                }
            case "channels":
                let section = try section(value, key)
                for sub in section.keys {
                    switch sub {
                    case "quiet_factor":
                        let item = section[sub]!
                        guard let factor = item.double ?? item.int.map(Double.init), factor >= 1 else {
                            throw ConfigurationError("channels.quiet_factor must be a number of at least 1")
                        }
                        config.quietFactor = factor
                    case "quiet_minimum": config.quietMinimum = try duration(section[sub]!, "channels.quiet_minimum")
                    default: throw ConfigurationError("unknown key channels.\(sub)")
                    }
                }
            case "classify":
                let section = try section(value, key)
                for sub in section.keys {
                    switch sub {
                    case "rules": config.classifyRules = try string(section[sub]!, "classify.rules")
                    case "model": config.classifyModel = try string(section[sub]!, "classify.model")
                    default: throw ConfigurationError("unknown key classify.\(sub)")
                    }
                }
            case "dedup":
                config.dedup = try dedupSection(try section(value, key), over: config.dedup)
            case "log":
                let section = try section(value, key)
                for sub in section.keys {
                    switch sub {
                    case "level":
                        let level = try string(section[sub]!, "log.level")
                        guard Self.logLevels.contains(level) else {
                            throw ConfigurationError(
                                "log.level must be one of \(Self.logLevels.joined(separator: ", ")), not \(level)"
                            )
                        }
                        config.logLevel = level
                    default: throw ConfigurationError("unknown key log.\(sub)")
                    }
                }
            default:
                throw ConfigurationError("unknown key \(key)")
            }
        }
        return config
    }

    private static func dedupSection(
        _ section: TOMLTable, over base: DedupSettings
    ) throws(ConfigurationError) -> DedupSettings {
        var dedup = base
        func fraction(_ item: any TOMLValueConvertible, _ name: String) throws(ConfigurationError) -> Double {
            guard let value = item.double ?? item.int.map(Double.init), value > 0, value <= 1 else {
                throw ConfigurationError("\(name) must be a number above 0 and at most 1")
            }
            return value
        }
        for sub in section.keys {
            let item = section[sub]!
            let name = "dedup.\(sub)"
            switch sub {
            case "threshold": dedup.threshold = try fraction(item, name)
            case "version_similarity": dedup.versionSimilarity = try fraction(item, name)
            case "story_threshold": dedup.storyThreshold = try fraction(item, name)
            case "story_window": dedup.storyWindow = try duration(item, name)
            case "near_duplicates":
                let text = try string(item, name)
                guard let policy = DedupSettings.NearDuplicatePolicy(rawValue: text) else {
                    throw ConfigurationError("\(name) must be \"store\" or \"drop\", not \(text)")
                }
                dedup.nearDuplicates = policy
            case "near_duplicate_capacity":
                dedup.nearDuplicateCapacity = try integer(item, name)
                guard (1024...(1 << 24)).contains(dedup.nearDuplicateCapacity) else {
                    throw ConfigurationError("\(name) must be between 1024 and 16777216")
                }
            default: throw ConfigurationError("unknown key \(name)")
            }
        }
        return dedup
    }

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    private static func string(_ value: any TOMLValueConvertible, _ key: String) throws(ConfigurationError) -> String {
        guard let text = value.string else { throw ConfigurationError("\(key) must be a string") }
        return text
    }

    private static func bool(_ value: any TOMLValueConvertible, _ key: String) throws(ConfigurationError) -> Bool {
        guard let flag = value.bool else { throw ConfigurationError("\(key) must be true or false") }
        return flag
    }

    private static func integer(_ value: any TOMLValueConvertible, _ key: String) throws(ConfigurationError) -> Int {
        guard let number = value.int else { throw ConfigurationError("\(key) must be an integer") }
        return number
    }

    private static func section(
        _ value: any TOMLValueConvertible, _ key: String
    ) throws(ConfigurationError) -> TOMLTable {
        guard let table = value.table else { throw ConfigurationError("[\(key)] must be a table") }
        return table
    }

    /// Sizes are integers (bytes) or strings with a unit: `16MiB`, `512KiB`, `1GiB`, `100kB`, `2MB`.
    private static func size(_ value: any TOMLValueConvertible, _ key: String) throws(ConfigurationError) -> Int {
        if let number = value.int, number > 0 { return number }
        guard let text = value.string, let bytes = parseSize(text), bytes > 0 else {
            throw ConfigurationError("\(key) must be a size such as 16MiB or a number of bytes")
        }
        return bytes
    }

    /// Durations are numbers (seconds) or strings with a unit: `500ms`, `30s`, `5min`, `1h`, `30d`.
    private static func duration(
        _ value: any TOMLValueConvertible, _ key: String, allowingZero: Bool = false
    ) throws(ConfigurationError) -> Double {
        let least = allowingZero ? 0.0 : Double.leastNonzeroMagnitude
        if let number = value.int, Double(number) >= least { return Double(number) }
        if let number = value.double, number >= least { return number }
        guard let text = value.string, let seconds = parseDuration(text), seconds >= least else {
            throw ConfigurationError("\(key) must be a duration such as 30s or a number of seconds")
        }
        return seconds
    }

    static func parseSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("kB", 1000), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1), ("K", 1 << 10),
            ("M", 1 << 20), ("G", 1 << 30),
        ]
        let trimmed = text.trimmingSpaces
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count).trimmingSpaces), number >= 0 else { return nil }
            let bytes = number * Double(factor)
            return bytes < Double(Int.max) ? Int(bytes) : nil
        }
        return Int(trimmed)
    }

    static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("min", 60), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        let trimmed = text.trimmingSpaces
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count).trimmingSpaces) else { return nil }
            return number * factor
        }
        return Double(trimmed)
    }
}

/// A configuration file that cannot be used, with a sentence saying where and why.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
