/// Reads IPTC ninjs, news in JSON, in both generations:
/// - 1.x (`headline`, `body_text`/`body_html`, `description_text`, `byline`, `subject`, `located`, …, plus
///   the Superdesk extensions `guid`, `source`, `slugline`, `priority`, `ednote`, `firstpublished`);
/// - 2.x (`headlines`, `bodies`, `descriptions` as role/value lists, `by`, `subjects`, `infosources`,
///   `genres`, `keywords`).
///
/// A file holds one item, or an API response wrapping items in `item`/`items`/`data`: the first item is the
/// story. Associated media (`associations`) are listed in `metadata`, not parsed: the story is the text,
/// not its picture. `body_html` is read with the HTML code (``HTMLPage``); plain bodies split at blank lines.
/// ninjs comes from newsroom systems, so there is no page furniture to clean.
public struct NinjsParser: ArticleParser {
    public var format: InputFormat { .ninjs }

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        let root: JSONValue
        switch JSONValue.parse(input.text) {
        case .success(let value): root = value
        case .failure(let reason): return .failure(reason)
        }
        guard let item = Self.item(in: root) else {
            return .failure(RejectReason(.unparsable, "JSON without a ninjs item (an object with a headline or body)"))
        }
        return Self.article(from: item)
    }

    /// The story object: the root, or the first object of a wrapping `item`/`items`/`data` list.
    static func item(in root: JSONValue) -> JSONValue? {
        if case .array(let items) = root { return items.first { $0.members != nil } }
        guard root.members != nil else { return nil }
        for key in ["item", "items", "data"] {
            if let list = root[key]?.array, let first = list.first(where: { $0.members != nil }) { return first }
            if let single = root[key], single["headline"] != nil || single["headlines"] != nil { return single }
        }
        return root
    }

    static func article(from item: JSONValue) -> Result<Article, RejectReason> {
        var used: Set<String> = []
        func value(_ keys: String...) -> JSONValue? {
            for key in keys {
                used.insert(key)
                if let found = item[key], found != .null { return found }
            }
            return nil
        }
        func text(_ keys: String...) -> String? {
            for key in keys {
                used.insert(key)
                if let found = item[key]?.text?.trimmingSpaces, !found.isEmpty { return found }
            }
            return nil
        }

        // Bodies and descriptions come in text and HTML twins: whichever is read, neither goes to metadata.
        used.formUnion(["body_text", "body_html", "body_xhtml", "description_text", "description_html"])
        let headlines = value("headlines")?.array ?? []
        let bodies = value("bodies")?.array ?? []
        let descriptions = value("descriptions")?.array ?? []

        var paragraphs: [String] = []
        if let html = text("body_html", "body_xhtml") {
            paragraphs = HTMLPage.paragraphs(ofFragment: html)
        }
        if paragraphs.isEmpty, let plain = text("body_text") {
            paragraphs = Self.plainParagraphs(plain)
        }
        if paragraphs.isEmpty, let body = Self.pick(bodies, roles: ["main", "body"]) {
            paragraphs =
                Self.isHTML(body) ? HTMLPage.paragraphs(ofFragment: body.value) : Self.plainParagraphs(body.value)
        }

        let headline =
            text("headline") ?? Self.pick(headlines, roles: ["main", "headline"])?.value
            ?? text("title", "slugline")
            ?? paragraphs.first.map { PlainTextParser.cut($0, near: PlainTextParser.headlineCut) }
        guard let headline = headline?.withoutControlCharacters.collapsingSpaces, !headline.isEmpty else {
            return .failure(RejectReason(.unparsable, "ninjs item without a headline or a body"))
        }

        var article = Article(headline: headline, paragraphs: paragraphs)
        article.subheadline = Self.pick(headlines, roles: ["sub", "subtitle", "subheadline"], fallback: false)?.value
        article.byline = text("byline", "by").map(Self.withoutBy)
        article.dateline = text("dateline")
        article.datelinePlace = Self.name(value("located")) ?? text("located")
        article.created = text("firstcreated", "contentcreated").map(DateText.normalizedISO)
        article.versionCreated = text("versioncreated").map(DateText.normalizedISO)
        article.published = text("firstpublished").map(DateText.normalizedISO)
        article.source = text("source") ?? Self.names(value("infosources"))?.first ?? text("copyrightholder")
        article.slugline = text("slugline")
        article.priority = value("priority")?.integer
        article.urgency = value("urgency")?.integer
        article.itemID = text("uri", "guid", "id")
        article.version = text("version")
        article.language = text("language", "lang")
        if let summary = text("description_text") {
            article.summary = summary
        } else if let html = text("description_html") {
            article.summary = HTMLPage.paragraphs(ofFragment: html).joined(separator: " ").nonEmpty
        } else if let description = Self.pick(descriptions, roles: ["summary", "abstract", "description"]) {
            article.summary =
                Self.isHTML(description)
                ? HTMLPage.paragraphs(ofFragment: description.value).joined(separator: " ") : description.value
        }
        article.editorNote = text("ednote")
        article.keywords = Self.strings(value("keywords"))
        article.subjects = Self.codes(value("subject", "subjects"))
        article.genre = Self.names(value("genre", "genres"))?.first ?? text("genre")

        var metadata: [String: String] = [:]
        for (key, member) in item.members ?? [] where !used.contains(key) {
            switch key {
            case "associations":
                if let summary = Self.associations(member) { metadata[key] = summary }
            case "renditions", "extra", "annotations":
                continue
            default:
                if let scalar = member.text {
                    metadata[key] = scalar
                } else if let names = Self.names(member) ?? Self.strings(member) {
                    metadata[key] = names.joined(separator: ", ")
                }
            }
        }
        if !metadata.isEmpty { article.metadata = metadata }
        return .success(article.withoutControlCharacters())
    }

    // MARK: Helpers

    /// `By Henning Gloystein` → `Henning Gloystein`: bylines are stored without the word, as other formats
    /// give them.
    static func withoutBy(_ byline: String) -> String {
        guard byline.lowercased().hasPrefix("by "), byline.count > 3 else { return byline }
        return String(byline.dropFirst(3)).trimmingSpaces
    }

    /// A ninjs 2 role/value entry.
    struct Entry {
        var value: String
        var role: String?
        var contentType: String?
    }

    /// The entry with one of `roles` (or, when `fallback`, the first entry of the list).
    static func pick(_ list: [JSONValue], roles: [String], fallback: Bool = true) -> Entry? {
        let entries = list.compactMap { item -> Entry? in
            guard let value = item["value"]?.text ?? item.text else { return nil }
            return Entry(value: value, role: item["role"]?.text?.lowercased(), contentType: item["contenttype"]?.text)
        }
        return entries.first { entry in roles.contains { entry.role?.hasSuffix($0) == true } }
            ?? (fallback ? entries.first { $0.role == nil || $0.role == "main" } ?? entries.first : nil)
    }

    static func isHTML(_ entry: Entry) -> Bool {
        entry.contentType?.lowercased().contains("html") == true || entry.value.hasPrefix("<")
    }

    /// Plain text: paragraphs at blank lines; inside a paragraph, lines are joined.
    static func plainParagraphs(_ text: String) -> [String] {
        PlainTextParser.blocks(PlainTextParser.normalizedLines(text)[...])
            .map { $0.map { $0.trimmingSpaces }.joined(separator: " ").collapsingSpaces }
            .filter { !$0.isEmpty }
    }

    /// The `name` of an object (`{"name": "Singapore"}`), or a string.
    static func name(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        return value["name"]?.text ?? value.text
    }

    /// Names of a list of objects or strings.
    static func names(_ value: JSONValue?) -> [String]? {
        guard let list = value?.array else { return nil }
        let names = list.compactMap { $0["name"]?.text ?? $0["code"]?.text ?? $0.text }
        return names.isEmpty ? nil : names
    }

    /// Codes of subjects: `code`, else `uri`, else `qcode`, else `name`.
    static func codes(_ value: JSONValue?) -> [String]? {
        guard let list = value?.array else { return nil }
        let codes = list.compactMap {
            $0["code"]?.text ?? $0["uri"]?.text ?? $0["qcode"]?.text ?? $0["name"]?.text ?? $0.text
        }
        return codes.isEmpty ? nil : codes
    }

    static func strings(_ value: JSONValue?) -> [String]? {
        guard let list = value?.array else { return value?.text.map { [$0] } }
        let strings = list.compactMap(\.text)
        return strings.isEmpty ? nil : strings
    }

    /// `featuremedia: picture "Financial Markets"` for each associated item.
    static func associations(_ value: JSONValue) -> String? {
        var parts: [String] = []
        if let members = value.members {
            for (name, item) in members { parts.append(describe(item, as: name)) }
        } else if let list = value.array {
            for (index, item) in list.enumerated() { parts.append(describe(item, as: item["id"]?.text ?? "\(index)")) }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    private static func describe(_ item: JSONValue, as name: String) -> String {
        var text = name
        if let type = item["type"]?.text { text += ": " + type }
        if let headline = item["headline"]?.text { text += " \"" + headline + "\"" }
        return text
    }
}
