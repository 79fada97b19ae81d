/// Reads NITF 3.x (News Industry Text Format), with or without the `http://iptc.org/std/NITF/2006-10-18/`
/// namespace: AAP, AP, EFE, PA, NTB and CP all send it, and NewsML envelopes carry it as their body.
///
/// Where things are in NITF:
/// - `head`: `title`; `meta name= content=` (AAP's ANPA fields: `anpa-keyword` is the slugline, `anpa-takekey` the
///   take key); `tobject` (`tobject.subject@tobject.subject.refnum` subject codes, `tobject.property` the genre);
///   `docdata` (`doc-id@id-string` the item id, `urgency@ed-urg`, `date.issue@norm`, `date.release@norm`,
///   `ed-msg@info` the editor's note, `key-list/keyword` keywords, `du-key` the story key and its version);
///   `pubdata@date.publication`.
/// - `body.head`: `hedline/hl1` headline and `hl2` subheadline, `byline` (without its `byttl` job title),
///   `dateline` (`location`, `story.date`), `abstract`, `distributor`.
/// - `body.content`: the paragraphs (`p`, `hl2`, `block`, lists, tables); `body.end`: tagline.
///
/// `date.issue` is when this version was issued; NITF has no separate first-creation time, so it fills both
/// ``Article/created`` and ``Article/versionCreated`` (a `revision-history@norm` overrides the latter).
/// Every `meta` and `docdata` value not mapped to a field is kept in ``Article/metadata``.
public struct NITFParser: ArticleParser {
    public var format: InputFormat { .nitf }

    public init() {}

    public func parse(_ input: ParserInput) -> Result<Article, RejectReason> {
        NewsXML.root(input, format: "NITF").flatMap { root in
            guard root.name == "nitf" else {
                return .failure(RejectReason(.unparsable, "NITF: root element is <\(root.name)>, not <nitf>"))
            }
            var article = Article(headline: "", paragraphs: [])
            Self.read(root, into: &article)
            return NewsXML.finish(article, format: "NITF")
        }
    }

