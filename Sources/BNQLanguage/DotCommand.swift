import BNQCore

/// The dot-commands scripts and the shell share, parsed: a plain value the runner executes.
public enum DotCommand: Sendable, Hashable {
    case set(name: String, value: String)
    /// `.param NAME VALUE`: a default, used only when `--param` or an earlier `.set` gave none.
    case param(name: String, value: String)
    case unset(name: String)
    case format(OutputFormat)
    case expanded(Switch)
    case timing(Bool)
    case maxRows(Int?)
    /// `.nullvalue TEXT`: what a missing value with no default shows (empty by default).
    case nullValue(String)
    case read(path: String)
    case output(path: String?)
    case once(path: String)
    case watch(WatchCommand)
    case show
    /// `.pager on|off|auto`: whether results taller than the terminal go through `$PAGER`.
    case pager(Switch)
    /// `.timezone ZONE`: the zone times are shown and typed in (`local`, `UTC`, `Area/City`).
    case timeZone(String)
    /// `.last`: the previous result again.
    case last
    /// `.edit`: the current or last statement in `$EDITOR` (kept by the interactive shell).
    case edit
    case endpoint(String)
    case demo
    /// `.archive [FILE]`: ask a local archive (offline); without FILE, the API again.
    case archive(path: String?)
    /// `.sync [full]`: bring the archive in use up to date from the API.
    case sync(full: Bool)
    case help(topic: String?)
    /// `.history [N]`: kept by the interactive shell.
    case history(String)
    case quit

    public enum Switch: String, Sendable, CaseIterable { case on, off, auto }

    /// One command of the catalogue.
    public struct Entry: Sendable {
        public var name: String
        /// Other names it answers to (`.x` for `.expanded`).
        public var aliases: [String]
        public var usage: String
        public var summary: String
        /// The words its argument may be, for completion (empty: free text or a path).
        public var arguments: [String]
        /// Whether its argument is a file path.
        public var takesPath: Bool
    }

    /// Every command with its one-line help: `.help`, completion and the parser read this.
    public static let catalogue: [Entry] = [
        Entry(name: "help", aliases: ["h", "?"], usage: ".help [TOPIC]", summary: "this list; topics: " + HelpText.topics.joined(separator: ", "), arguments: HelpText.topics, takesPath: false),
        Entry(name: "format", aliases: ["mode"], usage: ".format FORMAT", summary: "output format: " + OutputFormat.names, arguments: OutputFormat.allCases.map(\.rawValue), takesPath: false),
        Entry(name: "expanded", aliases: ["x"], usage: ".expanded on|off|auto", summary: "one block per record (auto: when a table is too wide)", arguments: Switch.allCases.map(\.rawValue), takesPath: false),
        Entry(name: "timing", aliases: [], usage: ".timing on|off", summary: "after each statement: time, requests, pages, rows", arguments: ["on", "off"], takesPath: false),
        Entry(name: "maxrows", aliases: [], usage: ".maxrows N|off", summary: "cap on rows shown in the shell, with an \"N more rows\" footer", arguments: ["off"], takesPath: false),
        Entry(name: "pager", aliases: [], usage: ".pager on|off|auto", summary: "results go through $PAGER (default less -FRX): always, never, or when taller than the terminal", arguments: Switch.allCases.map(\.rawValue), takesPath: false),
        Entry(name: "timezone", aliases: ["tz"], usage: ".timezone ZONE", summary: "show and read times in ZONE: UTC (the default), local, or a name such as Europe/Berlin", arguments: ["UTC", "local"], takesPath: false),
        Entry(name: "last", aliases: [], usage: ".last", summary: "show the previous result again (in the pager)", arguments: [], takesPath: false),
        Entry(name: "edit", aliases: ["e"], usage: ".edit", summary: "edit the current or last statement in $VISUAL or $EDITOR, then run it (also \\e)", arguments: [], takesPath: false),
        Entry(name: "nullvalue", aliases: [], usage: ".nullvalue TEXT", summary: "what a value with no default (an unset time) shows; nothing by default", arguments: [], takesPath: false),
        Entry(name: "output", aliases: ["o"], usage: ".output [FILE]", summary: "send results to FILE (no FILE: back to standard output)", arguments: [], takesPath: true),
        Entry(name: "once", aliases: [], usage: ".once FILE", summary: "send the next result to FILE", arguments: [], takesPath: true),
        Entry(name: "read", aliases: ["i"], usage: ".read FILE", summary: "run the statements in FILE", arguments: [], takesPath: true),
        Entry(name: "set", aliases: [], usage: ".set NAME VALUE", summary: "set parameter $NAME (VALUE is read as a value: FAILED, now - 1d, 'text')", arguments: [], takesPath: false),
        Entry(name: "param", aliases: [], usage: ".param NAME VALUE", summary: "a script's default for $NAME (--param or .set win over it)", arguments: [], takesPath: false),
        Entry(name: "unset", aliases: [], usage: ".unset NAME", summary: "remove parameter $NAME", arguments: [], takesPath: false),
        Entry(name: "watch", aliases: [], usage: ".watch [EVERY] STATEMENT [until PREDICATE]", summary: "re-run a statement and show what changed", arguments: [], takesPath: false),
        Entry(name: "show", aliases: [], usage: ".show", summary: "settings, parameters and endpoint (nothing secret)", arguments: [], takesPath: false),
        Entry(name: "endpoint", aliases: [], usage: ".endpoint URL", summary: "talk to another API base URL (its own credentials only)", arguments: [], takesPath: false),
        Entry(name: "demo", aliases: [], usage: ".demo", summary: "talk to the built-in demo service", arguments: [], takesPath: false),
        Entry(name: "archive", aliases: [], usage: ".archive [FILE]", summary: "ask a local archive (bnq sync makes one), offline; no FILE: the API again", arguments: [], takesPath: true),
        Entry(name: "sync", aliases: [], usage: ".sync [full]", summary: "bring the archive in use up to date from the API", arguments: ["full"], takesPath: false),
        Entry(name: "history", aliases: [], usage: ".history [N]", summary: "list recent statements, or run number N again (also !N)", arguments: [], takesPath: false),
        Entry(name: "quit", aliases: ["exit", "q"], usage: ".quit", summary: "leave", arguments: [], takesPath: false),
    ]

    /// The catalogue entry a name (or alias) stands for.
    public static func entry(named name: String) -> Entry? {
        let lower = name.lowercased()
        return catalogue.first { $0.name == lower || $0.aliases.contains(lower) }
    }

    /// Parses one dot-command line of `source`, found at `range` (UTF-8 offsets); statements inside
    /// `.watch` are parsed in place, so every diagnostic points into `source`.
    public static func parse(_ source: String, range: SourceRange) -> Result<DotCommand, Diagnostic> {
        DotCommandParser(source: source, range: range).parse()
    }

    /// Parses a dot-command line on its own.
    public static func parse(_ line: String) -> Result<DotCommand, Diagnostic> {
        parse(line, range: SourceRange(0, line.utf8.count))
    }
}

/// `.watch [EVERY] STATEMENT [until PREDICATE]`, parsed.
public struct WatchCommand: Sendable, Hashable {
    /// Seconds between runs.
    public var every: Double
    /// A `jobs` listing or `job ID`.
    public var statement: Statement
    public var statementRange: SourceRange
    /// Stop once every watched job satisfies this.
    public var until: Predicate?

    /// The shortest interval between runs, in seconds.
    public static let minimumInterval = 0.1
}
