import CLibXML2

/// A web page read with libxml2's HTML parser and flattened into what an article needs: the title, the
/// `meta` tags, the language, and the text as paragraphs, each with what the markup says about it (how much
/// of it is link text, whether it sits in a `nav`, `footer`, `aside`, share bar or outside the `article`).
///
/// Why libxml2 and not regular expressions: real pages are tag soup (unclosed `p`, stray `</div>`,
/// attributes without quotes), and a real HTML parser repairs them the way browsers do. It runs with
/// `HTML_PARSE_NONET` (nothing fetched), `HTML_PARSE_RECOVER`, no error output, and `HTML_PARSE_IGNORE_ENC`:
/// the text is already decoded (``TextDecoding``), so a stale `<meta charset>` must not re-decode it.
/// The tree is walked without recursion, so deep nesting cannot exhaust the stack.
struct HTMLPage {
    /// One paragraph of text and where it stood.
    struct Paragraph: Equatable {
        var text: String
        /// The element that made the block (`p`, `li`, `h2`, `td` rows as `tr`, …).
        var tag: String
        var linkCharacters: Int
        var links: Int
        var role: Clean.Role?
        var inMain: Bool

        var linkShare: Double { text.isEmpty ? 0 : min(1, Double(linkCharacters) / Double(text.count)) }
        var headingLevel: Int? {
            guard tag.count == 2, tag.first == "h", let level = tag.last?.wholeNumberValue, (1...6).contains(level)
            else { return nil }
            return level
        }
    }

    var title: String?
    var language: String?
    /// `meta` tags as (name or property or itemprop, lowercased; content), in page order.
    var metas: [(key: String, value: String)] = []
    var canonical: String?
    /// `datetime` of the first `time` element in the main content (or the page).
    var time: String?
    var paragraphs: [Paragraph] = []
    /// Whether the page marks its main content (`article`, `main`, `role=main`, `itemprop=articleBody`).
    var hasMain = false

    /// The first `meta` content for any of `keys`, in the order of `keys`.
    func meta(_ keys: String...) -> String? {
        for key in keys {
            if let value = metas.first(where: { $0.key == key })?.value.trimmingSpaces, !value.isEmpty { return value }
        }
        return nil
    }

    /// Every `meta` content for `key`.
    func metas(_ key: String) -> [String] {
        metas.filter { $0.key == key }.map { $0.value.trimmingSpaces }.filter { !$0.isEmpty }
    }

    // MARK: Parsing

    private static let initialized: Void = { xmlInitParser() }()