    /// Fills the fields of `article` that are still empty from the `nitf` element, and its paragraphs if it has
    /// none: NewsML envelopes fill their own metadata first and let the NITF body complete it.
    static func read(_ nitf: MarkupElement, into article: inout Article) {
        var metadata = article.metadata ?? [:]
        let head = nitf.child("head")
        let docdata = head?.child("docdata")
        let bodyHead = nitf.child("body")?.child("body.head")

        // Head: meta fields.
        var metas: [String: String] = [:]
        for meta in head?.children("meta") ?? [] {
            guard let name = meta[attribute: "name"], let content = meta[attribute: "content"] else { continue }
            metas[name] = content
        }
        if article.slugline == nil { article.slugline = NewsXML.first(metas["anpa-keyword"], metas["slugline"]) }
        if article.takeKey == nil { article.takeKey = NewsXML.first(metas["anpa-takekey"]) }
        for (name, content) in metas where !["anpa-keyword", "anpa-takekey"].contains(name) {
            metadata["meta." + name] = content
        }
        if let title = head?.child("title")?.text { metadata["title"] = title }

        // Subjects and genre.
        let subjects = head?.all("tobject.subject").compactMap { $0[attribute: "tobject.subject.refnum"] } ?? []
        if article.subjects == nil, !subjects.isEmpty { article.subjects = subjects }
        if article.genre == nil { article.genre = head?.first("tobject.property")?[attribute: "tobject.property.type"] }
        if let type = head?.child("tobject")?[attribute: "tobject.type"] { metadata["tobject.type"] = type }

        // Docdata.
        if let docdata {
            if article.itemID == nil { article.itemID = docdata.child("doc-id")?[attribute: "id-string"] }
            if let source = docdata.child("doc-id")?[attribute: "regsrc"] { metadata["doc-id.regsrc"] = source }
            let issued = WireDate.normalize(docdata.child("date.issue")?[attribute: "norm"])
            if article.created == nil { article.created = issued }
            if article.versionCreated == nil {
                article.versionCreated =
                    WireDate.normalize(head?.all("revision-history").last?[attribute: "norm"])
                    ?? issued
            }
            if article.published == nil {
                article.published = WireDate.normalize(docdata.child("date.release")?[attribute: "norm"])
            }
            if let expire = docdata.child("date.expire")?[attribute: "norm"] { metadata["date.expire"] = expire }
            if article.editorNote == nil { article.editorNote = docdata.child("ed-msg")?[attribute: "info"] }
            if let status = docdata[attribute: "management-status"] { metadata["management-status"] = status }
            let keywords = docdata.child("key-list")?.children("keyword").compactMap { $0[attribute: "key"] ?? $0.text }
            if article.keywords == nil, let keywords, !keywords.isEmpty { article.keywords = keywords }
            if let key = docdata.child("du-key") {
                if let value = key[attribute: "key"] { metadata["du-key"] = value }
                if article.version == nil { article.version = key[attribute: "version"] }
            }
            for scope in docdata.children("doc-scope") {
                if let value = scope[attribute: "scope"] { metadata["doc-scope", default: ""] += value + " " }
            }
            if let copyright = docdata.child("doc.copyright") {
                metadata["doc.copyright"] = [copyright[attribute: "holder"], copyright[attribute: "year"]]
                    .compactMap { $0 }.joined(separator: " ")
            }
            if let origin = docdata.first("from-src")?[attribute: "src-name"] { metadata["from-src"] = origin }
            if let city = docdata.child("evloc")?[attribute: "city"] { metadata["evloc.city"] = city }
        }
        if article.urgency == nil { article.urgency = NewsXML.integer(head?.first("urgency")?[attribute: "ed-urg"]) }
        if article.published == nil {
            article.published = WireDate.normalize(head?.child("pubdata")?[attribute: "date.publication"])
        }

        // Body head.
        if let bodyHead {
            let hedline = bodyHead.child("hedline")
            if article.headline.isEmpty { article.headline = hedline?.child("hl1")?.text ?? "" }
            if article.subheadline == nil { article.subheadline = hedline?.child("hl2")?.text }
            if article.byline == nil, let byline = bodyHead.child("byline") {
                article.byline = Self.text(byline, without: "byttl")
                if let title = byline.child("byttl")?.text { metadata["byline.byttl"] = title }
            }
            if let dateline = bodyHead.child("dateline") { Self.readDateline(dateline, into: &article) }
            if article.summary == nil, let abstract = bodyHead.child("abstract") {
                article.summary = NewsXML.paragraphs(of: abstract).joined(separator: " ")
            }
            if let distributor = bodyHead.child("distributor")?.text { metadata["distributor"] = distributor }
            if let owner = bodyHead.first("rights.owner")?.text { metadata["rights.owner"] = owner }
        }
        if article.datelinePlace == nil, let city = docdata?.child("evloc")?[attribute: "city"] {
            article.datelinePlace = city
        }
        if article.source == nil {
            article.source = NewsXML.first(
                metadata["distributor"], metadata["doc-id.regsrc"], metadata["from-src"], metadata["rights.owner"],
                metas["aap-source"], docdata?.child("doc.copyright")?[attribute: "holder"]
            )
        }
        if article.headline.isEmpty, let title = metadata["title"] { article.headline = title }
        if article.language == nil { article.language = nitf[attribute: "baselang"] ?? nitf[attribute: "lang"] }

        // Body.
        if article.paragraphs.isEmpty, let content = nitf.child("body")?.child("body.content") {
            article.paragraphs = MarkupText.paragraphs(of: content)
        }
        if let end = nitf.child("body")?.child("body.end")?.text { metadata["body.end"] = end }
        article.metadata = metadata.isEmpty ? nil : metadata
    }

    /// A dateline is free text (`SYDNEY March 22 AAP -`) or structured (`location/city`, `story.date`).
    private static func readDateline(_ dateline: MarkupElement, into article: inout Article) {
        let storyDate = dateline.child("story.date")
        if article.dateline == nil { article.dateline = text(dateline, without: "story.date") }
        if article.datelinePlace == nil, let location = dateline.child("location") {
            article.datelinePlace = location.first("city")?.text ?? location.text
        }
        if article.datelineDate == nil, let storyDate {
            article.datelineDate = WireDate.normalize(storyDate[attribute: "norm"]) ?? storyDate.text
        }
    }

    /// The collapsed text of `element` leaving out the children named `excluded`.
    private static func text(_ element: MarkupElement, without excluded: String) -> String? {
        var copy = element
        copy.children.removeAll { if case .element(let child) = $0 { child.name == excluded } else { false } }
        return copy.text
    }
}
