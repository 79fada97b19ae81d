#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The model file `copydesk train` writes to the state directory (`model.cdm`) and the daemon loads at start and on
/// SIGHUP.
///
/// Layout (little-endian), version 1:
/// ```
/// "CDTXTM" u16 version(1)  u8 algorithm(1 svm, 2 nb)  u8 bucketBits  u8 bigrams  u8 minDF  u32 documentCount
/// string name   u32 labelCount  string label…
/// sparse documentFrequency                      (idf is recomputed from it)
/// svm: per label: f32 bias, sparse weights      nb: f64 alpha, per label: f32 logPrior, sparse featureSums
/// per label: u32 n, n × (string text, f64 weight)   (top features)
/// u32 CRC-32C of everything before it
/// ```
/// `string` is u32 length + UTF-8; `sparse` is u32 count + count × (varint index delta, f32 value), zeros left out.
/// Sparse storage keeps a 5-label 2^18-bucket model at a few MB instead of 6 MB of mostly-small floats; the CRC
/// makes a truncated or damaged file an error instead of a silently wrong model.
extension TextModel {
    public static let magic: [UInt8] = Array("CDTXTM".utf8)
    public static let formatVersion: UInt16 = 1

    public func serialized() -> [UInt8] {
        var out = ByteWriter()
        out.bytes += Self.magic
        out.u16(Self.formatVersion)
        out.u8(algorithm == .linearSVM ? 1 : 2)
        out.u8(UInt8(bucketBits))
        out.u8(bigrams ? 1 : 0)
        out.u8(UInt8(clamping: minDocumentFrequency))
        out.u32(UInt32(documentCount))
        out.string(name)
        out.u32(UInt32(labels.count))
        for label in labels { out.string(label) }
        out.sparse(documentFrequency.map { Float($0) })
        let buckets = 1 << bucketBits
        switch algorithm {
        case .linearSVM:
            let weights = labelMajorWeights
            for label in labels.indices {
                out.f32(bias[label])
                out.sparse(Array(weights[(label * buckets)..<((label + 1) * buckets)]))
            }
        case .naiveBayes:
            out.f64(naiveBayesAlpha)
            for label in labels.indices {
                out.f32(bias[label])
                out.sparse(featureSums[label])
            }
        }
        for label in labels.indices {
            let features = label < topFeatures.count ? topFeatures[label] : []
            out.u32(UInt32(features.count))
            for feature in features {
                out.string(feature.text)
                out.f64(feature.weight)
            }
        }
        out.u32(CRC32C.checksum(out.bytes))
        return out.bytes
    }

