import CopydeskCore
import Testing

/// ANPA-1312 and IPTC 7901: synthetic files built control character by control character, then the agency
/// files of the shared corpus.
@Suite("Parse: ANPA-1312 and IPTC 7901")
struct ParseWireCopyTests {
    // MARK: ANPA-1312

    /// An AP story in ANPA-1312, with `eol` line ends.
    static func anpa(eol: String) -> String {
        "\u{16}\u{16}\u{01}a0042\u{1F}wire\(eol)"
            + "u i\u{13}\u{11} BC-EU--Summit-Deal 2ndLd-Writethru   03-07 0412\(eol)"
            + "\u{02}^BC-EU--Summit Deal, 2nd Ld-Writethru,0412<\(eol)"
            + "^Leaders agree on a budget after all-night talks<\(eol)"
            + "^AP Photo BRU101<\(eol)"
            + "^Eds: Updates with quotes.<\(eol)"
            + "^By ANNA KOWALSKA=\(eol)"
            + "^Associated Press=\(eol)"
            + "\t   BRUSSELS (AP) _ European leaders agreed on a seven-year budget early on Friday after talks\(eol)"
            + "that ran through the night.\(eol)"
            + " \(eol)"
            + "\t   ``It was hard,'' one diplomat said.<\(eol)"
            + "\t   ___\(eol)"
            + "^REACTION=\(eol)"
            + "\t   Markets rose.\(eol)"
            + "\(eol)"
            + "\t   \u{03}AP-WF-03-07-14 0512GMT<\(eol)"
            + "\u{0C}\u{04}"
    }

