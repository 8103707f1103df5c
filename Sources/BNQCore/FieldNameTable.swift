/// Fields by name, case-insensitively, without building lower-cased strings: an open-addressed
/// table keyed by a hash of the name's bytes folded to lower case (ASCII letters only, so the
/// same names match as `lowercased()` on the ASCII names of fields).
public struct FieldNameTable: Sendable {
    private struct Slot: Sendable {
        var hash: UInt64
        var folded: [UInt8]
        var field: JobField
    }

    private let slots: [Slot?]
    private let mask: Int

    /// A table of `fields`; of two fields whose names differ only in case, the first is kept.
    public init(_ fields: [JobField]) {
        var capacity = 16
        while capacity < fields.count * 2 { capacity *= 2 }
        var slots = [Slot?](repeating: nil, count: capacity)
        for field in fields {
            let folded = field.path.utf8.map(Self.fold)
            let hash = folded.withUnsafeBufferPointer { Self.hash($0) }
            var index = Int(truncatingIfNeeded: hash) & (capacity - 1)
            var duplicate = false
            while let slot = slots[index] {
                if slot.hash == hash, slot.folded == folded { duplicate = true; break }
                index = (index + 1) & (capacity - 1)
            }
            if !duplicate { slots[index] = Slot(hash: hash, folded: folded, field: field) }
        }
        self.slots = slots
        self.mask = capacity - 1
    }

    @inline(__always) static func fold(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// FNV-1a over the folded bytes.
    @inline(__always) static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var index = 0
        while index < bytes.count {
            hash = (hash ^ UInt64(fold(bytes[index]))) &* 0x100_0000_01B3
            index += 1
        }
        return hash
    }

    /// The field `name` names, in any case; nil when none does.
    public func field(named name: String) -> JobField? {
        var name = name
        return name.withUTF8 { lookup($0) }
    }

    @inline(__always) private func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> JobField? {
        let hash = Self.hash(bytes)
        var index = Int(truncatingIfNeeded: hash) & mask
        while let slot = slots[index] {
            if slot.hash == hash, slot.folded.count == bytes.count {
                let equal = slot.folded.withUnsafeBufferPointer { folded in
                    var offset = 0
                    while offset < bytes.count, Self.fold(bytes[offset]) == folded[offset] { offset += 1 }
                    return offset == bytes.count
                }
                if equal { return slot.field }
            }
            index = (index + 1) & mask
        }
        return nil
    }
}
