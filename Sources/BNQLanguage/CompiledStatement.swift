import BNQCore

/// What the compiler makes of a statement: plain values the runner executes and tests compare.
public indirect enum CompiledStatement: Sendable {
    case jobs(JobsPlan)
    case job(id: String)
    case results(id: String)
    case explain(CompiledStatement)
    /// A query over the shell's kept history, evaluated locally (nothing is sent).
    case history(JobsPlan)
    /// A query over an archive's syncs.
    case syncs(JobsPlan)
    /// The changes between two syncs of an archive.
    case diff(DiffPlan)
}

/// How to answer `diff`.
public struct DiffPlan: Sendable {
    /// Which jobs' changes to show; nil for all.
    public var predicate: LocalPredicate?
    /// The two syncs; nil for the last two.
    public var from: SyncReference?
    public var to: SyncReference?
}

/// How to answer a `jobs` or `count` statement.
public struct JobsPlan: Sendable {
    /// The `POST /jobs/filter` body, made from the plan's own parts when it is needed (they are its
    /// one owner): the pushed filters, the order when the server sorts, and the first page.
    public var request: JobsRequest {
        JobsRequest(
            pagination: pagination,
            filters: pushed.isEmpty ? nil : pushed.map { JobsRequest.Filter(field: $0.field.path, condition: $0.condition, value: $0.operand) },
            orderBy: ordersOnServer ? ordering?.text : nil)
    }
    /// The first page to ask for: limit and offset when the whole predicate runs on the server,
    /// else whole pages from the start.
    public var pagination: JobsRequest.Pagination
    /// Whether `ordering` is sent as `orderBy` (not when it is sorted here, grouped or counted).
    public var ordersOnServer: Bool
    /// False when there is nothing to filter on the server: the runner uses `GET /jobs` instead.
    public var usesFilterEndpoint: Bool
    /// The conjuncts the server filters on.
    public var pushed: [JobFilter]
    /// What runs locally on each job the server returns.
    public var residual: LocalPredicate?
    /// Rows to skip and to keep; applied locally when there is a residual or grouping.
    public var limit: Int64?
    public var offset: Int64
    /// Whether limit and offset went into `pagination`.
    public var paginationPushed: Bool
    /// The fields to show; empty for the default columns, `["*"]`-like `allFields` for whole jobs.
    public var projection: [JobField]
    public var allFields: Bool
    /// What the statement returns.
    public var output: Output
    /// The instant `now` stood for.
    public var now: Timestamp
    /// The `order by`, resolved (also sent as `request.orderBy`).
    public var ordering: JobOrdering?
    /// `as of`: the archive as it was at a sync (only an archive can answer).
    public var asOf: SyncReference?

    /// Whether the order is by a computed column, which the API cannot sort by: every match is
    /// read, then sorted here (limit and offset after).
    public var sortsLocally: Bool { ordering?.keys.contains { $0.field.isComputed } ?? false }

    public enum Output: Sendable {
        case rows
        case count
        /// The result files of each matching job.
        case results
        indirect case groups(GroupPlan)
        /// Per bucket of a width: jobs started, ended, failed and running. Boxed, as groups are:
        /// every plan holds an output, and an output as large as a timeline's bounds made every
        /// statement's plan larger to copy (about 90 instructions a statement more).
        indirect case timeline(TimelinePlan)
    }
}

/// Grouping and aggregation, done locally over every matching job.
public struct GroupPlan: Sendable {
    /// The fields jobs are grouped by; empty for one group of all jobs.
    public var keys: [JobField]
    public var columns: [Column]
    /// Sort by these columns (index into `columns`).
    public var ordering: [(column: Int, descending: Bool)]
    /// Column headers given with `as` (by column index); the others are named as written.
    public var names: [Int: String] = [:]
    /// `having`: which groups are shown.
    public var having: GroupPredicate?
    /// Grouped by one time bin alone: the buckets between the first and last (or the bounds the
    /// `where` clause sets on the binned time) are all shown, empty ones with count 0.
    public var fill: BinFill?
    /// The buckets of each `sparkline(bin(…))` column (by column index), bounded like `fill`.
    public var series: [Int: BinFill] = [:]

