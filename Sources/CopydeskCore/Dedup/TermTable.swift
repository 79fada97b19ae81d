/// A hash table from term hashes to values, for the story clusterer's document frequencies and posting lists:
/// open addressing with linear probing, each key stored beside its value.
///
/// Why not `Dictionary`: the clusterer reads and updates a frequency for each of a document's ~250 distinct terms in
/// the serial stage, and `Dictionary<UInt64, _>` hashes every key again with SipHash; the keys here are already
/// FNV hashes of words, so one multiply spreads them. Key and value share one entry because the frequency table
/// outgrows the caches: a probe that finds its key has its value in the same cache line (separate key and value
/// arrays cost two misses per term, the larger part of `weigh`).
struct TermTable<Value>: Sendable where Value: Sendable {
    struct Entry: Sendable {
        /// 0: an empty slot (a real key 0 is kept apart in `zeroValue`).
        var key: UInt64
        var value: Value?
    }

    private var entries: [Entry]
    private var zeroValue: Value?
    private(set) var count = 0

    init(minimumCapacity: Int = 0) {
        var capacity = 16
        while capacity * 3 < minimumCapacity * 4 { capacity *= 2 }
        entries = Array(repeating: Entry(key: 0, value: nil), count: capacity)
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        // Fibonacci hashing: the top bits of the product, masked to the (power of two) capacity.
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & (entries.count - 1)
    }

    /// The slot holding `key`, if any.
    @inline(__always)
    private func find(_ key: UInt64) -> Int? {
        entries.withUnsafeBufferPointer { entries in
            let mask = entries.count - 1
            var index = slot(for: key)
            while true {
                let stored = entries[index].key
                if stored == key { return index }
                if stored == 0 { return nil }
                index = (index + 1) & mask
            }
        }
    }

    subscript(key: UInt64) -> Value? {
        get {
            if key == 0 { return zeroValue }
            return find(key).flatMap { entries[$0].value }
        }
        set {
            guard let newValue else {
                remove(key)
                return
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
        if (count + 1) * 4 > entries.count * 3 { grow() }
        let mask = entries.count - 1
        var index = slot(for: key)
        while true {
            let stored = entries[index].key
            if stored == key { break }
            if stored == 0 {
                entries[index] = Entry(key: key, value: defaultValue())
                count += 1
                break
            }
            index = (index + 1) & mask
        }
        return body(&entries[index].value!)
    }

    /// ``update(_:default:_:)`` for each of `keys` in order, `body` getting the key's position: the same table
    /// afterwards (the growth check comes before every key, as there), but between growths the entries are
    /// reached through their buffer, where `update` checked the array's uniqueness per key (the clusterer's
    /// frequencies take ~140 updates a document).
    mutating func update(
        each keys: UnsafeBufferPointer<UInt64>, default defaultValue: Value, _ body: (Int, inout Value) -> Void
    ) {
        var k = 0
        while k < keys.count {
            if keys[k] == 0 {
                update(0, default: defaultValue) { body(k, &$0) }
                k += 1
                continue
            }
            if (count + 1) * 4 > entries.count * 3 { grow() }
            var count = self.count
            entries.withUnsafeMutableBufferPointer { entries in
                let mask = entries.count - 1
                // Until the next key would need the growth check to grow (or is the zero key).
                while k < keys.count, keys[k] != 0, (count + 1) * 4 <= entries.count * 3 {
                    let key = keys[k]
                    var index = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
                    while true {
                        let stored = entries[index].key
                        if stored == key { break }
                        if stored == 0 {
                            entries[index] = Entry(key: key, value: defaultValue)
                            count += 1
                            break
                        }
                        index = (index + 1) & mask
                    }
                    body(k, &entries[index].value!)
                    k += 1
                }
            }
            self.count = count
        }
    }

    /// Runs `body` on the key's value in place if the key is there (nil otherwise); removes the key when `body`
    /// leaves `remove` set. For the posting lists, changed without copying and dropped once empty.
    @inline(__always)
    mutating func modify<R>(_ key: UInt64, _ body: (inout Value, inout Bool) -> R) -> R? {
        var remove = false
        if key == 0 {
            guard zeroValue != nil else { return nil }
            let result = body(&zeroValue!, &remove)
            if remove { zeroValue = nil; count -= 1 }
            return result
        }
        guard let index = find(key) else { return nil }
        let result = body(&entries[index].value!, &remove)
        if remove { removeEntry(at: index) }
        return result
    }

    /// Loads the home slot of every key and returns a value made of them (for the caller to keep, so the loads
    /// stay). The clusterer's tables outgrow the caches, and a probe inside a loop that also calls `log` and
    /// `exp2` waits for its miss alone; these loads have nothing between them, so their misses overlap, and the
    /// probes that follow find their lines cached.
    func touch(_ keys: some Sequence<UInt64>) -> UInt64 {
        entries.withUnsafeBufferPointer { entries in
            var sink: UInt64 = 0
            for key in keys { sink ^= entries[slot(for: key)].key }
            return sink
        }
    }

    /// Removes `key` if present.
    mutating func remove(_ key: UInt64) {
        if key == 0 {
            if zeroValue != nil { zeroValue = nil; count -= 1 }
            return
        }
        if let index = find(key) { removeEntry(at: index) }
    }

    /// Backward-shift deletion: the entries after the hole that probed past it move up, so no probe ever stops
    /// early at the hole and no tombstones pile up.
    private mutating func removeEntry(at removed: Int) {
        let mask = entries.count - 1
        var hole = removed
        var index = (hole + 1) & mask
        while entries[index].key != 0 {
            let home = slot(for: entries[index].key)
            // The entry may fill the hole if its home is not cyclically within (hole, index].
            if (index &- home) & mask >= (index &- hole) & mask {
                entries[hole] = entries[index]
                hole = index
            }
            index = (index + 1) & mask
        }
        entries[hole] = Entry(key: 0, value: nil)
        count -= 1
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
        for entry in entries where entry.key != 0 { body(entry.key, entry.value!) }
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
        var larger = TermTable(minimumCapacity: entries.count)  // at 3/4 full: twice the slots
        forEach { key, value in larger.update(key, default: value) { _ in } }
        self = larger
    }
}
