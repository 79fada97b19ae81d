import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count records by day, verdict, channel, source, kind, topic and language.",
            discussion: """
                Reads the whole journal (or what --since and the classification filters keep). Day is the UTC \
                day a record was written; source, kind, topic and language come from each document's \
                classification (documents stored before classification was recorded count as "unclassified").
                """
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat
        @OptionGroup var filter: ClassificationFilter

        @Option(name: .long, help: "How many rows per table (the rest are summed as \"other\").")
        var top = 15

        func run() async throws {
            let reader = try openJournal(try location.configuration())
            var stats = JournalStats()
            let progress = ProgressLine.onTerminal("Counting")
            try reader.forEach { record in
                progress?.show("\(StatusSnapshot.grouped(Int(record.sequence))) of \(StatusSnapshot.grouped(Int(reader.lastSequence))) records")
                if let since = filter.sinceTime, record.recordedAt < since { return }
                // Classification filters keep only the documents that pass them.
                if filter.classifies, filter.document(record) == nil { return }
                stats.add(record)
            }
            progress?.clear()
            if output.json {
                try printJSON(stats)
            } else {
                print(stats.text(top: top))
            }
        }
    }
}

/// `copydesk stats`: counts per dimension.
struct JournalStats: Codable {
    var records = 0
    var byVerdict: [String: Int] = [:]
    var byDay: [String: Int] = [:]
    var byChannel: [String: Int] = [:]
    var bySource: [String: Int] = [:]
    var byKind: [String: Int] = [:]
    var byTopic: [String: Int] = [:]
    var byLanguage: [String: Int] = [:]

    mutating func add(_ record: JournalRecord) {
        records += 1
        byVerdict[record.body.verdict, default: 0] += 1
        byDay[String(record.recordedAt.iso8601.prefix(10)), default: 0] += 1
        byChannel[record.body.arrival.channel ?? ChannelTracker.inboxName, default: 0] += 1
        guard case .document(let document) = record.body else { return }
        guard let classification = document.classification else {
            for key in ["unclassified"] {
                bySource[key, default: 0] += 1
                byKind[key, default: 0] += 1
                byLanguage[key, default: 0] += 1
            }
            return
        }
        bySource[classification.source?.name ?? "unknown", default: 0] += 1
        byKind[classification.kind.kind.rawValue, default: 0] += 1
        byLanguage[classification.language.code, default: 0] += 1
        for topic in classification.topics {
            byTopic["\(topic.code) \(topic.label)", default: 0] += 1
        }
    }

    func text(top: Int) -> String {
        var lines = ["\(StatusSnapshot.grouped(records)) records"]
        func table(_ title: String, _ counts: [String: Int], byKey: Bool = false) {
            guard !counts.isEmpty else { return }
            lines.append("")
            lines.append(title)
            var rows = counts.sorted { byKey ? $0.key < $1.key : ($0.value, $1.key) > ($1.value, $0.key) }
            var other = 0
            if rows.count > top {
                let dropped = byKey ? rows.prefix(rows.count - top) : rows[top...]
                other = dropped.reduce(0) { $0 + $1.value }
                rows = Array(byKey ? rows.suffix(top) : rows.prefix(top))
            }
            let width = max(8, rows.map(\.value).max().map { StatusSnapshot.grouped($0).count } ?? 1)
            for (key, value) in rows {
                let count = StatusSnapshot.grouped(value)
                lines.append("  " + String(repeating: " ", count: max(0, width - count.count)) + count + "  " + key)
            }
            if other > 0 {
                let count = StatusSnapshot.grouped(other)
                lines.append("  " + String(repeating: " ", count: max(0, width - count.count)) + count + "  (other)")
            }
        }
        table("By verdict", byVerdict)
        table("By day (UTC, most recent \(top))", byDay, byKey: true)
        table("By channel", byChannel)
        table("By source", bySource)
        table("By kind", byKind)
        table("By topic", byTopic)
        table("By language", byLanguage)
        return lines.joined(separator: "\n")
    }
}
