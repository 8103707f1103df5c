/// The output formats: the one list `--format`, `.format`, completion and `.help` read.
/// BNQRender's `RowWriter` writes each one (its switch makes a new case a compile error there).
public enum OutputFormat: String, Sendable, CaseIterable {
    /// An aligned table fitted to the terminal.
    case table
    /// One block per record, one `field | value` line per field: for wide rows.
    case expanded
    /// One JSON array.
    case json
    /// One JSON object per line: the API's own job objects.
    case ndjson
    /// RFC 4180 CSV with a header line.
    case csv
    /// A GitHub-flavoured Markdown table.
    case markdown
    /// One horizontal bar per row for the last (numeric) column, labelled by the others.
    case chart

    /// Whether rows are written as they arrive (memory does not grow with the number of rows).
    public var streams: Bool { self == .json || self == .ndjson || self == .csv }

    /// Whether the format is meant to be read by people: then every control character is shown
    /// escaped, wherever the output goes (a later `cat` or `less -R` would run it).
    public var isHumanReadable: Bool { self == .table || self == .expanded || self == .markdown || self == .chart }

    /// One line for `.help formats`.
    public var summary: String {
        switch self {
        case .table: return "an aligned table fitted to the terminal"
        case .expanded: return "one block per record, a line per field"
        case .json: return "one JSON array per statement"
        case .ndjson: return "one JSON object per line (the API's own job objects)"
        case .csv: return "RFC 4180 CSV with a header line"
        case .markdown: return "a GitHub-flavoured Markdown table"
        case .chart: return "a bar per row for the last column, labelled by the others"
        }
    }

    /// The names, for messages: `table, expanded, json, ndjson, csv, markdown, chart`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
