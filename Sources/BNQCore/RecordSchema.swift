/// The fields of one kind of record a statement can ask about: jobs (from the API) or the shell's
/// history (kept locally). Filters, orderings and projections resolve names against one of these.
///
/// A class: the compiler reads it for every name in a statement, and a copy costs one retain.
public final class RecordSchema: Sendable {
    /// What the records are called in messages (`jobs`, `history`).
    public let name: String
    public let fields: [JobField]
    @usableFromInline let table: CaseInsensitiveTable<JobField>
    /// Fields not listed but named by a path (a key under a map: `stateTimestamps.FAILED`).
    @usableFromInline let derived: (@Sendable (String) -> JobField?)?

    /// A schema of `fields`; `derived` names the fields a path can reach beyond them.
    public init(name: String, fields: [JobField], derived: (@Sendable (String) -> JobField?)? = nil) {
        self.name = name
        self.fields = fields
        self.table = CaseInsensitiveTable(fields.map { ($0.path, $0) })
        self.derived = derived
    }

    /// The field a path names, case-insensitively.
    public func field(named path: String) -> JobField? {
        table[path] ?? derived?(path)
    }

    /// The field `buffer[start..<end]` (UTF-8) names, case-insensitively, without making a string
    /// of it unless it names no listed field; bytes after `end` may be read.
    @inlinable public func field(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> JobField? {
        if let field = table.value(in: buffer, from: start, to: end) { return field }
        return derived?(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self))
    }

    /// All paths, for completion and did-you-mean.
    public var paths: [String] { fields.map(\.path) }

    /// Jobs, as the contract's `jobJob` defines them.
    public static let jobs = RecordSchema(name: "jobs", fields: JobSchema.fields, derived: { JobSchema.mapKeyField(named: $0) })

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
