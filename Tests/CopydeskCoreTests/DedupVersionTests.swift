@testable import CopydeskCore
import Foundation
import Testing

@Suite struct DedupVersionTests {
    @Test(arguments: [
        ("UPDATE 2-Oil rises on supply fears", "Oil rises on supply fears", [UpdateMarker.update(2)]),
        ("REFILE-UPDATE 1-Oil rises", "Oil rises", [.refile, .update(1)]),
        ("CORRECTED - BANKAMERICA NEGOTIATING SALE OF UNITS", "BANKAMERICA NEGOTIATING SALE OF UNITS", [.correction]),
        ("(RPT) U.S. SAYS TIN DISPOSALS WILL NOT AFFECT ACCORD", "U.S. SAYS TIN DISPOSALS WILL NOT AFFECT ACCORD", [.repeat]),
        ("RPT-Fed holds rates", "Fed holds rates", [.repeat]),
        ("Miners strike (RECASTS)", "Miners strike", [.recast]),
        ("Urgent: Quake hits Tokyo", "Quake hits Tokyo", [.priority]),
        ("WRAPUP 1-Storm batters coast", "Storm batters coast", [.update(1)]),
        ("Quake hits Tokyo (UPDATE 3)", "Quake hits Tokyo", [.update(3)]),
        ("U.S.-Japan talks resume", "U.S.-Japan talks resume", []),
        ("Flash floods hit town", "Flash floods hit town", []),
        ("Update on talks - sources", "Update on talks - sources", []),
        ("Corrections officer charged", "Corrections officer charged", []),
    ])
    func stripsHeadlineMarkers(headline: String, base: String, markers: [UpdateMarker]) {
        let stripped = UpdateMarkers.strip(headline)
        #expect(stripped.headline == base)
        #expect(stripped.markers == markers)
    }

    @Test func findsMarkersInTakeKeyEditorNoteAndFirstParagraph() {
        var article = Article(headline: "Storm batters coast", paragraphs: ["(Adds quotes, paragraphs 5-7)", "Text."])
        article.takeKey = "1st Ld-Writethru"
        article.editorNote = "Eds: UPDATES with death toll. Embargoed."
        let markers = UpdateMarkers.markers(in: article)
        #expect(markers.contains(.writethru(1)))
        #expect(markers.contains(.update(nil)))
        #expect(markers.contains(.adds))
        #expect(UpdateMarkers.markers(in: Article(headline: "Storm batters coast", paragraphs: ["Text."])).isEmpty)
    }

    @Test func splitsItemIDsIntoFamilyAndRevision() {
        #expect(VersionInfo.family(of: "urn:newsml:anp.nl:20181210:ANPX-101218-041:2")
            == ("urn:newsml:anp.nl:20181210:ANPX-101218-041", 2))
        #expect(VersionInfo.family(of: "urn:newsml:www.sda-ats.ch:20190603:bsf153:1N").revision == 1)
        #expect(VersionInfo.family(of: "tag:ap.org,2011:5e565888b587889c5c8bd62b6164118c-text:2").revision == 2)
        #expect(VersionInfo.family(of: "AAP.115314987.5417374") == ("AAP.115314987.5417374", nil))
        #expect(VersionInfo.family(of: "tag:reuters.com,2016:newsml_L1N14N0FF").revision == nil)
    }

    private func info(_ headline: String, source: String? = "Reuters", id: String? = nil, version: String? = nil)
        -> VersionInfo {
        var article = Article(headline: headline, source: source, paragraphs: ["Body."])
        article.itemID = id
        article.version = version
        return VersionInfo(article)
    }

    @Test func decidesVersions() {
        let first = info("Oil rises on supply fears")
        #expect(VersionCheck.reason(info("UPDATE 1-Oil rises on supply fears"), of: first, similarity: 0.6) == .updateMarker)
        // Same stripped headline: a looser text match is enough.
        #expect(VersionCheck.reason(info("UPDATE 1-Oil rises on supply fears"), of: first, similarity: 0.3) == .updateMarker)
        #expect(VersionCheck.reason(info("UPDATE 1-Brent climbs"), of: first, similarity: 0.3) == nil)
        // No marker, another source, or only a priority label: not a version.
        #expect(VersionCheck.reason(info("Oil rises on supply fears"), of: first, similarity: 0.95) == nil)
        #expect(VersionCheck.reason(info("UPDATE 1-Oil rises", source: "AP"), of: first, similarity: 0.9) == nil)
        #expect(VersionCheck.reason(info("URGENT-Oil rises on supply fears"), of: first, similarity: 0.9) == nil)
        #expect(VersionCheck.reason(info("UPDATE 1-Oil rises"), of: first, similarity: nil) == nil)
        // The item id family decides on its own, but an older revision is not a version of a newer one.
        let v1 = info("Floods", id: "urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86:1")
        let v2 = info("Floods worsen", id: "urn:newsml:afp.com:20140829T135002Z:TX-PAR-FXW86:2")
        #expect(VersionCheck.reason(v2, of: v1, similarity: 0.1) == .sameItem)
        #expect(VersionCheck.reason(v1, of: v2, similarity: 0.1) == nil)
        let g2 = info("CORRECTED-S. Illinois battles flooding", id: "tag:reuters.com,2016:newsml_L1N14N0FF", version: "2")
        let g1 = info("S. Illinois battles flooding", id: "tag:reuters.com,2016:newsml_L1N14N0FF", version: "1")
        #expect(VersionCheck.reason(g2, of: g1, similarity: nil) == .sameItem)
    }

    /// Real wire copy: Reuters 1987 sent "CORRECTED -" and "(RPT)" versions of its stories (corpus pairs 505/550 and
    /// 656/688); both are recognised as versions of the first transmission from their markers and text.
    @Test func reutersCorrectionAndRepeatAreVersions() throws {
        let path = "../shared/corpora/reuters21578-subset/reut2-000.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            print("skipping: \(path) is absent")
            return
        }
        var stories: [Int: Article] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            guard let id = object["id"] as? Int, [505, 550, 656, 688].contains(id) else { continue }
            stories[id] = Article(
                headline: object["title"] as? String ?? "", source: "Reuters",
                paragraphs: [object["body"] as? String ?? ""])
        }
        let hasher = MinHasher()
        for (earlier, later) in [(505, 550), (656, 688)] {
            let a = try #require(stories[earlier]), b = try #require(stories[later])
            let similarity = hasher.signature(of: a.bodyText).jaccard(hasher.signature(of: b.bodyText))
            #expect(VersionCheck.reason(VersionInfo(b), of: VersionInfo(a), similarity: similarity)
                == .updateMarker, "\(earlier)/\(later): similarity \(similarity)")
        }
    }
}

