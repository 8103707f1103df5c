import BNQCore

/// A statement as written: the parser's output, before names and types are checked.
public enum Statement: Sendable, Hashable {
    /// `jobs [select …] [where …] [group by …] [order by …] [limit N] [offset N]`, or `count [jobs] [where …]`.
    case jobs(JobsQuery)
    /// `job ID`: one job (GET /jobs/{jobId}).
    case job(id: String, range: SourceRange)
    /// `results ID`: a job's result files (GET /jobs/{jobId}/results).
    case results(id: String, range: SourceRange)
    /// `explain STATEMENT`: the requests a statement would send, without sending them.
    indirect case explain(Statement)
    /// `history [select …] [where …] [order by …] [limit N]`: the shell's kept statements.
    case history(JobsQuery)
    /// `syncs [select …] [where …] [order by …] [limit N]`: the archive's snapshots.
    case syncs(JobsQuery)
    /// `diff [where …] [between SYNC and SYNC]`: what changed in the archive between two syncs.
    case diff(DiffQuery)
}

/// The parts of a `diff` statement.
public struct DiffQuery: Sendable, Hashable {
    /// Which jobs' changes to show (tested on the job after the change; before it, for a job gone).
    public var predicate: Predicate?
    /// `between A and B`: two syncs (ids or times); nil for the last two syncs.
    public var between: (ValueExpression, ValueExpression)?
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }

    public static func == (lhs: DiffQuery, rhs: DiffQuery) -> Bool {
        lhs.predicate == rhs.predicate && lhs.between?.0 == rhs.between?.0 && lhs.between?.1 == rhs.between?.1 && lhs.range == rhs.range
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(predicate)
        hasher.combine(between?.0)
        hasher.combine(between?.1)
        hasher.combine(range)
    }
}

/// The parts of a `jobs` statement.
public struct JobsQuery: Sendable, Hashable {
    /// What to show; empty shows the default columns.
    public var selection: [SelectItem] = []
    /// `… as NAME` of each select item, in the order of `selection` (nil where none was given; the
    /// list may be shorter than `selection`, or empty, when the last items have no name).
    public var aliases: [FieldReference?] = []
    /// `having PRED`: which groups to show, tested on their aggregates and keys.
    public var having: Predicate?
    public var predicate: Predicate?
    public var groupBy: [FieldReference] = []
    public var orderBy: [OrderItem] = []
    public var limit: Int64?
    public var limitRange: SourceRange?
    public var offset: Int64?
    /// `as of SYNC`: the archive as it was at a sync (an id or a time).
    public var asOf: ValueExpression?
    /// `count …`: only the number of matching jobs.
    public var countOnly = false
    /// `results where …`: the result files of the matching jobs.
    public var resultsOnly = false
    /// `timeline [where …] every WIDTH`: jobs started, ended, failed and running per bucket.
    public var timelineStep: BinStepSyntax?
    public var range: SourceRange

    public init(range: SourceRange) { self.range = range }
}

/// A field as written, with where it was written: a field of the job, an alias, or a computed
/// column (`endedAt - startedAt`, `now - createdAt`, `bin(createdAt, 1d)`).
public struct FieldReference: Sendable, Hashable {
    /// The field's name, or the computed column as it reads (`endedAt - startedAt`).
    public var name: String
    public var range: SourceRange
    /// How the column is computed; nil for a name.
    public var computed: ComputedColumn?

    public init(name: String, range: SourceRange, computed: ComputedColumn? = nil) {
        self.name = name
        self.range = range
        self.computed = computed
    }
}

/// A column worked out from the job, as written.
public indirect enum ComputedColumn: Sendable, Hashable {
    /// `A - B` of two times (a field, or `now`): a duration.
    case difference(TimeOperand, TimeOperand)
    /// `bin(TIME, STEP)`: the start of the time's bucket; STEP is a duration or `Nmo` (months).
    case bin(FieldReference, step: BinStepSyntax)
    /// `count`, `p95(f)`, … in `having` and `order by`: a group's aggregate.
    case aggregate(Aggregate, FieldReference?)
    /// The argument of `percentile(f, Q)`: the field, and Q (0–100).
    case ranked(FieldReference, percent: Double)

    /// A time in a difference.
    public enum TimeOperand: Sendable, Hashable {
        case field(FieldReference)
        case now(SourceRange)
    }
}

/// A bin's width as written: seconds (`1h`, `1d`, `1w`), or months (`1mo`).
public struct BinStepSyntax: Sendable, Hashable {
    /// The width in seconds (`1h`: 3600), when given as a duration.
    public var seconds: Double
    /// `Nw`: ISO weeks; `Nmo`: calendar months (0 when not).
    public var weeks: Int64 = 0
    public var months: Int64 = 0
    public var range: SourceRange
}

/// One item of a `select` list.
public enum SelectItem: Sendable, Hashable {
    case field(FieldReference)
    /// `count`, `sum(f)`, `avg(f)`, `min(f)`, `max(f)`.
    case aggregate(Aggregate, FieldReference?, SourceRange)

