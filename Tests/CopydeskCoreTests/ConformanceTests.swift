import CopydeskCore
import Foundation
import Testing

/// The agency fixtures of `../shared/corpora/wire-formats/` and the values upstream parser tests assert for them
/// (`expected.json`, described in the corpus MANIFEST), found from this file's path.
enum WireCorpus {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CopydeskCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
    static let folder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora/wire-formats")
    static let expectedFile = folder.appendingPathComponent("expected.json")

    /// Whether the corpus is there; it lives beside the repository, not in it, so a plain checkout skips the test.
    static var isAvailable: Bool { FileManager.default.fileExists(atPath: expectedFile.path) }

    /// `<format>/<file>` → the expectation record, in key order.
    static func expectations() throws -> [(key: String, record: [String: Any])] {
        let data = try Data(contentsOf: expectedFile)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return object.keys.sorted().compactMap { key in (object[key] as? [String: Any]).map { (key, $0) } }
    }

    static func bytes(_ key: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(key)))
    }

    /// Every fixture file, for fuzz seeds and benchmarks: `(format folder, file name, bytes)`.
    static func fixtures() throws -> [(format: String, name: String, bytes: [UInt8])] {
        try expectations().map { key, _ in
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            return (parts[0], parts[1], try bytes(key))
        }
    }
}

/// Conformance of ``Parse/prepare(_:fileName:)`` with the values the upstream project's own parser tests assert for
/// real agency files.
///
/// Each fixture's raw bytes go through the whole Parse stage (screening, charset, sniffing, the registered parser,
/// cleaning), and every field of `expected.json` that has a generic meaning is compared with the ``Article``. The
/// test prints a table per corpus format (and writes it to `.build/conformance-wire-formats.txt`) and fails when a
/// format misses its threshold: at least 95 % of the checked fields overall, and more than 90 % in each format.
///
/// **Which formats are held to the thresholds.** Only formats read by a parser of their own: a corpus format whose
/// ``InputFormat`` has a parser in ``ParserRegistry/standard`` other than the two fallbacks, plain text (`text`)
/// and the generic XML reader (`xml`). Formats whose parser has not landed yet (ninjs, ANPA-1312, IPTC 7901,
/// e-mail) are counted and shown, but asserting on the fallback's reading of them would measure nothing; when
/// their parsers are registered they are asserted automatically, and so is the overall figure. AAP's ZCZC wire and
/// the plain-text releases are read by the plain-text fallback, and `other-xml` (Ritzau, NTB Info) by the generic
/// XML reader, which maps elements by their common names and cannot know Ritzau's conventions (its `origin` as the
/// byline, a headline cut from the body at 100 characters); they are reported, not asserted.
///
/// **How fields compare** (`check(_:_:)`): strings with whitespace collapsed; numbers as numbers; times as instants
/// (`20131020T192751+1100` equals `2013-10-20T08:27:51+00:00`); lists as "every expected value is present".
/// Details that are comparison rules rather than exclusions, each with its reason:
/// - Body snippets ignore whitespace before `, . ; : ! ? )`: upstream's snippets come from its HTML output, which
///   leaves a space where an inline tag closed (`<person>Mark Bosnich</person>, then` → `Mark Bosnich , then`).
/// - A `language` without a region matches the article's language with one (`nl` matches `nl-NL`); with a region
///   both must agree (`fr-CA` does not match `fr-FR`).
/// - `firstcreated` is compared with the article's creation time, or its version time when the file gives only
///   that, and `versioncreated` the other way round: upstream copies the one time a file has into both fields.
/// - `guid` matches the item id, or the item id and version joined by `:` — upstream composes the guid that way for
///   NewsML-G2 and NewsML 1.2 (`urn:…:190603-99-492251` + version `3`), and the article keeps both parts.
/// - A time the file gives *without a zone* (STT, Ritzau write local time) matches an expected instant if the two
///   differ by a whole number of quarter hours within ±14 h: upstream applies the agency's local zone, which the
///   file does not name, so only the wall-clock reading can be checked.
/// - `subject_codes` match against the article's codes and their IPTC parents (`02003001` is inside `02003000`
///   and `02000000` by the structure of the code itself), reading the 8-digit code out of a qualified code such
///   as `subj:04000000` or TT's `TT:02000000:LAG`.
/// - `genre` (a list upstream) matches if the article's genre is one of its values.
///
/// **Fields not checked**, each an upstream convention with no generic meaning:
/// - `category_code`: the ANPA category letter after superdesk's per-agency mapping tables.
/// - `word_count`, `word_count_gt`: superdesk's own word count of its HTML output.
/// - `counts`: lengths of superdesk's internal lists (renditions, groups, its subject list after mapping).
/// - `item_type`, `pubstatus`, `body_format`: superdesk's enumerations (text/picture/composite, usable/…,
///   HTML/preserved); the article records the file's own `itemClass`/status in metadata.
/// - `original_source`, `dateline_source`, `usageterms`, `copyright_line`, `keyword_line`, `place_names`,
///   `authors`, `expiry`, `embargoed`: fields of superdesk's item model the ``Article`` does not have; what the
///   file says about them is kept in metadata.
/// - `items`, `item_index_note`: further items of multi-item files; the article is the first story.
/// - `firstpublished`: superdesk sets it to the item's version time when the file has no publication time; the
///   three fixtures asserting it are NewsML-G2 files from STT, and NewsML-G2 items carry no publication time.
/// - The files in ``excludedFiles`` and the fields in ``excludedFields``, each for the reason given there (all
///   printed with the report): values upstream mapped to its own scale or vocabulary, constants its parser adds,
///   and values it composed (the corpus marks those `not_verbatim_in_fixture`), where what the file says is
///   something else.
/// - A `null`, `""` or `[]` value: upstream records that its parser left the field empty, which is a choice of
///   that parser (BelgaTASS drops TASS's `SlugLine`), not a fact about the file.
@Suite("Parse: conformance with agency files")
struct ConformanceTests {
    static let overallThreshold = 95.0
    static let formatThreshold = 90.0

