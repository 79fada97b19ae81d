import CopydeskCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the classification rules and the trained model named by the configuration and builds the
/// ``Classifier`` the daemon and `copydesk inspect` use. The core stays free of file I/O; this is its edge.
///
/// A rules file that is configured must exist and parse; a model file is optional (none trained yet), but one
/// that exists must load — a half-written or damaged model is an error, never silently ignored.
public enum ClassifierFiles {
    /// What was loaded, for logs and `copydesk inspect`.
    public struct Loaded: Sendable {
        public var classifier: Classifier
        /// The rules file, or nil for the built-in rules.
        public var rulesPath: String?
        /// The model file, or nil when there is none.
        public var modelPath: String?

        public init(classifier: Classifier, rulesPath: String?, modelPath: String?) {
            self.classifier = classifier
            self.rulesPath = rulesPath
            self.modelPath = modelPath
        }

        /// `rules /etc/copydesk/rules.conf, model bbc (5 labels)` — one phrase for a log line.
        public var summary: String {
            let rules = rulesPath.map { "rules \($0)" } ?? "built-in rules"
            guard let model = classifier.model, let modelPath else { return rules + ", no model" }
            return rules + ", model \(model.name) (\(model.labels.count) labels, \(modelPath))"
        }
    }

    /// Loads the configured rules (built-in when none) and model (none when its file does not exist).
    public static func load(_ configuration: Configuration) throws(ClassifierFilesError) -> Loaded {
        try load(rules: configuration.classifyRules, model: configuration.classifyModelPath, modelRequired: false)
    }

    /// Loads `rules` (nil: built-in) and `model` (nil: none; a missing file is an error only when
    /// `modelRequired`).
    public static func load(
        rules: String?, model: String?, modelRequired: Bool
    ) throws(ClassifierFilesError) -> Loaded {
        var parsedRules = ClassificationRules.default
        if let rules {
            let text = try read(rules, what: "rules file")
            do {
                parsedRules = try ClassificationRules.parse(String(decoding: text, as: UTF8.self))
            } catch {
                throw ClassifierFilesError("rules file \(rules): \(error)")
            }
        }
        var textModel: TextModel?
        var modelPath: String?
        if let model, modelRequired || FileManager.default.fileExists(atPath: model) {
            let bytes = try read(model, what: "model file")
            do {
                textModel = try TextModel(serialized: bytes)
            } catch {
                throw ClassifierFilesError("\(model): \(error)")
            }
            modelPath = model
        }
        return Loaded(classifier: Classifier(rules: parsedRules, model: textModel), rulesPath: rules, modelPath: modelPath)
    }

    /// Writes a model where the daemon loads it: a temporary file beside it, `fsync`, then `rename`, so the
    /// daemon never reads half a model (a reload during training finds the old one or the new one).
    public static func save(_ model: TextModel, to path: String) throws(ClassifierFilesError) {
        let bytes = model.serialized()
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ClassifierFilesError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let message = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw ClassifierFilesError("cannot write \(temporary): \(message)")
            }
            written += result
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporary)
            throw ClassifierFilesError("cannot put the model in place at \(path): \(message)")
        }
    }

    private static func read(_ path: String, what: String) throws(ClassifierFilesError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClassifierFilesError("cannot read the \(what) \(path)")
        }
        return Array(data)
    }
}

/// A rules or model file that cannot be used, with the file and (for rules) the line.
public struct ClassifierFilesError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
