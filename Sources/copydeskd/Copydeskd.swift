import ArgumentParser
import CopydeskCore
import CopydeskDaemon
import CopydeskStore
import CopydeskSystemd
import Logging

/// `copydeskd`: files incoming wire copy from the inbox into the journal.
@main
struct Copydeskd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copydeskd",
        abstract: "Files incoming wire copy: inbox → parsed, deduplicated, durable journal records.",
        discussion: """
            Without --root, uses the systemd layout: spool /var/spool/copydesk, journal /var/lib/copydesk, \
            control socket /run/copydesk/control.sock, configuration /etc/copydesk/copydesk.toml (if present).
            With --root DIR, everything lives under DIR (inbox/, work/, rejected/, done/, journal/, \
            control.sock, copydesk.toml).
            """
    )

    @Option(name: .long, help: ArgumentHelp("Keep the spool, journal and control socket under one folder.", valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file (TOML).", valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error, critical.", valueName: "LEVEL"))
    var logLevel: String?

    func run() async throws {
        let root = self.root
        let configFile = self.config
        let configuration: Configuration
        do {
            configuration = try Configuration.load(root: root, configFile: configFile)
        } catch {
            FileHandleStderr.write("copydeskd: \(error)\n")
            throw ExitCode(78)  // EX_CONFIG, which systemd shows as "configuration error"
        }
        // Rules or a model that cannot be used are a configuration error at start, like a bad key: the daemon does
        // not file a day's copy under rules nobody meant. (On reload the running ones are kept instead.)
        let classifier: ClassifierFiles.Loaded
        do {
            classifier = try ClassifierFiles.load(configuration)
        } catch {
            FileHandleStderr.write("copydeskd: \(error)\n")
            throw ExitCode(78)
        }
        let levelName = logLevel ?? configuration.logLevel
        guard let level = Logger.Level(rawValue: levelName) else {
            FileHandleStderr.write("copydeskd: unknown log level \(levelName)\n")
            throw ExitCode(78)
        }
        _ = CopydeskLogging.bootstrap(identifier: "copydeskd", level: level)
        let logger = Logger(label: "copydeskd")
        let reporter = SystemdReporter(logger: logger)
        do {
            try await Daemon.run(
                configuration: configuration, reporter: reporter, logger: logger, classifier: classifier
            ) {
                try Configuration.load(root: root, configFile: configFile)
            }
        } catch {
            logger.critical("copydeskd stopped on an error: \(error)")
            throw ExitCode.failure
        }
    }
}
