import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

/// Lets `--root DIR` / `--config FILE` come before the subcommand (`copydesk --root var status`), as people
/// type it, by moving them behind the subcommand where ArgumentParser expects them.
@main
enum Entrypoint {
    static func main() async {
        await Copydesk.main(hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
    }

    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var global: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-") {
            let argument = arguments[index]
            if argument == "--root" || argument == "--config", index + 1 < arguments.count {
                global += [argument, arguments[index + 1]]
                index += 2
            } else if argument.hasPrefix("--root=") || argument.hasPrefix("--config=") {
                global.append(argument)
                index += 1
            } else {
                return arguments  // --help, --version …: leave as is
            }
        }
        guard index < arguments.count, !global.isEmpty else { return arguments }
        return [arguments[index]] + global + arguments[(index + 1)...]
    }
}

/// `copydesk`: see what the daemon is doing and read the journal.
struct Copydesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copydesk",
        abstract: "Show what copydeskd is doing and read its journal.",
        discussion: "Reading commands open the journal read-only and work while the daemon runs.",
        subcommands: [
            Status.self, List.self, Show.self, Stories.self, Inspect.self, Train.self, Verify.self, Repair.self,
            Export.self, Import.self, Metrics.self, Trace.self, Retry.self, Doctor.self, Follow.self, Search.self,
            Stats.self,
        ]
    )
}

/// Where to find the daemon's folders: the same `--root` / `--config` as `copydeskd`.
struct Location: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The folder copydeskd runs on with --root.", valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Configuration file (TOML).", valueName: "FILE"))
    var config: String?

    func configuration() throws -> Configuration {
        do {
            return try Configuration.load(root: root, configFile: config)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

struct OutputFormat: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}

extension JSONEncoder {
    static var cli: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }
}

/// Prints a value as pretty JSON on stdout.
func printJSON(_ value: some Encodable) throws {
    let data = try JSONEncoder.cli.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Opens the journal read-only, turning its errors into a message and a non-zero exit. Damage does not stop the
/// reading commands: they show what lies before it and warn on stderr (`copydesk verify` names it exactly).
func openJournal(_ configuration: Configuration) throws -> JournalReader {
    do {
        let reader = try JournalReader.open(directory: configuration.journal, salvaging: true)
        warnIfDamaged(reader)
        return reader
    } catch {
        FileHandle.standardError.write(Data("copydesk: cannot read the journal: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Says on stderr that the journal is damaged and only what lies before the damage is shown.
func warnIfDamaged(_ reader: JournalReader) {
    guard let damage = reader.damage else { return }
    FileHandle.standardError.write(
        Data(
            ("copydesk: warning: the journal is damaged; showing what lies before the damage (see copydesk verify, "
                + "copydesk repair): \(damage)\n").utf8
        )
    )
}

extension String {
    /// Left-aligned in a column of `width` characters (at least one space after it).
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
