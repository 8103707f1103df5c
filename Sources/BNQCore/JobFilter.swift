/// One filter (`{field, condition, value}`) resolved against the job schema and ready to test jobs.
///
/// `bnq serve` applies these to answer `POST /jobs/filter`, and the client applies the very same
/// ones when it evaluates a predicate locally, so both sides agree by construction.
public struct JobFilter: Sendable, Hashable {
    public let field: JobField
    public let condition: FilterCondition
    /// The operand, converted to the field's type (enum names made canonical, strings parsed as times).
    public let operand: FilterOperand
    /// The strings of a long `in` / `not in` list, for look-ups in constant time (a sync asks for
    /// hundreds of ids at once); derived from `operand`.
    @usableFromInline let stringSet: Set<String>?

    public static func == (lhs: JobFilter, rhs: JobFilter) -> Bool {
        lhs.field == rhs.field && lhs.condition == rhs.condition && lhs.operand == rhs.operand
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(condition)
        hasher.combine(operand)
    }

    /// Resolves a filter; the error says what is wrong (unknown field, condition not allowed on
    /// the field's type, operand of the wrong type, unknown enum value).
    public static func resolve(field path: String, condition: FilterCondition, operand: FilterOperand, schema: RecordSchema = .jobs) -> Result<JobFilter, FilterError> {
        guard let field = schema.field(named: path) else {
            var message = "unknown field '\(path)'"
            if let suggestion = Typo.closest(to: path, among: schema.paths) { message += "; did you mean '\(suggestion)'?" }
            return .failure(FilterError(message))
        }
        if let problem = condition.problem(with: field.type) {
            return .failure(FilterError("\(condition.rawValue) cannot apply to field '\(field.path)' (\(field.type)): \(problem)"))
        }
        let converted: FilterOperand
        if condition.takesList {
            guard case .list(let elements) = operand else {
                return .failure(FilterError("\(condition.rawValue) on '\(field.path)' needs a ListValue"))
            }
            let elementType: FieldType = field.type == .stringArray ? .string : field.type
            var list: [FilterOperand] = []
            for element in elements {
                switch convert(element, to: elementType, field: field.path) {
                case .success(let value): list.append(value)
                case .failure(let error): return .failure(error)
                }
            }
            converted = .list(list)
        } else {
            if case .list = operand {
                return .failure(FilterError("\(condition.rawValue) on '\(field.path)' takes a single value, not a list"))
            }
            let elementType: FieldType = field.type == .stringArray ? .string : field.type
            switch convert(operand, to: elementType, field: field.path) {
            case .success(let value): converted = value
            case .failure(let error): return .failure(error)
            }
        }
        return .success(JobFilter(checked: field, condition: condition, operand: converted))
    }

    /// A filter whose operand is already converted to the field's type and checked against the
    /// condition (the compiler does both once, with positioned diagnostics).
    @inlinable public init(checked field: JobField, condition: FilterCondition, operand: FilterOperand) {
        self.field = field
        self.condition = condition
        self.operand = operand
        var strings: Set<String>?
        if condition == .in || condition == .notIn, case .list(let list) = operand, list.count > 16 {
            strings = []
            for element in list {
                guard case .string(let text) = element else {
                    strings = nil
                    break
                }
                strings!.insert(text)
            }
        }
        stringSet = strings
    }

