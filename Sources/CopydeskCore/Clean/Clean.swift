/// The Clean stage: takes boilerplate (navigation, share prompts, captions, teasers, footers) out of an
/// article's body and says what it took, so `copydesk inspect` can show it.
///
/// Pure and format-independent: it sees only the parsed ``Article``.
public enum Clean {
    public struct Result: Sendable, Equatable {
        public var article: Article
        public var removed: [String]
    }

    /// For now the identity; the formats issue fills this in.
    public static func clean(_ article: Article) -> Result {
        Result(article: article, removed: [])
    }
}
