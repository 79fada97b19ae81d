/// The few word lists the Clean stage uses, kept apart so they can be read and argued with.
///
/// None comes from the seeds. They are the general vocabulary of web pages — function words (whose share
/// tells running prose from lists of names, as in jusText), the verbs of page furniture ("subscribe",
/// "share", "log in"), legal footers, breadcrumb roots, and the agencies' end-of-story marks. A word list
/// is only ever one signal: a line must also have the shape of furniture (short, no sentence end, at an
/// edge) before it goes.
enum Vocabulary {
    /// Frequent function words per language. Prose has many (a third of English running text); navigation,
    /// captions of names and link lists have few.
    static let stopwords: [String: Set<String>] = [
        "en": [
            "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as",
            "is", "are", "was", "were", "be", "been", "has", "have", "had", "it", "its", "that", "this", "which",
            "who", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "not", "will", "would",
            "can", "could", "also", "about", "than", "into", "after", "over", "there", "what", "said", "more",
        ],
        "fr": [
            "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "en", "dans", "sur", "pour", "par",
            "avec", "est", "sont", "a", "ont", "été", "il", "elle", "ils", "qui", "que", "ne", "pas", "au", "aux",
            "ce", "cette", "son", "sa", "ses", "se", "plus", "nous", "vous", "leur",
        ],
        "de": [
            "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "und", "oder", "in", "im", "auf",
            "für", "mit", "von", "zu", "zum", "zur", "ist", "sind", "war", "hat", "haben", "wird", "werden", "er",
            "sie", "es", "nicht", "auch", "sich", "dass", "bei", "nach", "als", "an", "am", "aus",
        ],
        "es": [
            "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "en", "con", "por", "para", "es", "son",
            "fue", "ha", "han", "que", "se", "no", "su", "sus", "al", "lo", "como", "más", "pero", "este", "esta",
        ],
        "it": [
            "il", "lo", "la", "i", "gli", "le", "un", "una", "e", "o", "di", "del", "della", "in", "con", "per",
            "da", "è", "sono", "ha", "hanno", "che", "non", "si", "al", "alla", "come", "più", "anche",
        ],
        "nl": [
            "de", "het", "een", "en", "of", "van", "in", "op", "met", "voor", "door", "is", "zijn", "was", "heeft",
            "hebben", "dat", "die", "niet", "ook", "als", "bij", "naar", "er", "om",
        ],
        "pt": [
            "o", "a", "os", "as", "um", "uma", "e", "ou", "de", "do", "da", "dos", "das", "em", "no", "na", "com",
            "por", "para", "é", "são", "foi", "que", "se", "não", "seu", "sua", "mais", "como",
        ],
        "ru": [
            "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так", "его",
            "но", "да", "ты", "к", "у", "же", "вы", "за", "бы", "по", "от", "из", "о", "это", "который", "для",
        ],
    ]

    /// The languages of ``stopwords`` in its own iteration order (which breaks ties between languages), and
    /// their lists in the same order.
    static let stopwordLanguages: [String] = Array(stopwords.keys)
    static let stopwordSets: [Set<String>] = stopwordLanguages.map { stopwords[$0]! }

    /// Every function word, with a bit per language of ``stopwordLanguages`` whose list holds it.
    static let stopwordMasks: [String: UInt16] = {
        var masks: [String: UInt16] = [:]
        for (index, set) in stopwordSets.enumerated() {
            for word in set { masks[word, default: 0] |= 1 << index }
        }
        return masks
    }()

    /// The ``stopwordMasks`` of the ASCII function words (none longer than eight bytes, checked when the table
    /// is built), in an open-addressing table keyed by the word's bytes packed into one number: the words of a
    /// page are looked up without making a string of each.
    struct ASCIIStopwords {
        fileprivate var keys: [UInt64]
        fileprivate var masks: [UInt16]

        /// The mask of the ASCII word at `range` of `bytes` (at most eight bytes), lowercased: 0 if it is no
        /// function word.
        @inline(__always)
        func mask(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt16 {
            var key: UInt64 = 0
            if range.lowerBound &+ 8 <= bytes.count {
                // One load of eight bytes, cut to the word and lowercased lane by lane (A–Z gain 0x20).
                let length = UInt64(range.count)
                let word = TextScan.eightBytes(at: range.lowerBound, in: bytes)
                    & (length == 8 ? ~0 : (1 << (8 &* length)) &- 1)
                let upper = TextScan.lanes(word, below: 0x5B) & ~TextScan.lanes(word, below: 0x41)
                key = word | upper >> 2
            } else {
                var shift: UInt64 = 0
                for index in range {
                    var byte = bytes[index]
                    if (0x41...0x5A).contains(byte) { byte += 0x20 }
                    key |= UInt64(byte) << shift
                    shift += 8
                }
            }
            return mask(key: key)
        }

        /// The table's arrays, for a loop that looks up many words (``Probe``).
        func withProbe<R>(_ body: (Probe) -> R) -> R {
            keys.withUnsafeBufferPointer { keys in masks.withUnsafeBufferPointer { masks in body(Probe(keys: keys, masks: masks)) } }
        }

        /// ``mask(key:)`` over the table's storage, without an array's checks (a slot is always inside the table).
        struct Probe {
            let keys: UnsafeBufferPointer<UInt64>
            let masks: UnsafeBufferPointer<UInt16>

            @inline(__always)
            func mask(key: UInt64) -> UInt16 {
                var slot = Vocabulary.slot(key)
                while true {
                    let found = keys[slot]
                    if found == key { return masks[slot] }
                    if found == 0 { return 0 }
                    slot = (slot &+ 1) & (Vocabulary.asciiTableSize &- 1)
                }
            }
        }

        /// The mask of a word already packed and lowercased as ``mask(_:_:)`` packs it (0 for no word).
        @inline(__always)
        func mask(key: UInt64) -> UInt16 {
            withProbe { $0.mask(key: key) }
        }
    }

