import CLibXML2

/// How much markup Copydesk is willing to read. The defaults are far above any wire story (the largest agency file
/// in the test corpora is 56 KB, with under 2,000 elements) and far below what would hurt the daemon.
public struct MarkupLimits: Sendable, Equatable {
    /// Larger input is refused before libxml2 sees it.
    public var maxInputBytes = 16 << 20
    /// Elements nested deeper than this are refused (libxml2's own ceiling is the same, 256).
    public var maxDepth = 256
    /// One attribute value longer than this is refused.
    public var maxAttributeBytes = 64 << 10
    /// Total text, entity expansions included; bounds the memory any document can make us use.
    public var maxTextBytes = 32 << 20
    /// Total elements; a 16 MiB file of `<a/>` would otherwise be four million of them.
    public var maxElements = 200_000
    /// Attributes of one element: XML with more is refused, HTML loses the rest (libxml2's time is quadratic in
    /// them; see ``AttributeScan``).
    public var maxAttributes = 256
    /// Internal entity declarations in the DTD subset.
    public var maxEntityDeclarations = 256
    /// Replacement text of one internal entity.
    public var maxEntityBytes = 64 << 10

    public init() {}

    public static let standard = MarkupLimits()
}

/// Reads XML (and HTML fragments) with libxml2 into a ``MarkupElement`` tree, safely.
///
/// Agency files come from outside, so the reader assumes they may be hostile:
/// - **Nothing is fetched.** `XML_PARSE_NONET`, no DTD loading or validation, no entity substitution by libxml2
///   (`XML_PARSE_NOENT` off), and a `resolveEntity` callback that refuses every external resource, so even a code
///   path that wanted to load one gets nothing.
/// - **Entity declarations are vetted as they are declared**, before anything can reference them: an external
///   general entity (XXE, `<!ENTITY x SYSTEM "file:///etc/passwd">`) is refused; so is an internal parameter entity
///   (`<!ENTITY % …>`, the building block of DTD tricks); an internal entity must be plain text — no `&` and no
///   `<` — which makes nested expansion, the engine of every "billion laughs" bomb, impossible. Both refusals
///   happen at the first bad declaration, in microseconds. An *external* parameter entity that merely names a DTD
///   (Kyodo and ATS write `<!ENTITY % nitf SYSTEM "nitf-3-0.dtd"> %nitf;`) is harmless when never loaded, and is
///   allowed.
/// - **Size is bounded as the parse goes** (``MarkupLimits``): depth, elements, attribute length, total text
///   including entity expansions. The SAX callbacks build the tree, so a limit stops the parser at once rather
///   than after libxml2 has built a tree of its own.
/// - Entities the document uses but never declares (it names an external DTD we do not load) are taken from the
///   XHTML 1.0 set that the NITF and XHTML DTDs declare; unknown ones are kept literally (`&foo;`) rather than
///   dropped.
///
/// The text goes in as UTF-8 and the document's own `encoding=` is ignored (`XML_PARSE_IGNORE_ENC`): charset
/// detection happens once, in ``TextDecoding``, for every format alike.
///
/// libxml2 is safe to use from several threads once `xmlInitParser()` has run, which ``initialized`` does once.
/// `xmlCleanupParser()` is never called: it would pull global state from under any other thread.
public enum MarkupReader {
    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses `text` as an XML document and returns its root element, or why it cannot be read.
    public static func parseXML(_ text: String, limits: MarkupLimits = .standard) -> Result<MarkupElement, RejectReason>
    {
        var text = text
        return text.withUTF8 { parseXML(utf8: $0, limits: limits) }
    }