    /// Reads a model file's bytes.
    public init(serialized bytes: [UInt8]) throws(ModelFileError) {
        guard bytes.count >= Self.magic.count + 6, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw ModelFileError("not a Copydesk model file")
        }
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        guard CRC32C.checksum(Array(bytes.dropLast(4))) == stored else {
            throw ModelFileError("checksum mismatch: the file is damaged or truncated")
        }
        var input = ByteReader(bytes: bytes, offset: Self.magic.count, end: bytes.count - 4)
        let version = try input.u16()
        guard version == Self.formatVersion else { throw ModelFileError("unsupported model format version \(version)") }
        let algorithmCode = try input.u8()
        guard let algorithm: Algorithm = algorithmCode == 1 ? .linearSVM : algorithmCode == 2 ? .naiveBayes : nil else {
            throw ModelFileError("unknown algorithm \(algorithmCode)")
        }
        let bucketBits = Int(try input.u8())
        guard (8...24).contains(bucketBits) else { throw ModelFileError("bucket bits \(bucketBits) out of range") }
        let bigrams = try input.u8() != 0
        let minimum = Int(try input.u8())
        let documentCount = Int(try input.u32())
        let name = try input.string()
        let labelCount = Int(try input.u32())
        guard labelCount <= 100_000 else { throw ModelFileError("implausible label count \(labelCount)") }
        var labels: [String] = []
        for _ in 0..<labelCount { labels.append(try input.string()) }
        let buckets = 1 << bucketBits
        let df = try input.sparse(count: buckets).map { UInt32($0) }
        var weights = [Float](repeating: 0, count: labelCount * buckets)
        var bias = [Float](repeating: 0, count: labelCount)
        var sums: [[Float]] = []
        var alpha = 0.0
        switch algorithm {
        case .linearSVM:
            for label in 0..<labelCount {
                bias[label] = try input.f32()
                weights.replaceSubrange((label * buckets)..<((label + 1) * buckets), with: try input.sparse(count: buckets))
            }
        case .naiveBayes:
            alpha = try input.f64()
            for label in 0..<labelCount {
                bias[label] = try input.f32()
                sums.append(try input.sparse(count: buckets))
            }
            let priors = bias
            (weights, _) = Self.naiveBayesWeights(
                sums, documentsPerLabel: Array(repeating: 1, count: labelCount), alpha: alpha, buckets: buckets
            )
            bias = priors
        }
        var top: [[ModelVerdict.Feature]] = []
        for _ in 0..<labelCount {
            let count = Int(try input.u32())
            var features: [ModelVerdict.Feature] = []
            for _ in 0..<count { features.append(.init(text: try input.string(), weight: try input.f64())) }
            top.append(features)
        }
        guard input.offset == input.end else { throw ModelFileError("\(input.end - input.offset) unexpected bytes") }
        self.init(
            name: name, algorithm: algorithm, labels: labels, bucketBits: bucketBits, bigrams: bigrams,
            documentCount: documentCount, topFeatures: top, minDocumentFrequency: minimum, documentFrequency: df,
            table: Self.interleave(idf: Self.idf(df, documents: documentCount, minimum: minimum), weights: weights,
                                   labels: labelCount),
            bias: bias, featureSums: sums, naiveBayesAlpha: alpha
        )
    }
}

/// A model file that cannot be used.
public struct ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "model file: \(message)" }
}

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { for shift in stride(from: 0, to: 16, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) } }
    mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) } }
    mutating func u64(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) } }
    mutating func f32(_ value: Float) { u32(value.bitPattern) }
    mutating func f64(_ value: Double) { u64(value.bitPattern) }

    mutating func varint(_ value: UInt32) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        u32(UInt32(utf8.count))
        bytes += utf8
    }

    mutating func sparse(_ values: [Float]) {
        let nonZero = values.indices.filter { values[$0] != 0 }
        u32(UInt32(nonZero.count))
        var previous = 0
        for index in nonZero {
            varint(UInt32(index - previous))
            f32(values[index])
            previous = index
        }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var offset: Int
    let end: Int

    mutating func take(_ count: Int) throws(ModelFileError) -> ArraySlice<UInt8> {
        guard count >= 0, end - offset >= count else { throw ModelFileError("truncated at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8() throws(ModelFileError) -> UInt8 { try take(1).first! }

    mutating func unsigned(_ width: Int) throws(ModelFileError) -> UInt64 {
        try take(width).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func u16() throws(ModelFileError) -> UInt16 { UInt16(try unsigned(2)) }
    mutating func u32() throws(ModelFileError) -> UInt32 { UInt32(try unsigned(4)) }
    mutating func f32() throws(ModelFileError) -> Float { Float(bitPattern: try u32()) }
    mutating func f64() throws(ModelFileError) -> Double { Double(bitPattern: try unsigned(8)) }

    mutating func varint() throws(ModelFileError) -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = try u8()
            guard shift < 32 else { throw ModelFileError("varint too long at byte \(offset)") }
            value |= UInt32(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func string() throws(ModelFileError) -> String {
        let count = Int(try u32())
        let slice = try take(count)
        guard let text = String(validating: slice, as: UTF8.self) else { throw ModelFileError("invalid UTF-8 text") }
        return text
    }

    mutating func sparse(count limit: Int) throws(ModelFileError) -> [Float] {
        var values = [Float](repeating: 0, count: limit)
        let count = Int(try u32())
        guard count <= limit else { throw ModelFileError("\(count) entries for \(limit) buckets") }
        var index = 0
        for position in 0..<count {
            index += Int(try varint())
            guard index < limit, position == 0 || index > 0 else { throw ModelFileError("bucket \(index) out of range") }
            values[index] = try f32()
        }
        return values
    }
}
