import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation
import Glibc

extension Copydesk {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the daemon how it is doing; when it does not answer, say what the journal holds.",
            discussion: "Exit status: 0 when copydeskd runs, 3 when it does not (as systemctl status)."
        )

        @OptionGroup var location: Location
        @OptionGroup var output: OutputFormat

        func run() async throws {
            let configuration = try location.configuration()
            let report: StatusReport
            switch ControlClient(path: configuration.controlSocket).status() {
            case .success(let snapshot):
                report = StatusReport(
                    running: true, unreachable: nil, controlSocket: configuration.controlSocket, daemon: snapshot,
                    journal: nil
                )
            case .failure(let problem):
                report = StatusReport(
                    running: false, unreachable: problem.description, controlSocket: configuration.controlSocket,
                    daemon: nil, journal: summarize(configuration.journal)
                )
            }
            if output.json {
                try printJSON(report)
            } else {
                print(report.text)
            }
            if !report.running { throw ExitCode(3) }
        }

        private func summarize(_ path: String) -> JournalSummary {
            var counts = StatusSnapshot.Counts()
            var records = 0
            var last: JournalRecord?
            do {
                let reader = try JournalReader.open(directory: path, salvaging: true)
                try reader.forEach { record in
                    counts.count(record.body.kind)
                    records += 1
                    last = record
                }
                if let damage = reader.damage {
                    return JournalSummary(
                        path: path, records: records, lastSequence: last?.sequence ?? 0,
                        lastRecordedAt: last?.recordedAt, counts: counts, problem: "\(damage)"
                    )
                }
            } catch {
                return JournalSummary(
                    path: path, records: records, lastSequence: last?.sequence ?? 0, lastRecordedAt: last?.recordedAt,
                    counts: counts, problem: "\(error)"
                )
            }
            return JournalSummary(
                path: path, records: records, lastSequence: last?.sequence ?? 0, lastRecordedAt: last?.recordedAt,
                counts: counts, problem: nil
            )
        }
    }
}

/// The CLI side of the control protocol: connect, send one request line, read one response line.
struct ControlClient {
    let path: String

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    func status() -> Result<StatusSnapshot, Problem> {
        let response: ControlResponse
        switch exchange(ControlRequest(command: .status)) {
        case .success(let value): response = value
        case .failure(let problem): return .failure(problem)
        }
        guard response.ok, let snapshot = response.status else {
            return .failure(Problem(description: response.error ?? "the daemon answered without a status"))
        }
        return .success(snapshot)
    }

    private func exchange(_ request: ControlRequest) -> Result<ControlResponse, Problem> {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(Problem(description: "socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            return .failure(Problem(description: "socket path too long"))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = errno == ENOENT ? "no control socket" : String(cString: strerror(errno)).lowercased()
            return .failure(Problem(description: reason))
        }
        guard var line = try? JSONEncoder().encode(request) else { return .failure(Problem(description: "encode")) }
        line.append(UInt8(ascii: "\n"))
        let sent = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, CInt(MSG_NOSIGNAL)) }
        guard sent == line.count else { return .failure(Problem(description: "could not send the request")) }
        var response = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 8192)
        while !response.contains(UInt8(ascii: "\n")) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += chunk[0..<count]
        }
        guard let decoded = try? JSONDecoder().decode(ControlResponse.self, from: Data(response)) else {
            return .failure(Problem(description: "no valid answer from the daemon"))
        }
        return .success(decoded)
    }
}
