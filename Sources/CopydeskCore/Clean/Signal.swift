extension Clean {
    /// Why a line was taken for furniture. The description is what `copydesk inspect` prints beside it.
    enum Signal: CustomStringConvertible, Equatable {
        /// The HTML put it in a furniture region (`nav`, `footer`, `aside`, a share bar, outside `article`).
        case region(Role)
        /// Most of its characters are link text (HTML).
        case linkDensity
        /// Several short items between separators (`•`, `|`, `·`, `›`, `»`): a menu or a list of links.
        case separatedList
        /// A short line introducing a list that was taken out ("Off the wire", "Related").
        case listHeading
        /// Digits and punctuation only (`0`, `|`, `---`).
        case noWords
        /// Repeats the headline, perhaps with the site's name.
        case repeatsHeadline
        /// Repeats a field the parser already filled (byline, editor's note, a labelled summary).
        case repeatsField
        /// A date with a few words around it (`11 Feb. 2016 - | Last updated: …`) before or after the text:
        /// read into the dates.
        case dateStamp
        /// `You are here: Home`, `Home › World › Europe`.
        case breadcrumb
        /// A photo credit or caption: starts with `©`, or ends with the site's name as captions do there.
        case caption
        /// A short line whose script is not the text's (a Cyrillic footer under English text).
        case otherScript
        /// A short line of page furniture vocabulary (`Subscribe`, `log in or register`).
        case prompt
        /// Copyright, confidentiality and terms notices near the end.
        case legal
        /// The same paragraph (ten words or more) a second time; shorter repeats are often a table's own.
        case repeatedParagraph
        /// A headline-like line right after a caption: the title of a related story.
        case teaser
        /// A short non-sentence before the first paragraph of running text, where the head shows furniture.
        case beforeText
        /// Lines after the last paragraph of running text that do not end a sentence, where the foot shows
        /// furniture.
        case afterText
        /// A short line between two lines taken out.
        case betweenRemoved
        /// An agency's end-of-story mark (`Endit`, `-30-`).
        case endMark

        var description: String {
            switch self {
            case .region(let role): "page region: \(role.rawValue)"
            case .linkDensity: "mostly links"
            case .separatedList: "list of links or menu items"
            case .listHeading: "heading of a list taken out"
            case .noWords: "no words"
            case .repeatsHeadline: "repeats the headline"
            case .repeatsField: "repeats a field already read"
            case .dateStamp: "date stamp"
            case .breadcrumb: "breadcrumb"
            case .caption: "photo credit or caption"
            case .otherScript: "short line in another script than the text"
            case .prompt: "interface prompt"
            case .legal: "legal notice"
            case .repeatedParagraph: "repeated paragraph"
            case .teaser: "related-story teaser"
            case .beforeText: "short line before the text"
            case .afterText: "after the end of the text"
            case .betweenRemoved: "between lines taken out"
            case .endMark: "end-of-story mark"
            }
        }
    }
}
