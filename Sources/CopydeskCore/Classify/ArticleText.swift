/// An article's headline and body as one UTF-8 buffer, made once per document and read by the model, the entity
/// extractor and the language detector in place.
///
/// Why: each of them used to build its own `String` of the same text (the model's headline + body, the
/// extractor's joined paragraphs, the detector's sample) — three copies and their allocations per document. The
/// layout is the model's text exactly (headline, a blank line, paragraphs separated by blank lines), and the
/// others read ranges of it whose words and letters are theirs (a line break and a blank line both end a word).
struct ArticleText {
    /// `headline + "\n\n" + paragraphs.joined(separator: "\n\n")`.
    let bytes: [UInt8]
    /// End of the headline; the body starts two bytes later.
    let headlineEnd: Int
    /// End of the language detector's sample: the paragraphs it would take (see ``LanguageDetector/detect(_:)``).
    let languageSampleEnd: Int

    init(_ article: Article) {
        let headline = article.headline.utf8
        var size = headline.count + 2
        for paragraph in article.paragraphs { size += paragraph.utf8.count + 2 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        bytes.append(contentsOf: headline)
        headlineEnd = bytes.count
        bytes.append(0x0A)
        bytes.append(0x0A)
        // The detector's sample joined paragraphs with one line break and stopped adding them once it was longer
        // than twice its letter budget: the same paragraphs, counted the same way.
        var sampleLength = headline.count
        var sampleEnd = headlineEnd
        for (index, paragraph) in article.paragraphs.enumerated() {
            if index > 0 {
                bytes.append(0x0A)
                bytes.append(0x0A)
            }
            bytes.append(contentsOf: paragraph.utf8)
            if sampleLength <= LanguageDetector.sampleLetters * 2 {
                sampleLength += 1 + paragraph.utf8.count
                sampleEnd = bytes.count
            }
        }
        self.bytes = bytes
        languageSampleEnd = sampleEnd
    }
}