/// `UpdateMarkers.strip` decides on the headline's bytes when no marker can be there, and `markers(in:)` skips a
/// first paragraph whose first byte rules out a parenthesised note: both must say what the `Character` route says.
@Suite struct DedupVersionFastPathTests {
    @Test func stripOnBytesAgreesWithStripOnCharacters() {
        let prefixes = ["", " ", "\t", "\r\n", "\u{A0}", "\u{2003}", "UPDATE 2-", "(RPT) ", "REFILE-", "URGENT: ",
                        "(\u{301}x) ", "CORRECTED - ", "Update on talks - ", "\u{1C}", "\u{85}"]
        let middles = ["U.S. SAYS RATES RISE", "Café prices rise", "Japan–U.S. talks", "数字经济", "A | B", "e\u{301}",
                       "Storm (again)", ""]
        let suffixes = ["", " ", "\r\n", "\u{A0}", " (UPDATE 1)", " (corrected)", ")", " \u{301}", "\u{B}\u{C}"]
        var checked = 0
        for prefix in prefixes {
            for middle in middles {
                for suffix in suffixes {
                    let headline = prefix + middle + suffix
                    let fast = UpdateMarkers.strip(headline), slow = UpdateMarkers.stripByCharacters(headline)
                    #expect(fast.headline == slow.headline && fast.markers == slow.markers, "\(headline.debugDescription)")
                    checked += 1
                }
            }
        }
        // Every ASCII byte on both ends of a word: the byte trim must treat as whitespace exactly what
        // `Character.isWhitespace` does.
        for byte in UInt8(0)..<0x80 {
            let c = String(UnicodeScalar(byte))
            for headline in [c + "Storm" + c, c + c + "Storm", "Storm" + c, c] {
                let fast = UpdateMarkers.strip(headline), slow = UpdateMarkers.stripByCharacters(headline)
                #expect(fast.headline == slow.headline && fast.markers == slow.markers, "byte \(byte)")
                checked += 1
            }
        }
        #expect(checked == prefixes.count * middles.count * suffixes.count + 128 * 4)
        // The fast path is taken and is right on the plain case.
        #expect(UpdateMarkers.strip("  Storm batters coast \n").headline == "Storm batters coast")
    }