    /// Parses UTF-8 bytes as an XML document.
    public static func parseXML(
        utf8: UnsafeBufferPointer<UInt8>, limits: MarkupLimits = .standard
    ) -> Result<MarkupElement, RejectReason> {
        guard initialized else { return .failure(RejectReason(.unparsable, "XML parser unavailable")) }
        if utf8.count > limits.maxInputBytes {
            return .failure(
                RejectReason(.unparsable, "XML of \(utf8.count) bytes is over the \(limits.maxInputBytes)-byte limit"))
        }
        if !AttributeScan.excess(utf8, limit: limits.maxAttributes).isEmpty {
            return .failure(RejectReason(.unparsable, "an element with more than \(limits.maxAttributes) attributes"))
        }
        guard let context = xmlNewParserCtxt() else {
            return .failure(RejectReason(.unparsable, "XML parser could not start (out of memory)"))
        }
        defer { xmlFreeParserCtxt(context) }
        let builder = TreeBuilder(limits: limits, context: context, html: false)
        installXMLCallbacks(context.pointee.sax)
        context.pointee._private = Unmanaged.passUnretained(builder).toOpaque()
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                | XML_PARSE_IGNORE_ENC.rawValue
        )
        let document = withExtendedLifetime(builder) {
            utf8.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, "UTF-8", options)
            }
        }
        if let document { xmlFreeDoc(document) }
        if let failure = builder.failure { return .failure(RejectReason(.unparsable, failure)) }
        if context.pointee.wellFormed == 0 { return .failure(RejectReason(.unparsable, describeError(context))) }
        return builder.root().map { .success($0) }
            ?? .failure(RejectReason(.unparsable, "XML document without a root element"))
    }

    /// Parses `text` as HTML with libxml2's forgiving HTML parser (markup carried inside XML as escaped text or
    /// CDATA, such as Ritzau's `<content>` or Solita's `DataContent`). Element names are lowercase; the result is
    /// the `html` element libxml2 implies around a fragment. The same limits apply.
    public static func parseHTML(_ text: String, limits: MarkupLimits = .standard) -> Result<
        MarkupElement, RejectReason
    > {
        guard initialized else { return .failure(RejectReason(.unparsable, "HTML parser unavailable")) }
        var text = text
        return text.withUTF8 { whole in
            if let trimmed = AttributeScan.trimmed(whole, limit: limits.maxAttributes, html: true) {
                return trimmed.withUnsafeBufferPointer { parseHTML(utf8: $0, limits: limits) }
            }
            return parseHTML(utf8: whole, limits: limits)
        }
    }

    private static func parseHTML(utf8: UnsafeBufferPointer<UInt8>, limits: MarkupLimits) -> Result<
        MarkupElement, RejectReason
    > {
        if utf8.count > limits.maxInputBytes {
            return .failure(
                RejectReason(
                    .unparsable, "HTML of \(utf8.count) bytes is over the \(limits.maxInputBytes)-byte limit"))
        }
        guard let context = htmlNewParserCtxt() else {
            return .failure(RejectReason(.unparsable, "HTML parser could not start (out of memory)"))
        }
        defer { htmlFreeParserCtxt(context) }
        let builder = TreeBuilder(limits: limits, context: context, html: true)
        installHTMLCallbacks(context.pointee.sax)
        context.pointee._private = Unmanaged.passUnretained(builder).toOpaque()
        let options = Int32(
            HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue
                | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_IGNORE_ENC.rawValue
        )
        let document = withExtendedLifetime(builder) {
            utf8.withMemoryRebound(to: CChar.self) { chars in
                htmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, "UTF-8", options)
            }
        }
        if let document { xmlFreeDoc(document) }
        if let failure = builder.failure { return .failure(RejectReason(.unparsable, failure)) }
        return .success(builder.root() ?? MarkupElement(name: "html"))
    }

    /// libxml2's last error as a sentence with its position.
    private static func describeError(_ context: xmlParserCtxtPtr) -> String {
        guard let error = xmlCtxtGetLastError(context) else { return "not well-formed XML" }
        var message = MarkupText.collapse(error.pointee.message.map { String(cString: $0) } ?? "unknown error")
        if message.hasPrefix("Excessive depth") {
            message = "elements nested too deep (\(message))"
        }
        if error.pointee.code == XML_ERR_ENTITY_LOOP.rawValue {
            message = "entity expansion refused (\(message))"
        }
        return "not well-formed XML (line \(error.pointee.line), column \(error.pointee.int2)): \(message)"
    }

    // MARK: libxml2 callbacks

    /// Callbacks are C function pointers and capture nothing: each finds its ``TreeBuilder`` through the context's
    /// `_private` field, and ignores events from any context but the one it was made for (libxml2 parses an
    /// entity's text once in a scratch context to check it; those events are not part of the document).
    private static func installXMLCallbacks(_ sax: UnsafeMutablePointer<xmlSAXHandler>) {
        sax.pointee.startElementNs = { context, localName, _, uri, _, _, attributeCount, _, attributes in
            guard let builder = TreeBuilder.owning(context), let localName else { return }
            var list: [MarkupElement.Attribute] = []
            if let attributes, attributeCount > 0 {
                list.reserveCapacity(Int(attributeCount))
                for index in 0..<Int(attributeCount) {
                    let base = index * 5
                    guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4]
                    else { continue }
                    let length = end - start
                    if length > builder.limits.maxAttributeBytes {
                        builder.fail(
                            "attribute '\(String(cString: name))' of <\(String(cString: localName))> is \(length) "
                                + "bytes (limit \(builder.limits.maxAttributeBytes))")
                        return
                    }
                    let raw = UnsafeBufferPointer(start: start, count: max(length, 0))
                    guard let value = builder.attributeValue(raw, name: name, element: localName) else { return }
                    list.append(
                        .init(
                            name: builder.interned(name), namespace: attributes[base + 2].map(builder.interned),
                            value: value))
                }
            }
            builder.start(builder.interned(localName), namespace: uri.map(builder.interned), attributes: list)
        }
        sax.pointee.endElementNs = { context, _, _, _ in
            TreeBuilder.owning(context)?.end()
        }
        sax.pointee.characters = { context, characters, length in
            guard let characters else { return }
            TreeBuilder.owning(context)?.characters(UnsafeBufferPointer(start: characters, count: Int(length)))
        }
        sax.pointee.cdataBlock = sax.pointee.characters
        sax.pointee.ignorableWhitespace = sax.pointee.characters
        sax.pointee.comment = nil
        sax.pointee.processingInstruction = nil
        sax.pointee.externalSubset = nil
        sax.pointee.resolveEntity = { _, _, _ in nil }
        sax.pointee.entityDecl = { context, name, type, publicID, systemID, content in
            guard let builder = TreeBuilder.owning(context), let name else { return }
            if let refusal = builder.vetEntity(String(cString: name), type: type, systemID: systemID, content: content)
            {
                builder.fail(refusal)
                return
            }
            xmlSAX2EntityDecl(context, name, type, publicID, systemID, content)
        }
        sax.pointee.unparsedEntityDecl = { context, name, _, systemID, _ in
            guard let builder = TreeBuilder.owning(context), let name else { return }
            let system = systemID.map { " (SYSTEM \"\(String(cString: $0))\")" } ?? ""
            builder.fail(
                "external entity '\(String(cString: name))' declared\(system): "
                    + "external entities (XXE) are refused, never loaded"
            )
        }
        sax.pointee.reference = { context, name in
            guard let builder = TreeBuilder.owning(context), let name, let context else { return }
            let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
            if let entity = xmlGetDocEntity(parser.pointee.myDoc, name),
                entity.pointee.etype == XML_INTERNAL_GENERAL_ENTITY, let content = entity.pointee.content
            {
                builder.characters(UnsafeBufferPointer(start: content, count: Int(entity.pointee.length)))
                return
            }
            let entityName = String(cString: name)
            if let value = XHTMLEntities.scalars[entityName], let scalar = Unicode.Scalar(value) {
                builder.characters(Array(String(Character(scalar)).utf8))
            } else {
                builder.characters(Array("&\(entityName);".utf8))
            }
        }
    }

    private static func installHTMLCallbacks(_ sax: UnsafeMutablePointer<xmlSAXHandler>) {
        sax.pointee.startElement = { context, name, attributes in
            guard let builder = TreeBuilder.owning(context), let name else { return }
            var list: [MarkupElement.Attribute] = []
            var index = 0
            while let attributes, let attributeName = attributes[index] {
                let value = attributes[index + 1].map { String(cString: $0) } ?? ""
                if value.utf8.count > builder.limits.maxAttributeBytes {
                    builder.fail(
                        "attribute '\(String(cString: attributeName))' is \(value.utf8.count) bytes "
                            + "(limit \(builder.limits.maxAttributeBytes))")
                    return
                }
                list.append(.init(name: String(cString: attributeName).lowercased(), value: value))
                index += 2
            }
            builder.start(String(cString: name).lowercased(), namespace: nil, attributes: list)
        }
        sax.pointee.endElement = { context, _ in
            TreeBuilder.owning(context)?.end()
        }
        sax.pointee.characters = { context, characters, length in
            guard let characters else { return }
            TreeBuilder.owning(context)?.characters(UnsafeBufferPointer(start: characters, count: Int(length)))
        }
        sax.pointee.cdataBlock = sax.pointee.characters
        sax.pointee.ignorableWhitespace = sax.pointee.characters
        sax.pointee.comment = nil
        sax.pointee.processingInstruction = nil
        sax.pointee.resolveEntity = { _, _, _ in nil }
        sax.pointee.externalSubset = nil
    }
}

