/// Values by name, with ASCII letters matched in any case, looked up from a string or straight
/// from UTF-8 bytes without building one: field names to fields, enum spellings to values.
///
/// The table is flat and reads eight bytes at a time: a name is folded to lower case a word at a
/// time (`lowered`), hashed by words, and compared by words with the folded names, which sit in
/// one array padded with zeros. A look-up retains nothing but the value it returns.
public struct CaseInsensitiveTable<Value: Sendable>: Sendable {
    /// One slot of the open-addressed table: a name's hash, length and first two folded words,
    /// and where its value (and, past 16 bytes, its other words) are; `length` -1 when empty.
    @usableFromInline struct Slot: Sendable {
        @usableFromInline var hash: UInt64 = 0
        @usableFromInline var low: UInt64 = 0
        @usableFromInline var high: UInt64 = 0
        @usableFromInline var length: Int32 = -1
        @usableFromInline var value: Int32 = 0
        /// Where its folded words start in `words` (all of them, for names longer than 16 bytes).
        @usableFromInline var start: Int32 = 0
    }

    /// The slots, a power of two of them, at most half full; read in one place per probe.
    @usableFromInline let slots: ContiguousArray<Slot>
    @usableFromInline let mask: Int
    @usableFromInline let values: ContiguousArray<Value>
    private let words: ContiguousArray<UInt64>

    /// A table of `entries`; of two names that differ only in case, the first is kept.
    public init(_ entries: [(name: String, value: Value)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        var slots = ContiguousArray(repeating: Slot(), count: capacity)
        var values: ContiguousArray<Value> = []
        var words: ContiguousArray<UInt64> = []
        for (name, value) in entries {
            let bytes = Array(name.utf8)
            let folded = bytes.withUnsafeBufferPointer { buffer in (0..<Self.wordCount(buffer.count)).map { Self.word(buffer, 0, buffer.count, $0) } }
            let hash = bytes.withUnsafeBufferPointer { Self.hash($0, 0, $0.count) }
            var index = Int(truncatingIfNeeded: hash) & (capacity - 1)
            var duplicate = false
            while slots[index].length >= 0 {
                let other = slots[index]
                if other.hash == hash, Int(other.length) == bytes.count, Array(words[Int(other.start)..<Int(other.start) + folded.count]) == folded {
                    duplicate = true
                    break
                }
                index = (index + 1) & (capacity - 1)
            }
            guard !duplicate else { continue }
            slots[index] = Slot(
                hash: hash, low: folded.first ?? 0, high: folded.count > 1 ? folded[1] : 0, length: Int32(bytes.count),
                value: Int32(values.count), start: Int32(words.count))
            values.append(value)
            words += folded
        }
        self.slots = slots
        self.mask = capacity - 1
        self.values = values
        self.words = words
    }

    /// The value `name` names, in any case; nil when none does.
    public subscript(_ name: String) -> Value? {
        var name = name
        return name.withUTF8 { self[utf8: $0] }
    }

    /// The value the UTF-8 name `bytes` names, in any case; nil when none does.
    public subscript(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Value? {
        value(in: bytes, from: 0, to: bytes.count)
    }

    /// The value the name `buffer[start..<end]` names, in any case; nil when none does. Bytes of
    /// `buffer` after `end` may be read (and masked off) to take whole words.
    ///
    /// A name of up to 16 bytes (nearly every one) is its length and two folded words: the slot
    /// is compared on those alone, read through the slots' own pointer (no bounds checks: the
    /// index is masked to the table's size).
    @inlinable public func value(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Value? {
        let count = end &- start
        guard count <= 16 else { return longValue(in: buffer, from: start, to: end) }
        let low = count > 0 ? Self.word(buffer, start, end, 0) : 0
        let high = count > 8 ? Self.word(buffer, start &+ 8, end, 0) : 0
        let hash = Self.hash(low, high, count: count)
        let slot: Int32 = slots.withUnsafeBufferPointer { slots in
            let base = slots.baseAddress!
            var index = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = base[index]
                if slot.low == low, slot.high == high, Int(slot.length) == count { return slot.value }
                if slot.length < 0 { return -1 }
                index = (index &+ 1) & mask
            }
        }
        return slot >= 0 ? values[Int(slot)] : nil
    }

    /// `value(in:from:to:)` for a name longer than 16 bytes: hashed and compared word by word.
    @usableFromInline func longValue(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Value? {
        let count = end - start
        let low = Self.word(buffer, start, end, 0)
        let high = Self.word(buffer, start, end, 1)
        let hash = Self.hash(buffer, start, end)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            guard slot.length >= 0 else { return nil }
            if slot.hash == hash, Int(slot.length) == count, slot.low == low, slot.high == high,
                remainingWordsMatch(buffer, start, end, from: Int(slot.start))
            {
                return values[Int(slot.value)]
            }
            index = (index &+ 1) & mask
        }
    }

    /// Whether the words of `buffer[start..<end]` after its first two are those at `first + 2` on.
    private func remainingWordsMatch(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, from first: Int) -> Bool {
        var word = 2
        let wordCount = Self.wordCount(end - start)
        while word < wordCount, Self.word(buffer, start, end, word) == words[first + word] { word += 1 }
        return word == wordCount
    }

    @inline(__always) static func wordCount(_ count: Int) -> Int { (count + 7) / 8 }

    /// Word `index` (bytes `8 * index` on) of `buffer[start..<end]`, little-endian, folded to lower
    /// case, with the bytes past `end` as zeros.
    @inlinable @inline(__always) static func word(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ index: Int) -> UInt64 {
        let offset = start &+ 8 &* index
        let length = end &- offset
        var value: UInt64 = 0
        if offset &+ 8 <= buffer.count {
            value = UInt64(littleEndian: UnsafeRawPointer(buffer.baseAddress! + offset).loadUnaligned(as: UInt64.self))
            if length < 8 { value &= (1 << (8 * UInt64(length))) &- 1 }
        } else {
            var byte = 0
            while byte < length {
                value |= UInt64(buffer[offset + byte]) << (8 * UInt64(byte))
                byte += 1
            }
        }
        return lowered(value)
    }

    /// The eight bytes of `word` with ASCII capitals made small letters and every other byte kept.
    @inlinable @inline(__always) static func lowered(_ word: UInt64) -> UInt64 {
        let heptets = word & 0x7F7F_7F7F_7F7F_7F7F
        let aboveZ = heptets &+ 0x2525_2525_2525_2525
        let fromA = heptets &+ 0x3F3F_3F3F_3F3F_3F3F
        let capitals = ~word & 0x8080_8080_8080_8080 & (fromA ^ aboveZ)
        return word | (capitals >> 2)
    }

    /// A hash of the folded words of `buffer[start..<end]`: for up to 16 bytes, the hash of its
    /// two words (the second 0 when there is one); beyond, the words mixed in one after another.
    @inline(__always) static func hash(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        let count = end - start
        guard count > 16 else {
            return hash(count > 0 ? word(buffer, start, end, 0) : 0, count > 8 ? word(buffer, start, end, 1) : 0, count: count)
        }
        var hash = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
        for index in 0..<wordCount(count) {
            hash = (hash ^ word(buffer, start, end, index)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
        }
        return hash
    }

    @inlinable @inline(__always) static func hash(_ low: UInt64, _ high: UInt64, count: Int) -> UInt64 {
        let mixed = (low ^ (high &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(truncatingIfNeeded: count)) &* 0xFF51_AFD7_ED55_8CCD
        return mixed ^ (mixed >> 29)
    }
}
