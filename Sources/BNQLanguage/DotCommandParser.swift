import BNQCore

/// Reads one dot-command line: its name, then the argument its catalogue entry expects.
struct DotCommandParser {
    let source: String
    let range: SourceRange
    let bytes: [UInt8]

    init(source: String, range: SourceRange) {
        self.source = source
        self.range = range
        bytes = Lexer.utf8(source)
    }

    func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// `start..<end` for a message to point at, at least a character wide where the text has
    /// one (at its very end, the empty range there): never past the text.
    func wide(_ start: Int, _ end: Int) -> SourceRange { SourceRange(start, min(max(start + 1, end), bytes.count)) }

    func parse() -> Result<DotCommand, Diagnostic> {
        var start = range.start
        var end = min(range.end, bytes.count)
        while start < end, Self.isSpace(bytes[start]) { start += 1 }
        // A ` --` comment ends the line (only outside a statement; statements are lexed).
        var nameEnd = start
        while nameEnd < end, !Self.isSpace(bytes[nameEnd]) { nameEnd += 1 }
        let name = text(min(start + 1, nameEnd), nameEnd).lowercased()
        var argumentStart = nameEnd
        while argumentStart < end, Self.isSpace(bytes[argumentStart]) { argumentStart += 1 }
        if name != "watch", let comment = commentStart(from: argumentStart, to: end) { end = comment }
        while end > argumentStart, Self.isSpace(bytes[end - 1]) { end -= 1 }
        let argument = text(argumentStart, max(argumentStart, end))
        let lineRange = wide(start, end)
        let argumentRange = SourceRange(argumentStart, max(argumentStart, end))

        guard let entry = DotCommand.entry(named: name) else {
            let suggestion = Typo.closest(to: name, among: DotCommand.catalogue.map(\.name))
            return .failure(Diagnostic(
                "unknown-command", "unknown command '.\(name)'", at: SourceRange(start, nameEnd),
                help: suggestion.map { "did you mean '.\($0)'?" } ?? "'.help' lists the commands"))
        }
        func usage() -> Result<DotCommand, Diagnostic> {
            .failure(Diagnostic("command-usage", "usage: \(entry.usage)", at: argument.isEmpty ? lineRange : argumentRange))
        }
        switch entry.name {
        case "set", "param":
            let pieces = argument.split(separator: " ", maxSplits: 1)
            guard pieces.count == 2 else { return usage() }
            let parameter = String(pieces[0]).trimmingPrefix("$")
            guard !parameter.isEmpty, parameter.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return usage() }
            let value = String(pieces[1]).trimmedSpaces
            return .success(entry.name == "set" ? .set(name: parameter, value: value) : .param(name: parameter, value: value))
        case "unset":
            guard !argument.isEmpty else { return usage() }
            return .success(.unset(name: argument.trimmingPrefix("$")))
        case "format":
            guard let format = OutputFormat(rawValue: argument.lowercased()) else {
                return .failure(Diagnostic(
                    "unknown-format", "unknown format '\(argument)'", at: argument.isEmpty ? lineRange : argumentRange,
                    help: Typo.closest(to: argument.lowercased(), among: OutputFormat.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" }
                        ?? "use one of \(OutputFormat.names)"))
            }
            return .success(.format(format))
        case "expanded":
            guard let value = DotCommand.Switch(rawValue: argument.lowercased()) else { return usage() }
            return .success(.expanded(value))
        case "timing":
            guard argument == "on" || argument == "off" else { return usage() }
            return .success(.timing(argument == "on"))
        case "maxrows":
            if argument == "off" || argument == "0" { return .success(.maxRows(nil)) }
            guard let count = Int(argument), count > 0 else { return usage() }
            return .success(.maxRows(count))
        case "nullvalue":
            return .success(.nullValue(Compiler.unquoted(argument)))
        case "read":
            guard !argument.isEmpty else { return usage() }
            return .success(.read(path: argument))
        case "output":
            return .success(.output(path: argument.isEmpty ? nil : argument))
        case "once":
            guard !argument.isEmpty else { return usage() }
            return .success(.once(path: argument))
        case "watch":
            return parseWatch(from: argumentStart, to: end, usage: usage)
        case "show": return .success(.show)
        case "pager":
            guard let value = DotCommand.Switch(rawValue: argument.lowercased()) else { return usage() }
            return .success(.pager(value))
        case "timezone":
            guard !argument.isEmpty, !argument.contains(" ") else { return usage() }
            return .success(.timeZone(argument))
        case "last":
            guard argument.isEmpty else { return usage() }
            return .success(.last)
        case "edit":
            guard argument.isEmpty else { return usage() }
            return .success(.edit)
        case "endpoint":
            guard !argument.isEmpty else { return usage() }
            return .success(.endpoint(argument))
        case "demo": return .success(.demo)
        case "archive": return .success(.archive(path: argument.isEmpty ? nil : argument))
        case "sync":
            guard argument.isEmpty || argument.lowercased() == "full" else { return usage() }
            return .success(.sync(full: !argument.isEmpty))
        case "history": return .success(.history(argument))
        case "help": return .success(.help(topic: argument.isEmpty ? nil : argument.lowercased()))
        default: return .success(.quit)
        }
    }