    /// Converts an operand to the representation a field of `type` compares against.
    static func convert(_ operand: FilterOperand, to type: FieldType, field: String) -> Result<FilterOperand, FilterError> {
        func mismatch() -> Result<FilterOperand, FilterError> {
            .failure(FilterError("field '\(field)' is \(type), but the value \(operand) is not"))
        }
        switch type {
        case .string:
            if case .string = operand { return .success(operand) }
            return mismatch()
        case .enumeration(let enumType):
            guard case .string(let text) = operand else { return mismatch() }
            guard let canonical = enumType.canonicalValue(text) else {
                var message = "unknown value '\(text)' for field '\(field)' (enum \(enumType.name))"
                if let suggestion = Typo.closest(to: text.uppercased(), among: enumType.values + enumType.values.map(enumType.shortName)) {
                    message += "; did you mean '\(suggestion)'?"
                }
                return .failure(FilterError(message))
            }
            return .success(.string(canonical))
        case .timestamp:
            switch operand {
            case .timestamp: return .success(operand)
            case .string(let text):
                guard let timestamp = Timestamp(rfc3339: text) else { return mismatch() }
                return .success(.timestamp(timestamp))
            default: return mismatch()
            }
        case .double, .integer, .int64String, .seconds:
            switch operand {
            case .int: return .success(operand)
            case .double: return .success(operand)
            case .string(let text):
                if type != .double, let int = Int64(text) { return .success(.int(int)) }
                guard let double = Double(text) else { return mismatch() }
                return .success(.double(double))
            default: return mismatch()
            }
        case .bool:
            if case .bool = operand { return .success(operand) }
            return mismatch()
        case .stringArray, .map, .object, .any:
            return mismatch()
        }
    }

    /// Whether `job` passes this filter.
    public func matches(_ job: JSONValue) -> Bool {
        let value = FieldValue.of(job, field)
        if let stringSet {
            // Strings and enum names compare by equality, which a set answers as the list would.
            switch value {
            case .string(let text), .enumValue(let text, _): return stringSet.contains(text) == (condition == .in)
            default: break
            }
        }
        return Self.test(value, condition, operand)
    }

    /// The semantics of every condition, in one place (see docs/service.md).
    static func test(_ value: FieldValue, _ condition: FilterCondition, _ operand: FilterOperand) -> Bool {
        switch condition {
        case .eq: return equals(value, operand)
        case .neq: return !equals(value, operand)
        case .in:
            guard case .list(let list) = operand else { return false }
            return list.contains { equals(value, $0) }
        case .notIn:
            guard case .list(let list) = operand else { return false }
            return !list.contains { equals(value, $0) }
        case .gt, .gte, .lt, .lte:
            guard let order = order(value, operand) else { return false }
            switch condition {
            case .gt: return order > 0
            case .gte: return order >= 0
            case .lt: return order < 0
            default: return order <= 0
            }
        case .like:
            guard case .string(let pattern) = operand else { return false }
            switch value {
            case .string(let string): return LikePattern(pattern).matches(string)
            case .enumValue(let name, _): return LikePattern(pattern).matches(name)
            default: return false
            }
        case .arrayContains:
            guard case .strings(let strings) = value, case .string(let wanted) = operand else { return false }
            return strings.contains(wanted)
        case .arrayContainsAny:
            guard case .strings(let strings) = value, case .list(let list) = operand else { return false }
            return list.contains { element in
                if case .string(let wanted) = element { return strings.contains(wanted) }
                return false
            }
        }
    }

    static func equals(_ value: FieldValue, _ operand: FilterOperand) -> Bool {
        switch (value, operand) {
        case (.string(let a), .string(let b)): return a == b
        case (.enumValue(let a, _), .string(let b)): return a == b
        case (.number(let a), .double(let b)): return a == b
        case (.number(let a), .int(let b)): return FieldValue.compare(b, a) == 0 && !a.isNaN
        case (.integer(let a), .int(let b)): return a == b
        case (.integer(let a), .double(let b)): return FieldValue.compare(a, b) == 0
        case (.bool(let a), .bool(let b)): return a == b
        case (.timestamp(let a), .timestamp(let b)): return a == b
        default: return false
        }
    }

    /// -1, 0 or 1; nil when the two cannot be ordered (an unset timestamp).
    static func order(_ value: FieldValue, _ operand: FilterOperand) -> Int? {
        switch (value, operand) {
        case (.string(let a), .string(let b)):
            if a == b { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case (.number(let a), .double(let b)): return a.isNaN || b.isNaN ? nil : (a < b ? -1 : (a > b ? 1 : 0))
        case (.number(let a), .int(let b)): return a.isNaN ? nil : -FieldValue.compare(b, a)
        case (.integer(let a), .int(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.integer(let a), .double(let b)): return b.isNaN ? nil : FieldValue.compare(a, b)
        case (.timestamp(let a?), .timestamp(let b)): return a < b ? -1 : (b < a ? 1 : 0)
        default: return nil
        }
    }
}
