import BNQCore

/// A job's content, independent of member order: what tells a changed job from one sent again.
enum CanonicalJSON {
    /// FNV-1a (64 bits) over the value's structure with object members in key order: stable
    /// across runs and machines, and computed without building any text.
    static func digest(_ value: JSONValue) -> Int64 {
        var hasher = Hasher64()
        hasher.feed(value)
        return Int64(bitPattern: hasher.hash)
    }

    struct Hasher64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func byte(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }

        mutating func integer(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { byte(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }

        mutating func text(_ text: String) {
            var count: UInt64 = 0
            for unit in text.utf8 {
                byte(unit)
                count += 1
            }
            integer(count)
        }

        mutating func feed(_ value: JSONValue) {
            switch value {
            case .null: byte(0)
            case .bool(let bool): byte(bool ? 2 : 1)
            case .int(let int):
                byte(3)
                integer(UInt64(bitPattern: int))
            case .double(let double):
                byte(4)
                integer(double.bitPattern)
            case .string(let string):
                byte(5)
                text(string)
            case .array(let array):
                byte(6)
                integer(UInt64(array.count))
                for element in array { feed(element) }
            case .object(let object):
                byte(7)
                integer(UInt64(object.count))
                for member in object.members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                    text(member.key)
                    feed(member.value)
                }
            }
        }
    }
}
