import ArgumentParser
import CopydeskCore
import CopydeskStore

extension Copydesk {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recent records, newest first.")

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Option(name: .long, help: "How many records to show.")
        var limit = 20

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            let views = try reader.recent(limit: limit).map(RecordView.init)
            if output.json {
                try printJSON(views)
            } else if views.isEmpty {
                print("The journal is empty.")
            } else {
                for view in views { print(view.summaryLine) }
            }
        }
    }
}
