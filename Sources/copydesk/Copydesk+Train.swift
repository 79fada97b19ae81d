import ArgumentParser
import CopydeskCore
import CopydeskStore
import Foundation

extension Copydesk {
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train the text classifier on labelled stories and save it where copydeskd loads it.",
            discussion: """
                DIR holds one sub-folder per label (DIR/sport/a.txt, DIR/politics/b.xml, …), each file a story in \
                any format copydeskd reads; each is parsed and cleaned as the daemon would, and the model learns \
                from its headline and body. The model is written to the configured model file (`[classify] \
                model`, default model.cdm in the state directory) or --out, atomically. Check it with \
                `copydesk inspect --model FILE story.txt`; the daemon uses it from its next reload \
                (`systemctl reload copydesk`, or SIGHUP).
                """
        )

        @OptionGroup var location: Location

        @Option(name: .long, help: ArgumentHelp("linear-svm (default) or naive-bayes.", valueName: "ALGORITHM"))
        var algorithm: String = TextModel.Algorithm.linearSVM.rawValue

        @Option(name: .long, help: ArgumentHelp("Write the model here instead of the configured model file.", valueName: "FILE"))
        var out: String?

        @Option(name: .long, help: ArgumentHelp("The model's name in records and logs (default: DIR's name).", valueName: "NAME"))
        var name: String?

        @Argument(help: ArgumentHelp("The labelled folder: one sub-folder per label.", valueName: "DIR"))
        var directory: String

        func validate() throws {
            guard TextModel.Algorithm(rawValue: algorithm) != nil else {
                throw ValidationError(
                    "--algorithm must be one of \(TextModel.Algorithm.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        }

        func run() async throws {
            let path = try out ?? location.configuration().classifyModelPath
            let (examples, skipped) = try Self.examples(in: directory)
            let perLabel = Dictionary(grouping: examples, by: \.label).mapValues(\.count)
            guard perLabel.count >= 2 else {
                throw ValidationError("\(directory) needs at least two label folders with stories in them")
            }
            var options = TextModel.Options()
            options.algorithm = TextModel.Algorithm(rawValue: algorithm)!
            let modelName = name ?? URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
            let clock = ContinuousClock()
            let start = clock.now
            let model = TextModel.train(examples, options: options, name: modelName)
            let elapsed = clock.now - start
            print("Trained \(modelName) (\(algorithm)) on \(examples.count) stories in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))):")
            for (label, features) in zip(model.labels, model.topFeatures) {
                let words = features.prefix(8).map(\.text).joined(separator: ", ")
                print("  \(label.padding(16))\(String(perLabel[label] ?? 0).padding(6)) \(words)")
            }
            if !skipped.isEmpty {
                print("Skipped \(skipped.count) files that copydeskd would reject:")
                for line in skipped.prefix(10) { print("  \(line)") }
            }
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true
                )
                try ClassifierFiles.save(model, to: path)
            } catch {
                FileHandle.standardError.write(Data("copydesk: \(error)\n".utf8))
                throw ExitCode.failure
            }
            print("Saved to \(path). copydeskd uses it from its next reload (systemctl reload copydesk, or SIGHUP).")
        }

        /// DIR/label/file → (the text the daemon's model reads, label); files Parse rejects are listed, not used.
        static func examples(in directory: String) throws -> ([(text: String, label: String)], [String]) {
            let manager = FileManager.default
            guard let labels = try? manager.contentsOfDirectory(atPath: directory) else {
                throw ValidationError("cannot list \(directory)")
            }
            var examples: [(text: String, label: String)] = []
            var skipped: [String] = []
            for label in labels.sorted() where !label.hasPrefix(".") {
                let folder = directory + "/" + label
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                for file in (try? manager.contentsOfDirectory(atPath: folder))?.sorted() ?? [] where !file.hasPrefix(".") {
                    guard let data = manager.contents(atPath: folder + "/" + file) else {
                        skipped.append("\(label)/\(file): cannot be read")
                        continue
                    }
                    switch Parse.prepare(Array(data), fileName: file) {
                    case .success(let document): examples.append((Classifier.modelText(document.article), label))
                    case .failure(let reason): skipped.append("\(label)/\(file): \(reason.code): \(reason.message)")
                    }
                }
            }
            return (examples, skipped)
        }
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
