import BNQCore

/// Every word of the language, declared once. The parser, the script reader, the completer and
/// `.help` read these lists, so a keyword, operator, function, format or dot-command added here
/// is parsed, completed and documented without further edits.
public enum Vocabulary {
    /// A word that starts a statement.
    public struct StatementKeyword: Sendable {
        public var word: String
        /// How it is written, for `.help`.
        public var usage: String
    }

    /// The statements, in the order `.help` lists them.
    public static let statements: [StatementKeyword] = [
        .init(word: "jobs", usage: "jobs [select …] [where …] [group by …] [having …] [order by …] [limit N] [offset N]"),
        .init(word: "count", usage: "count [jobs] [where …]"),
        .init(word: "job", usage: "job ID"),
        .init(word: "results", usage: "results ID   |   results where …"),
        .init(word: "timeline", usage: "timeline [where …] every WIDTH   (jobs started, ended, failed, running per bucket)"),
        .init(word: "explain", usage: "explain STATEMENT"),
        .init(word: "history", usage: "history [select …] [where …] [order by …] [limit N]"),
        .init(word: "syncs", usage: "syncs [select …] [where …] [order by …] [limit N]   (an archive's snapshots)"),
        .init(word: "diff", usage: "diff [where …] [between SYNC and SYNC]   (what changed between two syncs)"),
    ]

    /// The words that start a statement (also where a script's next statement may begin).
    public static let statementKeywords: [String] = statements.map(\.word)

    /// A clause of a query, in the order clauses must be written.
    public enum Clause: String, Sendable, CaseIterable {
        case select, `where`, group, having, order, limit, offset, `as`

        /// Its place in the order clauses are written in (`select` 0, `where` 1, …).
        public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }

        /// How it is written in full (`group by`).
        public var spelling: String {
            switch self {
            case .group, .order: return rawValue + " by"
            case .as: return "as of"
            default: return rawValue
            }
        }
    }

    /// The clause words (`select`, `where`, `group`, …) in order.
    public static let clauseWords: [String] = Clause.allCases.map(\.rawValue)
    /// The clauses as written (`select`, `where`, `group by`, …) in order.
    public static let clauseSpellings: [String] = Clause.allCases.map(\.spelling)

    /// The comparison operators, longest spelling first where one is a prefix of another.
    public static let operators: [Comparison.Operator] = Comparison.Operator.allCases.sorted { $0.words.count > $1.words.count }

    /// Predicates that are not `field OP value`: presence and ranges.
    public static let presenceForms = ["is missing", "is present", "is null", "is not null"]
    /// `between A and B` (both ends included), on fields that can be ordered.
    public static let rangeForm = "between"

    /// Words that join predicates.
    public static let connectives = ["and", "or", "not"]

    /// `order by` directions.
    public static let directions = ["asc", "desc"]

    /// The aggregate functions.
    /// (`count(distinct f)` is written through `count`.)
    public static let aggregates: [Aggregate] = Aggregate.allCases.filter { $0 != .countDistinct }
    /// `count(distinct f)`.
    public static let distinctWord = Keyword.distinct.rawValue

    /// Words that stand for a value of their own.
    public static let timeWords = ["now", "today"]

    /// `bin(TIME, WIDTH)`: a time's bucket.
    public static let binFunction = Keyword.bin.rawValue
    /// `timeline … every WIDTH`.
    public static let timelineStep = Keyword.every.rawValue
    /// `select EXPR as NAME`.
    public static let aliasWord = Keyword.as.rawValue
    public static let booleanWords = ["true", "false"]

    /// Duration units, for `.help`.
    public static let durationUnits = ["ms", "s", "m", "h", "d", "w", "mo"]

    /// The output formats.
    public static let formats: [OutputFormat] = OutputFormat.allCases

    /// The dot-commands with their usage and summary.
    public static let commands: [DotCommand.Entry] = DotCommand.catalogue

    /// What clause help says everywhere: the order clauses go in.
    public static let clauseOrderHelp = "clauses go in this order: " + clauseSpellings.joined(separator: ", ")
}
