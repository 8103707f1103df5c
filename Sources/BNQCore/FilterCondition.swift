/// The conditions of the filter API (`commonFilterCondition`).
public enum FilterCondition: String, CaseIterable, Sendable, Hashable {
    case eq = "FILTER_CONDITION_EQ"
    case neq = "FILTER_CONDITION_NEQ"
    case gt = "FILTER_CONDITION_GT"
    case gte = "FILTER_CONDITION_GTE"
    case lt = "FILTER_CONDITION_LT"
    case lte = "FILTER_CONDITION_LTE"
    case arrayContains = "FILTER_CONDITION_ARRAY_CONTAINS"
    case arrayContainsAny = "FILTER_CONDITION_ARRAY_CONTAINS_ANY"
    case `in` = "FILTER_CONDITION_IN"
    case notIn = "FILTER_CONDITION_NOT_IN"
    case like = "FILTER_CONDITION_LIKE"

    /// How the language spells it.
    public var spelling: String {
        switch self {
        case .eq: return "=="
        case .neq: return "!="
        case .gt: return ">"
        case .gte: return ">="
        case .lt: return "<"
        case .lte: return "<="
        case .arrayContains: return "contains"
        case .arrayContainsAny: return "contains any"
        case .in: return "in"
        case .notIn: return "not in"
        case .like: return "like"
        }
    }

    /// Whether the condition takes a list of values.
    public var takesList: Bool { self == .in || self == .notIn || self == .arrayContainsAny }

    /// The condition that holds exactly when this one does not, where the API has one.
    public var negated: FilterCondition? {
        switch self {
        case .eq: return .neq
        case .neq: return .eq
        case .in: return .notIn
        case .notIn: return .in
        default: return nil
        }
    }

    /// Why `condition` cannot apply to a field of `type`, or nil when it can.
    public func problem(with type: FieldType) -> String? {
        switch (self, type) {
        case (.eq, .string), (.neq, .string), (.in, .string), (.notIn, .string), (.like, .string),
            (.gt, .string), (.gte, .string), (.lt, .string), (.lte, .string):
            return nil
        case (.eq, .enumeration), (.neq, .enumeration), (.in, .enumeration), (.notIn, .enumeration), (.like, .enumeration):
            return nil
        case (.eq, _), (.neq, _), (.in, _), (.notIn, _), (.gt, _), (.gte, _), (.lt, _), (.lte, _):
            if type.isNumeric || type == .timestamp { return nil }
            if type == .bool, self == .eq || self == .neq { return nil }
            if case .enumeration = type { return "ordering comparisons are not defined on an enum" }
            if type == .bool { return "a boolean can only be compared with == or !=" }
            if type == .stringArray { return "use 'contains' or 'contains any' on an array" }
            return "a field of type \(type) cannot be compared"
        case (.like, _):
            return "'like' needs a string field, not \(type)"
        case (.arrayContains, .stringArray), (.arrayContainsAny, .stringArray):
            return nil
        case (.arrayContains, _), (.arrayContainsAny, _):
            return "'\(spelling)' needs an array field, not \(type)"
        }
    }
}

/// A filter's value once decoded: what a `commonFilter.value` (a protobuf `Any`) carries.
public enum FilterOperand: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case timestamp(Timestamp)
    case list([FilterOperand])

    public var description: String {
        switch self {
        case .string(let string): return "'" + string + "'"
        case .int(let int): return String(int)
        case .double(let double): return JSONWriter.formatDouble(double)
        case .bool(let bool): return String(bool)
        case .timestamp(let timestamp): return timestamp.rfc3339
        case .list(let list): return "(" + list.map(\.description).joined(separator: ", ") + ")"
        }
    }
}

/// The protobuf-`Any` JSON form of filter values, as `bnq serve` documents it:
/// `{"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "JOB_STATE_FAILED"}`.
public enum ProtobufAny {
    public static let typePrefix = "type.googleapis.com/google.protobuf."

    /// The `Any` JSON object for an operand.
    public static func encode(_ operand: FilterOperand) -> JSONValue {
        func wrap(_ type: String, _ value: JSONValue) -> JSONValue {
            .object(JSONObject([("@type", .string(typePrefix + type)), ("value", value)]))
        }
        switch operand {
        case .string(let string): return wrap("StringValue", .string(string))
        case .int(let int): return wrap("Int64Value", .string(String(int)))
        case .double(let double): return wrap("DoubleValue", .double(double))
        case .bool(let bool): return wrap("BoolValue", .bool(bool))
        case .timestamp(let timestamp): return wrap("Timestamp", .string(timestamp.rfc3339))
        case .list(let list): return wrap("ListValue", .array(list.map(plainValue)))
        }
    }

    /// An operand as a `google.protobuf.Value` (inside a `ListValue`).
    static func plainValue(_ operand: FilterOperand) -> JSONValue {
        switch operand {
        case .string(let string): return .string(string)
        case .int(let int): return .int(int)
        case .double(let double): return .double(double)
        case .bool(let bool): return .bool(bool)
        case .timestamp(let timestamp): return .string(timestamp.rfc3339)
        case .list(let list): return .array(list.map(plainValue))
        }
    }

    /// Decodes an `Any` JSON object; the error says what was wrong with it.
    public static func decode(_ json: JSONValue) -> Result<FilterOperand, FilterError> {
        guard case .object(let object) = json else { return .failure(.init("value must be a protobuf Any object with '@type'")) }
        guard let type = object["@type"]?.stringValue else { return .failure(.init("value has no '@type'")) }
        guard type.hasPrefix(typePrefix) else {
            return .failure(.init("value has unsupported '@type' \(type); expected \(typePrefix)StringValue, Int64Value, DoubleValue, BoolValue, Timestamp or ListValue"))
        }
        let name = type.dropFirst(typePrefix.count)
        guard let value = object["value"] else { return .failure(.init("value of type \(name) has no 'value'")) }
        switch name {
        case "StringValue":
            guard let string = value.stringValue else { return .failure(.init("StringValue 'value' must be a string")) }
            return .success(.string(string))
        case "Int64Value", "Int32Value", "UInt64Value", "UInt32Value":
            guard let int = value.int64Value else { return .failure(.init("\(name) 'value' must be an integer")) }
            return .success(.int(int))
        case "DoubleValue", "FloatValue":
            guard let double = value.numberValue else { return .failure(.init("\(name) 'value' must be a number")) }
            return .success(.double(double))
        case "BoolValue":
            guard let bool = value.boolValue else { return .failure(.init("BoolValue 'value' must be true or false")) }
            return .success(.bool(bool))
        case "Timestamp":
            guard let text = value.stringValue, let timestamp = Timestamp(rfc3339: text) else {
                return .failure(.init("Timestamp 'value' must be an RFC 3339 string such as 2026-01-31T12:00:00Z"))
            }
            return .success(.timestamp(timestamp))
        case "ListValue":
            guard let array = value.arrayValue else { return .failure(.init("ListValue 'value' must be an array")) }
            var elements: [FilterOperand] = []
            for element in array {
                switch element {
                case .string(let string): elements.append(.string(string))
                case .int(let int): elements.append(.int(int))
                case .double(let double): elements.append(.double(double))
                case .bool(let bool): elements.append(.bool(bool))
                default: return .failure(.init("ListValue elements must be strings, numbers or booleans"))
                }
            }
            return .success(.list(elements))
        default:
            return .failure(.init("value has unsupported '@type' \(type)"))
        }
    }
}

/// A filter that cannot be applied, with a message for people.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