    @Test(arguments: ["\n", "\r\n"])
    func anpaFields(eol: String) throws {
        let article = try #require(ANPA1312Parser().parse(Self.anpa(eol: eol)).success)
        #expect(article.headline == "Leaders agree on a budget after all-night talks")
        #expect(article.priority == 3)
        #expect(article.slugline == "EU--Summit-Deal")
        #expect(article.takeKey == "2ndLd-Writethru")
        #expect(article.byline == "ANNA KOWALSKA")
        #expect(article.editorNote == "Updates with quotes.")
        #expect(article.dateline == "BRUSSELS (AP) _")
        #expect(article.datelinePlace == "BRUSSELS")
        #expect(article.source == "AP")
        #expect(article.published == "2014-03-07T05:12:00Z")
        #expect(article.metadata?["category"] == "i")
        #expect(article.metadata?["photos"] == "AP Photo BRU101")
        #expect(article.metadata?["bylineTitle"] == "Associated Press")
        #expect(
            article.paragraphs == [
                "BRUSSELS (AP) _ European leaders agreed on a seven-year budget early on Friday after talks that ran "
                    + "through the night.",
                "``It was hard,'' one diplomat said.",
                "REACTION",
                "Markets rose.",
            ])
    }

    @Test func anpaWithoutTextIsRefused() {
        #expect(
            ANPA1312Parser().parse("\u{16}\u{16}\u{01}a0042\u{1F}wire\nr a BC-X 01-01 0001\n").failure?.code
                == .unparsable)
        #expect(ANPA1312Parser().parse("no framing at all").failure?.code == .unparsable)
    }

    @Test func anpaIsSniffedAndCleanedOfNothing() throws {
        let document = try #require(Parse.prepare(Array(Self.anpa(eol: "\r\n").utf8), fileName: "x.tst").success)
        #expect(document.format == "anpa-1312")
        #expect(document.removed.isEmpty)
    }

    @Test(.enabled(if: WireFixtures.available, "needs ../shared/corpora"))
    func apFixtures() throws {
        let prairie = try #require(ANPA1312Parser().parse(WireFixtures.input("anpa-1312/sdcore--anpa-2.tst")).success)
        #expect(prairie.headline == "Prairies vanish in the US push for green energy")
        #expect(prairie.takeKey == "1stLd-Writethru")
        #expect(
            prairie.editorNote
                == "This is part of an Associated Press investigation into the hidden costs of green energy.")
        #expect(prairie.bodyText.contains("conservative estimate of 1.2 million acres lost, the AP excluded"))

        let table = try #require(ANPA1312Parser().parse(WireFixtures.input("anpa-1312/sdcore--ap_anpa-2.tst")).success)
        #expect(table.slugline == "BBO--BaseballExpanded")
        #expect(table.headline == "Baseball Expanded Standings")
        #expect(table.paragraphs.contains("Tampa Bay;17;19;.472;6;3{;5-5;W-1;10-11;7-8"))

        // Windows-1252 bytes: read as the decoding stage's fallback gives them.
        let glance = try #require(ANPA1312Parser().parse(WireFixtures.input("anpa-1312/sdcore--ap_anpa-6.tst")).success)
        #expect(glance.slugline == "BBO--WildCardGlance")
        #expect(glance.headline == "Wild Card Glance")
        #expect(glance.bodyText.contains("Chicago White Sox at L.A. Angels, 4:07 p.m."))

        let alert = try #require(ANPA1312Parser().parse(WireFixtures.input("anpa-1312/sdcore--ap_anpa-5.tst")).success)
        #expect(alert.headline.hasPrefix("Hawaii files court challenge"))
        #expect(alert.priority == 2)
    }

    // MARK: IPTC 7901

    static let iptc7901 =
        "\u{01}abc123 2 pl 180   xyz 007\r\n\r\n"
        + "Chile-earthquake/\r\n"
        + "\u{02}1ST LEAD\r\n"
        + "Strong earthquake shakes northern Chile =\r\n"
        + "By Pedro Alvarez, xyz =\r\n"
        + "\r\n"
        + "   Santiago (xyz) - A strong earthquake shook northern Chile on\r\n"
        + "Sunday, the national seismological centre said.\r\n"
        + "\r\n"
        + "   There were no immediate reports of damage.\r\n"
        + "\r\n"
        + "# Notebook\r\n"
        + "## Note to editors\r\n"
        + "- Adds seismological centre\r\n"
        + "\r\n"
        + "xyz pa fg\r\n"
        + "\u{03}051530 GMT Mar 21\r\n"
        + "\u{7F}\u{04}"

    @Test func iptc7901Fields() throws {
        let article = try #require(IPTC7901Parser().parse(Self.iptc7901).success)
        #expect(article.headline == "Strong earthquake shakes northern Chile")
        #expect(article.takeKey == "1ST LEAD")
        #expect(article.byline == "Pedro Alvarez, xyz")
        #expect(article.slugline == "Chile-earthquake")
        #expect(article.priority == 2)
        #expect(article.dateline == "Santiago (xyz) -")
        #expect(article.source == "xyz")
        #expect(article.published == "2021-03-05T15:30:00Z")
        #expect(article.editorNote == "Adds seismological centre")
        #expect(article.metadata?["signoff"] == "xyz pa fg")
        #expect(article.metadata?["category"] == "pl")
        #expect(
            article.paragraphs == [
                "Santiago (xyz) - A strong earthquake shook northern Chile on Sunday, the national seismological "
                    + "centre said.",
                "There were no immediate reports of damage.",
            ])
    }

    /// The same file after a gateway stripped the control characters, and one padded with DEL bytes.
    @Test func iptc7901WithoutControlsOrWithPadding() throws {
        let stripped = String(
            String.UnicodeScalarView(
                Self.iptc7901.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F || $0 == "\r" || $0 == "\n" }
            ))
        #expect(FormatSniffer.sniff(stripped, fileName: "in.txt") == .iptc7901)
        let article = try #require(IPTC7901Parser().parse(stripped).success)
        #expect(article.headline == "Strong earthquake shakes northern Chile")
        #expect(article.takeKey == "1ST LEAD")
        #expect(article.paragraphs.count == 2)

        let padded = "\u{7F}\u{7F}\r\n\u{7F}" + Self.iptc7901
        #expect(FormatSniffer.sniff(padded, fileName: "in.txt") == .iptc7901)
        #expect(IPTC7901Parser().parse(padded).success?.headline == "Strong earthquake shakes northern Chile")
    }

    @Test(.enabled(if: WireFixtures.available, "needs ../shared/corpora"))
    func dpaAndATSFixtures() throws {
        let dpa = try #require(IPTC7901Parser().parse(WireFixtures.input("iptc7901/sdcore--IPTC7901.txt")).success)
        #expect(dpa.headline == "Germany Social Democrats: Coalition talks with Merkel could fail")
        #expect(dpa.slugline == "Germany-politics")
        #expect(dpa.priority == 4)
        #expect(dpa.datelinePlace == "Berlin")
        #expect(dpa.source == "dpa")
        #expect(dpa.bodyText.contains("and the left-leaning Social Democrats (SPD)"))
        #expect(!dpa.bodyText.contains("NOTEBOOK"))

        let stripped = try #require(IPTC7901Parser().parse(WireFixtures.input("iptc7901/sdbelga--dpa.txt")).success)
        #expect(stripped.headline == "Top EU court: Britain can unilaterally reverse Brexit decision")
        #expect(stripped.byline == "Helen Maguire, dpa")
        #expect(stripped.takeKey == "2ND LEAD 3RD NET")
        #expect(stripped.priority == 3)
        #expect(stripped.published == "2018-12-10T11:37:00Z")

        let ats = try #require(IPTC7901Parser().parse(WireFixtures.input("iptc7901/sdbelga--ats.txt")).success)
        #expect(ats.headline == "Gilets jaunes: une «catastrophe pour notre économie» (Le Maire)")
        #expect(ats.priority == 3)
        #expect(ats.bodyText.contains("pour notre économie», a déclaré à la presse le ministre, lors d'une"))
        #expect(ats.metadata?["signoff"] == "(SDA\\/sj)")

        let twoLine = try #require(
            IPTC7901Parser().parse(WireFixtures.input("iptc7901/sdcore--dpa_two_line.txt")).success)
        #expect(twoLine.slugline == "Yemen/conflict")
        #expect(twoLine.takeKey == "EXTRA")
        #expect(twoLine.headline == "Peace talks on Yemen to take place in Sweden next month, Mattis says")
    }
}
