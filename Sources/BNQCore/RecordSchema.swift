/// The fields of one kind of record a statement can ask about: jobs (from the API) or the shell's
/// history (kept locally). Filters, orderings and projections resolve names against one of these.
public struct RecordSchema: Sendable {
    /// What the records are called in messages (`jobs`, `history`).
    public let name: String
    public let fields: [JobField]
    private let lookup: @Sendable (String) -> JobField?

    public init(name: String, fields: [JobField], lookup: (@Sendable (String) -> JobField?)? = nil) {
        self.name = name
        self.fields = fields
        let table = FieldNameTable(fields)
        self.lookup = lookup ?? { table.field(named: $0) }
    }

    /// The field a path names, case-insensitively.
    public func field(named path: String) -> JobField? { lookup(path) }

    /// All paths, for completion and did-you-mean.
    public var paths: [String] { fields.map(\.path) }

    /// Jobs, as the contract's `jobJob` defines them.
    public static let jobs = RecordSchema(name: "jobs", fields: JobSchema.fields, lookup: { JobSchema.field(named: $0) })

    /// The shell's kept statements.
    public static let history = RecordSchema(name: "history", fields: [
        JobField("id", .integer, "the entry's number (as .history shows it)"),
        JobField("text", .string, "the statement"),
        JobField("at", .timestamp, "when it ran"),
        JobField("duration", .double, "how long it took, in seconds"),
        JobField("endpoint", .string, "the API it ran against"),
        JobField("rows", .integer, "rows it returned"),
        JobField("ok", .bool, "whether it succeeded"),
        JobField("error", .string, "the error, when it failed"),
    ])

    /// An archive's syncs (its snapshots).
    public static let syncs = RecordSchema(name: "syncs", fields: [
        JobField("id", .integer, "the sync's number (what 'as of' and 'diff between' take)"),
        JobField("at", .timestamp, "when it started"),
        JobField("endpoint", .string, "the API it read"),
        JobField("kind", .string, "full, incremental or import"),
        JobField("jobs", .integer, "jobs held after it"),
        JobField("new", .integer, "jobs it found new"),
        JobField("changed", .integer, "jobs it found changed"),
        JobField("gone", .integer, "jobs it found gone"),
        JobField("requests", .integer, "requests it sent"),
        JobField("seconds", .double, "how long it took"),
    ])
}
