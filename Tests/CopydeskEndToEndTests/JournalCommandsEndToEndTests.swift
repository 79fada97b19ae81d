import CopydeskCore
import CopydeskStore
import CopydeskTestSupport
import Foundation
import Glibc
import Testing

/// `copydesk verify | repair | export | import`, run as the built binary against temporary roots.
@Suite struct JournalCommandsEndToEndTests {
    /// A root whose journal holds `count` records of every kind in small (sealed) segments, loaded with
    /// `copydesk import` from lines made here.
    func makeRoot(_ directory: TemporaryDirectory, _ name: String, count: Int = 30) throws -> (String, [JournalRecord])
    {
        let root = directory.appending(name)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "[journal]\nsegment_size = \"4KiB\"\n".write(
            toFile: root + "/copydesk.toml", atomically: true, encoding: .utf8)
        var records: [JournalRecord] = []
        var lines: [UInt8] = []
        var previous = Digest.zero
        for (index, body) in RecordFixtures.mixed(count).enumerated() {
            let time = Timestamp(microseconds: 1_767_225_600_000_000 + Int64(index / 3) * 60_000_000)
            let record = JournalRecord(
                sequence: UInt64(index + 1), recordedAt: time, previousHash: previous, body: body)
            previous = SHA256.hash(try RecordCodec.encode(record))
            records.append(record)
            lines += try ExportedRecord(record, includeRaw: true).line()
        }
        let file = directory.appending(name + ".ndjson")
        try Data(lines).write(to: URL(fileURLWithPath: file))
        let result = try copydesk(["--root", root, "import", file])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try segments(root).count >= 3)
        return (root, records)
    }

    func segments(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/journal").filter { $0.hasSuffix(".cdj") }.sorted()
            .map { root + "/journal/" + $0 }
    }

    @Test func verifyNamesTheFirstBadRecordAndRepairSetsItAside() throws {
        try TemporaryDirectory.with { directory in
            let (root, records) = try makeRoot(directory, "a")
            var result = try copydesk(["--root", root, "verify"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.hasPrefix("Whole: \(records.count) records"))
            result = try copydesk(["--root", root, "verify", "--json"])
            let whole = try JSONDecoder().decode(VerificationReport.self, from: Data(result.stdout.utf8))
            #expect(whole.whole && whole.records == UInt64(records.count))

            // Damage record 5's payload inside a sealed segment.
            let paths = try segments(root)
            var location: (String, Int)?
            for path in paths {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                let header = try SegmentHeader.decode(bytes)
                var offset = SegmentHeader.size
                var sequence = header.firstSequence
                while offset + 8 <= bytes.count, Array(bytes[offset..<offset + 8]) != SegmentTrailer.magic {
                    if sequence == 5 { location = (path, offset) }
                    offset = try Frame.decode(bytes, at: offset).next
                    sequence += 1
                }
            }
            let (path, offset) = try #require(location)
            #expect(path != paths.last)
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[offset + 33] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))

            result = try copydesk(["--root", root, "verify"])
            #expect(result.status == 1)
            #expect(result.stdout.contains("segment:  \(path)"))
            #expect(result.stdout.contains("offset:   byte \(offset)"))
            #expect(result.stdout.contains("sequence: #5"))
            result = try copydesk(["--root", root, "verify", "--json"])
            #expect(result.status == 1)
            let damaged = try JSONDecoder().decode(VerificationReport.self, from: Data(result.stdout.utf8))
            #expect(damaged.problem?.segment == path)
            #expect(damaged.problem?.offset == Int64(offset))
            #expect(damaged.problem?.sequence == 5)

            // Not while the daemon runs.
            let lock = open(root + "/journal/LOCK", O_RDWR)
            #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)  // as copydeskd holds it
            result = try copydesk(["--root", root, "repair"])
            #expect(result.status == 2)
            #expect(result.stderr.contains("copydeskd is running"))
            close(lock)

            result = try copydesk(["--root", root, "repair", "--json"])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let repair = try JSONDecoder().decode(RepairReport.self, from: Data(result.stdout.utf8))
            #expect(repair.after.whole)
            #expect(repair.after.lastSequence == 4)
            #expect(
                repair.actions.contains {
                    $0.kind == .truncated
                        && $0.savedAs == root + "/journal/damaged/" + URL(fileURLWithPath: path).lastPathComponent
                })
            result = try copydesk(["--root", root, "verify"])
            #expect(result.status == 0)
            result = try copydesk(["--root", root, "repair"])
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("Nothing to repair"))
        }
    }

    @Test func anExportImportsIntoAnEmptyStore() throws {
        try TemporaryDirectory.with { directory in
            let (root, records) = try makeRoot(directory, "source")
            let file = directory.appending("export.ndjson")
            var result = try copydesk(["--root", root, "export", "--raw", "--output", file])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == records.count)

            let target = directory.appending("target")
            result = try copydesk(["--root", target, "import", file])
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("Imported \(records.count) records"))
            #expect(result.stdout.contains("matches the export"))
            let reader = try JournalReader.open(directory: target + "/journal")
            var imported: [JournalRecord] = []
            try reader.forEach { imported.append($0) }
            #expect(imported == records)
            #expect(try copydesk(["--root", target, "verify"]).status == 0)
            let sourceList = try copydesk(["--root", root, "list", "--json", "--limit", "100"]).stdout
            #expect(try copydesk(["--root", target, "list", "--json", "--limit", "100"]).stdout == sourceList)

            // Not into a store that holds records.
            result = try copydesk(["--root", target, "import", file])
            #expect(result.status == 2)
            #expect(result.stderr.contains("already holds records"))

            // Ranges and times.
            result = try copydesk(["--root", root, "export", "--seq", "2-3"])
            let sequences = try result.stdout.split(separator: "\n").map {
                try ExportedRecord(line: Array($0.utf8)).sequence
            }
            #expect(sequences == [2, 3])
            result = try copydesk(["--root", root, "export", "--since", records[9].recordedAt.iso8601])
            #expect(
                result.stdout.split(separator: "\n").count
                    == records.filter { $0.recordedAt >= records[9].recordedAt }.count)
            result = try copydesk(["--root", root, "export", "--since", "last week"])
            #expect(result.status != 0)
        }
    }
}