/// Builds the tree from SAX events and enforces ``MarkupLimits`` as it goes. Lives only for one parse, on the
/// parsing thread.
private final class TreeBuilder {
    let limits: MarkupLimits
    let context: xmlParserCtxtPtr
    let html: Bool
    /// Open elements; the first is a stand-in for the document.
    private var stack: [MarkupElement] = [MarkupElement(name: "#document")]
    private var pendingText: [UInt8] = []
    private var textBytes = 0
    private var elementCount = 0
    private var entityDeclarations = 0
    private(set) var failure: String?

    init(limits: MarkupLimits, context: xmlParserCtxtPtr, html: Bool) {
        self.limits = limits
        self.context = context
        self.html = html
    }

    /// The builder of the parse `context` belongs to, if `context` is that parse's own main context.
    static func owning(_ context: UnsafeMutableRawPointer?) -> TreeBuilder? {
        guard let context else { return nil }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let opaque = parser.pointee._private else { return nil }
        let builder = Unmanaged<TreeBuilder>.fromOpaque(opaque).takeUnretainedValue()
        guard builder.context == parser, builder.failure == nil else { return nil }
        return builder
    }

    /// Strings for names libxml2 has interned in its dictionary (element and attribute names, namespace URIs):
    /// the same pointer is the same name, so each is made into a `String` once per document.
    private var names: [UnsafePointer<xmlChar>: String] = [:]

