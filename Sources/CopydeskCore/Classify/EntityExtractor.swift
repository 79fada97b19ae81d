#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the people, organisations and places a story names, and how often, the way an editor skims: known names
/// from a small gazetteer (countries, capitals and major cities, major organisations and their acronyms), people
/// from the titles before their names ("Secretary General Jens Stoltenberg", "President", "Mr.") or the verb after
/// them ("… Juncker said"), and organisations from the word that ends their names ("… Council", "… Ministry").
///
/// A short form counts for the full name it belongs to ("Stoltenberg" → "Jens Stoltenberg", "EU" → "European
/// Union"). Case-sensitive on purpose: "US" is a country, "us" is not.
public struct EntityExtractor: Sendable {
    public static let standard = EntityExtractor(gazetteer: defaultGazetteer)

    /// At most this many entities are reported, most mentioned first.
    public static let limit = 25

    struct Entry: Sendable {
        var tokens: [String]
        var name: String
        var type: Entity.EntityType
        /// `tokens` as UTF-8 bytes, compared with a story's tokens in place.
        var words: [[UInt8]] = []
        /// Row of `name` in ``EntityExtractor/canonicalNames`` (aliases share their canonical name's row).
        var nameID = 0

        init(tokens: [String], name: String, type: Entity.EntityType) {
            self.tokens = tokens
            self.name = name
            self.type = type
            words = tokens.map { Array($0.utf8) }
        }
    }

    /// First token → entries starting with it, longest first.
    let entries: [String: [Entry]]
    /// The gazetteer's canonical names as UTF-8, by ``Entry/nameID``.
    let canonicalNames: [[UInt8]]

