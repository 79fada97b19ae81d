/// A hash table from term hashes to values, for the story clusterer's document frequencies: open addressing with
/// linear probing over parallel arrays.
///
/// Why not `Dictionary`: the clusterer reads and updates a frequency for each of a document's ~250 distinct terms in
/// the serial stage, and `Dictionary<UInt64, _>` hashes every key again with SipHash; the keys here are already
/// FNV hashes of words, so one multiply spreads them, and a probe touches one key array.
struct TermTable<Value>: Sendable where Value: Sendable {
    /// 0 marks an empty slot; a real key 0 is kept apart in `zeroValue`.
    private var keys: [UInt64]
    private var values: [Value?]
    private var zeroValue: Value?
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var capacity = 16
        while capacity * 3 < minimumCapacity * 4 { capacity *= 2 }
        keys = Array(repeating: 0, count: capacity)
        values = Array(repeating: nil, count: capacity)
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        // Fibonacci hashing: the top bits of the product, masked to the (power of two) capacity.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & (keys.count - 1)
    }

    subscript(key: UInt64) -> Value? {
        get {
            if key == 0 { return zeroValue }
            var index = slot(for: key)
            while true {
                let stored = keys[index]
                if stored == key { return values[index] }
                if stored == 0 { return nil }
                index = (index + 1) & (keys.count - 1)
            }
        }
        set {
            guard let newValue else {
                preconditionFailure("TermTable does not remove single keys; use filter")
            }
            update(key, default: newValue) { $0 = newValue }
        }
    }

    /// Runs `body` on the key's value (inserting `defaultValue` first when absent) and returns what it returns:
    /// one probe for a read and a write.
    @inline(__always)
    mutating func update<R>(_ key: UInt64, default defaultValue: @autoclosure () -> Value, _ body: (inout Value) -> R) -> R {
        if key == 0 {
            var value = zeroValue ?? defaultValue()
            if zeroValue == nil { count += 1 }
            defer { zeroValue = value }
            return body(&value)
        }
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var index = slot(for: key)
        while true {
            let stored = keys[index]
            if stored == key { break }
            if stored == 0 {
                keys[index] = key
                values[index] = defaultValue()
                count += 1
                break
            }
            index = (index + 1) & (keys.count - 1)
        }
        return body(&values[index]!)
    }

    /// A table holding the entries that pass `isIncluded` (the clusterer's pruning of faded terms).
    func filter(_ isIncluded: (Value) -> Bool) -> TermTable {
        var kept = TermTable(minimumCapacity: count)
        forEach { key, value in
            if isIncluded(value) { kept.update(key, default: value) { _ in } }
        }
        return kept
    }

    func forEach(_ body: (UInt64, Value) -> Void) {
        if let zeroValue { body(0, zeroValue) }
        for index in keys.indices where keys[index] != 0 { body(keys[index], values[index]!) }
    }

    /// Entries in ascending key order (the encoding's order, independent of the table's layout).
    func sorted() -> [(key: UInt64, value: Value)] {
        var entries: [(key: UInt64, value: Value)] = []
        entries.reserveCapacity(count)
        forEach { entries.append(($0, $1)) }
        entries.sort { $0.key < $1.key }
        return entries
    }

    private mutating func grow() {
        var larger = TermTable(minimumCapacity: keys.count)  // at 3/4 full: twice the slots
        forEach { key, value in larger.update(key, default: value) { _ in } }
        self = larger
    }
}
