extension EntityExtractor {
    /// Countries (UN members and a few others, with the short forms wires use), capitals and cities that make
    /// news, regions, and the organisations that appear most in international wire copy. `Name=Alias=Alias`: the
    /// first spelling is the one reported.
    public static let defaultGazetteer = """
        place: Afghanistan; Albania; Algeria; Andorra; Angola; Argentina; Armenia; Australia; Austria; Azerbaijan; \
        Bahamas; Bahrain; Bangladesh; Barbados; Belarus; Belgium; Belize; Benin; Bhutan; Bolivia; \
        Bosnia and Herzegovina=Bosnia; Botswana; Brazil; Brunei; Bulgaria; Burkina Faso; Burundi; Cambodia; \
        Cameroon; Canada; Cape Verde; Central African Republic; Chad; Chile; China; Colombia; Comoros; Congo; \
        Costa Rica; Croatia; Cuba; Cyprus; Czech Republic=Czechia; Denmark; Djibouti; Dominica; \
        Dominican Republic; East Timor=Timor-Leste; Ecuador; Egypt; El Salvador; Equatorial Guinea; Eritrea; \
        Estonia; Eswatini; Ethiopia; Fiji; Finland; France; Gabon; Gambia; Georgia; Germany; Ghana; Greece; \
        Grenada; Guatemala; Guinea; Guinea-Bissau; Guyana; Haiti; Honduras; Hungary; Iceland; India; Indonesia; \
        Iran; Iraq; Ireland; Israel; Italy; Ivory Coast=Cote d'Ivoire; Jamaica; Japan; Jordan; Kazakhstan; Kenya; \
        Kiribati; Kosovo; Kuwait; Kyrgyzstan; Laos; Latvia; Lebanon; Lesotho; Liberia; Libya; Liechtenstein; \
        Lithuania; Luxembourg; Madagascar; Malawi; Malaysia; Maldives; Mali; Malta; Marshall Islands; Mauritania; \
        Mauritius; Mexico; Micronesia; Moldova; Monaco; Mongolia; Montenegro; Morocco; Mozambique; Myanmar=Burma; \
        Namibia; Nauru; Nepal; Netherlands=Holland; New Zealand; Nicaragua; Niger; Nigeria; North Korea; \
        North Macedonia=Macedonia; Norway; Oman; Pakistan; Palau; Palestine=Palestinian Territories; Panama; \
        Papua New Guinea; Paraguay; Peru; Philippines; Poland; Portugal; Qatar; Romania; Russia=Russian Federation; \
        Rwanda; Saint Lucia; Samoa; San Marino; Saudi Arabia; Senegal; Serbia; Seychelles; Sierra Leone; Singapore; \
        Slovakia; Slovenia; Solomon Islands; Somalia; South Africa; South Korea; South Sudan; Spain; Sri Lanka; \
        Sudan; Suriname; Sweden; Switzerland; Syria; Taiwan; Tajikistan; Tanzania; Thailand; Togo; Tonga; \
        Trinidad and Tobago; Tunisia; Turkey=Turkiye=Türkiye; Turkmenistan; Tuvalu; Uganda; Ukraine; \
        United Arab Emirates=UAE; United Kingdom=UK=U.K.=Britain=Great Britain; \
        United States=US=U.S.=USA=United States of America; Uruguay; Uzbekistan; Vanuatu; Vatican; Venezuela; \
        Vietnam; Yemen; Zambia; Zimbabwe; Scotland; Wales; England; Northern Ireland; Greenland; Crimea; Donbas; \
        Gaza=Gaza Strip; West Bank; Hong Kong; Macau; Tibet; Xinjiang; Kashmir; Chechnya; Kurdistan
        place: Kabul; Tirana; Algiers; Buenos Aires; Yerevan; Canberra; Sydney; Melbourne; Vienna; Baku; Dhaka; \
        Minsk; Brussels; Sarajevo; Brasilia; Rio de Janeiro; Sao Paulo; Sofia; Ottawa; Toronto; Montreal; Santiago; \
        Beijing; Shanghai; Bogota; Zagreb; Havana; Nicosia; Prague; Copenhagen; Cairo; Tallinn; Addis Ababa; \
        Helsinki; Paris; Tbilisi; Berlin; Munich; Frankfurt; Hamburg; Accra; Athens; Budapest; Reykjavik; \
        New Delhi=Delhi; Mumbai; Jakarta; Tehran; Baghdad; Mosul; Dublin; Jerusalem; Tel Aviv; Rome; Milan; Tokyo; \
        Osaka; Amman; Astana; Nairobi; Pristina; Kuwait City; Bishkek; Riga; Beirut; Tripoli; Vilnius; \
        Kuala Lumpur; Valletta; Mexico City; Chisinau; Ulaanbaatar; Podgorica; Rabat; Amsterdam; The Hague; \
        Rotterdam; Wellington; Abuja; Lagos; Pyongyang; Skopje; Oslo; Islamabad; Karachi; Lahore; Ramallah; \
        Manila; Warsaw; Lisbon; Doha; Bucharest; Moscow; St Petersburg=Saint Petersburg; Kigali; Riyadh; Dakar; \
        Belgrade; Bratislava; Ljubljana; Mogadishu; Pretoria; Johannesburg; Cape Town; Seoul; Madrid; Barcelona; \
        Colombo; Khartoum; Stockholm; Geneva; Bern; Zurich; Damascus; Aleppo; Taipei; Bangkok; Tunis; Ankara; \
        Istanbul; Kampala; Kyiv=Kiev; Kharkiv; Odesa=Odessa; Abu Dhabi; Dubai; London; Manchester; Edinburgh; \
        Washington; New York; Los Angeles; Chicago; San Francisco; Caracas; Hanoi; Sanaa; Lusaka; Harare; \
        Strasbourg; Luxembourg City; Warsaw; Vilnius; Hiroshima; Guantanamo
        place: Europe; Asia; Africa; North America; South America; Latin America; Middle East; North Africa; \
        Balkans; Baltic; Black Sea; Aegean=Aegean Sea; Mediterranean; Caucasus; Sahel; Arctic; Antarctica; \
        Gulf; Persian Gulf; Korean Peninsula; Central Asia; South Asia; Southeast Asia; Scandinavia; Siberia
        org: NATO=North Atlantic Treaty Organization=North Atlantic Treaty Organisation=the Alliance; \
        European Union=EU; European Commission; European Council; European Parliament; Council of the EU; \
        European Central Bank=ECB; United Nations=UN=U.N.; UN Security Council=Security Council; \
        UN General Assembly; UNHCR; UNICEF; World Health Organization=WHO; World Bank; \
        International Monetary Fund=IMF; World Trade Organization=WTO; Organization for Security and Co-operation in Europe=OSCE; \
        OECD; G7; G20; African Union; Arab League; ASEAN; OPEC; Council of Europe; International Criminal Court=ICC; \
        International Atomic Energy Agency=IAEA; Interpol; Europol; Frontex; Red Cross=ICRC; \
        Amnesty International; Human Rights Watch; Doctors Without Borders=MSF; Federal Reserve=Fed; \
        Bank of England; Pentagon; White House; Kremlin; State Department; CIA; FBI; Hamas; Hezbollah; Taliban; \
        ISIS=ISIL=Islamic State=Daesh; Al-Qaeda=al-Qaeda=al Qaeda; Boko Haram; Xinhua; Reuters; Sputnik; \
        Associated Press; AFP; BBC; CNN; TASS; Google; Apple; Microsoft; Amazon; Facebook=Meta; Sony; Nintendo; \
        Samsung; Airbus; Boeing; Gazprom; FIFA; UEFA; IOC=International Olympic Committee; Premier League
        """
}
