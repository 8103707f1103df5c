/// The type of a job field, as the contract's `jobJob` schema declares it.
public enum FieldType: Sendable, Hashable, CustomStringConvertible {
    /// A string.
    case string
    /// An enum; its values in declared order.
    case enumeration(EnumType)
    /// An RFC 3339 date-time string.
    case timestamp
    /// A double (`duration`, `paymentAmount`).
    case double
    /// Seconds worked out from two times (`endedAt - startedAt`): a number with no default —
    /// missing when a time is missing, never 0. Shown as `1h 02m 03s` in tables.
    case seconds
    /// A JSON integer (`numChunks`, `config.taskTimeout`); protobuf JSON may send it as a string.
    case integer
    /// An int64 declared as a string (`numUnitsEstimation`).
    case int64String
    /// A boolean.
    case bool
    /// An array of strings (`regions.whitelist`).
    case stringArray
    /// A map from string keys to values of one type (`stateTimestamps`).
    case map(valueType: MapValueType)
    /// A nested object with its own fields (`config`, `templateInfo`).
    case object
    /// Free-form JSON (`params.app`, `dataSource.params`).
    case any

    /// The value types a map may hold.
    public enum MapValueType: Sendable, Hashable { case timestamp }

    public var description: String {
        switch self {
        case .string: return "string"
        case .enumeration(let type): return "enum \(type.name)"
        case .timestamp: return "timestamp"
        case .double: return "number"
        case .seconds: return "duration"
        case .integer: return "integer"
        case .int64String: return "int64"
        case .bool: return "boolean"
        case .stringArray: return "array of strings"
        case .map: return "map"
        case .object: return "object"
        case .any: return "JSON"
        }
    }

    /// Numbers of any kind.
    public var isNumeric: Bool { self == .double || self == .integer || self == .int64String || self == .seconds }

    /// Scalars can be compared and ordered by; objects, arrays, maps and free JSON cannot.
    public var isScalar: Bool {
        switch self {
        case .string, .enumeration, .timestamp, .double, .integer, .int64String, .bool, .seconds: return true
        case .stringArray, .map, .object, .any: return false
        }
    }
}

/// An enum of the contract, with the common prefix its values share (`JOB_STATE_`).
///
/// A class: the schema's fields refer to a few enums many times over, and copies cost one retain.
public final class EnumType: Sendable, Hashable {
    /// The schema name (`jobJobState`).
    public let name: String
    /// The prefix every value starts with, so `COMPLETE` can stand for `JOB_STATE_COMPLETE`.
    public let prefix: String
    /// The values in declared order.
    public let values: [String]
    /// Every accepted spelling (`JOB_STATE_COMPLETE`, `COMPLETE`), in any case, to its canonical value.
    private let canonicalByName: CaseInsensitiveTable<String>

    public init(name: String, prefix: String, values: [String]) {
        self.name = name
        self.prefix = prefix
        self.values = values
        var spellings: [(name: String, value: String)] = []
        for value in values {
            spellings.append((value, value))
            if value.hasPrefix(prefix) { spellings.append((String(value.dropFirst(prefix.count)), value)) }
        }
        self.canonicalByName = CaseInsensitiveTable(spellings)
    }