    public var range: SourceRange {
        switch self {
        case .field(let field): return field.range
        case .aggregate(_, _, let range): return range
        }
    }
}

/// The aggregate functions of grouped statements.
public enum Aggregate: String, Sendable, Hashable, CaseIterable {
    case count, sum, avg, min, max
    /// Percentiles: exact, interpolated linearly between the closest ranks (PostgreSQL's
    /// `percentile_cont`), over the jobs where the field is present.
    case median, p50, p90, p95, p99
    /// `percentile(f, Q)`: any percentile, Q in (0, 100), exact as the others.
    case percentile
    /// The sample standard deviation.
    case stddev
    /// `sparkline(bin(t, WIDTH))`: the count per bucket, drawn in a cell (`▁▃▅█`).
    case sparkline
    /// `count(distinct f)`: how many different values the jobs that have one hold.
    case countDistinct = "count distinct"

    /// The aggregate a keyword names (`p95`, `count`); nil for any other keyword.
    public init?(keyword: Keyword) {
        guard let aggregate = Aggregate(rawValue: keyword.rawValue) else { return nil }
        self = aggregate
    }

    /// How it is written, for help: `count`, `p95(f)`, `percentile(f, Q)`, `sparkline(bin(t, 1d))`.
    public var usage: String {
        switch self {
        case .count: return "count"
        case .percentile: return "percentile(f, Q)"
        case .sparkline: return "sparkline(bin(t, 1d))"
        default: return written("f")
        }
    }

    /// How it is written with its argument: `p95(duration)`, `count(distinct templateId)`.
    public func written(_ argument: String) -> String {
        self == .countDistinct ? "count(distinct \(argument))" : "\(rawValue)(\(argument))"
    }

    /// The fraction a percentile stands for (`p95`: 0.95); nil for the others.
    public var quantile: Double? {
        switch self {
        case .median, .p50: return 0.5
        case .p90: return 0.9
        case .p95: return 0.95
        case .p99: return 0.99
        default: return nil
        }
    }

    /// Whether it needs every value kept (memory grows with the values of each group).
    public var keepsValues: Bool { quantile != nil || self == .percentile }
}

/// One key of `order by`.
public struct OrderItem: Sendable, Hashable {
    public var key: SelectItem
    public var descending: Bool
}

/// A predicate as written.
public indirect enum Predicate: Sendable, Hashable {
    case comparison(Comparison)
    case and(Predicate, Predicate)
    case or(Predicate, Predicate)
    case not(Predicate, SourceRange)
    /// `f is missing` / `f is present` (also `is null` / `is not null`).
    case presence(FieldReference, present: Bool, SourceRange)

    public var range: SourceRange {
        switch self {
        case .comparison(let comparison): return comparison.range
        case .presence(let field, _, let range): return field.range.union(range)
        case .and(let lhs, let rhs), .or(let lhs, let rhs): return lhs.range.union(rhs.range)
        case .not(let inner, let range): return range.union(inner.range)
        }
    }
}

/// `field OP value`.
public struct Comparison: Sendable, Hashable {
    /// The operators; each is spelled by its raw value, a symbol or one or more words.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case `in` = "in", notIn = "not in", like = "like", notLike = "not like"
        case contains = "contains", containsAny = "contains any"

        /// The tokens it is written as: one symbol, or words.
        public var words: [String] { rawValue.split(separator: " ").map(String.init) }

        /// Whether it is written with a symbol (`==`) rather than words (`not in`).
        public var isSymbol: Bool { rawValue.first.map { !$0.isLetter } ?? false }

        /// Whether it takes a parenthesised list of values.
        public var takesList: Bool { condition.takesList }

        /// The filter condition it means, and whether the result is negated (`not like`).
        public var condition: FilterCondition {
            switch self {
            case .equal: return .eq
            case .notEqual: return .neq
            case .less: return .lt
            case .lessOrEqual: return .lte
            case .greater: return .gt
            case .greaterOrEqual: return .gte
            case .in: return .in
            case .notIn: return .notIn
            case .like, .notLike: return .like
            case .contains: return .arrayContains
            case .containsAny: return .arrayContainsAny
            }
        }

        /// Whether the condition's result is negated locally (the API has no NOT LIKE).
        public var negatesCondition: Bool { self == .notLike }
    }

    public var field: FieldReference
    public var op: Operator
    public var operatorRange: SourceRange
    public var value: ValueExpression
    public var range: SourceRange { field.range.union(value.range) }
}

/// A value as written.
public struct ValueExpression: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string(String)
        case number(Double, text: String)
        /// A bare word: `true`, `false`, an enum value such as `COMPLETE`.
        case word(String)
        case timestamp(String)
        case now
        case today
        /// Seconds.
        case duration(Double)
        case parameter(String)
        /// `BASE + DURATION` or `BASE - DURATION`.
        indirect case shifted(ValueExpression, sign: Double, ValueExpression)
        case list([ValueExpression])
    }

    public var kind: Kind
    public var range: SourceRange
}
