import CopydeskCore
import CopydeskStore
import Logging

/// The rules and model the preparing tasks classify with, replaced whole on reload: a batch being prepared keeps
/// the classifier it started with, the next one takes the new one, and no document sees half of each.
final class ClassifierSlot: Sendable {
    private let slot: Locked<ClassifierFiles.Loaded>

    init(_ loaded: ClassifierFiles.Loaded) {
        slot = Locked(loaded)
    }

    var current: ClassifierFiles.Loaded { slot.value }

    /// Loads the rules and model `configuration` names and swaps them in. A rules file or model that cannot be
    /// used leaves the running ones in place, and the log says why (file, and line for rules).
    @discardableResult
    func reload(from configuration: Configuration, logger: Logger) -> Bool {
        do {
            let loaded = try ClassifierFiles.load(configuration)
            slot.update { $0 = loaded }
            logger.notice("classification reloaded: \(loaded.summary)", metadata: [
                "copydesk.event": "classifier-reloaded",
            ])
            return true
        } catch {
            logger.error("classification reload failed, keeping the running rules and model: \(error)", metadata: [
                "copydesk.event": "classifier-reload-failed", "error": "\(error)",
            ])
            return false
        }
    }
}

extension ClassifierFiles.Loaded {
    /// The built-in rules and no model: what a daemon started without a loaded classifier uses.
    static var builtIn: Self { Self(classifier: Classifier(), rulesPath: nil, modelPath: nil) }
}

extension Pipeline {
    /// The Classify stage of preparing: a parsed document gains its classification (the inbox sub-folder is a
    /// hint for the source). Runs on the preparing cores, so the serial decision stays as cheap as before.
    static func classify(
        _ parsed: Result<PreparedDocument, RejectReason>, channel: String?, with classifier: Classifier
    ) -> Result<PreparedDocument, RejectReason> {
        parsed.map { document in
            var document = document
            document.classification = classifier.classify(document.article, channel: channel)
            return document
        }
    }

    /// `COPYDESK_KIND`, `COPYDESK_SOURCE` (the issuing organisation or agency; the channel when none was found),
    /// `COPYDESK_LANG` and `COPYDESK_TOPICS` (codes, comma-separated) for a stored document's log entry.
    static func classificationMetadata(_ document: DocumentRecord) -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        addClassificationMetadata(document, to: &metadata)
        return metadata
    }

    /// The same fields written into a log entry's metadata (a source found replaces the channel's).
    static func addClassificationMetadata(_ document: DocumentRecord, to metadata: inout Logger.Metadata) {
        guard let classification = document.classification else { return }
        metadata["copydesk.kind"] = .string(classification.kind.kind.rawValue)
        metadata["copydesk.lang"] = .string(classification.language.code)
        if let source = classification.source { metadata["copydesk.source"] = .string(source.name) }
        if !classification.topics.isEmpty {
            metadata["copydesk.topics"] = .string(classification.topics.map(\.code).joined(separator: ","))
        }
    }
}