    /// Corpus folder → the format the content is.
    static let corpusFormats: [String: InputFormat] = [
        "nitf": .nitf, "newsml-g2": .newsMLG2, "newsml-1.2": .newsML12, "other-xml": .xml, "ninjs": .ninjs,
        "anpa-1312": .anpa1312, "iptc7901": .iptc7901, "email-rfc822": .email, "aap-zczc": .text,
        "plain-text": .text,
    ]

    static let unchecked: Set<String> = [
        "category_code", "word_count", "word_count_gt", "counts", "item_type", "pubstatus", "body_format",
        "original_source", "dateline_source", "usageterms", "copyright_line", "keyword_line", "place_names",
        "authors", "expiry", "embargoed", "items", "item_index_note", "firstpublished",
    ]

    /// Single fields left out, with the reason (printed with the report). Each is a value the file does not contain.
    static let excludedFields: [String: [String: String]] = [
        "newsml-1.2/sdntb--afp.xml": [
            "urgency": "the file says Urgency 4; NTB's parser maps AFP's scale to its own (5)"
        ],
        "newsml-g2/sdbelga--dpa_newsml_2_0_belga.xml": [
            "urgency": "the file says urgency 4; Belga's parser maps dpa's scale to its own (3)",
            "subject_codes":
                "the file has medtop and dpa codes only; upstream maps them to IPTC Subject codes with a table",
            "headline":
                "composed by Belga's parser: the genre in brackets, then the headline (not_verbatim_in_fixture)",
        ],
        "newsml-g2/sdcp--globenewswire_fr.xml": [
            "description":
                "a constant of CP's GlobeNewswire parser ('Communiqué'); the file's description is the abstract",
            "language": "a constant of CP's GlobeNewswire parser (fr-CA); the file says fr-FR",
        ],
        "newsml-g2/sdcp--globenewswire_1bf6.xml": [
            "slugline": "composed by CP's parser from the release's codes (not_verbatim_in_fixture)"
        ],
        "anpa-1312/sdcore--ap_anpa-1.tst": [
            "dateline": "composed by AP's parser from the dateline and the header date (not_verbatim_in_fixture); the "
                + "file says ATLANTA (AP) _",
            "subject_codes": "AP's parser maps the ANPA category letter to a Subject code with its table, as for "
                + "category_code",
        ],
        "email-rfc822/sdcore--odd_charset_email.txt": [
            "headline": "upstream kept the RFC 2047 encoded word undecoded, with replacement characters "
                + "(not_verbatim_in_fixture); the decoded subject is what the file says"
        ],
        "ninjs/sdcore--ninjs2.json": [
            "headline": "upstream's item 0 is the attached picture (item_index_note); the article is the story"
        ],
        "iptc7901/sdbelga--ats.txt": [
            "language": "a constant of Belga's ATS parser; the file declares no language"
        ],
        "iptc7901/sdcore--dpa_two_line.txt": [
            "body_contains": "the snippet is the headline line, which dpa's parser repeats into the body; the file's "
                + "body does not contain it"
        ],
        "newsml-1.2/sdcore--ana1.xml": [
            "dateline": "composed by ANA's parser from the body's first words (not_verbatim_in_fixture); the file's "
                + "DateLine is 4/4/2018"
        ],
    ]

