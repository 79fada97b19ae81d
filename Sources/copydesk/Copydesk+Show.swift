import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one record: metadata, verdict and the article."
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Argument(help: "The record's sequence number (as `copydesk list` shows it).")
        var sequence: UInt64

        @Flag(name: .long, help: "Print the original bytes of the document exactly as delivered.")
        var raw = false

        func validate() throws {
            guard !(raw && output.json) else { throw ValidationError("--raw and --json cannot be combined") }
        }

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            guard let record = try reader.record(sequence) else {
                FileHandle.standardError.write(Data("copydesk: no record #\(sequence) (last is #\(reader.lastSequence))\n".utf8))
                throw ExitCode.failure
            }
            if raw {
                guard case .document(let document) = record.body else {
                    FileHandle.standardError.write(Data(
                        "copydesk: record #\(sequence) is \(record.body.verdict), not a document: no bytes stored\n".utf8
                    ))
                    throw ExitCode.failure
                }
                FileHandle.standardOutput.write(Data(document.raw))
            } else if output.json {
                try printJSON(RecordView(record))
            } else {
                print(RecordView(record).detailText)
                printVersionChain(reader, of: record)
            }
        }
    }
}

/// Below a document that has versions: the whole chain, newest first.
private func printVersionChain(_ reader: JournalReader, of record: JournalRecord) {
    guard let chain = try? StoryListing.versionChain(reader, of: record.sequence), chain.count > 1 else { return }
    print("")
    print("Versions (newest first):")
    for member in chain {
        guard case .document(let document) = member.body else { continue }
        let mark = member.sequence == record.sequence ? "*" : " "
        let link = document.link.map { "  · \($0.text)" } ?? "  · original"
        print("\(mark) #\(member.sequence)\t\(document.arrival.receivedAt.iso8601)\t\(document.article.headline)\(link)")
    }
}