    static let options = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_IGNORE_ENC.rawValue
    )

    /// Reads `html` (a whole page or a fragment such as a ninjs `body_html`). Never fails: libxml2 recovers
    /// what it can, and a page it cannot read at all has no paragraphs.
    static func parse(_ html: String) -> HTMLPage {
        _ = initialized
        var page = HTMLPage()
        var bytes = Array(html.utf8)
        if let trimmed = bytes.withUnsafeBufferPointer({
            AttributeScan.trimmed($0, limit: MarkupLimits.standard.maxAttributes, html: true)
        }) {
            bytes = trimmed
        }
        guard !bytes.isEmpty, bytes.count < Int(Int32.max) else { return page }
        bytes.append(0)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                htmlReadMemory(pointer, Int32(buffer.count - 1), nil, "UTF-8", options)
            }
        }
        guard let document else { return page }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return page }
        var walker = Walker()
        walker.walk(root, into: &page)
        if page.hasMain {
            for index in page.paragraphs.indices
            where !page.paragraphs[index].inMain && page.paragraphs[index].role == nil {
                page.paragraphs[index].role = .outsideMain
            }
        }
        return page
    }

    /// The text of an HTML fragment as paragraphs (ninjs `body_html`, an HTML-only mail).
    static func paragraphs(ofFragment html: String) -> [String] {
        parse(html).paragraphs.map(\.text)
    }

    // MARK: The walk

    /// Elements that start and end a block of text.
    private static let blockElements: Set<String> = [
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "tfoot", "thead", "tr", "ul", "legend", "option",
    ]
    /// Elements whose content is not text a reader sees.
    private static let skippedElements: Set<String> = [
        "script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object", "embed", "select",
        "button", "textarea", "input", "canvas", "audio", "video", "map",
    ]
    /// Class and id words of furniture regions (as Readability and boilerpipe use them).
    private static let classRoles: [String: Clean.Role] = [
        "nav": .navigation, "navbar": .navigation, "navigation": .navigation, "menu": .navigation,
        "breadcrumb": .navigation, "breadcrumbs": .navigation, "pagination": .navigation, "footer": .footer,
        "sidebar": .aside, "share": .share, "sharing": .share, "social": .share, "related": .related,
        "recommended": .related, "comments": .comments, "comment": .comments, "advert": .advertisement,
        "advertisement": .advertisement, "ad": .advertisement, "ads": .advertisement, "promo": .advertisement,
        "newsletter": .form, "subscribe": .form, "subscription": .form, "cookie": .form, "cookies": .form,
        "caption": .caption, "credit": .caption, "masthead": .header,
    ]

    private struct Walker {
        struct Context {
            var name: String
            var role: Clean.Role?
            var main: Bool
            var link: Bool
            var skip: Bool
            var block: Bool
        }

        var stack: [Context] = []
        var buffer = ""
        var bufferLinks = 0
        var bufferLinkCharacters = 0
        var bufferTag = "p"
        // Counts of open elements with each property, so a text node costs O(1) however deep it sits.
        var roles: [Clean.Role] = []
        var mainDepth = 0
        var linkDepth = 0
        var skipDepth = 0

        var role: Clean.Role? { roles.last }
        var inMain: Bool { mainDepth > 0 }
        var inLink: Bool { linkDepth > 0 }
        var skipping: Bool { skipDepth > 0 }

        mutating func walk(_ root: xmlNodePtr, into page: inout HTMLPage) {
            var node: xmlNodePtr? = root
            while let current = node {
                var descend = false
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    descend = enter(current, page: &page)
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if !skipping, let content = current.pointee.content {
                        let text = String(cString: content)
                        buffer += text
                        if inLink { bufferLinkCharacters += text.collapsingSpaces.count }
                    }
                default:
                    break
                }
                if descend, let child = current.pointee.children {
                    node = child
                    continue
                }
                if current.pointee.type == XML_ELEMENT_NODE && descend { exit(page: &page) }
                // Next sibling, or climb until an ancestor has one, closing the elements left.
                var climbing: xmlNodePtr? = current
                node = nil
                while let here = climbing {
                    if here == root { break }
                    if let next = here.pointee.next {
                        node = next
                        break
                    }
                    climbing = here.pointee.parent
                    if let parent = climbing, parent.pointee.type == XML_ELEMENT_NODE { exit(page: &page) }
                    if climbing == root { break }
                }
            }
            flush(into: &page)
        }

        /// Opens an element; false when its content is not walked (skipped, or empty).
        mutating func enter(_ node: xmlNodePtr, page: inout HTMLPage) -> Bool {
            let name = node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
            let attributes = Self.attributes(node)
            if name == "meta" {
                let key = (attributes["name"] ?? attributes["property"] ?? attributes["itemprop"])?.lowercased()
                if let key, let content = attributes["content"] { page.metas.append((key, content)) }
                if let equiv = attributes["http-equiv"]?.lowercased(), equiv == "content-language",
                    let content = attributes["content"]
                {
                    page.metas.append(("content-language", content))
                }
                return false
            }
            if name == "title", page.title == nil {
                page.title = Self.text(of: node).collapsingSpaces
                return false
            }
            if name == "link", attributes["rel"]?.lowercased() == "canonical" { page.canonical = attributes["href"] }
            if name == "html", let lang = attributes["lang"] ?? attributes["xml:lang"] { page.language = lang }
            if name == "time", page.time == nil || (inMain && !page.hasMain), let datetime = attributes["datetime"] {
                page.time = datetime
            }
            if name == "br" {
                buffer += "\u{2028}"
                return false
            }
            if name == "td" || name == "th" { buffer += " " }
            guard node.pointee.children != nil else {
                if HTMLPage.blockElements.contains(name) { flush(into: &page) }
                return false
            }
            let block = HTMLPage.blockElements.contains(name)
            if block { flush(into: &page) }
            let main =
                name == "article" || name == "main" || attributes["role"]?.lowercased() == "main"
                || attributes["itemprop"]?.lowercased() == "articlebody"
            if main { page.hasMain = true }
            let link = name == "a" && attributes["href"] != nil
            if link && !skipping { bufferLinks += 1 }
            let skip =
                HTMLPage.skippedElements.contains(name) || attributes["hidden"] != nil
                || attributes["aria-hidden"]?.lowercased() == "true"
            let context = Context(
                name: name, role: main ? nil : Self.role(of: name, attributes, inMain: inMain), main: main,
                link: link, skip: skip, block: block
            )
            stack.append(context)
            if let role = context.role { roles.append(role) }
            if main { mainDepth += 1 }
            if link { linkDepth += 1 }
            if skip { skipDepth += 1 }
            if block { bufferTag = name }
            return true
        }

        /// Closes the innermost element; its block is flushed while its role still applies.
        mutating func exit(page: inout HTMLPage) {
            guard let context = stack.last else { return }
            if context.block { flush(into: &page, tag: context.name) }
            stack.removeLast()
            if context.role != nil { roles.removeLast() }
            if context.main { mainDepth -= 1 }
            if context.link { linkDepth -= 1 }
            if context.skip { skipDepth -= 1 }
        }

        /// Ends the current block: its text becomes one paragraph (or several, where `<br><br>` separated
        /// them), whitespace collapsed.
        mutating func flush(into page: inout HTMLPage, tag: String? = nil) {
            defer {
                buffer = ""
                bufferLinks = 0
                bufferLinkCharacters = 0
            }
            guard buffer.contains(where: { !$0.isWhitespace }) else { return }
            let pieces = buffer.components(separatedByLineBreakRuns: 2)
            let share = Double(bufferLinkCharacters) / Double(max(1, buffer.collapsingSpaces.count))
            for piece in pieces {
                let text = piece.collapsingSpaces
                guard !text.isEmpty else { continue }
                page.paragraphs.append(
                    Paragraph(
                        text: text, tag: tag ?? bufferTag, linkCharacters: Int(share * Double(text.count)),
                        links: bufferLinks, role: role, inMain: inMain
                    ))
            }
        }

        static func role(of name: String, _ attributes: [String: String], inMain: Bool) -> Clean.Role? {
            switch name {
            case "nav", "menu": return .navigation
            case "footer": return .footer
            case "aside": return .aside
            case "form": return .form
            case "figcaption": return .caption
            case "header": return inMain ? nil : .header
            case "body", "html": return nil
            default: break
            }
            switch attributes["role"]?.lowercased() {
            case "navigation", "menubar", "menu": return .navigation
            case "banner": return .header
            case "contentinfo": return .footer
            case "complementary": return .aside
            case "search": return .form
            default: break
            }
            let words = ((attributes["class"] ?? "") + " " + (attributes["id"] ?? "")).lowercased()
                .split(whereSeparator: { !$0.isLetter })
            for word in words {
                if let role = HTMLPage.classRoles[String(word)] { return role }
            }
            return nil
        }

        static func attributes(_ node: xmlNodePtr) -> [String: String] {
            var result: [String: String] = [:]
            var attribute = node.pointee.properties
            var count = 0
            while let current = attribute, count < 64 {
                count += 1
                if let name = current.pointee.name {
                    let key = String(cString: name).lowercased()
                    var value = ""
                    var child = current.pointee.children
                    while let text = child {
                        if let content = text.pointee.content { value += String(cString: content) }
                        child = text.pointee.next
                    }
                    if result[key] == nil { result[key] = value }
                }
                attribute = current.pointee.next
            }
            return result
        }

        /// The text directly inside `node` (for `title`, whose content is only text).
        static func text(of node: xmlNodePtr) -> String {
            var result = ""
            var child = node.pointee.children
            while let current = child {
                if let content = current.pointee.content { result += String(cString: content) }
                child = current.pointee.next
            }
            return result
        }
    }
}

extension String {
    /// Splits at runs of at least `run` line separators (U+2028, as `<br>` is recorded); shorter runs
    /// become spaces.
    func components(separatedByLineBreakRuns run: Int) -> [String] {
        var pieces: [String] = []
        var current = ""
        var breaks = 0
        for character in self {
            if character == "\u{2028}" {
                breaks += 1
                continue
            }
            if breaks > 0 {
                if breaks >= run {
                    pieces.append(current)
                    current = ""
                } else {
                    current.append(" ")
                }
                breaks = 0
            }
            current.append(character)
        }
        pieces.append(current)
        return pieces
    }
}