    /// Where a ` --` comment starts, outside quotes.
    func commentStart(from start: Int, to end: Int) -> Int? {
        var quote: UInt8?
        var index = start
        while index < end {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "-"), index + 1 < end, bytes[index + 1] == UInt8(ascii: "-"), index == start || Self.isSpace(bytes[index - 1]) {
                return index
            }
            index += 1
        }
        return nil
    }

    /// `[EVERY] STATEMENT [until PREDICATE]`, the statement and predicate parsed in place.
    func parseWatch(from start: Int, to end: Int, usage: () -> Result<DotCommand, Diagnostic>) -> Result<DotCommand, Diagnostic> {
        let tokens = Lexer.tokenize(source, in: SourceRange(start, end))
        guard tokens.first?.kind != .end else { return usage() }
        var every = 5.0
        var statementStart = start
        if tokens[0].kind == .duration {
            let seconds = tokens[0].number
            guard seconds.isFinite, seconds >= WatchCommand.minimumInterval, seconds <= 86_400 * 366 else {
                return .failure(Diagnostic(
                    "watch-interval", "the interval must be between \(WatchCommand.minimumInterval)s and 366d", at: tokens[0].range,
                    help: "e.g. .watch 10s job ID"))
            }
            every = seconds
            statementStart = tokens[0].range.end
        }
        // `until` outside quotes splits the statement from the stop condition.
        let until = tokens.first { $0.isKeyword("until") }
        let statementEnd = until?.range.start ?? end
        let parsed = Parser.parse(source, in: SourceRange(statementStart, statementEnd))
        if let first = parsed.diagnostics.first { return .failure(first) }
        guard parsed.statements.count == 1, let first = parsed.statements.first else {
            return .failure(Diagnostic(
                "watch-statement", parsed.statements.isEmpty ? "expected a statement to watch" : "'.watch' takes one statement",
                at: wide(statementStart, statementEnd), help: "e.g. .watch 10s jobs where state == RUNNING"))
        }
        let (statement, statementRange) = (first.statement, first.range)
        switch statement.tree[statement.root].kind {
        case .job: break
        case .query where Self.isListing(statement):
            break
        default:
            return .failure(Diagnostic(
                "watch-statement", "'.watch' takes a jobs listing or job ID", at: statementRange,
                help: "e.g. .watch jobs where state == RUNNING, or .watch job ID until state in (COMPLETE, FAILED)"))
        }
        var predicate: Predicate?
        if let until {
            switch Parser.parsePredicate(source, in: SourceRange(until.range.end, end)) {
            case .success(let value): predicate = value
            case .failure(let diagnostic):
                if diagnostic.id == "expected-field", diagnostic.range.start >= end {
                    return .failure(Diagnostic(
                        "watch-until", "'until' needs a predicate", at: until.range, help: "e.g. until state in (COMPLETE, FAILED)"))
                }
                return .failure(diagnostic)
            }
        }
        return .success(.watch(WatchCommand(every: every, statement: statement, statementRange: statementRange, until: predicate)))
    }
    /// Whether a statement lists jobs one by one: `jobs …` with no grouping and no aggregate.
    static func isListing(_ statement: Statement) -> Bool {
        let tree = statement.tree
        let query = Compiler.QueryParts(tree, statement.root)
        return query.form == .jobs && query.groupBy < 0 && !tree.list(from: query.selection).contains { tree[tree[$0].a].kind == .aggregate }
    }
}

extension String {
    func trimmingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
