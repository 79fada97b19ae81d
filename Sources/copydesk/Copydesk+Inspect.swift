import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what Copydesk would store for files, without storing anything.",
            discussion: """
                For each file: the detected format and charset, every article field, the cleaned body, \
                the lines cleaning removed (with the reason) and the classification with the cues and model \
                features behind each decision, or why the file would be rejected. Classification uses the \
                daemon's rules and trained model (from --root/--config, else the system configuration) unless \
                --rules or --model name others, so a model can be checked before the daemon loads it.
                Exit status: 0 when every file would be stored, 1 when any would be rejected.
                """
        )

        @OptionGroup var location: Location

        @Flag(name: .long, help: "One JSON object per file per line, with the stored record's field names.")
        var json = false

        @Option(name: .long, help: ArgumentHelp("Classification rules file instead of the configured one.", valueName: "FILE"))
        var rules: String?

        @Option(name: .long, help: ArgumentHelp("Trained model file instead of the configured one.", valueName: "FILE"))
        var model: String?

        @Option(name: .long, help: ArgumentHelp("Inbox sub-folder to pretend the file came through (a source hint).", valueName: "NAME"))
        var channel: String?

        @Argument(help: ArgumentHelp("Files to inspect.", valueName: "FILE"))
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("name at least one file") }
        }

        func run() async throws {
            // The size limit is the daemon's: from --root/--config when given, else the built-in default.
            let explicit = location.root != nil || location.config != nil
            let configuration = explicit ? try location.configuration() : (try? location.configuration()) ?? .system
            let limit = explicit ? configuration.maxFileSize : Configuration.defaultMaxFileSize
            let classifier: Classifier
            do {
                classifier = try ClassifierFiles.load(
                    rules: rules ?? configuration.classifyRules, model: model ?? configuration.classifyModelPath,
                    modelRequired: model != nil
                ).classifier
            } catch {
                FileHandle.standardError.write(Data("copydesk: \(error)\n".utf8))
                throw ExitCode(78)
            }
            var rejected = 0
            let encoder = RecordCodec.encoder()
            for (index, file) in files.enumerated() {
                let view = Self.inspect(file, limit: limit, classifier: classifier, channel: channel)
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
        static func inspect(
            _ path: String, limit: Int64, classifier: Classifier? = nil, channel: String? = nil
        ) -> InspectionView {
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
            var view = InspectionView.inspect(Array(data), file: name, classifier: classifier, channel: channel)
            view.file = path
            return view
        }
    }
}