    /// ASCII headlines with separators and parentheses take `stripASCII`; it must agree with the `Character`
    /// route on markers before and after separators, groups at both ends, phrases longer than 40 bytes, whitespace
    /// of every kind ASCII has, and ordinary hyphens.
    @Test func stripOnASCIIBytesAgreesWithStripOnCharacters() {
        let prefixes = ["", " ", "\t", "UPDATE 2-", "UPDATE 2 - ", "(RPT) ", "(Corrects name) ", "REFILE-", "URGENT: ",
                        "CORRECTED - ", "Update on talks - ", "WRAPUP 1-", "RPT-", "1st Ld-Writethru: ", "LD WRITETHRU|",
                        "(RPT)(REFILE) ", "( ) ", "(", ")", "UPDATE 1-UPDATE 2-", "This phrase is longer than forty bytes "
                        + "UPDATE 2-", "Urgent:REFILE-", "\u{B}FLASH\u{C}- "]
        let middles = ["U.S.-Japan talks", "Storm batters coast", "A | B: c", "Rates - rise", "", "-", ":", "x(y)z",
                       "Talks (again) resume", "Word-word-word-word-word-word-word-word-word-word"]
        let suffixes = ["", " ", "\n", " (UPDATE 1)", " (corrected)", ")", " (", "(RPT)", " (Updates with quote) ",
                        " (no marker)", "\u{B}\u{C}"]
        var checked = 0
        for prefix in prefixes {
            for middle in middles {
                for suffix in suffixes {
                    let headline = prefix + middle + suffix
                    let slow = UpdateMarkers.stripByCharacters(headline)
                    for fast in [UpdateMarkers.strip(headline),
                                 UpdateMarkers.stripASCII(headline, mayHaveSeparator: true)] {
                        #expect(fast.headline == slow.headline && fast.markers == slow.markers,
                                "\(headline.debugDescription)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == prefixes.count * middles.count * suffixes.count)
        #expect(UpdateMarkers.strip("UPDATE 2-U.S.-Japan talks (corrected)").markers == [.update(2), .correction])
    }

    /// `parse` rules out most phrases on their bytes before `parseWords` uppercases and splits them: the two must
    /// agree on every marker word, in any case, with numbers, ordinals and extra words, and on ordinary phrases.
    @Test func parseShortcutAgreesWithParseWords() {
        let words = ["update", "UPDATE", "Wrapup", "updated", "updates", "corrected", "CORRECTION", "corrects",
                     "correcting", "refile", "refiled", "refiles", "rpt", "repeat", "repeats", "repeating", "recasts",
                     "recast", "recasting", "adds", "adding", "writethru", "WRITETHROUGH", "urgent", "flash",
                     "bulletin", "alert", "breaking", "1st", "2ND", "3rd", "4th", "first", "Second", "ld", "LD", "2",
                     "x", "talks", "U.S.", "on", "Café", "ß", "ﬁle", "", "quotes", "21st", "ldx"]
        let joins = [" ", "-", ", ", "_", "  ", " - ", "\r\n"]
        var phrases: Set<String> = []
        for a in words {
            phrases.insert(a)
            for b in words {
                for join in joins.prefix(3) { phrases.insert(a + join + b) }
            }
        }
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<4000 {
            let count = Int(generator.next() % 7)
            var phrase = ""
            for k in 0..<count {
                if k > 0 { phrase += joins[Int(generator.next() % UInt64(joins.count))] }
                phrase += words[Int(generator.next() % UInt64(words.count))]
            }
            phrases.insert(phrase)
        }
        for phrase in phrases {
            let text = Substring(phrase)
            #expect(UpdateMarkers.parse(text) == UpdateMarkers.parseWords(text), "\(phrase.debugDescription)")
            if UpdateMarkers.rulesOutMarker(text) { #expect(UpdateMarkers.parseWords(text) == nil) }
        }
        #expect(phrases.count > 4000)
    }

    /// `hashWord` reads the contiguous bytes: the FNV-1a of `utf8`, also for non-ASCII and empty words.
    @Test func hashWordIsFNVOfTheBytes() {
        for word in ["", "a", "reuters", "Café", "数字经济", "e\u{301}", String(repeating: "long word ", count: 40),
                     "U.S.-Japan talks"] {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in word.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            #expect(Shingles.hashWord(word) == h)
            #expect(Shingles.hashWord(String(word.prefix(3))) == Shingles.hashWord(String(Substring(word).prefix(3))))
        }
    }

    @Test func firstParagraphNotesAreFoundWhateverTheirFirstByte() {
        let paragraphs = ["(Adds quotes, paragraphs 5-7)", " (Recasts)", "\t(Adds quotes, background)\n",
                          "\u{A0}(Recasts)", "x(Recasts)", "(Recasts", "(\u{301}Recasts)", "Recasts)", "", "数字",
                          "\r\n(Recasts)\r\n", "\u{1C}(Recasts)"]
        for paragraph in paragraphs {
            let article = Article(headline: "Storm batters coast", paragraphs: [paragraph, "Text."])
            // The definition: trim the first paragraph by characters and read a parenthesised note.
            let text = UpdateMarkers.trimmed(Substring(paragraph))
            var expected: [UpdateMarker] = []
            if text.first == "(", text.last == ")", let marker = UpdateMarkers.parse(text.dropFirst().dropLast()) {
                expected.append(marker)
            }
            #expect(UpdateMarkers.markers(in: article) == expected, "\(paragraph.debugDescription)")
        }
        #expect(UpdateMarkers.markers(in: Article(headline: "S", paragraphs: [" (Recasts)"])) == [.recast])
    }
}
