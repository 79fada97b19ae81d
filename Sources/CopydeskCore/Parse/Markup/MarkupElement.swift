/// An element of a parsed XML or HTML document, as plain Swift values.
///
/// ``MarkupReader`` turns libxml2's parse into this tree and lets go of every C pointer before it returns, so the
/// parsers work on values that cannot dangle, leak or be shared unsafely, and can be tested without libxml2.
///
/// Names are matched by *local* name and, where it matters, by namespace URI — never by prefix: `ns0:newsItem`,
/// `newsItem` in a default namespace and `g2:newsItem` are the same element, as the Namespaces in XML
/// recommendation says. HTML elements have no namespace and lowercase names.
public struct MarkupElement: Sendable, Equatable {
    /// The local name (`newsItem`, `hl1`, `p`).
    public var name: String
    /// The namespace URI, or nil for none.
    public var namespace: String?
    public var attributes: [Attribute]
    public var children: [MarkupContent]

    public struct Attribute: Sendable, Equatable {
        /// The local name (`lang` for `xml:lang`).
        public var name: String
        public var namespace: String?
        public var value: String

        public init(name: String, namespace: String? = nil, value: String) {
            self.name = name
            self.namespace = namespace
            self.value = value
        }
    }

    public init(
        name: String, namespace: String? = nil, attributes: [Attribute] = [], children: [MarkupContent] = []
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
    }

    /// The value of the first attribute with local name `name`, in any namespace.
    public subscript(attribute name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The child elements, in order.
    public var elements: [MarkupElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The first child element named `name` (compared without case when `caseInsensitive`).
    public func child(_ name: String, caseInsensitive: Bool = false) -> MarkupElement? {
        for case .element(let element) in children where Self.matches(element.name, name, caseInsensitive) {
            return element
        }
        return nil
    }

    /// The child elements named `name`.
    public func children(_ name: String, caseInsensitive: Bool = false) -> [MarkupElement] {
        elements.filter { Self.matches($0.name, name, caseInsensitive) }
    }

    /// The element at a path of child names (`["head", "docdata", "doc-id"]`).
    public func child(path: [String]) -> MarkupElement? {
        var current = self
        for name in path {
            guard let next = current.child(name) else { return nil }
            current = next
        }
        return current
    }

    /// The first descendant (depth first, document order, not `self`) named `name`.
    public func first(_ name: String, caseInsensitive: Bool = false) -> MarkupElement? {
        for case .element(let element) in children {
            if Self.matches(element.name, name, caseInsensitive) { return element }
            if let found = element.first(name, caseInsensitive: caseInsensitive) { return found }
        }
        return nil
    }

    /// Every descendant named `name`, in document order; a match's own descendants are searched too.
    public func all(_ name: String, caseInsensitive: Bool = false) -> [MarkupElement] {
        var found: [MarkupElement] = []
        collect(name, caseInsensitive: caseInsensitive, into: &found)
        return found
    }

    private func collect(_ name: String, caseInsensitive: Bool, into found: inout [MarkupElement]) {
        for case .element(let element) in children {
            if Self.matches(element.name, name, caseInsensitive) { found.append(element) }
            element.collect(name, caseInsensitive: caseInsensitive, into: &found)
        }
    }

    /// All text inside, as written (entities decoded, nothing collapsed).
    public var rawText: String {
        var text = ""
        appendText(to: &text)
        return text
    }

    private func appendText(to text: inout String) {
        for child in children {
            switch child {
            case .text(let string): text += string
            case .element(let element): element.appendText(to: &text)
            }
        }
    }

    /// All text inside with runs of whitespace collapsed to one space and the ends trimmed; nil when that leaves
    /// nothing, so `element?.text ?? fallback` reads naturally.
    public var text: String? {
        let collapsed = MarkupText.collapse(rawText)
        return collapsed.isEmpty ? nil : collapsed
    }

    private static func matches(_ candidate: String, _ name: String, _ caseInsensitive: Bool) -> Bool {
        caseInsensitive ? candidate.lowercased() == name.lowercased() : candidate == name
    }
}

/// What an element contains: elements and runs of text, in document order.
public enum MarkupContent: Sendable, Equatable {
    case element(MarkupElement)
    case text(String)
}