    public init(keys: [JobField], columns: [Column], ordering: [(column: Int, descending: Bool)]) {
        self.keys = keys
        self.columns = columns
        self.ordering = ordering
    }

    /// The header of column `index`.
    public func header(_ index: Int) -> String { names[index] ?? columns[index].title(keys: keys) }

    public enum Column: Sendable, Hashable {
        case key(Int)
        case aggregate(Aggregate, JobField?)

        /// Whether the column's values are times: the min or max of a time (keys say by their field).
        public var holdsTimes: Bool {
            if case .aggregate(let aggregate, let field?) = self { return field.type == .timestamp && (aggregate == .min || aggregate == .max) }
            return false
        }

        /// The column's header.
        public func title(keys: [JobField]) -> String {
            switch self {
            case .key(let index): return keys[index].path
            case .aggregate(let aggregate, let field): return field.map { aggregate.written($0.path) } ?? aggregate.rawValue
            }
        }
    }
}

/// `timeline … every WIDTH`: the buckets and where they start and end.
public struct TimelinePlan: Sendable {
    public var step: BinStep
    /// The first bucket the `where` clause allows (a lower bound on createdAt or startedAt);
    /// nil: the bucket of the earliest start.
    public var from: Timestamp?
    /// The last bucket to show at least (an upper bound on createdAt or startedAt, or, when there
    /// is only a lower one, the bucket of the last instant before `now`); later events extend it.
    /// nil: the last event's.
    public var to: Timestamp?
}

/// The buckets of a time bin to show, empty or not.
public struct BinFill: Sendable {
    public var step: BinStep
    /// The first and last buckets' starts the `where` clause allows (the last is the bucket of
    /// the last instant before `now` when it sets only a lower bound); nil: the first and last
    /// with jobs. A bucket with jobs beyond them is shown too.
    public var from: Timestamp?
    public var to: Timestamp?
}

/// A `having` predicate, compiled: comparisons of a group's aggregate columns with numbers.
public indirect enum GroupPredicate: Sendable {
    /// Column `column`'s value (seconds for durations and times) compared with `value`; a group
    /// without a value (an average of nothing) matches no comparison.
    case compare(column: Int, Comparison.Operator, Double)
    case and(GroupPredicate, GroupPredicate)
    case or(GroupPredicate, GroupPredicate)
    case not(GroupPredicate)

    /// Whether a group with these column values passes.
    public func matches(_ values: [Double?]) -> Bool {
        switch self {
        case .compare(let column, let op, let value):
            guard column < values.count, let actual = values[column], !actual.isNaN else { return false }
            switch op {
            case .equal: return actual == value
            case .notEqual: return actual != value
            case .less: return actual < value
            case .lessOrEqual: return actual <= value
            case .greater: return actual > value
            case .greaterOrEqual: return actual >= value
            default: return false
            }
        case .and(let lhs, let rhs): return lhs.matches(values) && rhs.matches(values)
        case .or(let lhs, let rhs): return lhs.matches(values) || rhs.matches(values)
        case .not(let inner): return !inner.matches(values)
        }
    }
}

/// Values for `$name` parameters: each is source text read as a value (`FAILED`, `now - 7d`, `'x'`).
public struct CompileContext: Sendable {
    /// The instant `now` means, fixed once per statement.
    public var now: Timestamp
    public var parameters: [String: String]
    /// The page size for listings that are paged through.
    public var pageSize: Int64
    /// The zone a time written without one is read in, and `today` starts in (UTC by default).
    public var timeZone: TimeZoneRule

    public init(now: Timestamp, parameters: [String: String] = [:], pageSize: Int64 = 500, timeZone: TimeZoneRule = .utc) {
        self.now = now
        self.parameters = parameters
        self.pageSize = pageSize
        self.timeZone = timeZone
    }
}
