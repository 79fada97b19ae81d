import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Repair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set damaged journal segments aside so copydeskd can start again; deletes nothing.",
            discussion: """
                Only while copydeskd is stopped: it takes the journal's lock and refuses otherwise. Keeps every whole \
                record before the first damage, moves the damaged segment and every later one into \
                journal/damaged/, writes intact records found after the damage to \
                damaged/SEGMENT.after-damage.ndjson (the export format, raw bytes included), and prints what it did. \
                A damaged trailer or segment header over intact records is rewritten instead. Exit status: 0 when \
                the journal verifies afterwards, 1 when it does not or repair failed, 2 when copydeskd is running.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        func run() async throws {
            let journal = try location.configuration().journal
            let report: RepairReport
            do {
                report = try JournalRepair.repair(directory: journal)
            } catch {
                guard error.code == .locked else {
                    printError("repair failed: \(error)")
                    throw ExitCode.failure
                }
                printError(
                    "copydeskd is running (it holds \(journal)/LOCK). Stop it first (systemctl stop copydeskd), "
                        + "then run copydesk repair again."
                )
                throw ExitCode(2)
            }
            if output.json {
                try printJSON(report)
            } else {
                print(report.text)
            }
            if !report.after.whole { throw ExitCode.failure }
        }
    }
}
