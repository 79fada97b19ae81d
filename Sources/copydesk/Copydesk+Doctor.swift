import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation
import Glibc

extension Copydesk {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the configuration, folders, permissions, journal, daemon and system limits; say what to fix.",
            discussion: "Exit 0 when nothing failed (warnings allowed), 1 when something did."
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        func run() async throws {
            var checks: [DoctorCheck] = []
            let configuration: Configuration
            do {
                configuration = try location.configuration()
                checks.append(.ok("configuration", location.config ?? location.root.map { "--root \($0)" }
                    ?? "\(Configuration.systemConfigPath) (or built-in defaults)"))
            } catch {
                checks.append(.fail("configuration", "\(error)", fix: "correct the file; `copydeskd` refuses it too (exit 78)"))
                try report(checks)
                return
            }
            checks += folders(configuration)
            checks.append(daemon(configuration))
            checks += journal(configuration)
            checks += space(configuration)
            checks += inotify()
            checks += spoolLeftovers(configuration)
            try report(checks)
        }

        private func report(_ checks: [DoctorCheck]) throws {
            if output.json {
                try printJSON(checks)
            } else {
                for check in checks {
                    print("\(check.status.rawValue.uppercased().padded(6))\(check.name): \(check.detail)")
                    if let fix = check.fix { print("      fix: \(fix)") }
                }
                let failed = checks.filter { $0.status == .fail }.count
                let warned = checks.filter { $0.status == .warn }.count
                print(failed == 0 && warned == 0 ? "All good." : "\(failed) failed, \(warned) warnings.")
            }
            if checks.contains(where: { $0.status == .fail }) { throw ExitCode.failure }
        }

