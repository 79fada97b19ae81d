extension Article {
    /// The article with control characters (C0 but tab and line breaks, DEL, C1) turned into spaces in its
    /// text fields, whitespace collapsed. Control characters are framing or debris, never text: a JSON
    /// `\u0001`, a quoted-printable `=01` or a stray ANPA code must not reach a headline.
    func withoutControlCharacters() -> Article {
        var article = self
        article.headline = headline.withoutControlCharacters
        article.subheadline = subheadline?.withoutControlCharacters.nonEmpty
        article.byline = byline?.withoutControlCharacters.nonEmpty
        article.dateline = dateline?.withoutControlCharacters.nonEmpty
        article.summary = summary?.withoutControlCharacters.nonEmpty
        article.editorNote = editorNote?.withoutControlCharacters.nonEmpty
        article.paragraphs = paragraphs.map(\.withoutControlCharacters).filter { !$0.isEmpty }
        return article
    }
}

extension String {
    /// Control characters as spaces, whitespace collapsed; unchanged (and not copied) when there are none.
    var withoutControlCharacters: String {
        let isControl = { (scalar: Unicode.Scalar) in scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) }
        guard unicodeScalars.contains(where: isControl) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { isControl($0) ? " " : $0 })).collapsingSpaces
    }
}