    func interned(_ name: UnsafePointer<xmlChar>) -> String {
        if let known = names[name] { return known }
        let string = String(cString: name)
        names[name] = string
        return string
    }

    /// Records the first failure and stops libxml2 at once.
    func fail(_ message: String) {
        if failure == nil { failure = message }
        xmlStopParser(context)
    }

    func start(_ name: String, namespace: String?, attributes: [MarkupElement.Attribute]) {
        if stack.count > limits.maxDepth {
            fail("elements nested more than \(limits.maxDepth) deep (at <\(name)>)")
            return
        }
        elementCount += 1
        if elementCount > limits.maxElements {
            fail("more than \(limits.maxElements) elements")
            return
        }
        flushText()
        stack.append(MarkupElement(name: name, namespace: namespace, attributes: attributes))
    }

    func end() {
        flushText()
        guard stack.count > 1 else { return }
        let element = stack.removeLast()
        stack[stack.count - 1].children.append(.element(element))
    }

    func characters<C: Collection<UInt8>>(_ bytes: C) {
        textBytes += bytes.count
        if textBytes > limits.maxTextBytes {
            fail("more than \(limits.maxTextBytes) bytes of text (entity expansions included)")
            return
        }
        pendingText.append(contentsOf: bytes)
    }

    private func flushText() {
        guard !pendingText.isEmpty else { return }
        stack[stack.count - 1].children.append(.text(String(decoding: pendingText, as: UTF8.self)))
        pendingText.removeAll(keepingCapacity: true)
    }

