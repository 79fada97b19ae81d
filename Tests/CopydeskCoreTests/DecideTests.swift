import CopydeskCore
import Testing

@Suite struct DecideTests {
    private func arrival(_ bytes: [UInt8], file: String = "a.txt") -> Arrival {
        Arrival(file: file, channel: nil, claim: "c", receivedAt: .epoch, size: Int64(bytes.count), sha256: SHA256.hash(bytes))
    }

    @Test func newTextBecomesADocumentWithItsBytes() {
        let bytes = Array("Headline\n\nBody paragraph.\n".utf8)
        let body = Decide.decide(bytes, arrival: arrival(bytes), seen: { _ in nil }, rejectedAs: "a.txt")
        guard case .document(let document) = body else { Issue.record("expected a document, got \(body)"); return }
        #expect(document.raw == bytes)
        #expect(document.article.headline == "Headline")
        #expect(document.format == "text")
    }

    @Test func knownBytesBecomeADuplicateOfTheFirst() {
        let bytes = Array("Headline\n\nBody.\n".utf8)
        let digest = SHA256.hash(bytes)
        let body = Decide.decide(bytes, arrival: arrival(bytes), seen: { $0 == digest ? 7 : nil }, rejectedAs: "x")
        #expect(body == .duplicate(DuplicateRecord(arrival: arrival(bytes), duplicateOf: 7, match: "exact")))
    }

    @Test func badInputIsRejectedWithTheNameGiven() {
        let bytes: [UInt8] = [0x50, 0x00, 0x01]
        let body = Decide.decide(bytes, arrival: arrival(bytes), seen: { _ in nil }, rejectedAs: "a.txt.2")
        guard case .rejected(let rejected) = body else { Issue.record("expected a rejection, got \(body)"); return }
        #expect(rejected.reason.code == .binary)
        #expect(rejected.rejectedAs == "a.txt.2")
        let text = Decide.reasonFileText(rejected, sequence: 9)
        #expect(text.contains("reason: binary\n"))
        #expect(text.contains("record: 9\n"))
        #expect(text.contains("file: a.txt\n"))
        // Read back as trace and retry read it.
        let fields = Decide.reasonFields(text)
        #expect(fields["reason"] == "binary" && fields["record"] == "9" && fields["file"] == "a.txt")
        #expect(fields["message"] == rejected.reason.message)
    }

    @Test func digestIndexKeepsTheFirstSequence() {
        var index = DigestIndex()
        let digest = SHA256.hash(Array("x".utf8))
        index.insert(digest, sequence: 3)
        index.insert(digest, sequence: 9)
        #expect(index.lookup(digest) == 3)
        #expect(index.lookup(SHA256.hash(Array("y".utf8))) == nil)
        #expect(index.count == 1)
    }

    @Test func sha256KnownVector() {
        #expect(SHA256.hash(Array("abc".utf8)).hex
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Array("a".utf8), Array("bc".utf8)) == SHA256.hash(Array("abc".utf8)))
        #expect(Digest(hex: SHA256.hash(Array("abc".utf8)).hex) == SHA256.hash(Array("abc".utf8)))
        // Empty and many-block inputs (FIPS 180-2's million "a"s).
        #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