        private func folders(_ configuration: Configuration) -> [DoctorCheck] {
            var checks: [DoctorCheck] = []
            let folders = [("inbox", configuration.inbox), ("work", configuration.work),
                           ("rejected", configuration.rejected), ("journal", configuration.journal)]
            for (name, path) in folders {
                var info = stat()
                guard stat(path, &info) == 0 else {
                    let missing = errno == ENOENT
                    checks.append(missing
                        ? .warn("\(name) folder", "\(path) does not exist yet",
                                fix: "copydeskd creates it at start; under systemd, systemd-tmpfiles --create copydesk.conf")
                        : .fail("\(name) folder", "\(path): \(String(cString: strerror(errno)))",
                                fix: "check the permissions of its parent folders"))
                    continue
                }
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    checks.append(.fail("\(name) folder", "\(path) is not a folder", fix: "move it away; copydeskd creates the folder"))
                    continue
                }
                let mode = String(info.st_mode & 0o7777, radix: 8)
                let owner = "owner \(Self.userName(info.st_uid)), group \(Self.groupName(info.st_gid)), mode \(mode)"
                if access(path, R_OK | W_OK | X_OK) == 0 {
                    checks.append(.ok("\(name) folder", "\(path) (\(owner))"))
                } else if name == "inbox" && access(path, W_OK | X_OK) == 0 {
                    checks.append(.ok("\(name) folder", "\(path) (\(owner)); you may drop files here"))
                } else {
                    checks.append(.warn("\(name) folder", "\(path) (\(owner)) is not writable by you (uid \(getuid()))",
                                        fix: name == "inbox"
                                            ? "producers need to be in the folder's group (copydesk-producers under systemd)"
                                            : "fine if copydeskd runs as another user; run doctor as that user (or root) to check it"))
                }
            }
            return checks
        }

        private func daemon(_ configuration: Configuration) -> DoctorCheck {
            switch ControlClient(path: configuration.controlSocket).status() {
            case .success(let snapshot):
                if let problem = snapshot.problem {
                    return .fail("daemon", "running (pid \(snapshot.pid)) but not storing: \(problem)",
                                 fix: problem.hasPrefix("Journal damaged") ? "copydesk verify, then copydesk repair"
                                     : "free space on the journal's file system")
                }
                let quiet = snapshot.quietChannels
                if !quiet.isEmpty {
                    return .warn("daemon", "running (pid \(snapshot.pid)); quiet channels: "
                        + quiet.map(\.quietText).joined(separator: "; "),
                                 fix: "check the feeds upstream (sender, FTP job, mail rule)")
                }
                return .ok("daemon", "running (pid \(snapshot.pid)): \(snapshot.statusLine)")
            case .failure(let problem):
                return .warn("daemon", "not answering on \(configuration.controlSocket): \(problem)",
                             fix: "systemctl start copydeskd (or copydeskd --root DIR); systemctl status copydeskd says why it stopped")
            }
        }

        private func journal(_ configuration: Configuration) -> [DoctorCheck] {
            guard FileManager.default.fileExists(atPath: configuration.journal) else { return [] }
            var checks: [DoctorCheck] = []
            do {
                let reader = try JournalReader.open(directory: configuration.journal, salvaging: true)
                if let damage = reader.damage {
                    checks.append(.fail("journal", "damaged: \(damage)", fix: "copydesk verify, then copydesk repair"))
                } else {
                    checks.append(.ok("journal", "\(configuration.journal): \(StatusSnapshot.grouped(Int(reader.lastSequence))) records"
                        + (reader.firstSequence.map { $0 > 1 ? " (from #\($0), older ones removed by retention)" : "" } ?? "")))
                }
                let records = reader.lastSequence
                switch Result(catching: { () throws(IndexCheckpointError) -> IndexCheckpoint in
                    try IndexCheckpointFile.read(directory: configuration.journal)
                }) {
                case .success(let checkpoint):
                    let behind = records - min(records, checkpoint.lastSequence)
                    checks.append(behind > UInt64(max(configuration.checkpointRecords, 10_000)) * 2
                        ? .warn("index checkpoint", "covers #\(checkpoint.lastSequence), \(behind) records behind",
                                fix: "it is written while the daemon runs; a restart rebuilds what it lacks")
                        : .ok("index checkpoint", "covers #\(checkpoint.lastSequence) of \(records)"))
                case .failure(let error):
                    checks.append(records > 10_000
                        ? .warn("index checkpoint", "\(error): the next start reads all \(records) records",
                                fix: "let the daemon run; it writes one after a long rebuild and at every clean stop")
                        : .ok("index checkpoint", "none yet (\(records) records rebuild quickly)"))
                }
            } catch {
                checks.append(.fail("journal", "cannot be read: \(error)",
                                    fix: "check permissions; copydesk verify names damage"))
            }
            return checks
        }

        private func space(_ configuration: Configuration) -> [DoctorCheck] {
            var checks: [DoctorCheck] = []
            var seen: Set<UInt> = []
            for (name, path) in [("journal", configuration.journal), ("spool", configuration.spool)] {
                var info = statvfs()
                guard statvfs(FileManager.default.fileExists(atPath: path) ? path : "/", &info) == 0,
                      seen.insert(info.f_fsid).inserted else { continue }
                let free = Int64(info.f_bavail) * Int64(info.f_frsize)
                let total = Int64(info.f_blocks) * Int64(info.f_frsize)
                let share = total > 0 ? Double(free) / Double(total) : 1
                let text = "\(Self.bytes(free)) free of \(Self.bytes(total)) on the \(name)'s file system"
                if free < 100 << 20 {
                    checks.append(.fail("free space", text, fix: "free space; the daemon holds files (disk full) below this"))
                } else if free < 1 << 30 || share < 0.05 {
                    checks.append(.warn("free space", text, fix: "free space or set [journal] retention_max_size"))
                } else {
                    checks.append(.ok("free space", text))
                }
            }
            return checks
        }

        private func inotify() -> [DoctorCheck] {
            func limit(_ name: String) -> Int? {
                (try? String(contentsOfFile: "/proc/sys/fs/inotify/" + name, encoding: .utf8))
                    .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            guard let queued = limit("max_queued_events"), let watches = limit("max_user_watches"),
                  let instances = limit("max_user_instances") else {
                return [.warn("inotify", "cannot read /proc/sys/fs/inotify", fix: "copydeskd needs Linux inotify")]
            }
            let text = "max_queued_events \(queued), max_user_watches \(watches), max_user_instances \(instances)"
            if queued < 16_384 {
                return [.warn("inotify", text, fix: "sysctl fs.inotify.max_queued_events=65536: bursts overflow the queue "
                    + "(no file is lost, the daemon rescans, but later)")]
            }
            return [.ok("inotify", text)]
        }

        private func spoolLeftovers(_ configuration: Configuration) -> [DoctorCheck] {
            let files = FileManager.default
            var checks: [DoctorCheck] = []
            let rejected = ((try? files.contentsOfDirectory(atPath: configuration.rejected)) ?? [])
                .filter { !$0.hasPrefix(".") && !$0.hasSuffix(".reason") && $0 != "history" }
            checks.append(rejected.isEmpty ? .ok("rejected", "no rejected files waiting")
                : .warn("rejected", "\(rejected.count) file(s) in \(configuration.rejected), each with a .reason file",
                        fix: "read the reasons (copydesk trace NAME), fix the cause, then copydesk retry NAME (or --all)"))
            return checks
        }

        static func bytes(_ count: Int64) -> String {
            let units = ["B", "KiB", "MiB", "GiB", "TiB"]
            var value = Double(count)
            var unit = 0
            while value >= 1024 && unit < units.count - 1 {
                value /= 1024
                unit += 1
            }
            return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
        }

        static func userName(_ uid: uid_t) -> String {
            getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "\(uid)"
        }

        static func groupName(_ gid: gid_t) -> String {
            getgrgid(gid).map { String(cString: $0.pointee.gr_name) } ?? "\(gid)"
        }
    }
}

/// One line of `copydesk doctor`.
struct DoctorCheck: Codable {
    enum Status: String, Codable { case ok, warn, fail }

    var name: String
    var status: Status
    var detail: String
    var fix: String?

    static func ok(_ name: String, _ detail: String) -> DoctorCheck { DoctorCheck(name: name, status: .ok, detail: detail) }
    static func warn(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .warn, detail: detail, fix: fix)
    }
    static func fail(_ name: String, _ detail: String, fix: String) -> DoctorCheck {
        DoctorCheck(name: name, status: .fail, detail: detail, fix: fix)
    }
}
