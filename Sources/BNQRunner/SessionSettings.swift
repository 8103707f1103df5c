import BNQCore
import BNQLanguage

/// Settings of a session that statements read.
public struct SessionSettings: Sendable {
    /// The format; nil picks a table on a terminal and ndjson otherwise.
    public var format: OutputFormat?
    /// Jobs per request when paging.
    public var pageSize: Int64 = 500
    /// Pages requested ahead.
    public var prefetch = 3
    /// `$name` parameters.
    public var parameters: [String: String] = [:]
    /// Pins `now` for every statement (`--now`); nil uses the clock, once per statement.
    public var pinnedNow: Timestamp?
    /// The cap on table rows shown; nil for none.
    public var maximumRows: Int?
    /// `.expanded`: on, off, or auto (expanded when a table is wider than the terminal).
    public var expanded: DotCommand.Switch = .off
    /// `.timing`: print time, requests, pages and rows after each statement.
    public var timing = false
    /// `.pager`: in the shell, results through `$PAGER` always, never, or when taller than the terminal.
    public var pager: DotCommand.Switch = .auto
    /// Whether what people read may carry colour (`.help`, the shell's own lines): set by the
    /// shell on a terminal, unless `TERM=dumb` or `NO_COLOR`. Results never carry any.
    public var colour = false
    /// The zone times are shown and typed in (`time_zone` in the config, `.timezone`): UTC by default.
    public var timeZone: TimeZoneRule = .utc
    /// The chart format draws with `#` instead of Unicode blocks (`TERM=dumb`, a non-UTF-8 locale).
    public var asciiCharts = false
    /// `-t` / `--no-header`: tables and csv without their header.
    public var showsHeader = true
    /// `.nullvalue TEXT`: what a value with no default (an unset time) shows in a table.
    public var nullValue = ""
    /// `--csv-safe`: csv cells that a spreadsheet would run as formulas are prefixed with `'`.
    public var csvFormulaGuard = false
    /// What to do when a statement of a script fails.
    public var onError: OnError = .stop
    public init() {}

    public enum OnError: String, Sendable, CaseIterable { case stop, `continue` }

    /// What the compiler needs: `now` (pinned, or the clock's `now`), parameters, page size.
    public func compileContext(now clock: Timestamp) -> CompileContext {
        CompileContext(now: pinnedNow ?? clock, parameters: parameters, pageSize: pageSize, timeZone: timeZone)
    }

    /// Names that look secret: their values are never shown or kept.
    public static func looksSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["key", "token", "secret", "password", "passwd", "credential", "auth"].contains { lower.contains($0) }
    }
}
