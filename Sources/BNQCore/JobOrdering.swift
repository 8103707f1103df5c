/// An `orderBy` in Google AIP-132 style: `createdAt desc, name`. Ties are broken by `id`,
/// ascending, so that paging through an ordering is stable.
public struct JobOrdering: Sendable, Hashable {
    /// One sort key.
    public struct Key: Sendable, Hashable {
        public var field: JobField
        public var descending: Bool
        public init(field: JobField, descending: Bool) {
            self.field = field
            self.descending = descending
        }
    }

    public var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    /// The service's default order when none is given: newest first (`createdAt desc`), then id.
    public static let defaultOrdering = JobOrdering(keys: [Key(field: JobSchema.field(named: "createdAt")!, descending: true)])

    /// Parses an `orderBy` string; an empty one gives no keys (the caller picks the default).
    public static func parse(_ text: String) -> Result<JobOrdering, FilterError> {
        var keys: [Key] = []
        for part in text.split(separator: ",") {
            let words = part.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !words.isEmpty else { return .failure(FilterError("orderBy has an empty key in '\(text)'")) }
            guard words.count <= 2 else { return .failure(FilterError("orderBy key '\(part.trimmingSpaces)' should be 'field [asc|desc]'")) }
            guard let field = JobSchema.field(named: String(words[0])) else {
                var message = "orderBy names unknown field '\(words[0])'"
                if let suggestion = Typo.closest(to: String(words[0]), among: JobSchema.paths) { message += "; did you mean '\(suggestion)'?" }
                return .failure(FilterError(message))
            }
            guard field.type.isScalar else { return .failure(FilterError("cannot order by '\(field.path)' (\(field.type))")) }
            var descending = false
            if words.count == 2 {
                switch words[1].lowercased() {
                case "asc": descending = false
                case "desc": descending = true
                default: return .failure(FilterError("orderBy direction must be 'asc' or 'desc', not '\(words[1])'"))
                }
            }
            keys.append(Key(field: field, descending: descending))
        }
        return .success(JobOrdering(keys: keys))
    }

    /// The AIP-132 text of this ordering.
    public var text: String {
        var text = ""
        for (index, key) in keys.enumerated() {
            if index > 0 { text += ", " }
            text += key.field.path
            if key.descending { text += " desc" }
        }
        return text
    }

    /// The sort key of one job: its normalised values and id, computed once per job.
    public func sortKey(_ job: JSONValue) -> [FieldValue] {
        keys.map { FieldValue.of(job, $0.field) } + [.string(job["id"]?.stringValue ?? "")]
    }

    /// Whether the job with key `lhs` comes before the one with key `rhs`.
    ///
    /// A value that is missing sorts before every value, as an unset time does: first in
    /// ascending order, last in descending. That holds for computed durations too
    /// (`order by endedAt - startedAt desc` lists the longest runs first, then the jobs without
    /// a run), whose missing value is a NaN that would otherwise sort after every number.
    public func precedes(_ lhs: [FieldValue], _ rhs: [FieldValue]) -> Bool {
        for (index, key) in keys.enumerated() {
            var order = FieldValue.compare(lhs[index], rhs[index])
            if key.field.type == .seconds, case .number(let a) = lhs[index], case .number(let b) = rhs[index], a.isNaN != b.isNaN {
                order = a.isNaN ? -1 : 1
            }
            if order != 0 { return key.descending ? order > 0 : order < 0 }
        }
        return FieldValue.compare(lhs[keys.count], rhs[keys.count]) < 0
    }

    /// `jobs` sorted by this ordering.
    public func sorted(_ jobs: [JSONValue]) -> [JSONValue] {
        let keyed = jobs.map { (sortKey($0), $0) }
        return keyed.sorted { precedes($0.0, $1.0) }.map(\.1)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
