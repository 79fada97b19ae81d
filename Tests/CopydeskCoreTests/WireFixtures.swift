import CopydeskCore
import Foundation

/// The agency files in `../shared/corpora/wire-formats` (beside the package), when present. Tests that read
/// them are skipped with a message when the folder is absent (CI without the shared corpora).
enum WireFixtures {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CopydeskCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()  // its parent
        .appendingPathComponent("shared/corpora/wire-formats")

    static let available = FileManager.default.fileExists(atPath: folder.path)

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(path)))
    }

    /// The file as a parser receives it: strict UTF-8, or Windows-1252 for the Latin-1 agency files (what the
    /// decoding stage's fallback gives them).
    static func input(_ path: String) throws -> ParserInput {
        let bytes = try bytes(path)
        let decoded: TextDecoding.Decoded
        switch TextDecoding.decode(bytes) {
        case .success(let value): decoded = value
        case .failure:
            guard case .success(let value) = TextDecoding.decode(bytes, as: .windows1252) else {
                throw CocoaError(.fileReadInapplicableStringEncoding)
            }
            decoded = value
        }
        return ParserInput(
            bytes: bytes, text: decoded.text, charset: decoded.charset.rawValue,
            fileName: String(path.split(separator: "/").last ?? "")
        )
    }
}

extension ArticleParser {
    /// Parses bytes as a file arriving in `charset` would be.
    func parse(bytes: [UInt8], as charset: TextDecoding.Charset = .utf8) -> Result<Article, RejectReason> {
        guard case .success(let decoded) = TextDecoding.decode(bytes, as: charset) else {
            return .failure(RejectReason(.undecodable, "test input not valid \(charset)"))
        }
        return parse(ParserInput(bytes: bytes, text: decoded.text, charset: charset.rawValue, fileName: "test"))
    }
}
