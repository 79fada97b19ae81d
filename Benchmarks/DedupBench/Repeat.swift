import CopydeskCore
import Foundation

/// `bench-dedup repeat DOCDIR [--n 4000] [--docs N] [--spacing 3] [--fingerprint-only] [--check]`: the daemon's
/// dedup work on real files, deterministic, for counting instructions (cachegrind) rather than timing.
///
/// The first `--docs` files of DOCDIR (default: `--n`) are read, hashed and parsed once (`Parse.prepare`), whatever
/// `--n` is, so two runs with the same `--docs` and different `--n` differ only by the extra documents' dedup work.
/// Then `--n` arrivals, `spacing` seconds apart, in file order, with planted cases the corpus lacks (it holds no
/// exact copies and no agency metadata): every 50th arrival redelivers the previous file's bytes (an `exact`
/// duplicate); every 100th is a recent document re-sent with a Reuters dateline (a source, so a near-duplicate
/// with version metadata) and the arrival after it the same text as `UPDATE 1-` with a sentence added (a
/// version by update marker). Planted files are parsed in the timed loop's setup, like the rest, before anything
/// is measured. Every arrival is first fingerprinted (`PreparedDocument.fingerprinted()`, the parallel prepare
/// stage's dedup part), then all are decided in order (`DedupMemory.decide`, the serial stage);
/// `--fingerprint-only` stops after the first, so `decide`'s instructions are the difference of the two.
///
/// `--check` prints what must not change: SHA-256 of every decision (kind, match, original, similarity,
/// relation, reason, story) and of `memory.encoded()`. Without it nothing per decision is formatted, so
/// cachegrind counts only dedup work.
enum RepeatBench {
    struct Input {
        var name: String
        var bytes: [UInt8]
        var digest: Digest
        var prepared: Result<PreparedDocument, RejectReason>
    }

    static func run(docdir: String, count: Int, docs: Int, spacing: Int64, fingerprintOnly: Bool, check: Bool) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: docdir)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted().prefix(docs)
        var files: [Input] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: docdir + "/" + name) else { continue }
            files.append(input(name, [UInt8](data)))
        }
        guard !files.isEmpty else { die("no documents in \(docdir)") }
        // The arrivals, planted ones included; only the first `count` are used, but all `docs` worth are made so
        // runs that differ in `--n` do the same setup.
        var inputs: [Input] = []
        inputs.reserveCapacity(max(count, files.count))
        var next = 0
        while inputs.count < max(count, files.count * 102 / 100) {
            let n = inputs.count
            if n % 50 == 49, let last = inputs.last {
                inputs.append(last)
            } else if n % 100 == 96, n >= 20 {
                inputs.append(input("r\(n).txt", reuters(inputs[n - 20].bytes, update: false)))
            } else if n % 100 == 97, n >= 21 {
                inputs.append(input("u\(n).txt", reuters(inputs[n - 21].bytes, update: true)))
            } else {
                inputs.append(files[next % files.count])
                next += 1
            }
        }
        var prepared: [Result<PreparedDocument, RejectReason>] = []
        prepared.reserveCapacity(count)
        for n in 0..<count {
            switch inputs[n].prepared {
            case .success(let document): prepared.append(.success(document.fingerprinted()))
            case .failure(let reason): prepared.append(.failure(reason))
            }
        }
        if fingerprintOnly {
            print("RESULT dedup_repeat n=\(count) docs=\(files.count) fingerprint_only=true")
            return
        }
        var memory = DedupMemory()
        var log: [UInt8] = []
        var kinds = [0, 0, 0, 0, 0, 0]  // new, near-duplicate, version, exact, normalized/other duplicate, rejected
        for n in 0..<count {
            let input = inputs[n]
            let arrival = Arrival(
                file: input.name, channel: nil, claim: input.name,
                receivedAt: Timestamp(microseconds: 1_767_225_600_000_000 + Int64(n) * spacing * 1_000_000),
                size: Int64(input.bytes.count), sha256: input.digest)
            let body = memory.decide(input.bytes, arrival: arrival, prepared: prepared[n], sequence: UInt64(n + 1),
                                     rejectedAs: input.name)
            switch body {
            case .document(let document):
                switch document.link?.relation {
                case nil: kinds[0] += 1
                case .nearDuplicate: kinds[1] += 1
                case .version: kinds[2] += 1
                }
            case .duplicate(let duplicate): kinds[duplicate.match == "exact" ? 3 : 4] += 1
            case .rejected: kinds[5] += 1
            }
            if check { log += Array(describe(body).utf8) }
        }
        print("RESULT dedup_repeat n=\(count) docs=\(files.count) new=\(kinds[0]) near_duplicate=\(kinds[1]) "
            + "version=\(kinds[2]) exact=\(kinds[3]) other_duplicate=\(kinds[4]) rejected=\(kinds[5]) "
            + "open_stories=\(memory.state.stories.openStories.count)")
        if check {
            print("RESULT dedup_repeat_check decisions_sha256=\(SHA256.hash(log).hex) "
                + "checkpoint_sha256=\(SHA256.hash(memory.encoded()).hex)")
        }
    }

    static func input(_ name: String, _ bytes: [UInt8]) -> Input {
        Input(name: name, bytes: bytes, digest: SHA256.hash(bytes), prepared: Parse.prepare(bytes, fileName: name))
    }

    /// The text of `bytes` with a Reuters dateline before its second line's text and, for an update, `UPDATE 1-`
    /// before the headline and a sentence after the first paragraph.
    static func reuters(_ bytes: [UInt8], update: Bool) -> [UInt8] {
        var lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
        if let body = lines.indices.dropFirst().first(where: { !lines[$0].isEmpty }) {
            lines[body] = "LONDON, Jan 5 (Reuters) - " + lines[body] + (update ? " Officials confirmed the figures." : "")
        }
        if update, !lines.isEmpty { lines[0] = "UPDATE 1-" + lines[0] }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// One line per decision: everything a record takes from dedup.
    static func describe(_ body: RecordBody) -> String {
        switch body {
        case .document(let document):
            let link = document.link.map {
                "\($0.relation.rawValue) \($0.of) \($0.similarityPermille.map(String.init) ?? "-") \($0.reason ?? "-")"
            } ?? "new"
            return "document \(link) story \(document.story.map(String.init) ?? "-")\n"
        case .duplicate(let duplicate):
            return "duplicate \(duplicate.match) \(duplicate.duplicateOf) "
                + "\(duplicate.similarityPermille.map(String.init) ?? "-")\n"
        case .rejected(let rejected):
            return "rejected \(rejected.reason.code)\n"
        }
    }
}
