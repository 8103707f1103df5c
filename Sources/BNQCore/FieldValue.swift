/// A job field's value, normalised by the field's type: what filters compare and orderings sort.
///
/// Protobuf JSON leaves out fields that hold their default value, so a missing string is `""`,
/// a missing number `0`, a missing boolean `false`, a missing enum its first value. A missing
/// timestamp is unset (`.timestamp(nil)`).
public enum FieldValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    /// A whole number held exactly (an int64 field: `"9223372036854775807"` compares as itself).
    case integer(Int64)
    case bool(Bool)
    case timestamp(Timestamp?)
    case strings([String])
    /// An enum value; `ordinal` orders it as declared.
    case enumValue(String, ordinal: Int)
    /// An object, map or free JSON: not comparable.
    case json(JSONValue?)

    /// Reads `field` of `job`, applying protobuf's defaults for what is missing.
    public static func of(_ job: JSONValue, _ field: JobField) -> FieldValue {
        normalise(job.value(of: field), as: field.type)
    }

    /// Normalises a raw JSON value for a field of `type`. Values of the wrong JSON type count as missing.
    public static func normalise(_ raw: JSONValue?, as type: FieldType) -> FieldValue {
        switch type {
        case .string:
            return .string(raw?.stringValue ?? "")
        case .enumeration(let enumType):
            let name: String
            switch raw {
            case .string(let string): name = string
            case .int(let int) where int >= 0 && int < enumType.values.count: name = enumType.values[Int(int)]
            default: name = enumType.values[0]
            }
            return .enumValue(name, ordinal: enumType.ordinal(name))
        case .timestamp:
            return .timestamp(raw?.stringValue.flatMap { Timestamp(rfc3339: $0) })
        case .integer, .int64String:
            if case .int(let int)? = raw { return .integer(int) }
            if case .string(let text)? = raw, let int = Int64(text) { return .integer(int) }
            return .number(raw?.numberValue ?? 0)
        case .double:
            return .number(raw?.numberValue ?? 0)
        case .seconds:
            // No default: a duration that could not be worked out is missing (NaN, which no
            // comparison matches and which an ordering puts before every value), never 0.
            return .number(raw?.numberValue ?? .nan)
        case .bool:
            if case .bool(let bool) = raw { return .bool(bool) }
            return .bool(false)
        case .stringArray:
            return .strings(raw?.arrayValue?.compactMap(\.stringValue) ?? [])
        case .map, .object, .any:
            return .json(raw)
        }
    }

    /// The value as JSON, in its canonical form (an enum by name, a time in RFC 3339 UTC, an
    /// unset time as null): how a group key shows whatever form the job held it in.
    public var jsonValue: JSONValue {
        switch self {
        case .string(let text): return .string(text)
        case .number(let number): return .double(number)
        case .integer(let integer): return .int(integer)
        case .bool(let bool): return .bool(bool)
        case .timestamp(let time): return time.map { .string($0.rfc3339) } ?? .null
        case .strings(let strings): return .array(strings.map(JSONValue.string))
        case .enumValue(let name, _): return .string(name)
        case .json(let value): return value ?? .null
        }
    }

    /// What an aggregate measures of the value: seconds since 1970 for a time, else the number.
    public var measure: Double? {
        if case .timestamp(let time) = self { return time?.secondsSince1970 }
        return numberValue
    }

    /// The number, as a double (exact below 2⁵³).
    public var numberValue: Double? {
        switch self {
        case .number(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// Orders a whole number against a double exactly: no rounding of either to the other's type.
    /// NaN orders after every number.
    public static func compare(_ integer: Int64, _ double: Double) -> Int {
        if double.isNaN { return -1 }
        if double >= 9_223_372_036_854_775_808.0 { return -1 }
        if double < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = double.rounded(.down)
        let wholeInteger = Int64(whole)
        if integer != wholeInteger { return integer < wholeInteger ? -1 : 1 }
        return whole == double ? 0 : -1
    }

    /// Orders two values of the same field: unset timestamps first, then by value.
    public static func compare(_ lhs: FieldValue, _ rhs: FieldValue) -> Int {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (b < a ? 1 : 0) }
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)):
            if a == b { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case (.number(let a), .number(let b)):
            // NaN orders after every number, as against a whole number above.
            if a.isNaN || b.isNaN { return a.isNaN == b.isNaN ? 0 : (a.isNaN ? 1 : -1) }
            return sign(a, b)
        case (.integer(let a), .integer(let b)): return sign(a, b)
        case (.integer(let a), .number(let b)): return Self.compare(a, b)
        case (.number(let a), .integer(let b)): return -Self.compare(b, a)
        case (.bool(let a), .bool(let b)): return sign(a ? 1 : 0, b ? 1 : 0)
        case (.timestamp(let a), .timestamp(let b)):
            switch (a, b) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let a?, let b?): return sign(a, b)
            }
        case (.enumValue(let a, let ordinalA), .enumValue(let b, let ordinalB)):
            return ordinalA != ordinalB ? sign(ordinalA, ordinalB) : sign(a, b)
        case (.strings(let a), .strings(let b)): return sign(a.joined(separator: "\u{0}"), b.joined(separator: "\u{0}"))
        default: return 0
        }
    }
}