    /// The root element once the parse is over.
    func root() -> MarkupElement? {
        flushText()
        while stack.count > 1 { end() }  // HTML, or a parse stopped early: close what is open.
        return stack[0].elements.first
    }

    /// An attribute value as the document means it. Without entity substitution libxml2 hands attribute values
    /// over half-done, for its own tree builder to finish: `&amp;` as `&#38;`, and references to internal
    /// entities as written. This finishes them — the internal entity's text, an XHTML entity, or the reference
    /// kept literally — within the attribute size limit, so references cannot multiply a value. Nil (and the
    /// parse stopped) if the limit is passed.
    func attributeValue(
        _ raw: UnsafeBufferPointer<UInt8>, name: UnsafePointer<xmlChar>, element: UnsafePointer<xmlChar>
    ) -> String? {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "&"),
                let end = raw[(index + 1)...].prefix(64).firstIndex(of: UInt8(ascii: ";"))
            else {
                out.append(byte)
                index += 1
                continue
            }
            let reference = String(decoding: raw[(index + 1)..<end], as: UTF8.self)
            if reference == "#38" {
                out.append(UInt8(ascii: "&"))
            } else if let entity = reference.withCString({ xmlGetDocEntity(context.pointee.myDoc, $0) }),
                entity.pointee.etype == XML_INTERNAL_GENERAL_ENTITY, let content = entity.pointee.content
            {
                out.append(contentsOf: UnsafeBufferPointer(start: content, count: Int(entity.pointee.length)))
            } else if let value = XHTMLEntities.scalars[reference], let scalar = Unicode.Scalar(value) {
                out.append(contentsOf: String(Character(scalar)).utf8)
            } else {
                out.append(contentsOf: raw[index...end])
            }
            index = end + 1
            if out.count > limits.maxAttributeBytes {
                fail(
                    "attribute '\(String(cString: name))' of <\(String(cString: element))> is over "
                        + "\(limits.maxAttributeBytes) bytes once its entities are expanded")
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why the entity declaration must be refused, or nil if it is safe (see ``MarkupReader``).
    func vetEntity(
        _ name: String, type: Int32, systemID: UnsafePointer<xmlChar>?, content: UnsafeMutablePointer<xmlChar>?
    ) -> String? {
        let system = systemID.map { " (SYSTEM \"\(String(cString: $0))\")" } ?? ""
        switch UInt32(bitPattern: type) {
        case XML_EXTERNAL_GENERAL_PARSED_ENTITY.rawValue, XML_EXTERNAL_GENERAL_UNPARSED_ENTITY.rawValue:
            return "external entity '\(name)' declared\(system): external entities (XXE) are refused, never loaded"
        case XML_INTERNAL_PARAMETER_ENTITY.rawValue:
            return "internal parameter entity '%\(name)' declared: parameter entities are refused"
        case XML_EXTERNAL_PARAMETER_ENTITY.rawValue:
            return nil  // Names a DTD; never loaded (no DTDLOAD, resolveEntity refuses).
        case XML_INTERNAL_GENERAL_ENTITY.rawValue:
            entityDeclarations += 1
            if entityDeclarations > limits.maxEntityDeclarations {
                return "more than \(limits.maxEntityDeclarations) entity declarations"
            }
            let length = content.map { Int(xmlStrlen($0)) } ?? 0
            if length > limits.maxEntityBytes {
                return "entity '\(name)' is \(length) bytes (limit \(limits.maxEntityBytes))"
            }
            if let content {
                let bytes = UnsafeBufferPointer(start: content, count: length)
                if bytes.contains(UInt8(ascii: "&")) {
                    return "entity '\(name)' refers to other entities: nested entity expansion (the 'billion laughs' "
                        + "bomb) is refused"
                }
                if bytes.contains(UInt8(ascii: "<")) {
                    return "entity '\(name)' contains markup: only plain-text entities are accepted"
                }
            }
            return nil
        default:
            return "entity '\(name)' of unknown type \(type) declared"
        }
    }
}