    /// Fixtures left out entirely, with the reason (printed with the report).
    static let excludedFiles: [String: String] = [
        "newsml-1.2/sdntb--solita_se_1.xml":
            "two language versions of one release (en, then no); NTB's parser picks the Norwegian item for its "
            + "newsroom, a deployment choice, and composes its fields (ednote, genre, urgency 5 for 4, the guid) "
            + "by NTB's rules; the generic parser reads the first item"
    ]
    /// Keys of a record that are about the fixture, not values to check.
    static let bookkeeping: Set<String> = [
        "file", "format", "format_detail", "origin", "encoding", "parser", "body_assertions",
        "verified_from_fixture", "verified_from_fixture_fields", "not_verbatim_in_fixture", "other_parsers",
        "source_test", "related_fixtures", "all_assertions",
    ]

    /// A format is held to the thresholds when a parser of its own reads it.
    static func isAsserted(_ corpusFormat: String) -> Bool {
        guard let format = corpusFormats[corpusFormat] else { return false }
        return format != .text && format != .xml && ParserRegistry.standard.formats.contains(format)
    }

    struct Outcome {
        var key: String
        var field: String
        var expected: String
        var actual: String
        var matched: Bool
    }

    @Test(
        "every generic field of expected.json, per format",
        .enabled(if: WireCorpus.isAvailable, "../shared/corpora/wire-formats is absent: conformance not measured")
    )
    func wireFormats() throws {
        var outcomes: [String: [Outcome]] = [:]
        var files: [String: Int] = [:]
        var articles: [String] = []
        for (key, record) in try WireCorpus.expectations() where Self.excludedFiles[key] == nil {
            let format = record["format"] as? String ?? String(key.split(separator: "/")[0])
            files[format, default: 0] += 1
            let bytes = try WireCorpus.bytes(key)
            let name = String(key.split(separator: "/").last ?? "")
            switch Parse.prepare(bytes, fileName: name) {
            case .success(let document):
                articles.append("\(key)\t\(document.format)\t\(document.charset)\t\(Self.json(document.article))")
                for field in record.keys.sorted()
                where !Self.bookkeeping.contains(field) && !Self.unchecked.contains(field) {
                    guard let value = record[field], !Self.isEmpty(value), Self.excludedFields[key]?[field] == nil
                    else { continue }
                    let (matched, expected, actual) = Self.check(field, value, document.article)
                    outcomes[format, default: []].append(
                        Outcome(
                            key: key, field: field, expected: expected, actual: actual, matched: matched
                        ))
                }
            case .failure(let reason):
                for field in record.keys.sorted()
                where !Self.bookkeeping.contains(field) && !Self.unchecked.contains(field) {
                    guard let value = record[field], !Self.isEmpty(value), Self.excludedFields[key]?[field] == nil
                    else { continue }
                    outcomes[format, default: []].append(
                        Outcome(
                            key: key, field: field, expected: "\(value)", actual: "rejected: \(reason.message)",
                            matched: false
                        ))
                }
            }
        }

        var report = ["format        asserted  files  matched/checked      %"]
        var assertedMatched = 0
        var assertedChecked = 0
        for format in files.keys.sorted() {
            let list = outcomes[format] ?? []
            let matched = list.filter(\.matched).count
            let asserted = Self.isAsserted(format)
            if asserted {
                assertedMatched += matched
                assertedChecked += list.count
            }
            report.append(
                format.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + (asserted ? "yes" : "no ").padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(files[format] ?? 0).leftPadded(5) + String(matched).leftPadded(9) + "/"
                    + String(list.count).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + Self.percent(matched, list.count).leftPadded(7)
            )
        }
        report.append(
            "asserted overall".padding(toLength: 29, withPad: " ", startingAt: 0)
                + String(assertedMatched).leftPadded(9)
                + "/" + String(assertedChecked).padding(toLength: 7, withPad: " ", startingAt: 0)
                + Self.percent(assertedMatched, assertedChecked).leftPadded(7)
        )
        report.append("")
        for (key, reason) in Self.excludedFiles.sorted(by: { $0.key < $1.key }) {
            report.append("excluded \(key): \(reason)")
        }
        for (key, fields) in Self.excludedFields.sorted(by: { $0.key < $1.key }) {
            for (field, reason) in fields.sorted(by: { $0.key < $1.key }) {
                report.append("excluded \(key) \(field): \(reason)")
            }
        }
        report.append("misses:")
        for format in files.keys.sorted() {
            for miss in (outcomes[format] ?? []).filter({ !$0.matched }) {
                report.append(
                    "  \(miss.key) \(miss.field): expected \(miss.expected.debugDescription), "
                        + "got \(miss.actual.debugDescription)"
                )
            }
        }
        let text = report.joined(separator: "\n")
        print(text)
        let output = WireCorpus.packageRoot.appendingPathComponent(".build/conformance-wire-formats.txt")
        try? text.write(to: output, atomically: true, encoding: .utf8)
        let articlesFile = WireCorpus.packageRoot.appendingPathComponent(".build/conformance-articles.tsv")
        try? articles.joined(separator: "\n").write(to: articlesFile, atomically: true, encoding: .utf8)

        for format in files.keys.sorted() where Self.isAsserted(format) {
            let list = outcomes[format] ?? []
            let share = list.isEmpty ? 100 : Double(list.filter(\.matched).count) * 100 / Double(list.count)
            #expect(
                share > Self.formatThreshold,
                "\(format): \(Self.percent(list.filter(\.matched).count, list.count)) of fields match")
        }
        let overall = assertedChecked == 0 ? 100 : Double(assertedMatched) * 100 / Double(assertedChecked)
        #expect(
            overall >= Self.overallThreshold,
            "overall: \(Self.percent(assertedMatched, assertedChecked)) of fields match")
        #expect(assertedChecked > 100, "too few fields checked to mean anything: \(assertedChecked)")
    }

    // MARK: Comparing

    static func json(_ article: Article) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(article)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    static func isEmpty(_ value: Any) -> Bool {
        if value is NSNull { return true }
        if let string = value as? String { return MarkupText.collapse(string).isEmpty }
        if let list = value as? [Any] { return list.isEmpty }
        return false
    }

    /// Whether `article` has the expected `value` for `field`; with both sides rendered for the report.
    static func check(_ field: String, _ value: Any, _ article: Article) -> (Bool, String, String) {
        let body = Self.snippet(article.paragraphs.joined(separator: " "))
        switch field {
        case "headline":
            // IPTC 7901 ends the headline line with ` =`, a line-end mark of the format, not headline text: the
            // generic upstream parser keeps it, its dpa parser strips it (the corpus's `other_parsers`).
            if let text = value as? String, text.hasSuffix(" ="), article.headline == String(text.dropLast(2)) {
                return (true, text, article.headline)
            }
            return same(value, article.headline)
        case "headline_startswith":
            let prefix = MarkupText.collapse("\(value)")
            return (article.headline.hasPrefix(prefix), prefix, article.headline)
        case "subheadline": return same(value, article.subheadline)
        case "slugline": return same(value, article.slugline)
        case "byline": return same(value, article.byline)
        case "dateline": return same(value, article.dateline)
        case "dateline_city": return same(value, article.datelinePlace)
        case "language":
            let expected = "\(value)".lowercased()
            let actual = article.language?.lowercased()
            let primary = actual?.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init)
            let matched = expected == actual || (!expected.contains("-") && expected == primary)
            return (matched, expected, actual ?? "nil")
        case "source": return same(value, article.source)
        case "take_key": return same(value, article.takeKey)
        case "abstract", "description": return same(value, article.summary)
        case "ednote": return same(value, article.editorNote)
        case "ednote_contains":
            let part = MarkupText.collapse("\(value)")
            return (article.editorNote?.contains(part) == true, part, article.editorNote ?? "nil")
        case "priority": return sameNumber(value, article.priority)
        case "urgency": return sameNumber(value, article.urgency)
        case "version": return same("\(value)", article.version)
        case "guid":
            let expected = "\(value)"
            let composed = article.itemID.map { id in article.version.map { id + ":" + $0 } ?? id }
            return (expected == article.itemID || expected == composed, expected, article.itemID ?? "nil")
        case "uri": return same(value, article.itemID)
        case "firstcreated": return sameInstant(value, article.created ?? article.versionCreated)
        case "versioncreated": return sameInstant(value, article.versionCreated ?? article.created)
        case "body_contains":
            let part = Self.snippet("\(value)")
            return (body.contains(part), part, String(body.prefix(160)))
        case "body_not_contains":
            let parts = ((value as? [String]) ?? ["\(value)"]).map(Self.snippet)
            let found = parts.filter { body.contains($0) }
            return (found.isEmpty, "none of \(parts)", found.isEmpty ? "none" : "found \(found)")
        case "keywords", "keywords_contains":
            let expected = (value as? [String]) ?? ["\(value)"]
            let actual = article.keywords ?? []
            return (expected.allSatisfy(actual.contains), "\(expected)", "\(actual)")
        case "subject_codes":
            let expected = (value as? [String]) ?? []
            let actual = subjectClosure(article.subjects ?? [])
            let missing = expected.filter { !actual.contains($0) }
            return (
                missing.isEmpty, "\(expected)",
                missing.isEmpty ? "all" : "missing \(missing) of \((article.subjects ?? []))"
            )
        case "genre":
            let expected = (value as? [String]) ?? ["\(value)"]
            return (article.genre.map(expected.contains) == true, "\(expected)", article.genre ?? "nil")
        default:
            return (false, "\(value)", "field '\(field)' has no comparison: add one or justify leaving it out")
        }
    }

    /// Body text for snippet comparison: whitespace collapsed, and none before closing punctuation.
    static func snippet(_ text: String) -> String {
        var result = ""
        for character in MarkupText.collapse(text) {
            if ",.;:!?)".contains(character), result.last == " " { result.removeLast() }
            result.append(character)
        }
        return result
    }

    static func same(_ value: Any, _ actual: String?) -> (Bool, String, String) {
        let expected = MarkupText.collapse("\(value)")
        let got = actual.map(MarkupText.collapse)
        return (expected == got, expected, got ?? "nil")
    }

    static func sameNumber(_ value: Any, _ actual: Int?) -> (Bool, String, String) {
        let expected = (value as? Int) ?? Int("\(value)")
        return (expected != nil && expected == actual, "\(value)", actual.map(String.init) ?? "nil")
    }

    static func sameInstant(_ value: Any, _ actual: String?) -> (Bool, String, String) {
        let expectedText = "\(value)"
        guard let expected = WireDate(expectedText)?.epochSeconds, let actual, let date = WireDate(actual) else {
            return (false, expectedText, actual ?? "nil")
        }
        if let instant = date.epochSeconds { return (abs(instant - expected) < 0.5, expectedText, actual) }
        let difference = date.wallClockSeconds - expected
        let quarterHours = (difference / 900).rounded()
        let matched = abs(difference - quarterHours * 900) < 0.5 && abs(difference) <= 14 * 3600
        return (matched, expectedText, actual + " (no zone)")
    }

    /// 8-digit IPTC subject codes of `subjects` with their parents.
    static func subjectClosure(_ subjects: [String]) -> Set<String> {
        var codes: Set<String> = []
        for subject in subjects {
            let digits = subject.split(whereSeparator: { !$0.isNumber }).first { $0.count == 8 }
            guard let code = digits.map({ String($0) }) else { continue }
            codes.insert(code)
            codes.insert(String(code.prefix(2)) + "000000")
            codes.insert(String(code.prefix(5)) + "000")
        }
        return codes
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "-" : String(format: "%.1f%%", Double(part) * 100 / Double(whole))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// Charset detection on the corpus files the MANIFEST names.
@Suite("Parse: corpus charsets")
struct CorpusCharsetTests {
    /// The corpus files the MANIFEST names: NTB's ISO-8859-1 NITF, and ATS's ISO-8859-15 NewsML.
    @Test(
        .enabled(if: WireCorpus.isAvailable, "../shared/corpora/wire-formats is absent"),
        arguments: [
            (
                "nitf/sdcore--nitf-ntb.xml", "iso-8859-1",
                "Det stemmer ikke at punktlisten i et dokument som har spredd seg på"
            ),
            ("newsml-1.2/sdbelga--ats_newsml_1_2_belga.xml", "iso-8859-15", "Un taureau âgé d'un an est entré"),
            ("newsml-g2/sdcp--globenewswire_fr.xml", "utf-8", "Les réseaux mobiles dans les régions rurales"),
        ]
    )
    func corpusCharsets(_ key: String, _ charset: String, _ snippet: String) throws {
        let document = try #require(Parse.prepare(try WireCorpus.bytes(key), fileName: key).success)
        #expect(document.charset == charset)
        #expect(document.article.bodyText.contains(snippet) || document.article.headline.contains(snippet))
    }
}
