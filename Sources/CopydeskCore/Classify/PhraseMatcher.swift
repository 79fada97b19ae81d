/// Finds every occurrence of many byte strings in one pass (Aho–Corasick compiled to a full DFA).
///
/// Why: the rules name hundreds of phrases; looking for each one separately would read a 3 KiB document hundreds
/// of times. The automaton reads it once, one table lookup per byte, whatever the number of phrases. The alphabet
/// is reduced to the bytes that occur in some phrase (every other byte is one class), which keeps the table small
/// (states × classes `Int32`s).
struct PhraseMatcher: Sendable {
    /// Byte → class (0 for bytes no phrase contains).
    private let byteClass: [UInt8]
    private let classCount: Int
    /// `state * classCount + class` → the next state's row, `next * classCount`, so the scan adds a byte's class
    /// to it without a multiplication (the state number is wanted only at a match: row / classCount).
    private let delta: [Int32]
    /// Per state, the range of `outputs` holding the phrases that end there (including through failure links).
    private let outputStart: [Int32]
    private let outputs: [Int32]
    /// Length in bytes of each phrase.
    let lengths: [Int]

    init(_ phrases: [[UInt8]]) {
        var classes = [UInt8](repeating: 0, count: 256)
        var next: UInt8 = 1
        for phrase in phrases {
            for byte in phrase where classes[Int(byte)] == 0 {
                // More than 255 distinct bytes cannot occur in practice (UTF-8 uses fewer); share the last class.
                classes[Int(byte)] = next
                if next < 255 { next += 1 }
            }
        }
        let classCount = Int(next)
        // The trie: children per state, built sparsely, then the DFA is filled in breadth-first order.
        var children: [[Int: Int32]] = [[:]]
        var ownOutputs: [[Int32]] = [[]]
        for (index, phrase) in phrases.enumerated() where !phrase.isEmpty {
            var state = 0
            for byte in phrase {
                let symbol = Int(classes[Int(byte)])
                if let child = children[state][symbol] {
                    state = Int(child)
                } else {
                    children.append([:])
                    ownOutputs.append([])
                    let child = Int32(children.count - 1)
                    children[state][symbol] = child
                    state = Int(child)
                }
            }
            ownOutputs[state].append(Int32(index))
        }
        let stateCount = children.count
        var delta = [Int32](repeating: 0, count: stateCount * classCount)
        var fail = [Int32](repeating: 0, count: stateCount)
        var merged = ownOutputs
        var queue: [Int] = []
        queue.reserveCapacity(stateCount)
        for symbol in 0..<classCount {
            if let child = children[0][symbol] {
                delta[symbol] = child
                queue.append(Int(child))
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            let failState = Int(fail[state])
            merged[state] += merged[failState]
            for symbol in 0..<classCount {
                if let child = children[state][symbol] {
                    fail[Int(child)] = delta[failState * classCount + symbol]
                    delta[state * classCount + symbol] = child
                    queue.append(Int(child))
                } else {
                    delta[state * classCount + symbol] = delta[failState * classCount + symbol]
                }
            }
        }
        var outputStart = [Int32](repeating: 0, count: stateCount + 1)
        var outputs: [Int32] = []
        for state in 0..<stateCount {
            outputStart[state] = Int32(outputs.count)
            outputs += merged[state]
        }
        outputStart[stateCount] = Int32(outputs.count)
        // Transitions into a state where phrases end carry the sign bit, so the scan reads the output table only
        // at a match, not at every byte (the table is large enough that each extra read is a cache miss).
        precondition(stateCount * classCount <= Int(Int32.max), "phrase table too large for 31-bit rows")
        for index in delta.indices {
            let target = Int(delta[index])
            let row = UInt32(target * classCount)
            delta[index] = Int32(bitPattern: outputStart[target] != outputStart[target + 1] ? row | 0x8000_0000 : row)
        }
        self.byteClass = classes
        self.classCount = classCount
        self.delta = delta
        self.outputStart = outputStart
        self.outputs = outputs
        self.lengths = phrases.map(\.count)
    }

    /// Calls `found(phrase, end)` for every occurrence, `end` being the index just past its last byte: one chain
    /// over the whole text, the reference for ``occurrences(in:)`` (same occurrences, same order).
    func scan(_ text: UnsafeBufferPointer<UInt8>, _ found: (Int, Int) -> Void) {
        byteClass.withUnsafeBufferPointer { classes in
            delta.withUnsafeBufferPointer { delta in
                var row = 0
                for index in 0..<text.count {
                    let next = delta[row + Int(classes[Int(text[index])])]
                    row = Int(next & 0x7FFF_FFFF)
                    if next < 0 {
                        let state = row / classCount
                        for output in Int(outputStart[state])..<Int(outputStart[state + 1]) {
                            found(Int(outputs[output]), index + 1)
                        }
                    }
                }
            }
        }
    }

    /// Every occurrence as (phrase, end) pairs, in text order: the same as ``scan(_:_:)`` without a callback, so the
    /// caller's bookkeeping runs in a plain loop.
    ///
    /// Each byte's lookup waits for the previous one (the next row is the address of the next read), so one
    /// scan runs at the latency of a load per byte, not the processor's throughput. A byte no phrase contains
    /// (a line break between the document's fields) always leads back to the start state, so a text is cut at
    /// such a byte near its middle and the two halves are scanned in one loop, two independent chains at once;
    /// the second half's matches follow the first's, as in one pass. The loop runs both chains, with no test of
    /// which half is still going, while both are; the longer half ends alone. (Testing both halves' ends at every
    /// step, a multiplication per lookup and overflow checks made 31 instructions per two bytes.)
    func occurrences(in text: UnsafeBufferPointer<UInt8>) -> [(phrase: Int, end: Int)] {
        // Room for a 3 KiB story's occurrences (a few dozen) up front: from empty the two lists were reallocated
        // and copied ten times a story as they grew.
        var found: [(phrase: Int, end: Int)] = []
        found.reserveCapacity(128)
        var second: [(phrase: Int, end: Int)] = []
        second.reserveCapacity(64)
        byteClass.withUnsafeBufferPointer { classes in
            delta.withUnsafeBufferPointer { delta in
                outputStart.withUnsafeBufferPointer { outputStart in
                    outputs.withUnsafeBufferPointer { outputs in
                        var cut = text.count
                        if text.count >= 512 {
                            var index = text.count / 2
                            while index < text.count && classes[Int(text[index])] != 0 { index += 1 }
                            if index < text.count { cut = index }
                        }
                        // First half [0, cut), second (cut, count); the byte at `cut` matches nothing.
                        let secondStart = min(cut + 1, text.count)
                        let secondLength = text.count - secondStart
                        @inline(__always)
                        func emit(_ next: Int32, _ end: Int, into list: inout [(phrase: Int, end: Int)]) {
                            let state = Int(next & 0x7FFF_FFFF) / classCount
                            for output in Int(outputStart[state])..<Int(outputStart[state + 1]) {
                                list.append((Int(outputs[output]), end))
                            }
                        }
                        var row = 0
                        var otherRow = 0
                        let both = min(cut, secondLength)
                        var index = 0
                        if both > 0, let first = text.baseAddress {
                            var chains = Chains(row: 0, otherRow: 0, index: 0)
                            while true {
                                let (next, otherNext) = Self.stepBoth(
                                    delta.baseAddress!, classes.baseAddress!, first, first + secondStart, both, &chains
                                )
                                guard chains.index < both else { break }
                                if next < 0 { emit(next, chains.index &+ 1, into: &found) }
                                if otherNext < 0 { emit(otherNext, secondStart &+ chains.index &+ 1, into: &second) }
                                chains.index &+= 1
                            }
                            (row, otherRow, index) = (chains.row, chains.otherRow, both)
                        }
                        while index < cut {
                            let next = delta[row &+ Int(classes[Int(text[index])])]
                            row = Int(next & 0x7FFF_FFFF)
                            if next < 0 { emit(next, index &+ 1, into: &found) }
                            index &+= 1
                        }
                        while index < secondLength {
                            let next = delta[otherRow &+ Int(classes[Int(text[secondStart &+ index])])]
                            otherRow = Int(next & 0x7FFF_FFFF)
                            if next < 0 { emit(next, secondStart &+ index &+ 1, into: &second) }
                            index &+= 1
                        }
                    }
                }
            }
        }
        found += second
        return found
    }

    /// Where ``stepBoth(_:_:_:_:_:_:)`` stands: the two chains' rows and the offset in both halves.
    struct Chains {
        var row: Int
        var otherRow: Int
        var index: Int
    }

    /// Steps both chains from `chains.index` until one of them reaches a state where phrases end (`chains.index`
    /// is then that byte's offset and the two transitions are returned) or `count` bytes are read. Apart, not
    /// inlined: inside ``occurrences(in:)`` the matches' bookkeeping kept so many values live that the compiler
    /// held the table's address and a row on the stack and reloaded them every byte (26 instructions per two
    /// bytes); here the loop has its few values in registers.
    @inline(never)
    static func stepBoth(
        _ delta: UnsafePointer<Int32>, _ classes: UnsafePointer<UInt8>, _ first: UnsafePointer<UInt8>,
        _ second: UnsafePointer<UInt8>, _ count: Int, _ chains: inout Chains
    ) -> (Int32, Int32) {
        var row = chains.row
        var otherRow = chains.otherRow
        var index = chains.index
        var next: Int32 = 0
        var otherNext: Int32 = 0
        while index < count {
            next = delta[row &+ Int(classes[Int(first[index])])]
            otherNext = delta[otherRow &+ Int(classes[Int(second[index])])]
            row = Int(next & 0x7FFF_FFFF)
            otherRow = Int(otherNext & 0x7FFF_FFFF)
            if next | otherNext < 0 { break }
            index &+= 1
        }
        chains = Chains(row: row, otherRow: otherRow, index: index)
        return (next, otherNext)
    }
}
