/// Reads XML that is not one of the news standards — an agency's own schema (Ritzau's `RBNews`, NTB Info's
/// `release`), an Atom or RSS feed — by the names its elements have in common with every other news schema.
///
/// A field is taken from the first element (document order) with one of its usual names, compared without case:
/// `headline`/`title` for the headline, `byline`/`author` for the byline, `body`/`content`/`text` for the body, and so
/// on (see ``roles``). A body given as escaped or CDATA HTML is parsed as HTML. Every other element with short
/// text of its own is kept in ``Article/metadata`` under its name. In a feed (`feed`, `rss`) the first entry is the
/// story.
///
/// It is a fallback: it cannot know that a schema calls the headline `rubrik`, and it never guesses from content.
/// Without it, XML in an unknown schema would be read as plain text, tags and all.
public struct GenericXMLParser: ArticleParser {
    public var format: InputFormat { .xml }

    public init() {}

    /// The fields and the element names (lowercase) that hold them, most specific first.
    static let roles: [(field: Field, names: [String])] = [
        (.headline, ["headline", "hl1", "title", "heading"]),
        (.subheadline, ["subheadline", "subtitle", "subheading", "deck", "hl2"]),
        (.byline, ["byline", "by", "author", "creator", "writer"]),
        (.dateline, ["dateline"]),
        (.place, ["town", "city", "place", "location"]),
        (.summary, ["summary", "abstract", "lead", "leadtext", "standfirst", "teaser", "description"]),
        (.itemID, ["guid", "newsid", "itemid", "uuid", "id", "identifier"]),
        (.version, ["version", "revision"]),
        (.published, ["published", "publishdate", "publicationdate", "pubdate", "issued", "date"]),
        (.created, ["firstcreated", "created", "creationdate", "createdate"]),
        (.versionCreated, ["versioncreated", "modified", "updated", "lastmodified"]),
        (.priority, ["priority"]),
        (.urgency, ["urgency"]),
        (.language, ["language", "lang"]),
        (.keywords, ["keywords", "keyword", "tags", "tag"]),
        // "TilRedaktionen" is Danish for "to the editors": Ritzau's editor's note.
        (.editorNote, ["ednote", "editornote", "notetoeditors", "tilredaktionen", "note"]),
        (.source, ["source", "agency", "origin", "provider", "publisher"]),
        (.slugline, ["slugline", "slug"]),
        (.genre, ["genre"]),
        (.body, ["body", "content", "bodytext", "text", "story", "articlebody", "maintext"]),
    ]

    enum Field {
        case headline, subheadline, byline, dateline, place, summary, itemID, version, published, created
        case versionCreated, priority, urgency, language, keywords, editorNote, source, slugline, genre, body
    }

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        NewsXML.root(input, format: "XML").flatMap { root in
            var scope = root
            if ["feed", "rss", "rdf"].contains(root.name.lowercased()),
                let entry = root.first("entry") ?? root.first("item")
            {
                scope = entry
            }
            var article = Article(headline: "", paragraphs: [])
            Self.read(scope, into: &article)
            return NewsXML.finish(article, format: "XML <\(root.name)>")
        }
    }

    static func read(_ scope: MarkupElement, into article: inout Article) {
        var byName: [String: [MarkupElement]] = [:]
        var order: [String] = []
        collect(scope, into: &byName, order: &order, budget: 5000)
        var used: Set<String> = []

        /// The first element for `field` with text; for every field but the body, one without child elements (a
        /// `publisher` with `name` and `address` children is a record, not a value).
        func element(for field: Field) -> (name: String, element: MarkupElement)? {
            guard let names = roles.first(where: { $0.field == field })?.names else { return nil }
            for name in names {
                let candidates = byName[name] ?? []
                if let element = candidates.first(where: { candidate in
                    (field == .body || candidate.elements.isEmpty) && !candidate.rawText.allSatisfy(\.isWhitespace)
                }) {
                    return (name, element)
                }
            }
            return nil
        }
        func text(_ field: Field) -> String? {
            guard let (name, element) = element(for: field) else { return nil }
            used.insert(name)
            let paragraphs = NewsXML.paragraphs(of: element)
            return paragraphs.isEmpty ? nil : paragraphs.joined(separator: "\n")
        }

        article.headline = text(.headline) ?? ""
        article.subheadline = text(.subheadline)
        article.byline = text(.byline)
        article.dateline = text(.dateline)
        article.datelinePlace = text(.place)
        article.summary = text(.summary)
        article.itemID = text(.itemID) ?? scope[attribute: "id"]
        article.version = text(.version)
        article.published = WireDate.normalize(text(.published))
        article.created = WireDate.normalize(text(.created))
        article.versionCreated = WireDate.normalize(text(.versionCreated))
        article.priority = NewsXML.integer(text(.priority))
        article.urgency = NewsXML.integer(text(.urgency))
        article.language = scope[attribute: "lang"] ?? text(.language)
        article.keywords = text(.keywords).map { list in
            list.split(whereSeparator: { ",;\n".contains($0) }).map { MarkupText.collapse(String($0)) }
        }
        article.editorNote = text(.editorNote)
        article.source = text(.source)
        article.slugline = text(.slugline)
        article.genre = text(.genre)
        if let (name, body) = element(for: .body) {
            used.insert(name)
            article.paragraphs = NewsXML.paragraphs(of: body)
        }

        var metadata: [String: String] = [:]
        for name in order where !used.contains(name) {
            guard let element = byName[name]?.first, element.elements.isEmpty, let value = element.text,
                value.count <= NewsXML.metadataValueLimit
            else { continue }
            metadata[element.name] = value
        }
        article.metadata = metadata
    }

    /// Indexes the elements under `element` by lowercase name, in document order, visiting at most `budget`.
    private static func collect(
        _ element: MarkupElement, into byName: inout [String: [MarkupElement]], order: inout [String], budget: Int
    ) {
        var remaining = budget
        var stack = Array(element.elements.reversed())
        while let next = stack.popLast(), remaining > 0 {
            remaining -= 1
            let name = next.name.lowercased()
            if byName[name] == nil { order.append(name) }
            byName[name, default: []].append(next)
            stack.append(contentsOf: next.elements.reversed())
        }
    }
}
