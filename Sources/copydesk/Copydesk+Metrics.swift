import ArgumentParser
import CopydeskCore

extension Copydesk {
    struct Metrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the daemon's counters and latencies in the Prometheus text format.",
            discussion: """
                The same text copydeskd writes to [metrics] textfile for node_exporter's textfile collector. \
                Exit status 3 (and copydesk_up 0) when the daemon does not answer.
                """
        )

        @OptionGroup var location: Location

        func run() throws {
            let configuration = try location.configuration()
            switch ControlClient(path: configuration.controlSocket).status() {
            case .success(let snapshot):
                print(PrometheusText.render(snapshot), terminator: "")
            case .failure:
                print(PrometheusText.render(nil), terminator: "")
                throw ExitCode(3)
            }
        }
    }
}
