import BNQCore

/// A predicate resolved against the job schema, evaluated on each job: what the filter API cannot
/// express (`or`, `not`, `not like`) runs here, with the very `JobFilter` semantics the service uses.
public enum LocalPredicate: Sendable, Hashable, CustomStringConvertible {
    case filter(JobFilter)
    indirect case and(LocalPredicate, LocalPredicate)
    indirect case or(LocalPredicate, LocalPredicate)
    indirect case not(LocalPredicate)
    /// `f is present` (true) or `f is missing` (false): whether the job has the field at all (not
    /// absent, not null; a time must be a time).
    case presence(JobField, present: Bool)

    /// Whether `job` satisfies the predicate.
    public func matches(_ job: JSONValue) -> Bool {
        switch self {
        case .filter(let filter): return filter.matches(job)
        case .and(let lhs, let rhs): return lhs.matches(job) && rhs.matches(job)
        case .or(let lhs, let rhs): return lhs.matches(job) || rhs.matches(job)
        case .not(let inner): return !inner.matches(job)
        case .presence(let field, let present): return Self.isPresent(field, in: job) == present
        }
    }

    /// The predicate in the language's own notation, with values made explicit.
    public var description: String { text(parenthesised: false) }

    func text(parenthesised: Bool) -> String {
        switch self {
        case .filter(let filter): return Self.describe(filter)
        case .and(let lhs, let rhs):
            return lhs.text(parenthesised: true) + " and " + rhs.text(parenthesised: true)
        case .or(let lhs, let rhs):
            let text = lhs.text(parenthesised: false) + " or " + rhs.text(parenthesised: false)
            return parenthesised ? "(" + text + ")" : text
        case .not(let inner): return "not " + (inner.isFilter ? "(" + inner.description + ")" : inner.text(parenthesised: true))
        case .presence(let field, let present): return field.path + (present ? " is present" : " is missing")
        }
    }

    /// Whether `job` has `field`: present and not null; for a time, a value that reads as one.
    public static func isPresent(_ field: JobField, in job: JSONValue) -> Bool {
        guard let value = job.value(of: field), value != .null else { return false }
        if field.type == .timestamp, case .timestamp(nil) = FieldValue.of(job, field) { return false }
        return true
    }

    var isFilter: Bool { if case .filter = self { return true } else { return false } }

    /// `field OP value` for one filter.
    public static func describe(_ filter: JobFilter) -> String {
        "\(filter.field.path) \(filter.condition.spelling) \(filter.operand)"
    }
}
