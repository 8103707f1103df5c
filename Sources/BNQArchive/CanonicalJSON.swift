import BNQCore

/// A job's content, independent of member order: what tells a changed job from one sent again.
enum CanonicalJSON {
    /// The JSON text with every object's members sorted by key.
    static func text(_ value: JSONValue) -> String {
        JSONWriter.compact(sorted(value))
    }

    static func sorted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, sorted($0.value)) }))
        case .array(let array): return .array(array.map(sorted))
        default: return value
        }
    }

    /// FNV-1a (64 bits) of the canonical text: stable across runs and machines.
    static func digest(_ value: JSONValue) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text(value).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