    static let asciiStopwords: ASCIIStopwords = {
        var keys = Array(repeating: UInt64(0), count: asciiTableSize)
        var masks = Array(repeating: UInt16(0), count: asciiTableSize)
        for (word, mask) in stopwordMasks where word.utf8.allSatisfy({ $0 < 0x80 }) {
            precondition(word.utf8.count <= 8, "an ASCII function word longer than eight bytes: \(word)")
            let key = packed(Array(word.utf8))
            var slot = slot(key)
            while keys[slot] != 0 { slot = (slot + 1) & (asciiTableSize - 1) }
            keys[slot] = key
            masks[slot] = mask
        }
        return ASCIIStopwords(keys: keys, masks: masks)
    }()
    fileprivate static let asciiTableSize = 1024

    fileprivate static func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 54)
    }

    /// Up to eight bytes (none zero) as one number, the first in the low byte.
    private static func packed(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        for (index, byte) in bytes.enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
        return value
    }

    /// Verbs and nouns of page furniture, lowercased; matched as whole words or phrases in short lines only.
    static let interfacePhrases: [String] = [
        // English
        "subscribe", "unsubscribe", "sign up", "sign in", "log in", "login", "log out", "register", "share",
        "tweet", "follow us", "newsletter", "print", "email this", "read more", "more news", "related", "see also",
        "advertisement", "sponsored", "cookie", "cookies", "accept", "privacy", "comments", "comment", "reply",
        "skip to content", "back to top", "menu", "search", "loading", "previous", "next", "you are here",
        "most read", "top stories", "trending", "watch", "listen", "download",
        // French, German, Spanish, Italian, Portuguese, Dutch
        "s'abonner", "abonnez-vous", "partager", "connexion", "se connecter", "inscription", "lire aussi",
        "abonnieren", "teilen", "anmelden", "einloggen", "registrieren", "mehr zum thema", "suscríbete",
        "suscribirse", "compartir", "iniciar sesión", "registrarse", "condividi", "iscriviti", "accedi",
        "assinar", "compartilhar", "entrar", "delen", "inloggen", "abonneren",
        // Russian
        "подписаться", "поделиться", "войти", "регистрация", "комментарии", "читать также",
    ]

    /// What furniture verbs act on and how prompts are phrased ("Share *this article*", "Share *on Facebook*",
    /// "Get *our daily* newsletter"): a short line made of these, function words and a furniture phrase is a
    /// prompt; "Share boost for feud-hit Reliance", a headline, is not.
    static let promptWords: Set<String> = [
        "this", "article", "story", "page", "post", "video", "now", "here", "free", "today", "daily", "weekly",
        "facebook", "twitter", "x", "whatsapp", "linkedin", "telegram", "email", "e-mail", "link", "our", "your",
        "us", "me", "more", "get", "leave", "up", "on", "via", "with", "to", "a", "an", "the", "or", "and", "in",
        "for", "of", "from", "all", "see", "view", "click", "tap", "open", "close", "continue", "reading",
    ]

    /// Words of legal footers and mail disclaimers.
    static let legalPhrases: [String] = [
        "all rights reserved", "©", "terms of use", "terms of service", "privacy policy", "intended recipient",
        "received this email in error", "email in error", "e-mail in error", "disclaimer:",
        "tous droits réservés", "alle rechte vorbehalten", "todos los derechos reservados",
    ]

    /// The first step of a breadcrumb trail.
    static let breadcrumbRoots: Set<String> = [
        "home", "homepage", "startseite", "start", "accueil", "inicio", "início", "home page", "главная",
    ]

    /// Agencies' end-of-story marks (Xinhua `Endit`/`Endi`, `ENDS`, `-30-`, `###`, `(END)`), matched only as
    /// a whole paragraph or as the last word after a finished sentence, so "where the road ends." stays.
    /// AAP-style `AAP ab/` sign-offs are left alone: they carry the editor's initials.
    static let endMarks: Set<String> = ["endit", "endi", "ends", "-30-", "###", "(end)", "(ends)"]
}
