extension ClassificationRules {
    /// The rules Copydesk uses when the user has none; `deploy/rules.conf` is a copy to start editing from (a test
    /// keeps the two identical).
    public static let defaultText = #"""
        # Copydesk classification rules (format 1). One rule per line:
        #   kind|source|topic|urgency  LABEL  WEIGHT  FIELDS  PATTERN...
        # FIELDS: headline lead tail body byline dateline source channel meta any (comma-separated)
        # PATTERN: "phrase" or word (case-insensitive, whole words), ="whole paragraph", ^"paragraph start",
        #          "paragraph end"$, /regex/ (Swift Regex, case-sensitive, per paragraph)
        # Reload with `systemctl reload copydesk` after editing.

        # --- Thresholds -----------------------------------------------------------------------------------
        set kind-threshold 2
        set source-threshold 3
        set topic-threshold 4
        set topic-scale 8
        set max-topics 6

        # --- Kinds ----------------------------------------------------------------------------------------
        # Transcripts: the page says what the words are, usually in its first lines.
        kind transcript:press-conference 8 headline,lead ="press conference" ^"press conference by" ^"joint press conference" ="press briefing"
        kind transcript:press-conference 4 lead ^"press point" ^"transcript of the press"
        kind transcript:speech           6 headline,lead ="(as delivered)" ="(check against delivery)" ^"speech by" ^"keynote speech" ^"remarks by"
        kind transcript:interview        6 headline,lead ^"interview with" ="interview" ^"transcript of interview"
        kind transcript:doorstep         6 headline,lead ="doorstep" ^"doorstep remarks" ^"doorstep by"
        kind transcript                  2 tail "ready to take your questions" "thank you very much" "i'm happy to take"
        kind transcript                  3 body ^"q:" ^"a:" ^"question:" ^"answer:" ^"moderator:" ^"q&a"
        # Statements
        kind statement:doorstep          6 headline,lead ^"doorstep statement"
        kind statement                   5 headline,lead ^"statement by" ^"statement from" ^"joint statement" ^"statement of" ="statement" ^"declaration by"
        # Press releases
        kind press-release               6 headline,lead "for immediate release" ^"press release" ^"news release" ^"media release"
        kind press-release               4 tail ^"notes to editors" ^"note to editors" ^"media contact" ^"press contact" ="ends" ^"for further information" ^"for more information"
        kind press-release               2 lead "last updated:" "mis à jour le:"
        # Advisories
        kind advisory                    7 headline,lead ^"media advisory" ^"advisory:" ^"note to correspondents" ^"media note" ^"editors' note" ^"daybook"
        kind advisory                    3 body "photo opportunity" "media accreditation" "accreditation is required"
        # Agency stories: an agency dateline or sign-off
        kind agency-story                5 lead,dateline /^[A-Z][A-Za-z'\/. -]{1,40},?\s*(?:[A-Z][a-z]{2,8}\.? \d{1,2},? )?\((?:[A-Z][A-Za-z.-]{1,12}(?: [A-Z][a-z]+)?)\)\s*[-—–]/
        kind agency-story                4 tail "endit"$ ="endit" "(reporting by" "(editing by" "reuter"$
        # Features and analysis
        kind feature                     5 headline,lead ^"analysis:" ^"feature:" ^"news analysis" ^"opinion:" ^"comment:" ^"interview:" ^"profile:" ^"insight:"

        # --- Sources ---------------------------------------------------------------------------------------
        agency Reuters AP AFP dpa AAP Xinhua Sputnik TASS "RIA Novosti" Interfax Kyodo Yonhap ANSA EFE Anadolu UPI Bloomberg PA ANP Belga NTB TT Ritzau APA Keystone-SDA CP "Jiji Press"
        alias Xinhua "Xinhua News Agency" xinhuanet "新华社" "Xinhua Net"
        alias Sputnik "Sputnik International" "Sputnik News" sputniknews
        alias Reuters "Thomson Reuters" reuter
        alias AP "Associated Press" "The Associated Press"
        alias AFP "Agence France-Presse" "Agence France Presse"
        alias dpa "Deutsche Presse-Agentur"
        alias AAP "Australian Associated Press"
        alias PA "Press Association" "PA Media"
        alias CP "Canadian Press" "The Canadian Press"
        alias NATO "North Atlantic Treaty Organization" "North Atlantic Treaty Organisation" OTAN
        alias "European Commission" "EU Commission"
        alias "United Nations" UN ONU

        source Xinhua   6 lead,dateline,byline "(xinhua)" ^"xinhua," ^"xinhua |" "xinhua news agency" "xinhuanet"
        source Xinhua   5 tail "endit"$ ="endit"
        source Sputnik  6 lead,dateline,byline "(sputnik)" "(sputnik) —"
        source Sputnik  2 any "sputnik international"
        source Reuters  6 lead,dateline,byline "(reuters)" "(reuters) -"
        source Reuters  4 tail "reuter"$ "(reporting by" "(editing by"
        source AP       6 lead,dateline,byline "(ap)" "(ap) —" "associated press writer"
        source AFP      6 lead,dateline,byline "(afp)" "(afp) -" "agence france-presse"
        source dpa      6 lead,dateline,byline "(dpa)" "(dpa) -" ^"dpa "
        source AAP      6 lead,dateline,byline "(aap)" "aap -"
        source AAP      3 tail ="aap" "aap"$
        source TASS     6 lead,dateline,byline "(tass)" "/tass/"
        source Anadolu  6 lead,dateline,byline "(aa)" "anadolu agency"
        source Kyodo    6 lead,dateline,byline "(kyodo)" "kyodo news"
        source Yonhap   6 lead,dateline,byline "(yonhap)" "yonhap news agency"
        source UPI      6 lead,dateline,byline "(upi)" "united press international"
        source Bloomberg 5 lead,byline "(bloomberg)" "bloomberg news"
        # Issuing organisations: press offices name themselves in the first lines.
        source NATO     4 headline,lead ^"nato" "nato secretary general" "by nato secretary general" "nato spokesperson" "nato headquarters" "nato allies"
        source NATO     3 lead "last updated:" "mis à jour le:"
        source "European Commission" 4 headline,lead "european commission" ^"commission" "ec spokesperson"
        source "United Nations" 4 headline,lead "un secretary-general" "united nations secretary-general" "un spokesperson"
        source "White House" 5 headline,lead "office of the press secretary" ="the white house"

        # --- Urgency (case-sensitive markers at the start of the headline or a paragraph) -------------------
        urgency flash    1 headline,lead /^FLASH\b/
        urgency bulletin 2 headline,lead /^BULLETIN\b/
        urgency urgent   3 headline,lead /^(URGENT|DRINGEND|URGENTE)\b/
        urgency alert    3 headline,lead /^(ALERT|BREAKING)\b/

        # --- Topics: IPTC Media Topics --------------------------------------------------------------------
        # conflict, war and peace
        topic medtop:20000053 2.5 body terrorism terrorist terrorists "act of terror" "terror attack" "terror attacks" "terrorist attack" "terrorist group" isis isil daesh "al-qaeda" "al qaeda" jihadist jihadists "suicide bomber" "suicide bombing" "counter-terrorism" "counter terrorism" "anti-daesh" "anti-isis"
        topic medtop:20000056 2   body "armed conflict" war wars "civil war" airstrike airstrikes "air strikes" troops "military operation" "combat operations" "combat operation" offensive shelling ceasefire "cease-fire" insurgents insurgency militants rebels "armed forces" fighting invasion "military build-up" battlefield
        topic medtop:20000065 2   body protest protests protesters demonstrators riot riots "civil unrest" "tear gas" clashes
        topic medtop:20000070 3   body "coup d'etat" "coup attempt" "military coup" junta
        topic medtop:20000073 2   body "peace process" "peace talks" "peace agreement" "peace deal" "peace efforts" truce reconciliation
        topic medtop:16000000 1   body conflict conflicts violence "security environment" "hybrid threats" hostilities
        # politics
        topic medtop:20000598 1.5 body defence defense "defence ministers" "defense ministers" "defence minister" "defense minister" military "collective defence" deterrence awacs "battle groups" "military presence" "defence spending" "defense spending" alliance allies "security forces"
        topic medtop:20000639 1.5 body diplomacy diplomatic diplomats ambassador ambassadors "foreign minister" "foreign ministers" "secretary of state" summit "bilateral" treaty "high representative" "joint statement"
        topic medtop:20000642 2.5 body sanctions "economic sanctions" embargo
        topic medtop:20000645 2.5 body refugee refugees "asylum seekers" "asylum seeker" asylum "displaced people" "internally displaced" "refugee crisis"
        topic medtop:20000634 2.5 body migrant migrants migration "illegal crossings" "irregular crossings" "illegal migration" smugglers "human trafficking" "border management" frontex "external borders"
        topic medtop:20000574 2.5 body election elections "general election" voters ballot ballots "polling stations" "opinion poll" candidate candidates referendum "election campaign" electoral
        topic medtop:20000593 1   body government parliament minister ministers "prime minister" president cabinet mps "home secretary" chancellor
        topic medtop:11000000 1   body politics political party parties labour tory tories conservatives "lib dems" democrats republicans policy
        # economy, business and finance
        topic medtop:04000000 1   body economy economic company companies firm firms market markets shares profits profit sales bank banks investors prices growth revenue billion "per cent" percent inflation "interest rates" dollar euro trade exports
        topic medtop:20000385 1.5 body "stock market" "stock exchange" shares "share price" nasdaq ftse dow bonds currency
        # sport
        topic medtop:15000000 1   body match matches game games team teams player players coach season league cup championship champion tournament win won victory defeat goal goals olympic olympics football rugby tennis cricket athletics race final "world cup" striker
        # arts, culture, entertainment and media
        topic medtop:01000000 1   body film films movie movies actor actress music album band singer star stars award awards oscar oscars festival tv television show theatre "box office" comedy drama chart
        # science and technology
        topic medtop:13000000 1   body technology software computer computers internet online digital mobile phone phones broadband users web network networks device devices gadgets microsoft apple google broadband "cyber" research scientists
        # crime, law and justice
        topic medtop:02000000 1.5 body police court judge trial crime criminal arrested charged prison sentence lawyer lawyers prosecutors
        # disaster, accident and emergency incident
        topic medtop:03000000 2   body earthquake tsunami flood floods hurricane disaster crash explosion wildfire victims "rescue workers"
        # health, environment, labour, society, religion, education
        topic medtop:07000000 1.5 body health hospital hospitals patients disease virus vaccine doctors nhs medical
        topic medtop:06000000 1.5 body environment environmental pollution emissions "climate change" "global warming" wildlife
        topic medtop:09000000 1.5 body unemployment jobs workers strike unions wages employment
        topic medtop:14000000 1   body society social welfare poverty immigration community communities discrimination
        topic medtop:12000000 1.5 body religion religious church mosque pope muslim christian islamic
        topic medtop:05000000 1.5 body education school schools students university universities teachers pupils

        # --- A trained model's labels as topics (the BBC corpus's five labels) -------------------------------
        model-topic business      medtop:04000000
        model-topic entertainment medtop:01000000
        model-topic politics      medtop:11000000
        model-topic sport         medtop:15000000
        model-topic tech          medtop:13000000
        """#

    /// ``defaultText``, parsed. A test proves it parses; a failure here is a programming error caught by it.
    public static let `default`: ClassificationRules = {
        do {
            return try parse(defaultText)
        } catch {
            fatalError("the built-in rules do not parse: \(error)")
        }
    }()
}
