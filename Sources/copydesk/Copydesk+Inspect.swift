import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what Copydesk would store for files, without storing anything.",
            discussion: """
                For each file: the detected format and charset, every article field, the cleaned body and \
                the lines cleaning removed (with the reason), or why the file would be rejected.
                Exit status: 0 when every file would be stored, 1 when any would be rejected.
                """
        )

        @OptionGroup var location: Location

        @Flag(name: .long, help: "One JSON object per file per line, with the stored record's field names.")
        var json = false

        @Argument(help: ArgumentHelp("Files to inspect.", valueName: "FILE"))
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one file") }
        }

        func run() async throws {
            // The size limit is the daemon's: from --root/--config when given, else the built-in default.
            let limit =
                location.root == nil && location.config == nil
                ? Configuration.defaultMaxFileSize : try location.configuration().maxFileSize
            var rejected = 0
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for (index, file) in files.enumerated() {
                let view = Self.inspect(file, limit: limit)
                if view.verdict == "rejected" { rejected += 1 }
                if json {
                    FileHandle.standardOutput.write(try encoder.encode(view))
                    FileHandle.standardOutput.write(Data("\n".utf8))
                } else {
                    if index > 0 { print("") }
                    print(view.text)
                }
            }
            if rejected > 0 { throw ExitCode.failure }
        }

        /// Reads `path` as the daemon would (refusing a file over the size limit from its size alone) and
        /// inspects its bytes. A file that cannot be read is shown as the daemon would record it: rejected.
        static func inspect(_ path: String, limit: Int64) -> InspectionView {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let unreadable = { (message: String) in
                InspectionView(
                    file: path, size: 0, detected: nil, result: .failure(RejectReason(.unreadable, message))
                )
            }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
                return unreadable("no such file, or not readable")
            }
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                return unreadable("a directory, not a file")
            }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            if size > limit {
                return InspectionView(
                    file: path, size: Int(size), detected: nil,
                    result: .failure(RejectReason(.tooLarge, "\(size) bytes, over the limit of \(limit) bytes"))
                )
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return unreadable("cannot be read")
            }
            var view = InspectionView.inspect(Array(data), file: name)
            view.file = path
            return view
        }
    }
}
