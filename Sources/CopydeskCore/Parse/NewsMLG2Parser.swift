/// Reads IPTC NewsML-G2: a `newsItem` or `packageItem` on its own or inside a `newsMessage`, in the G2 namespace
/// as a default namespace or under any prefix (Reuters sends `ns0:`).
///
/// Which item: a `newsMessage` may carry several; the first `newsItem` whose `itemClass` is text (`ninat:text`,
/// `icls:text`) is the story, else the first `newsItem`, else the first `packageItem`.
///
/// Where things are in an item:
/// - attributes: `guid` (the item id), `version`, `xml:lang`;
/// - `itemMeta`: `itemClass`, `provider` (the source), `versionCreated`, `firstCreated`, `pubStatus`, `edNote`,
///   `title`, `embargoed`, `service`, `signal`;
/// - `contentMeta`: `urgency`, `contentCreated`/`contentModified` (when `firstCreated`/`versionCreated` are
///   missing or empty), `located`, `infoSource`, `creator`, `language@tag`, `keyword`, `subject@qcode`, `genre`,
///   `slugline`, `headline` (a `role` naming a sub-headline goes to ``Article/subheadline``), `description`
///   (the summary), `dateline`, `by`, `creditline`, `altId`;
/// - `contentSet`: the body, from `inlineXML` (NITF, XHTML or an agency's own tags), or `inlineData` (text or
///   escaped HTML). A picture or graphic has no body: its caption (`description`) becomes the one paragraph.
/// - a `packageItem` has no body of its own: its body lists the items it groups (title and description of each
///   `itemRef`), which is what an editor opening it would see.
///
/// The `newsMessage` header's `priority` is the priority; its `sent` time and sender are kept in metadata.
public struct NewsMLG2Parser: ArticleParser {
    public var format: InputFormat { .newsMLG2 }

    public init() {}

