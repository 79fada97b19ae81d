/// Reads IPTC NewsML 1.x (`NewsML` root, with or without the `http://iptc.org/std/NewsML/2003-10-10/` namespace):
/// AFP, ANP, ATS, Kyodo, TASS and Solita send it.
///
/// NewsML 1.2 nests: `NewsML/NewsItem/NewsComponent`, and components may hold components. The story is the first
/// `NewsItem` that has a text `ContentItem`; its metadata is read from the whole item, nearest first, so a
/// wrapper component's `NewsLines` do not hide the main component's:
/// - `NewsEnvelope`: `Priority@FormalName` (the priority), `DateAndTime`, `NewsService`, `NewsProduct`;
/// - `Identification/NewsIdentifier`: `PublicIdentifier` (the item id; else `NewsItemId`, else the component's
///   `Duid`), `RevisionId` (the version), `ProviderId`; `NameLabel`;
/// - `NewsManagement`: `FirstCreated`, `ThisRevisionCreated`, `Status`, `Urgency` (a `FormalName` or text);
/// - `NewsLines`: `HeadLine`, `SubHeadLine`, `ByLine`, `DateLine`, `SlugLine`, `KeywordLine`, `CreditLine`,
///   `CopyrightLine`, and `NewsLine` pairs;
/// - `AdministrativeMetadata`: `Provider`/`Source`/`Creator` `Party@FormalName`;
/// - `DescriptiveMetadata`: `Language`, `Genre`, `SubjectCode/*@FormalName`, `Location` properties,
///   `Property FormalName="Keyword"`, `DateLineDate`;
/// - `ContentItem/DataContent`: the body, as NITF, XHTML, escaped or CDATA HTML, or plain text.
public struct NewsML12Parser: ArticleParser {
    public var format: InputFormat { .newsML12 }

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        NewsXML.root(input, format: "NewsML 1.2").flatMap { root in
            guard root.name == "NewsML" else {
                return .failure(RejectReason(.unparsable, "NewsML 1.2: root element is <\(root.name)>, not <NewsML>"))
            }
            let items = root.children("NewsItem")
            guard let item = items.first(where: { Self.textContent(in: $0) != nil }) ?? items.first else {
                return .failure(RejectReason(.unparsable, "NewsML 1.2: no NewsItem"))
            }
            var article = Article(headline: "", paragraphs: [])
            var metadata: [String: String] = [:]
            if let envelope = root.child("NewsEnvelope") {
                article.priority = NewsXML.integer(envelope.child("Priority")?[attribute: "FormalName"])
                if let sent = envelope.child("DateAndTime")?.text { metadata["NewsEnvelope.DateAndTime"] = sent }
                if let service = envelope.child("NewsService")?[attribute: "FormalName"] {
                    metadata["NewsService"] = service
                }
                let products = envelope.children("NewsProduct").compactMap { $0[attribute: "FormalName"] }
                if !products.isEmpty { metadata["NewsProduct"] = products.joined(separator: " ") }
            }
            article.metadata = metadata
            Self.read(item, into: &article)
            return NewsXML.finish(article, format: "NewsML 1.2")
        }
    }

    static func read(_ item: MarkupElement, into article: inout Article) {
        var metadata = article.metadata ?? [:]
        let identifier = item.child("Identification")?.child("NewsIdentifier")
        let management = item.child("NewsManagement")
        let component = item.child("NewsComponent")

        article.itemID = NewsXML.first(
            identifier?.child("PublicIdentifier")?.rawText, identifier?.child("NewsItemId")?.rawText,
            component?[attribute: "Duid"]
        )
        article.version = identifier?.child("RevisionId")?.text
        if let provider = identifier?.child("ProviderId")?.text { metadata["ProviderId"] = provider }
        if let label = item.child("Identification")?.child("NameLabel")?.text { metadata["NameLabel"] = label }
        if let management {
            article.created = WireDate.normalize(management.child("FirstCreated")?.text)
            article.versionCreated = WireDate.normalize(management.child("ThisRevisionCreated")?.text)
            if let status = management.child("Status")?[attribute: "FormalName"] { metadata["Status"] = status }
            let urgency = management.child("Urgency")
            article.urgency = NewsXML.integer(urgency?[attribute: "FormalName"] ?? urgency?.text)
        }

        // News lines: the innermost component that has a headline wins, then the others fill gaps.
        let allLines = item.all("NewsLines").reversed()
        let lines = allLines.first { $0.child("HeadLine")?.text != nil } ?? allLines.first
        func line(_ name: String) -> String? {
            lines?.child(name)?.text ?? allLines.lazy.compactMap { $0.child(name)?.text }.first
        }
        article.headline = line("HeadLine") ?? ""
        article.subheadline = line("SubHeadLine")
        article.byline = line("ByLine")
        article.dateline = line("DateLine")
        article.slugline = line("SlugLine")
        if let keywordLine = line("KeywordLine") { metadata["KeywordLine"] = keywordLine }
        if let credit = line("CreditLine") { metadata["CreditLine"] = credit }
        if let copyright = line("CopyrightLine") { metadata["CopyrightLine"] = copyright }
        for newsLine in item.all("NewsLine") {
            guard let type = newsLine.child("NewsLineType")?[attribute: "FormalName"],
                let text = newsLine.child("NewsLineText")?.text
            else { continue }
            // IPTC's NewsLineType vocabulary: an AdvisoryLine is an advisory to editors.
            if type == "AdvisoryLine" && article.editorNote == nil {
                article.editorNote = text
            } else {
                metadata["NewsLine." + type] = text
            }
        }

        // Administrative and descriptive metadata, wherever the components put it.
        let parties = { (name: String) in
            item.all(name).flatMap { $0.children("Party") }.compactMap { $0[attribute: "FormalName"] }
        }
        let sources = parties("Source")
        let providers = parties("Provider")
        article.source = sources.first ?? providers.first ?? metadata["ProviderId"]
        if !providers.isEmpty { metadata["Provider"] = providers.joined(separator: " ") }
        article.language = item.first("Language")?[attribute: "FormalName"] ?? component?[attribute: "lang"]
        article.genre = item.first("Genre")?[attribute: "FormalName"]
        let subjects = item.all("SubjectCode").flatMap(\.elements).compactMap { $0[attribute: "FormalName"] }
        if !subjects.isEmpty { article.subjects = subjects }
        var keywords: [String] = []
        for property in item.all("Property") {
            guard let name = property[attribute: "FormalName"], let value = property[attribute: "Value"] else {
                continue
            }
            switch name {
            case "Keyword": keywords.append(value)
            case "City": metadata["Location.City"] = value
            default: metadata["Property." + name] = value
            }
        }
        if !keywords.isEmpty { article.keywords = keywords }
        article.datelineDate = WireDate.normalize(item.first("DateLineDate")?.text)

        // The dateline's own place ("BEIJING, July 23") before the origin city of the metadata, which is where
        // the item was filed, not necessarily where the story is from.
        if let dateline = article.dateline { article.datelinePlace = NewsXML.datelinePlace(dateline) }
        if article.datelinePlace == nil { article.datelinePlace = metadata["Location.City"] }
        article.metadata = metadata

        // Body.
        if let content = textContent(in: item) {
            if let nitf = content.child("nitf") { NITFParser.read(nitf, into: &article) }
            if article.paragraphs.isEmpty {
                if let inner = content.elements.first {
                    article.paragraphs = NewsXML.inlineParagraphs(inner)
                } else {
                    article.paragraphs = NewsXML.paragraphs(ofText: content.rawText)
                }
            }
        }
    }

    /// The `DataContent` of the first text `ContentItem`: one whose media type is text (or absent) and whose MIME
    /// type, if given, is textual, with something in it.
    static func textContent(in item: MarkupElement) -> MarkupElement? {
        for contentItem in item.all("ContentItem") {
            let media = contentItem.child("MediaType")?[attribute: "FormalName"]?.lowercased() ?? "text"
            let mime = contentItem.child("MimeType")?[attribute: "FormalName"]?.lowercased() ?? "text/"
            guard media == "text" || media == "complexdata", mime.hasPrefix("text/") || mime.hasSuffix("xml"),
                let data = contentItem.child("DataContent"), !data.elements.isEmpty || data.text != nil
            else { continue }
            return data
        }
        return nil
    }
}
