/// Reads a saved web page: the headline from the article's `h1`, `og:title` or `<title>`; byline, summary,
/// dates, site, keywords and language from `meta` tags and `<html lang>`; the body from the page's blocks.
///
/// Every block of text is kept as a paragraph, with its link density and region (``HTMLPage``) handed to
/// ``Clean`` in the layout: menus, footers and teasers are taken out there, where `copydesk inspect` can
/// show them, not silently here. `meta` tags it does not map are kept in `metadata`.
public struct HTMLParser: ArticleParser {
    public var format: InputFormat { .html }

    /// At most this many unmapped `meta` tags are kept, so a page of tracking tags cannot bloat a record.
    public static let metadataLimit = 40

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        parseForCleaning(input).map(\.article)
    }

    public func parseForCleaning(_ input: ParserInput) -> Result<ParsedArticle, RejectReason> {
        Self.article(from: HTMLPage.parse(input.text))
    }

    static func article(from page: HTMLPage) -> Result<ParsedArticle, RejectReason> {
        var paragraphs = page.paragraphs
        let firstHeading =
            paragraphs.firstIndex { $0.headingLevel == 1 && $0.inMain }
            ?? paragraphs.firstIndex { $0.headingLevel == 1 && $0.role == nil }
        let ogTitle = page.meta("og:title", "twitter:title", "dc.title")
        let candidates = [
            firstHeading.map { paragraphs[$0].text }, ogTitle, page.title.map { stripSiteName($0, page) },
        ]
        guard
            let headline = candidates.compactMap({ $0?.withoutControlCharacters }).first(where: { !$0.isEmpty })
                ?? paragraphs.first.map({ PlainTextParser.cut($0.text, near: PlainTextParser.headlineCut) })
        else {
            return .failure(RejectReason(.unparsable, "an HTML page with no text"))
        }
        // The heading that is the headline is not also a paragraph.
        if let index = paragraphs.firstIndex(where: {
            $0.headingLevel != nil && normalized($0.text) == normalized(headline)
        }) {
            paragraphs.remove(at: index)
        }

        // Control characters are dropped here, where paragraphs and their blocks still line up.
        paragraphs = paragraphs.compactMap { paragraph in
            var clean = paragraph
            clean.text = paragraph.text.withoutControlCharacters
            return clean.text.isEmpty ? nil : clean
        }
        var article = Article(headline: headline.withoutControlCharacters, paragraphs: paragraphs.map(\.text))
        if article.headline.isEmpty {
            // The headline was made of control characters only (found by scripts/fuzz): the first paragraph
            // that has text names the page, and a page without one is no article.
            guard let first = article.paragraphs.first else {
                return .failure(RejectReason(.unparsable, "an HTML page with no text"))
            }
            article.headline = PlainTextParser.cut(first, near: PlainTextParser.headlineCut)
        }
        var used: Set<String> = ["og:title", "twitter:title", "dc.title"]
        func meta(_ keys: String...) -> String? {
            for key in keys {
                used.insert(key)
                if let value = page.meta(key), !value.hasPrefix("http://"), !value.hasPrefix("https://") {
                    return value
                }
            }
            return nil
        }
        article.byline = meta("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")
        article.summary = meta("description", "og:description", "twitter:description", "dc.description")
        article.published =
            (meta(
                "article:published_time", "datepublished", "pubdate", "publishdate", "dc.date.issued", "dc.date",
                "date", "parsely-pub-date", "sailthru.date"
            ) ?? page.time).map(DateText.normalizedISO)
        article.versionCreated = meta("article:modified_time", "og:updated_time", "datemodified", "dc.date.modified")
            .map(DateText.normalizedISO)
        article.source = meta("og:site_name", "application-name", "publisher", "dc.publisher")
        used.formUnion(["news_keywords", "keywords", "article:tag"])
        let keywords =
            (page.metas("news_keywords") + page.metas("keywords"))
            .flatMap { $0.split(separator: ",").map { $0.trimmingSpaces } } + page.metas("article:tag")
        let uniqueKeywords = keywords.filter { !$0.isEmpty }.reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        article.keywords = uniqueKeywords.isEmpty ? nil : uniqueKeywords
        used.formUnion(["content-language", "dc.language", "og:locale", "og:url"])
        article.language =
            page.language?.trimmingSpaces.nonEmpty
            ?? page.meta("content-language", "dc.language")
            ?? page.meta("og:locale").map { $0.replacingUnderscores }
        article.itemID = page.canonical?.trimmingSpaces.nonEmpty ?? page.meta("og:url")

        var metadata: [String: String] = [:]
        for (key, value) in page.metas where !used.contains(key) && metadata[key] == nil && !isTechnical(key) {
            guard metadata.count < metadataLimit, !value.trimmingSpaces.isEmpty else { continue }
            metadata[key] = String(value.trimmingSpaces.prefix(500))
        }
        if !metadata.isEmpty { article.metadata = metadata }
        TextMetadata.read(article.paragraphs).fill(&article)
        article.byline = article.byline?.withoutControlCharacters.nonEmpty
        article.summary = article.summary?.withoutControlCharacters.nonEmpty

        let blocks = paragraphs.map { Clean.Block(linkShare: $0.linkShare, links: $0.links, role: $0.role) }
        return .success(ParsedArticle(article: article, layout: Clean.Layout(origin: .page, blocks: blocks)))
    }

    /// `Tram line extended | City Herald` → `Tram line extended` when the part after the last bar or spaced
    /// dash is the site's name, or a short name after a longer title.
    static func stripSiteName(_ title: String, _ page: HTMLPage) -> String {
        let site = page.meta("og:site_name", "application-name").map(normalized)
        for separator in [" | ", " - ", " – ", " — ", " :: "] {
            let parts = title.components(separatedByString: separator)
            guard parts.count >= 2, let last = parts.last else { continue }
            let head = parts.dropLast().joined(separator: separator).trimmingSpaces
            let tail = last.trimmingSpaces
            if let site, normalized(tail) == site { return head }
            if site == nil, tail.split(separator: " ").count <= 3, head.split(separator: " ").count >= 3 { return head }
        }
        return title.trimmingSpaces
    }

    /// `meta` tags that describe the page's machinery, not the story.
    static func isTechnical(_ key: String) -> Bool {
        let prefixes = [
            "viewport", "robots", "googlebot", "theme-color", "referrer", "format-detection", "msapplication",
            "apple-", "google", "fb:", "twitter:card", "twitter:site", "og:image", "og:video", "twitter:image",
            "generator", "csrf", "x-ua", "handheldfriendly", "mobileoptimized", "al:", "p:domain", "yandex",
            "bingbot", "verify", "facebook-domain", "color-scheme",
        ]
        return prefixes.contains { key.hasPrefix($0) }
    }
}

extension String {
    /// Nil when empty.
    var nonEmpty: String? { isEmpty ? nil : self }

    /// `en_GB` → `en-GB`.
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }

    /// Splits at every occurrence of `separator` (no Foundation needed in the pure core).
    func components(separatedByString separator: String) -> [String] {
        guard !separator.isEmpty else { return [self] }
        var pieces: [String] = []
        var current = ""
        var rest = self[...]
        while !rest.isEmpty {
            if rest.hasPrefix(separator) {
                pieces.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
            } else {
                current.append(rest.removeFirst())
            }
        }
        pieces.append(current)
        return pieces
    }
}
