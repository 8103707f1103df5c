/// The output formats.
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

    /// Whether rows are written as they arrive (memory does not grow with the number of rows).
    public var streams: Bool { self == .json || self == .ndjson || self == .csv }
}