    public static func == (lhs: EnumType, rhs: EnumType) -> Bool {
        lhs === rhs || (lhs.name == rhs.name && lhs.prefix == rhs.prefix && lhs.values == rhs.values)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The canonical value that `text` names: the full name or the name without the prefix, in any case.
    public func canonicalValue(_ text: String) -> String? { canonicalByName[text] }

    /// The canonical value that `buffer[start..<end]` (UTF-8) names, as `canonicalValue(_:)`.
    public func canonicalValue(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> String? {
        canonicalByName.value(in: buffer, from: start, to: end)
    }

    /// The short spelling of a value (`COMPLETE`).
    public func shortName(_ value: String) -> String {
        value.hasPrefix(prefix) ? String(value.dropFirst(prefix.count)) : value
    }

    /// The ordinal of a value in declared order; unknown values sort after all known ones.
    public func ordinal(_ value: String) -> Int {
        values.firstIndex(of: value) ?? values.count
    }

    public static let jobState = EnumType(
        name: "jobJobState", prefix: "JOB_STATE_",
        values: [
            "JOB_STATE_NEW", "JOB_STATE_STARTED", "JOB_STATE_UPLOADING", "JOB_STATE_PARTITIONING",
            "JOB_STATE_PARTITIONED", "JOB_STATE_TASKS_COMPLETED", "JOB_STATE_MERGING", "JOB_STATE_MERGED",
            "JOB_STATE_DOWNLOADING", "JOB_STATE_COMPLETE", "JOB_STATE_FAILED",
        ])

    public static let priority = EnumType(
        name: "jobByteLevel", prefix: "EXECUTION_PRIORITY_",
        values: [
            "EXECUTION_PRIORITY_UNDEFINED", "EXECUTION_PRIORITY_CHEAP", "EXECUTION_PRIORITY_BALANCED",
            "EXECUTION_PRIORITY_FAST",
        ])

    /// The final states: a job in one of them will not change again.
    public static let finalJobStates: Set<String> = ["JOB_STATE_COMPLETE", "JOB_STATE_FAILED"]
}

/// One field of a job, named by its JSON path.
///
/// A class: fields are handed around the compiler and the filters a great deal, and copies cost one retain.
public final class JobField: Sendable, Hashable {
    /// The canonical dotted JSON path (`templateInfo.app`).
    public let path: String
    /// Its type.
    public let type: FieldType
    /// What it holds, from the contract's title or description.
    public let summary: String

    /// The path split at its dots, computed once.
    public let components: [String]
    /// How a computed column is worked out (`endedAt - startedAt`, `bin(createdAt, 1d)`, an
    /// alias); nil for a field of the job itself.
    public let derivation: Derivation?

    public init(_ path: String, _ type: FieldType, _ summary: String) {
        self.path = path
        self.type = type
        self.summary = summary
        self.components = path.split(separator: ".").map(String.init)
        self.derivation = nil
    }

    /// A computed column named `name` (as written, or its alias).
    public init(computed name: String, _ type: FieldType, _ derivation: Derivation) {
        self.path = name
        self.type = type
        self.summary = "computed"
        self.components = [name]
        self.derivation = derivation
    }

    /// Whether it is worked out locally rather than read from the job (never sent to the API).
    public var isComputed: Bool { derivation != nil }

    public static func == (lhs: JobField, rhs: JobField) -> Bool { lhs === rhs || lhs.path == rhs.path && lhs.type == rhs.type && lhs.derivation == rhs.derivation }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(type)
    }
}

/// The fields of `jobJob` and its nested objects: the single catalogue the language, the
/// local evaluator and `bnq serve` resolve field names against.
public enum JobSchema {
    /// Every field, top level first, nested fields after their parent.
    public static let fields: [JobField] = [
        JobField("id", .string, "unique id for the job"),
        JobField("templateId", .string, "job template to run"),
        JobField("name", .string, "human readable name"),
        JobField("config", .object, "job specific parameters"),
        JobField("config.taskTimeout", .integer, "task timeout in seconds"),
        JobField("config.jobTimeout", .integer, "job timeout in seconds"),
        JobField("config.isTestJob", .bool, "true if this job is a test job"),
        JobField("priority", .enumeration(.priority), "execution priority requirements"),
        JobField("startAt", .timestamp, "when the job should be run"),
        JobField("submittedAt", .timestamp, "submission date/time"),
        JobField("startedAt", .timestamp, "date/time of the first chunk upload"),
        JobField("endedAt", .timestamp, "date/time of completion/failure"),
        JobField("regions", .object, "regions to consider or exclude"),
        JobField("regions.blacklist", .stringArray, "regions excluded"),
        JobField("regions.whitelist", .stringArray, "regions allowed"),
        JobField("state", .enumeration(.jobState), "current job state"),
        JobField("dataSource", .object, "input data source"),
        JobField("dataSource.dataSourceDescriptor", .string, "data source selector"),
        JobField("dataSource.params", .any, "data source parameters"),
        JobField("params", .object, "app specific parameters"),
        JobField("params.preset", .string, "deprecated preset"),
        JobField("params.partitioner", .any, "partitioning engine parameters"),
        JobField("params.assembler", .any, "assembling engine parameters"),
        JobField("params.app", .any, "application parameters"),
        JobField("dataDestination", .object, "output data destination"),
        JobField("dataDestination.dataSourceDescriptor", .string, "data destination selector"),
        JobField("dataDestination.params", .any, "data destination parameters"),
        JobField("duration", .double, "job duration in seconds"),
        JobField("deletedAt", .timestamp, "delete date/time"),
        JobField("createdAt", .timestamp, "creation time"),
        JobField("paymentAmount", .double, "amount paid"),
        JobField("numUnitsEstimation", .int64String, "estimated number of units"),
        JobField("numChunks", .integer, "number of chunks"),
        JobField("errorMessage", .string, "error message of a failed job"),
        JobField("description", .string, "description of this job"),
        JobField("stateTimestamps", .map(valueType: .timestamp), "timestamps for each state"),
        JobField("appId", .string, "application id"),
        JobField("templateInfo", .object, "job template information"),
        JobField("templateInfo.id", .string, "template id"),
        JobField("templateInfo.owner", .string, "template owner"),
        JobField("templateInfo.description", .string, "template description"),
        JobField("templateInfo.app", .string, "the template's application"),
        JobField("templateInfo.partitioner", .string, "how data is partitioned"),
        JobField("templateInfo.assembler", .string, "how data is assembled"),
    ]

    private static let byName = CaseInsensitiveTable(fields.map { ($0.path, $0) })

    /// The field a path names, case-insensitively. A key under a map field
    /// (`stateTimestamps.JOB_STATE_FAILED`, or `stateTimestamps.FAILED`) is a field of the map's value type.
    public static func field(named path: String) -> JobField? {
        byName[path] ?? mapKeyField(named: path)
    }

    /// The field a key under a map field names (`stateTimestamps.FAILED`), if `path` is one.
    static func mapKeyField(named path: String) -> JobField? {
        guard let dot = path.firstIndex(of: ".") else { return nil }
        let head = String(path[..<dot])
        let key = String(path[path.index(after: dot)...])
        guard let parent = byName[head], case .map(let valueType) = parent.type, !key.isEmpty else {
            return nil
        }
        let canonicalKey = parent.path == "stateTimestamps" ? (EnumType.jobState.canonicalValue(key) ?? key) : key
        switch valueType {
        case .timestamp: return JobField(parent.path + "." + canonicalKey, .timestamp, "time the job entered \(canonicalKey)")
        }
    }

    /// All paths, for completion and did-you-mean.
    public static var paths: [String] { fields.map(\.path) }
}
