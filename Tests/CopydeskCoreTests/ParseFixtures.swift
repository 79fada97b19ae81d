import CopydeskCore
import Foundation

/// The seed documents in the package's `seeds/` folder, found from this file's path so tests run from any
/// working directory.
enum Seeds {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CopydeskCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("seeds")

    /// The bytes of the seed whose file name starts with `number` (`"000"`).
    static func bytes(_ number: String) throws -> (name: String, bytes: [UInt8]) {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        guard let name = names.first(where: { $0.hasPrefix(number + "_") }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder.path + "/" + number + "_*"])
        }
        return (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
    }
}

/// SplitMix64: a seeded generator, so a fuzz failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Result {
    /// The failure, if any; lets `#expect` compare reasons without a `switch`.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
