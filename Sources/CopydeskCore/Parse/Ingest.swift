/// What the Parse stage made of one file's bytes.
public struct PreparedDocument: Sendable, Equatable {
    /// Detected input format (`text`; later issues add `nitf`, `newsml-g2`, …).
    public var format: String
    /// The charset the bytes were decoded from.
    public var charset: String
    public var article: Article

    public init(format: String, charset: String, article: Article) {
        self.format = format
        self.charset = charset
        self.article = article
    }
}
