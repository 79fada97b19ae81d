import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Trace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where is my file? Every trace of a delivered name in the spool and the journal.",
            discussion: """
                Looks for NAME (the file name as delivered, without its channel folder) in the inbox and its \
                channel folders (waiting), work/ (claimed, being processed), rejected/ (with the reason file), \
                done/, and in every journal record, with the time of each step. Exit 0 when something was found, \
                1 when nothing was.
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        @Argument(help: "The file name as delivered.")
        var name: String

        func run() async throws {
            let configuration = try location.configuration()
            var steps = spoolSteps(configuration)
            let reader = try openJournal(configuration)
            try reader.forEach { record in
                guard record.body.arrival.file == name else { return }
                steps.append(TraceStep(record))
            }
            steps.sort { ($0.time ?? "") < ($1.time ?? "") }
            let report = TraceReport(name: name, found: !steps.isEmpty, steps: steps)
            if output.json {
                try printJSON(report)
            } else if steps.isEmpty {
                print("\(name): not in the inbox, work/, rejected/ or done/, and in no journal record.")
            } else {
                print(name)
                for step in steps { print("  " + step.line) }
            }
            if steps.isEmpty { throw ExitCode.failure }
        }

        /// Where the name is in the spool right now.
        private func spoolSteps(_ configuration: Configuration) -> [TraceStep] {
            var steps: [TraceStep] = []
            let files = FileManager.default
            func modified(_ path: String) -> String? {
                ((try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date).map(iso8601)
            }
            // The inbox and its channel folders.
            let inboxPath = configuration.inbox + "/" + name
            if files.fileExists(atPath: inboxPath) {
                steps.append(TraceStep(place: "inbox", time: modified(inboxPath), path: inboxPath,
                                       detail: "waiting in the inbox to be claimed"))
            }
            for channel in (try? files.contentsOfDirectory(atPath: configuration.inbox)) ?? [] {
                var isDirectory: ObjCBool = false
                let path = configuration.inbox + "/" + channel + "/" + name
                guard files.fileExists(atPath: configuration.inbox + "/" + channel, isDirectory: &isDirectory),
                      isDirectory.boolValue, files.fileExists(atPath: path) else { continue }
                steps.append(TraceStep(place: "inbox", time: modified(path), path: path, channel: channel,
                                       detail: "waiting in channel \(channel) to be claimed"))
            }
            for claim in (try? files.contentsOfDirectory(atPath: configuration.work)) ?? [] {
                guard let parsed = SpoolName.parseClaim(claim), parsed.file == name else { continue }
                let path = configuration.work + "/" + claim
                steps.append(TraceStep(place: "work", time: modified(path), path: path, channel: parsed.channel,
                                       detail: "claimed by copydeskd (processing, or waiting for its record to be durable)"))
            }
            for entry in (try? files.contentsOfDirectory(atPath: configuration.rejected)) ?? [] where entry.hasSuffix(".reason") {
                let path = configuration.rejected + "/" + entry
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                let fields = Decide.reasonFields(text)
                guard fields["file"] == name else { continue }
                let rejectedName = String(entry.dropLast(".reason".count))
                let present = files.fileExists(atPath: configuration.rejected + "/" + rejectedName)
                steps.append(TraceStep(
                    place: "rejected", time: fields["received"], path: configuration.rejected + "/" + rejectedName,
                    channel: fields["channel"], sequence: fields["record"].flatMap { UInt64($0) },
                    detail: "in rejected/ — \(fields["reason"] ?? "?"): \(fields["message"] ?? "")"
                        + (present ? "; after fixing the cause: copydesk retry \(rejectedName)" : " (file no longer there)")
                ))
            }
            let donePath = configuration.done + "/" + name
            if files.fileExists(atPath: donePath) {
                steps.append(TraceStep(place: "done", time: modified(donePath), path: donePath,
                                       detail: "finished and kept in done/ (keep_done)"))
            }
            return steps
        }
    }
}

/// `copydesk trace --json`.
struct TraceReport: Codable {
    var name: String
    var found: Bool
    var steps: [TraceStep]
}

struct TraceStep: Codable {
    /// `inbox`, `work`, `rejected`, `done`, or `journal`.
    var place: String
    var time: String?
    var path: String?
    var channel: String?
    var sequence: UInt64?
    var verdict: String?
    var recordedAt: String?
    var detail: String

    init(place: String, time: String?, path: String? = nil, channel: String? = nil, sequence: UInt64? = nil,
         detail: String) {
        self.place = place
        self.time = time
        self.path = path
        self.channel = channel
        self.sequence = sequence
        self.detail = detail
    }

    init(_ record: JournalRecord) {
        let view = RecordView(record)
        place = "journal"
        time = view.receivedAt
        channel = view.channel
        sequence = view.sequence
        verdict = view.verdict
        recordedAt = view.recordedAt
        switch record.body {
        case .document(let document):
            detail = "stored as document #\(record.sequence): \(document.article.headline)"
        case .duplicate(let duplicate):
            detail = "recorded as #\(record.sequence): duplicate of #\(duplicate.duplicateOf) (\(duplicate.match))"
        case .rejected(let rejected):
            detail = "recorded as #\(record.sequence): rejected, \(rejected.reason.code): \(rejected.reason.message)"
                + " → rejected/\(rejected.rejectedAs)"
        }
    }

    var line: String {
        let when = (time ?? "").padded(30)
        let where_ = place.padded(9)
        var text = when + where_ + detail
        if let recordedAt, place == "journal" { text += " (durable \(recordedAt))" }
        if let path, place != "journal" { text += "\n" + String(repeating: " ", count: 41) + path }
        return text
    }
}

func iso8601(_ date: Date) -> String {
    Timestamp(microseconds: Int64(date.timeIntervalSince1970 * 1e6)).iso8601
}