    /// The G2 namespace starts with this; later schema versions keep the 2006 URI, so it is matched by prefix.
    static let namespacePrefix = "http://iptc.org/std/nar/"

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        NewsXML.root(input, format: "NewsML-G2").flatMap { root in
            var article = Article(headline: "", paragraphs: [])
            var metadata: [String: String] = [:]
            guard let item = Self.item(in: root) else {
                return .failure(RejectReason(.unparsable, "NewsML-G2: no newsItem or packageItem in <\(root.name)>"))
            }
            if root.name == "newsMessage", let header = root.child("header") {
                article.priority = NewsXML.integer(header.child("priority")?.text)
                if let sent = header.child("sent")?.text { metadata["header.sent"] = sent }
                if let sender = header.child("sender")?.text { metadata["header.sender"] = sender }
            }
            article.metadata = metadata
            Self.read(item, into: &article)
            return NewsXML.finish(article, format: "NewsML-G2")
        }
    }

    /// The item that holds the story (see the type's documentation).
    static func item(in root: MarkupElement) -> MarkupElement? {
        if root.name == "newsItem" || root.name == "packageItem" { return root }
        let items = (root.child("itemSet") ?? root).elements
        let newsItems = items.filter { $0.name == "newsItem" }
        let text = newsItems.first { item in
            let itemClass = item.child("itemMeta")?.child("itemClass")?[attribute: "qcode"] ?? ""
            return itemClass.hasSuffix(":text")
        }
        return text ?? newsItems.first ?? items.first { $0.name == "packageItem" } ?? items.first
    }

    static func read(_ item: MarkupElement, into article: inout Article) {
        var metadata = article.metadata ?? [:]
        let itemMeta = item.child("itemMeta")
        let contentMeta = item.child("contentMeta")
        article.itemID = item[attribute: "guid"]
        article.version = item[attribute: "version"]
        metadata["item"] = item.name

        if let itemMeta {
            if let itemClass = itemMeta.child("itemClass")?[attribute: "qcode"] { metadata["itemClass"] = itemClass }
            article.source = Self.name(itemMeta.child("provider"))
            article.versionCreated = WireDate.normalize(itemMeta.child("versionCreated")?.text)
            article.created = WireDate.normalize(itemMeta.child("firstCreated")?.text)
            if let status = itemMeta.child("pubStatus")?[attribute: "qcode"] { metadata["pubStatus"] = status }
            let notes = itemMeta.children("edNote").filter { $0[attribute: "pubconstraint"] == nil }
            article.editorNote = notes.compactMap { Self.blockText($0) }.first
            if let title = itemMeta.child("title")?.text { metadata["title"] = title }
            if let embargo = itemMeta.child("embargoed")?.text { metadata["embargoed"] = embargo }
            let services = itemMeta.children("service").compactMap { $0[attribute: "qcode"] }
            if !services.isEmpty { metadata["service"] = services.joined(separator: " ") }
            let signals = itemMeta.children("signal").compactMap { $0[attribute: "qcode"] }
            if !signals.isEmpty { metadata["signal"] = signals.joined(separator: " ") }
        }

        if let contentMeta {
            article.urgency = NewsXML.integer(contentMeta.child("urgency")?.text)
            if article.created == nil {
                article.created = WireDate.normalize(contentMeta.child("contentCreated")?.text)
            }
            if article.versionCreated == nil {
                article.versionCreated = WireDate.normalize(contentMeta.child("contentModified")?.text)
            }
            article.datelinePlace = Self.name(contentMeta.child("located"), orCode: false)
            if let source = Self.name(contentMeta.child("infoSource")) {
                metadata["infoSource"] = source
                if article.source == nil { article.source = source }
            }
            let creators = contentMeta.children("creator").compactMap { Self.name($0) }
            if !creators.isEmpty { metadata["creator"] = creators.joined(separator: ", ") }
            article.language = contentMeta.child("language")?[attribute: "tag"]
            let keywords = contentMeta.children("keyword").compactMap(\.text)
            if !keywords.isEmpty { article.keywords = keywords }
            let subjects = contentMeta.children("subject").compactMap {
                $0[attribute: "qcode"] ?? $0[attribute: "literal"]
            }
            if !subjects.isEmpty { article.subjects = subjects }
            article.genre = contentMeta.children("genre").lazy.compactMap { Self.name($0) }.first
            article.slugline = contentMeta.child("slugline")?.text
            for headline in contentMeta.children("headline") {
                let role = headline[attribute: "role"]?.lowercased() ?? ""
                if role.contains("sub") {
                    if article.subheadline == nil { article.subheadline = headline.text }
                } else if article.headline.isEmpty {
                    article.headline = headline.text ?? ""
                }
            }
            let descriptions = contentMeta.children("description")
            let summary =
                descriptions.first { ($0[attribute: "role"] ?? "").hasSuffix("summary") } ?? descriptions.first
            article.summary = summary.flatMap { Self.blockText($0) }
            article.dateline = contentMeta.child("dateline")?.text
            article.byline = contentMeta.child("by")?.text
            if let credit = contentMeta.child("creditline")?.text { metadata["creditline"] = credit }
            for altID in contentMeta.children("altId") {
                guard let value = altID.text else { continue }
                metadata["altId." + (altID[attribute: "type"] ?? "")] = value
            }
        }
        if article.language == nil { article.language = item[attribute: "lang"] }
        if article.headline.isEmpty, let title = metadata["title"] { article.headline = title }
        article.metadata = metadata

        if let contentSet = item.child("contentSet") {
            readContent(contentSet, into: &article)
        } else if let groupSet = item.child("groupSet") {
            article.paragraphs = groupSet.all("itemRef").flatMap { reference in
                [
                    reference.child("headline")?.text ?? reference.child("title")?.text,
                    reference.child("description")?.text,
                ]
                .compactMap { $0 }
            }
        }
        if article.paragraphs.isEmpty, let caption = contentMeta?.children("description").first?.text {
            article.paragraphs = [caption]
        }
    }

    /// The body from the first `inlineXML` or `inlineData` that has text.
    private static func readContent(_ contentSet: MarkupElement, into article: inout Article) {
        for content in contentSet.elements {
            switch content.name {
            case "inlineXML":
                guard let inner = content.elements.first else { continue }
                if inner.name == "nitf" { NITFParser.read(inner, into: &article) }
                let paragraphs = NewsXML.inlineParagraphs(inner)
                if article.paragraphs.isEmpty && !paragraphs.isEmpty { article.paragraphs = paragraphs }
            case "inlineData":
                let paragraphs = NewsXML.paragraphs(ofText: content.rawText)
                if article.paragraphs.isEmpty && !paragraphs.isEmpty { article.paragraphs = paragraphs }
            default:
                continue
            }
            if !article.paragraphs.isEmpty { return }
        }
    }

    private static let noteSkipped = MarkupText.skippedElements.subtracting(["header", "footer"])

    /// A G2 concept's human name: its `name` child, else its `literal`, else (when `orCode`) its `qcode`, which
    /// still identifies a provider or a genre but is no place name (`city:Philadelphia`).
    static func name(_ element: MarkupElement?, orCode: Bool = true) -> String? {
        guard let element else { return nil }
        return element.child("name")?.text ?? element[attribute: "literal"]
            ?? (orCode ? element[attribute: "qcode"] : nil)
    }

    /// Text of an element that may hold XHTML blocks (dpa's `edNote`), paragraphs joined by line breaks. A note's
    /// `header` is its title ("Notizblock"), so unlike in a story body it is kept.
    static func blockText(_ element: MarkupElement) -> String? {
        let paragraphs = MarkupText.paragraphs(of: element, skipping: noteSkipped)
        return paragraphs.isEmpty ? nil : paragraphs.joined(separator: "\n")
    }
}