    /// Lines `place|org: Name[=Alias=Alias]; …`.
    public init(gazetteer: String) {
        var entries: [String: [Entry]] = [:]
        for line in gazetteer.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let type: Entity.EntityType = line[..<colon] == "org" ? .organisation : .place
            for item in line[line.index(after: colon)...].split(separator: ";") {
                let names = item.split(separator: "=").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
                guard let canonical = names.first else { continue }
                for name in names {
                    let tokens = name.split(separator: " ").map(String.init)
                    entries[tokens[0], default: []].append(Entry(tokens: tokens, name: canonical, type: type))
                }
            }
        }
        for key in entries.keys { entries[key]!.sort { $0.tokens.count > $1.tokens.count } }
        // Canonical names numbered in sorted order (any fixed order would do: only equality is asked of them).
        let canonical = Set(entries.values.joined().map(\.name)).sorted()
        let canonicalRows = Dictionary(uniqueKeysWithValues: canonical.enumerated().map { ($1, $0) })
        for key in entries.keys {
            for position in entries[key]!.indices {
                entries[key]![position].nameID = canonicalRows[entries[key]![position].name]!
            }
        }
        canonicalNames = canonical.map { Array($0.utf8) }
        self.entries = entries
        // Every word the extractor has an opinion about, once, with all its roles: one lookup per token instead
        // of a `Set<String>` or `Dictionary` probe (SipHash over the word) per role asked about.
        var words: [String: Word] = [:]
        func mark(_ set: Set<String>, _ role: Word.Roles) {
            for word in set { words[word, default: Word(text: word)].roles.insert(role) }
        }
        mark(Self.titles, .title)
        mark(Self.personalTitles, .personalTitle)
        mark(Self.organisationEnds, .organisationEnd)
        mark(Self.speechVerbs, .speechVerb)
        mark(Self.starters, .starter)
        for (first, candidates) in entries where !candidates.isEmpty {
            words[first, default: Word(text: first)].entries = candidates
        }
        var table = KeyTable()
        var lexicon: [Word] = []
        for word in words.values.sorted(by: { $0.text < $1.text }) {
            let key = Self.key(Array(word.text.utf8))
            // Two words with one 64-bit key: keep the first; the second is then never found, which the equality
            // check at lookup makes safe (a miss, never a wrong word). Does not happen with the built-in lists.
            guard table[key] == nil else { continue }
            table.insert(key, Int32(lexicon.count))
            lexicon.append(word)
        }
        self.lexiconTable = table
        self.lexicon = lexicon
        lexiconRoles = lexicon.map(\.roles)
        lexiconBytes = lexicon.map { Array($0.text.utf8) }
        var shapes = [UInt32](repeating: 0, count: 256)
        for word in lexicon {
            if let first = word.text.utf8.first { shapes[Int(first)] |= Self.lengthBit(word.text.utf8.count) }
        }
        lexiconShapes = shapes
        lexiconHasEntries = lexicon.map { !$0.entries.isEmpty }
    }

    /// A word of the lexicon: its roles, and the gazetteer names starting with it (longest first).
    struct Word: Sendable {
        struct Roles: OptionSet, Sendable {
            let rawValue: UInt8
            static let title = Roles(rawValue: 1)
            static let personalTitle = Roles(rawValue: 2)
            static let organisationEnd = Roles(rawValue: 4)
            static let speechVerb = Roles(rawValue: 8)
            static let starter = Roles(rawValue: 16)
        }

        var text: String
        var roles: Roles = []
        var entries: [Entry] = []
    }

    /// FNV-1a key of a word's UTF-8 bytes → row in `lexicon`.
    let lexiconTable: KeyTable
    let lexicon: [Word]
    /// `lexicon`'s roles and words as bytes, apart: asking a token's roles read (and retained) the whole `Word`,
    /// and comparing with a `String`'s UTF-8 view went through the generic collection path.
    let lexiconRoles: [Word.Roles]
    let lexiconBytes: [[UInt8]]
    /// Per first byte, the lengths of the lexicon words starting with it (``lengthBit(_:)``). A token needs its
    /// key only to be looked up in the lexicon or, when capitalised, to be counted as part of a name; a lookup
    /// can only find a word of the token's first byte and length, and most words of a story have neither
    /// ("the", "of", "market"): hashing them was a third of the tokenizer's time. (The first byte alone let
    /// every "s…" and "t…" word through, for "said" and "told".)
    let lexiconShapes: [UInt32]

    /// A length's bit in ``lexiconShapes``; lengths of 31 bytes and more share the last one.
    @inline(__always)
    static func lengthBit(_ length: Int) -> UInt32 { 1 << UInt32(min(length, 31)) }
    /// Whether a lexicon word starts a gazetteer name.
    let lexiconHasEntries: [Bool]

    /// A token's key: FNV-1a of its bytes, never 0 (the table's empty mark).
    static func key<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash == 0 ? 1 : hash
    }

    /// The lexicon row of `token`, or -1. Keys and bytes are the UTF-8 as written: a name in decomposed form
    /// (e + U+0301) does not match its precomposed entry (news copy is NFC).
    @inline(__always)
    func lexiconRow(_ token: Token, in text: Text) -> Int {
        guard token.key != 0, let row = lexiconTable[token.key] else { return -1 }
        let word = lexiconBytes[Int(row)]
        guard token.end - token.start == word.count,
            word.withUnsafeBufferPointer({ memcmp($0.baseAddress!, text.bytes.baseAddress! + token.start, $0.count) == 0 })
        else { return -1 }
        return Int(row)
    }

    static let titles: Set<String> = [
        "President", "Vice-President", "Minister", "Prime", "Chancellor", "Secretary", "Secretary-General", "General",
        "King", "Queen", "Prince", "Princess", "Pope", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sir",
        "Dame", "Lord", "Senator", "Sen.", "Governor", "Gov.", "Ambassador", "Commissioner", "Representative",
        "Spokesman", "Spokeswoman", "Spokesperson", "Chairman", "Chairwoman", "Director", "Admiral", "Colonel",
        "Captain", "Lieutenant", "Mayor", "Premier", "Sheikh", "Emir", "Judge", "Justice", "Chief", "Commander",
        "Leader", "Foreign", "Defence", "Defense", "Envoy", "CEO", "Rev.", "Professor", "Prof.", "Coach", "Manager",
    ]
    /// Titles that name a role on their own; the others ("Foreign", "Chief") only help a longer title.
    static let personalTitles: Set<String> = [
        "President", "Minister", "Chancellor", "Secretary", "Secretary-General", "General", "King", "Queen", "Prince",
        "Princess", "Pope", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sir", "Dame", "Lord", "Senator",
        "Sen.", "Governor", "Gov.", "Ambassador", "Commissioner", "Spokesman", "Spokeswoman", "Spokesperson",
        "Chairman", "Chairwoman", "Director", "Admiral", "Colonel", "Captain", "Lieutenant", "Mayor", "Premier",
        "Sheikh", "Emir", "Judge", "Envoy", "CEO", "Rev.", "Professor", "Prof.", "Coach", "Manager", "Representative",
    ]
    static let organisationEnds: Set<String> = [
        "Ministry", "Council", "Commission", "Parliament", "Agency", "Organization", "Organisation", "Bank", "Party",
        "Union", "Alliance", "Fund", "Court", "Committee", "Institute", "Group", "Company", "Corporation", "Corp",
        "Inc", "Ltd", "Plc", "Association", "Federation", "Authority", "Office", "Department", "Assembly", "Army",
        "Navy", "Force", "Forces", "Police", "University", "Foundation", "Mission", "Coalition", "Congress", "Senate",
        "Service", "Board", "League", "Club",
    ]
    static let speechVerbs: Set<String> = ["said", "says", "told", "added", "stressed", "noted", "warned", "stated"]
    /// Capitalised because they start a sentence, not because they name something.
    static let starters: Set<String> = [
        "The", "A", "An", "In", "On", "At", "But", "And", "Or", "He", "She", "It", "They", "We", "I", "You", "This",
        "That", "These", "Those", "His", "Her", "Its", "Their", "Our", "As", "For", "With", "By", "From", "To", "Of",
        "If", "When", "While", "After", "Before", "Today", "Tonight", "Yesterday", "Tomorrow", "Earlier", "Later",
        "Also", "So", "Because", "However", "Meanwhile", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
        "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December", "There", "Here", "What", "Why", "How", "Let", "Thank", "Good", "Mr",
        "Not", "No", "Subscribe", "Read", "More", "Home",
    ]

    /// A word of the story: where its bytes are, its key, its case and whether punctuation follows it. No
    /// `String` is made per word (that was a third of the extractor's time); names are made from the bytes once
    /// a run of words is found to be one.
    struct Token {
        var start: Int
        var end: Int
        var capitalised: Bool
        /// Punctuation after it ends a name (comma, full stop, quote, bracket…).
        var breakAfter: Bool
        /// ``EntityExtractor/key(_:)`` of its bytes, or 0 when no lexicon word has its first byte and length and
        /// it is not capitalised (then nothing looks it up).
        var key: UInt64
    }

    /// The story's bytes (headline, then body) that tokens point into.
    struct Text {
        let bytes: UnsafeBufferPointer<UInt8>

        func string(_ token: Token) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]), as: UTF8.self)
        }

        @inline(__always)
        func equalTokens(_ a: Token, _ b: Token) -> Bool {
            let length = a.end - a.start
            return length == b.end - b.start
                && memcmp(bytes.baseAddress! + a.start, bytes.baseAddress! + b.start, length) == 0
        }

        @inline(__always)
        func equals<C: Collection>(_ token: Token, _ word: C) -> Bool where C.Element == UInt8 {
            token.end - token.start == word.count && bytes[token.start..<token.end].elementsEqual(word)
        }
    }

    /// The entities of `article`'s headline and body. Headlines are often in Title Case, so only known names are
    /// taken from them; titles and name endings are read in the body.
    public func extract(_ article: Article) -> [Entity] {
        let text = ArticleText(article)
        return text.bytes.withUnsafeBufferPointer {
            extract($0, headlineEnd: text.headlineEnd, bodyStart: min(text.headlineEnd + 2, $0.count))
        }
    }

    public func extract(_ text: String, headline: String = "") -> [Entity] {
        var bytes = Array(headline.utf8)
        let headlineEnd = bytes.count
        bytes.append(contentsOf: text.utf8)
        return bytes.withUnsafeBufferPointer { extract($0, headlineEnd: headlineEnd, bodyStart: headlineEnd) }
    }

    /// The entities of a UTF-8 buffer holding the headline (`..<headlineEnd`) and the body (`bodyStart...`);
    /// paragraphs may be separated by one line break or several.
    func extract(_ buffer: UnsafeBufferPointer<UInt8>, headlineEnd: Int, bodyStart: Int) -> [Entity] {
        let (tokens, headlineCount) = tokens(buffer, headlineEnd: headlineEnd, bodyStart: bodyStart)
        let text = Text(bytes: buffer)
        return extractByNames(text, tokens: tokens, headlineCount: headlineCount)
            ?? extractByStrings(text, tokens: tokens, headlineCount: headlineCount)
    }

    /// Which tokenizer ``tokens(_:headlineEnd:bodyStart:tokenizer:)`` runs: for tests comparing the two.
    enum Tokenizer {
        /// ``tokenize(_:_:into:)``: plain ASCII words appended where they end.
        case plainWords
        /// ``tokenizeByFlush(_:_:into:)``, the reference: every token through ``TokenBuilder/flush(_:_:breaking:)``.
        case byFlush
    }

    /// The tokens of the headline (`..<headlineEnd`) and the body (`bodyStart...`), and how many are the
    /// headline's.
    ///
    /// Written into an array allocated once for as many tokens as the text can hold (a token is at least one
    /// byte, and one byte that is in no token follows it), so adding one is a store: `append` asked the array's
    /// uniqueness through a runtime call for each of a story's ~500 tokens.
    func tokens(
        _ buffer: UnsafeBufferPointer<UInt8>, headlineEnd: Int, bodyStart: Int, tokenizer: Tokenizer = .plainWords
    ) -> (tokens: [Token], headlineCount: Int) {
        let capacity = (headlineEnd + 1) / 2 + (buffer.count - bodyStart + 1) / 2
        var headlineCount = 0
        let tokens = [Token](unsafeUninitializedCapacity: capacity) { storage, count in
            var builder = TokenBuilder(lexiconShapes: lexiconShapes, storage: storage)
            let tokenize = tokenizer == .plainWords ? Self.tokenize : Self.tokenizeByFlush
            tokenize(buffer, 0..<headlineEnd, &builder)
            // The headline's last word ends a name: the body is another paragraph.
            if builder.count > 0 { storage[builder.count - 1].breakAfter = true }
            headlineCount = builder.count
            tokenize(buffer, bodyStart..<buffer.count, &builder)
            count = builder.count
        }
        return (tokens, headlineCount)
    }

    /// The names of one story as UTF-8, end to end, each with its FNV-1a hash: a name is compared, hashed and
    /// ordered on its bytes, and a `String` is made only for the entities reported (at most ``limit``). The old
    /// path made a `String` per candidate name and kept them in `Set`s and `Dictionary`s (half the extractor's
    /// instructions).
    struct NameArena {
        struct Name {
            var start: Int32
            var count: Int32
            var hash: UInt64
            /// The tokens it was read from (`first...last`), or -1 for a gazetteer name.
            var first: Int32
            var last: Int32
        }

        var bytes: [UInt8] = []
        /// Set when a name holds a character this path does not compare as `String` would (see ``isPlainNFC``).
        var declined = false

        /// Tokens `first...last` joined by single spaces, as the `String` path joined them.
        mutating func add(_ text: Text, _ tokens: [Token], _ first: Int, _ last: Int) -> Name {
            let start = bytes.count
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for index in first...last {
                if index > first {
                    bytes.append(0x20)
                    hash = (hash ^ 0x20) &* 0x0000_0100_0000_01B3
                }
                for position in tokens[index].start..<tokens[index].end {
                    let byte = text.bytes[position]
                    if byte >= 0xCC && !Self.isPlainNFC(lead: byte) { declined = true }
                    bytes.append(byte)
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                }
            }
            return Name(start: Int32(start), count: Int32(bytes.count - start), hash: hash, first: Int32(first),
                        last: Int32(last))
        }

        mutating func add(_ name: [UInt8]) -> Name {
            let start = bytes.count
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in name {
                if byte >= 0xCC && !Self.isPlainNFC(lead: byte) { declined = true }
                bytes.append(byte)
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            return Name(start: Int32(start), count: Int32(name.count), hash: hash, first: -1, last: -1)
        }

        /// Whether a character with this lead byte (≥ 0xCC, i.e. U+0300 and up) is one after which byte equality
        /// and byte order are `String`'s: Cyrillic U+0400–U+047F and CJK U+4000–U+9FFF (no character there
        /// decomposes or combines). Everything below U+0300 is too. `String` compares canonically equivalent
        /// text as equal (é and e + U+0301) and orders by NFC scalars; two texts made only of such characters are
        /// in NFC, where equal means byte-equal and scalar order is UTF-8 byte order. Any other character (a
        /// combining mark, Greek, Arabic, kana…) and the story is left to the `String` path.
        @inline(__always)
        static func isPlainNFC(lead: UInt8) -> Bool {
            lead == 0xD0 || lead == 0xD1 || (lead >= 0xE4 && lead <= 0xE9)
        }

        func equal(_ a: Name, _ b: Name) -> Bool {
            guard a.hash == b.hash, a.count == b.count else { return false }
            return bytes.withUnsafeBufferPointer {
                memcmp($0.baseAddress! + Int(a.start), $0.baseAddress! + Int(b.start), Int(a.count)) == 0
            }
        }

        /// Byte order, which is `String`'s `<` on plain NFC text.
        func less(_ a: Name, _ b: Name) -> Bool {
            let common = Int(min(a.count, b.count))
            let order = common == 0 ? 0 : bytes.withUnsafeBufferPointer {
                memcmp($0.baseAddress! + Int(a.start), $0.baseAddress! + Int(b.start), common)
            }
            return order != 0 ? order < 0 : a.count < b.count
        }

        func string(_ name: Name) -> String {
            bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[Int(name.start)..<Int(name.start + name.count)]),
                       as: UTF8.self)
            }
        }
    }

    /// ``extractByStrings(_:tokens:headlineCount:)`` with names kept as bytes (``NameArena``); same entities,
    /// counts and order. Nil when a name is not plainly NFC (``NameArena/isPlainNFC(lead:)``): then the
    /// `String` path, whose equality is canonical equivalence, decides.
    private func extractByNames(_ text: Text, tokens: [Token], headlineCount: Int) -> [Entity]? {
        // Filled in place: `map` appended row by row, a uniqueness check per token.
        let rows = [Int](unsafeUninitializedCapacity: tokens.count) { buffer, count in
            for index in tokens.indices { buffer[index] = lexiconRow(tokens[index], in: text) }
            count = tokens.count
        }
        let noRoles = Word.Roles()
        func roles(_ index: Int) -> Word.Roles { rows[index] < 0 ? noRoles : lexiconRoles[rows[index]] }
        func hasCandidates(_ index: Int) -> Bool { rows[index] >= 0 && lexiconHasEntries[rows[index]] }
        var arena = NameArena()
        arena.bytes.reserveCapacity(512)
        var consumed = [Bool](repeating: false, count: tokens.count)
        for index in 0..<headlineCount where !hasCandidates(index) {
            consumed[index] = true
        }
        // 1. Gazetteer names, counted by canonical name.
        var gazetteer: [(id: Int, type: Entity.EntityType, count: Int)] = []
        var index = 0
        while index < tokens.count {
            if hasCandidates(index),
                let entry = lexicon[rows[index]].entries.first(where: { Self.matches($0.words, tokens, at: index, in: text) })
            {
                if let position = gazetteer.firstIndex(where: { $0.id == entry.nameID }) {
                    gazetteer[position].count += 1
                } else {
                    gazetteer.append((entry.nameID, entry.type, 1))
                }
                for offset in 0..<entry.tokens.count { consumed[index + offset] = true }
                index += entry.tokens.count
            } else {
                index += 1
            }
        }
        var found: [(name: NameArena.Name, type: Entity.EntityType, count: Int)] = gazetteer.map {
            (arena.add(canonicalNames[$0.id]), $0.type, $0.count)
        }
        // 2. Capitalised runs: people after titles or before speech verbs, organisations by their last word.
        let runs = Self.capitalisedRuns(tokens, consumed: consumed, roles: roles)
        let people = runs.people.map { arena.add(text, tokens, $0.lowerBound, $0.upperBound) }
        let organisations = runs.organisations.map { arena.add(text, tokens, $0.lowerBound, $0.upperBound) }
        if arena.declined { return nil }
        // Full names absorb their surnames ("Stoltenberg" counts for "Jens Stoltenberg"): per surname (a
        // full name's last token) its one full name, or -1 when several share it.
        var fullNames: [NameArena.Name] = []
        for name in people where name.last > name.first && !fullNames.contains(where: { arena.equal($0, name) }) {
            fullNames.append(name)
        }
        var surnames: [(token: Int, owner: Int)] = []
        func surname(equalTo token: Int) -> Int? {
            surnames.firstIndex { text.equalTokens(tokens[$0.token], tokens[token]) }
        }
        for (position, name) in fullNames.enumerated() {
            if let known = surname(equalTo: Int(name.last)) {
                surnames[known].owner = -1
            } else {
                surnames.append((Int(name.last), position))
            }
        }
        var personNames: [NameArena.Name] = []
        for var name in people {
            if name.first == name.last, let known = surname(equalTo: Int(name.first)), surnames[known].owner >= 0 {
                name = fullNames[surnames[known].owner]
            }
            if !personNames.contains(where: { arena.equal($0, name) }),
                !found.contains(where: { arena.equal($0.name, name) })
            {
                personNames.append(name)
            }
        }
        let places = !personNames.isEmpty || !organisations.isEmpty ? CapitalisedPlaces(tokens) : CapitalisedPlaces()
        /// How many tokens equal token `word` and satisfy `accept`.
        func count(of word: Int, _ accept: (Int) -> Bool) -> Int {
            var total = 0
            var index = places.first(withKey: tokens[word].key)
            while index >= 0 {
                if text.equalTokens(tokens[index], tokens[word]) && accept(index) { total += 1 }
                index = places.next(after: index)
            }
            return total
        }
        /// Whether the name's tokens occur from token `at` on, with no punctuation between them.
        func occursWhole(_ name: NameArena.Name, at position: Int) -> Bool {
            let length = Int(name.last - name.first) + 1
            guard position + length <= tokens.count else { return false }
            for offset in 0..<length {
                if !text.equalTokens(tokens[position + offset], tokens[Int(name.first) + offset]) { return false }
                if offset < length - 1 && tokens[position + offset].breakAfter { return false }
            }
            return true
        }
        for name in personNames {
            var total = 0
            if name.last > name.first, let known = surname(equalTo: Int(name.last)), surnames[known].owner >= 0,
                arena.equal(fullNames[surnames[known].owner], name)
            {
                total = count(of: Int(name.last)) { !consumed[$0] }
            } else {
                total = count(of: Int(name.first)) { occursWhole(name, at: $0) }
            }
            if total > 0 { found.append((name, .person, total)) }
        }
        for (position, name) in organisations.enumerated()
        where !organisations[..<position].contains(where: { arena.equal($0, name) })
            && !found.contains(where: { arena.equal($0.name, name) })
        {
            found.append((name, .organisation, count(of: Int(name.first)) { occursWhole(name, at: $0) }))
        }
        found.sort { $0.count != $1.count ? $0.count > $1.count : arena.less($0.name, $1.name) }
        return found.prefix(Self.limit).map { Entity(name: arena.string($0.name), type: $0.type, count: $0.count) }
    }

    /// Which name logic ``extract(_:headline:path:)`` runs: for tests comparing the two.
    enum NamePath {
        /// ``extractByNames`` (nil when it declines the story).
        case bytes
        /// ``extractByStrings``, the reference.
        case strings
    }

    func extract(_ text: String, headline: String = "", path: NamePath) -> [Entity]? {
        var bytes = Array(headline.utf8)
        let headlineEnd = bytes.count
        bytes.append(contentsOf: text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let (tokens, headlineCount) = tokens(buffer, headlineEnd: headlineEnd, bodyStart: headlineEnd)
            let text = Text(bytes: buffer)
            switch path {
            case .bytes: return extractByNames(text, tokens: tokens, headlineCount: headlineCount)
            case .strings: return extractByStrings(text, tokens: tokens, headlineCount: headlineCount)
            }
        }
    }

    /// The name logic on `String`s, `Set`s and `Dictionary`s keyed by names: what ``extractByNames`` does on
    /// bytes, kept as its reference and for the stories it declines (names that are not plainly NFC).
    private func extractByStrings(_ text: Text, tokens: [Token], headlineCount: Int) -> [Entity] {
        // Each token's lexicon word, looked up once; its roles answer every "is it a title?" below.
        let rows = tokens.map { lexiconRow($0, in: text) }
        let noRoles = Word.Roles()
        func roles(_ index: Int) -> Word.Roles { rows[index] < 0 ? noRoles : lexiconRoles[rows[index]] }
        func candidates(_ index: Int) -> [Entry] { rows[index] < 0 ? [] : lexicon[rows[index]].entries }
        // Most looked-up words start no gazetteer name ("said", "The"): asked without touching their entries.
        func hasCandidates(_ index: Int) -> Bool { rows[index] >= 0 && lexiconHasEntries[rows[index]] }
        var counts: [String: (type: Entity.EntityType, count: Int)] = [:]
        var consumed = [Bool](repeating: false, count: tokens.count)
        for index in 0..<headlineCount where !hasCandidates(index) {
            consumed[index] = true
        }
        // 1. Gazetteer names.
        var index = 0
        while index < tokens.count {
            if hasCandidates(index),
                let entry = candidates(index).first(where: { Self.matches($0.words, tokens, at: index, in: text) })
            {
                counts[entry.name, default: (entry.type, 0)].count += 1
                for offset in 0..<entry.tokens.count { consumed[index + offset] = true }
                index += entry.tokens.count
            } else {
                index += 1
            }
        }
        // 2. Capitalised runs: people after titles or before speech verbs, organisations by their last word.
        let runs = Self.capitalisedRuns(tokens, consumed: consumed, roles: roles)
        func name(_ run: ClosedRange<Int>) -> String { run.map { text.string(tokens[$0]) }.joined(separator: " ") }
        let people = runs.people.map(name)
        let organisations = runs.organisations.map(name)
        // Full names absorb their surnames ("Stoltenberg" counts for "Jens Stoltenberg").
        let fullNames = Set(people.filter { $0.utf8.contains(0x20) })
        var surnameOwner: [String: String] = [:]
        for name in fullNames.sorted() {
            let surname = Self.words(of: name).last!
            surnameOwner[surname] = surnameOwner[surname] == nil ? name : ""  // "" marks an ambiguous surname
        }
        var personNames = Set(people.map { surnameOwner[$0].flatMap { $0.isEmpty ? nil : $0 } ?? $0 })
        personNames.subtract(counts.keys)
        let places = !personNames.isEmpty || !organisations.isEmpty ? CapitalisedPlaces(tokens) : CapitalisedPlaces()
        func occurrences(of word: String) -> [Int] {
            var found: [Int] = []
            var index = places.first(withKey: Self.key(word.utf8))
            while index >= 0 {
                if text.equals(tokens[index], word.utf8) { found.append(index) }
                index = places.next(after: index)
            }
            return found
        }
        for name in personNames {
            let parts = Self.words(of: name)
            let words = parts.map { Array($0.utf8) }
            let surname = parts.last!
            var count = 0
            if parts.count > 1, surnameOwner[surname] == name {
                count = occurrences(of: surname).filter { !consumed[$0] }.count
            } else {
                count = occurrences(of: parts[0]).filter { Self.matches(words, tokens, at: $0, in: text) }.count
            }
            if count > 0 { counts[name] = (.person, count) }
        }
        for name in Set(organisations) where counts[name] == nil {
            let parts = Self.words(of: name)
            let words = parts.map { Array($0.utf8) }
            counts[name] = (
                .organisation, occurrences(of: parts[0]).filter { Self.matches(words, tokens, at: $0, in: text) }.count
            )
        }
        return counts.map { Entity(name: $0.key, type: $0.value.type, count: $0.value.count) }
            .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            .prefix(Self.limit)
            .map { $0 }
    }

    /// The token ranges of the names that capitalised runs not `consumed` by the gazetteer make: people after a
    /// title ("President Joe Biden", "Mr Stoltenberg") or before a speech verb ("Jens Stoltenberg said"), at most
    /// four words and no starter among them; organisations by their last word ("… Council"), two words or more
    /// once leading starters are dropped. In text order, repeats included.
    static func capitalisedRuns(
        _ tokens: [Token], consumed: [Bool], roles: (Int) -> Word.Roles
    ) -> (people: [ClosedRange<Int>], organisations: [ClosedRange<Int>]) {
        var people: [ClosedRange<Int>] = []
        var organisations: [ClosedRange<Int>] = []
        people.reserveCapacity(16)  // growing from empty reallocated them four times a story
        organisations.reserveCapacity(16)
        var index = 0
        while index < tokens.count {
            guard tokens[index].capitalised, !consumed[index] else {
                index += 1
                continue
            }
            var end = index
            while end + 1 < tokens.count, !tokens[end].breakAfter, tokens[end + 1].capitalised, !consumed[end + 1] {
                end += 1
            }
            let start = index
            index = end + 1
            if roles(end).contains(.organisationEnd), end > start {
                var first = start
                while first <= end && roles(first).contains(.starter) { first += 1 }
                if end - first >= 1 { organisations.append(first...end) }
                continue
            }
            var titleEnd = -1
            var hasPersonalTitle = false
            for position in start...end {
                let wordRoles = roles(position)
                if wordRoles.contains(.title) { titleEnd = position }
                if wordRoles.contains(.personalTitle) { hasPersonalTitle = true }
            }
            let afterTitle = start > 0 && !tokens[start - 1].breakAfter && tokens[start - 1].capitalised
                && roles(start - 1).contains(.personalTitle)
            // The name's tokens, `first...end` (empty when first > end).
            var first = end + 1
            if titleEnd >= 0, hasPersonalTitle || afterTitle {
                first = titleEnd + 1
            } else if titleEnd < 0, end + 1 < tokens.count, roles(end + 1).contains(.speechVerb) {
                first = start
                while first <= end && roles(first).contains(.starter) { first += 1 }
            } else if afterTitle {
                first = start
            }
            guard first <= end, end - first < 4 else { continue }
            if (first...end).contains(where: { roles($0).contains(.starter) }) { continue }
            people.append(first...end)
        }
        return (people, organisations)
    }

    /// Where each capitalised token occurs, by key (the text is compared where it is used), so names are counted
    /// without rescanning the text per name: each key's tokens chained in text order from a small open-addressing
    /// table. (A `Dictionary` of arrays hashed every capitalised word and allocated an array per distinct one; a
    /// sorted (key, index) array spent its time in a stable sort of tuples.)
    struct CapitalisedPlaces {
        private var keys: [UInt64] = []
        private var heads: [Int32] = []
        private var nextSame: [Int32] = []
        private var mask = 0

        /// Empty: no token is found.
        init() {}

        init(_ tokens: [Token]) {
            var capitalised = 0
            for token in tokens where token.capitalised { capitalised += 1 }
            var size = 16
            while size < capitalised * 2 { size *= 2 }
            mask = size - 1
            var keys = [UInt64](repeating: 0, count: size)
            var heads = [Int32](repeating: -1, count: size)
            var nextSame = [Int32](repeating: -1, count: tokens.count)
            // Filled through buffer pointers: a store into each of the three arrays asked its uniqueness through a
            // runtime call, three per capitalised token.
            keys.withUnsafeMutableBufferPointer { keys in
                heads.withUnsafeMutableBufferPointer { heads in
                    nextSame.withUnsafeMutableBufferPointer { nextSame in
                        // Last to first, each put at the head of its chain: chains run in text order.
                        for index in tokens.indices.reversed() where tokens[index].capitalised {
                            let key = tokens[index].key
                            let slot = EntityExtractor.slot(of: key, in: keys, mask: mask)
                            keys[slot] = key
                            nextSame[index] = heads[slot]
                            heads[slot] = Int32(index)
                        }
                    }
                }
            }
            self.keys = keys
            self.heads = heads
            self.nextSame = nextSame
        }

        /// The first capitalised token with `key`, in text order, or -1.
        func first(withKey key: UInt64) -> Int {
            guard mask > 0 else { return -1 }
            let slot = EntityExtractor.slot(of: key, in: keys, mask: mask)
            return keys[slot] == key ? Int(heads[slot]) : -1
        }

        /// The next capitalised token with the same key as token `index`, or -1.
        func next(after index: Int) -> Int { Int(nextSame[index]) }
    }

    /// The slot of an open-addressing table (`keys`, a power of two long, 0 = empty) holding `key`, or the empty
    /// one where it would go.
    @inline(__always)
    static func slot<Keys: RandomAccessCollection>(of key: UInt64, in keys: Keys, mask: Int) -> Int
    where Keys.Element == UInt64, Keys.Index == Int {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
        return slot
    }

    /// The words of a name this extractor made (tokens joined by single spaces; no token holds a space).
    /// Split as UTF-8: `String.split` and `contains(" ")` went through `Character`s and Foundation, a sixth of
    /// the extractor's instructions, to find ASCII spaces.
    static func words(of name: String) -> [String] {
        name.utf8.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
    }

    static func matches(_ words: [[UInt8]], _ tokens: [Token], at index: Int, in text: Text) -> Bool {
        guard index + words.count <= tokens.count else { return false }
        for (offset, word) in words.enumerated() {
            if !text.equals(tokens[index + offset], word) { return false }
            if offset < words.count - 1 && tokens[index + offset].breakAfter { return false }
        }
        return true
    }

    /// The tokens so far and where the current one started: state kept in a value whose `mutating` methods the
    /// compiler checks statically (a nested function capturing local `var`s made every access a runtime
    /// exclusivity check, which cost more than the tokenizing). Tokens go to `storage`, which
    /// ``tokens(_:headlineEnd:bodyStart:tokenizer:)`` sized for every token the text can hold.
    private struct TokenBuilder {
        let lexiconShapes: [UInt32]
        let storage: UnsafeMutableBufferPointer<Token>
        var count = 0
        var start = -1

        init(lexiconShapes: [UInt32], storage: UnsafeMutableBufferPointer<Token>) {
            self.lexiconShapes = lexiconShapes
            self.storage = storage
        }

        mutating func flush(_ bytes: UnsafeBufferPointer<UInt8>, _ end: Int, breaking: Bool) {
            guard start >= 0 else {
                if breaking, count > 0 { storage[count - 1].breakAfter = true }
                return
            }
            var last = end
            var breakAfter = breaking
            if bytes[last - 1] == 0x2E {  // "."
                let inner = UnsafeBufferPointer(rebasing: bytes[start..<(last - 1)])
                if (inner.count > 0 && memchr(inner.baseAddress!, 0x2E, inner.count) != nil)
                    || EntityExtractor.isAbbreviation(inner)
                {
                    breakAfter = breaking
                } else {
                    last -= 1
                    breakAfter = true
                }
            }
            if last - start > 2, bytes[last - 1] == 0x73, bytes[last - 2] == 0x27 {  // 's
                last -= 2
            } else if last - start > 4, bytes[last - 1] == 0x73, bytes[last - 2] == 0x99, bytes[last - 3] == 0x80,
                bytes[last - 4] == 0xE2
            {  // ’s
                last -= 4
            }
            while last > start {
                if bytes[last - 1] == 0x2D || bytes[last - 1] == 0x27 {
                    last -= 1
                } else if last - start >= 3, bytes[last - 1] == 0x99, bytes[last - 2] == 0x80, bytes[last - 3] == 0xE2 {
                    last -= 3
                } else {
                    break
                }
            }
            defer { start = -1 }
            guard last > start else { return }
            let first = bytes[start]
            let capitalised: Bool
            if first < 0x80 {
                capitalised = first >= 0x41 && first <= 0x5A
            } else {
                capitalised = EntityExtractor.isUppercase(bytes, at: start)
            }
            append(bytes, start, last, capitalised: capitalised, breakAfter: breakAfter)
        }

        /// Adds the token `start..<end`, with its key when something will look it up.
        @inline(__always)
        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, capitalised: Bool,
                             breakAfter: Bool) {
            let first = bytes[start]
            let key = capitalised || lexiconShapes[Int(first)] & EntityExtractor.lengthBit(end - start) != 0
                ? EntityExtractor.key(UnsafeBufferPointer(rebasing: bytes[start..<end])) : 0
            precondition(count < storage.count, "more tokens than the text can hold")
            storage[count] = Token(start: start, end: end, capitalised: capitalised, breakAfter: breakAfter, key: key)
            count += 1
        }
    }

    /// Whether the character at `index` (a non-ASCII lead byte) is uppercase. Not inlined on purpose: a
    /// function that asks a scalar's `properties` (a type whose size the compiler does not know) fetches its
    /// metadata and makes stack room for it on entry, on every call, whichever branch runs; in `flush` that was
    /// paid once per token for the rare non-ASCII capital.
    @inline(never)
    static func isUppercase(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        TextBytes.decodeScalar(bytes, at: index)?.properties.isUppercase ?? false
    }

    /// What the tokenizer does with an ASCII byte; every non-ASCII byte is ``nonASCII`` (decoded there).
    private enum ByteClass {
        static let other: UInt8 = 0, word: UInt8 = 1, joiner: UInt8 = 2, space: UInt8 = 3, nonASCII: UInt8 = 4
    }

    private static let byteClasses: [UInt8] = (0..<256).map { value -> UInt8 in
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: ByteClass.word
        case 0x2D, 0x27, 0x2E: ByteClass.joiner
        case 0x20, 0x09: ByteClass.space
        case 0x80...: ByteClass.nonASCII
        default: ByteClass.other
        }
    }

    /// Words with their case and whether punctuation follows them. Keeps inner hyphens and apostrophes
    /// ("Jean-Claude", "O'Neill") and the dots of abbreviations ("U.S.", "Mr."); drops possessive endings
    /// ("NATO's" is NATO). Reads UTF-8 bytes, decoding only non-ASCII characters; ASCII bytes are classed by one
    /// table lookup and a word's letters are skipped in a tight loop (three range tests per byte and a branch on
    /// each were a third of the extractor's time).
    private static func tokenize(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into builder: inout TokenBuilder
    ) {
        byteClasses.withUnsafeBufferPointer { classes in
            var index = range.lowerBound
            let end = range.upperBound
            while index < end {
                let byteClass = classes[Int(bytes[index])]
                switch byteClass {
                case ByteClass.word:
                    if builder.start >= 0 {
                        index += 1
                        while index < end && classes[Int(bytes[index])] == ByteClass.word { index += 1 }
                        continue
                    }
                    let start = index
                    index += 1
                    while index < end && classes[Int(bytes[index])] == ByteClass.word { index += 1 }
                    // A token of letters and digits only, ended by a space or ASCII punctuation other than
                    // `-'.`: `flush` would trim nothing from it (its last byte is a letter or digit) and the
                    // separator is consumed here as the next turn would. Most of a story's words; they skip
                    // `flush`'s call and its trailing-punctuation tests.
                    if index < end {
                        let next = classes[Int(bytes[index])]
                        if next == ByteClass.space || next == ByteClass.other {
                            let first = bytes[start]
                            builder.append(bytes, start, index, capitalised: first >= 0x41 && first <= 0x5A,
                                           breakAfter: next == ByteClass.other)
                            index += 1
                            continue
                        }
                    }
                    builder.start = start
                    continue
                default:
                    index = otherByte(bytes, index, class: byteClass, into: &builder)
                    continue
                }
            }
        }
        builder.flush(bytes, range.upperBound, breaking: true)
    }

    /// ``tokenize(_:_:into:)`` with every token ended by ``TokenBuilder/flush(_:_:breaking:)``: the reference
    /// its plain-word path is compared with.
    private static func tokenizeByFlush(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into builder: inout TokenBuilder
    ) {
        byteClasses.withUnsafeBufferPointer { classes in
            var index = range.lowerBound
            let end = range.upperBound
            while index < end {
                let byteClass = classes[Int(bytes[index])]
                switch byteClass {
                case ByteClass.word:
                    if builder.start < 0 { builder.start = index }
                    index += 1
                    while index < end && classes[Int(bytes[index])] == ByteClass.word { index += 1 }
                    continue
                default:
                    index = otherByte(bytes, index, class: byteClass, into: &builder)
                    continue
                }
            }
        }
        builder.flush(bytes, range.upperBound, breaking: true)
    }

    /// A byte outside a run of ASCII letters and digits, as both tokenizers treat it: joiners, spaces, non-ASCII
    /// characters and other punctuation. Returns the index after it.
    @inline(__always)
    private static func otherByte(
        _ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, class byteClass: UInt8, into builder: inout TokenBuilder
    ) -> Int {
        switch byteClass {
        case ByteClass.joiner:
            // Part of the token for now (trailing joiners are trimmed in flush); outside one, a break.
            if builder.start < 0 { builder.flush(bytes, index, breaking: true) }
        case ByteClass.space:
            builder.flush(bytes, index, breaking: false)
        case ByteClass.nonASCII:
            let byte = bytes[index]
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            let scalar = TextBytes.decodeScalar(bytes, at: index)
            if scalar.map({ $0.properties.isAlphabetic || $0.properties.numericType != nil }) ?? false {
                if builder.start < 0 { builder.start = index }
            } else if scalar?.value == 0x2019 && builder.start >= 0 {
                // a joiner inside a token, as above
            } else {
                builder.flush(bytes, index, breaking: scalar?.value != 0xA0)
            }
            return index + length
        default:
            builder.flush(bytes, index, breaking: true)
        }
        return index + 1
    }

    static let abbreviations: Set<String> = ["Mr", "Mrs", "Ms", "Dr", "St", "Sen", "Gov", "Rev", "Prof"]
    /// ``abbreviations`` as bytes: asked at every full stop, where making a `String` and hashing it cost more than
    /// the comparison.
    private static let abbreviationBytes: [[UInt8]] = abbreviations.sorted().map { Array($0.utf8) }

    static func isAbbreviation(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard word.count >= 2, word.count <= 4 else { return false }
        for candidate in abbreviationBytes where candidate.count == word.count && candidate.elementsEqual(word) {
            return true
        }
        return false
    }
}
