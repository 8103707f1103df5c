import BNQCore

/// A script parsed whole: its units (statements and dot-commands, the statements inside
/// `.watch` included), each with its place in the source, and the diagnostics of the lines that
/// do not parse. `--check`, the runner and the shell all start from this value; diagnostics stay
/// values (ranges into `source`) until the one place that prints them.
///
/// Where statements begin: a new statement starts on a line whose first word is a statement
/// keyword (`Vocabulary.statementKeywords`) or a dot-command, once the statement before it is
/// complete; any other line continues the statement before it. So a statement may run over
/// several lines, and several may share a line separated by `;`. A `#!` first line, a UTF-8 byte
/// order mark and CRLF line ends are accepted.
public struct Script: Sendable {
    /// One thing a script does.
    public enum Unit: Sendable {
        /// A statement, and its range in `source`.
        case statement(Statement, SourceRange)
        /// A dot-command, and the range of its line in `source`.
        case command(DotCommand, SourceRange)

        public var range: SourceRange {
            switch self {
            case .statement(_, let range), .command(_, let range): return range
            }
        }
    }

    /// The text, as diagnostics' ranges count it (a `#!` line kept, as a comment).
    public let source: String
    /// The file it came from, for `FILE:LINE:COL`.
    public let fileName: String?
    public private(set) var units: [Unit] = []
    /// Lines that do not parse, in order.
    public private(set) var diagnostics: [Diagnostic] = []
    /// False when the text ends inside a statement (more lines are needed).
    public private(set) var isComplete = true

    /// Parses `text` (from `fileName`, if any).
    public init(_ text: String, fileName: String? = nil) {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // A `#!/usr/bin/env bnq` line reads as a comment; offsets stay the same.
        if text.hasPrefix("#!") { text = "--" + text.dropFirst(2) }
        source = text
        self.fileName = fileName
        split()
    }

    /// A chunk of lines that forms one statement or one dot-command.
    struct Chunk {
        var isCommand: Bool
        var start: Int
        var end: Int
    }

    private mutating func split() {
        let bytes = Lexer.utf8(source)
        var chunks: [Chunk] = []
        var pending: Chunk?
        var lineStart = 0
        func flush() {
            if let chunk = pending { chunks.append(chunk) }
            pending = nil
        }
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var first = lineStart
            while first < lineEnd, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
            var wordEnd = first
            while wordEnd < lineEnd, Lexer.isLetter(bytes[wordEnd]), bytes[wordEnd] != 0x5F { wordEnd += 1 }
            let firstWord = String(decoding: bytes[first..<wordEnd], as: UTF8.self).lowercased()
            let pendingComplete = pending.map { Parser.parse(source, in: SourceRange($0.start, $0.end)).isComplete } ?? true
            if first < lineEnd, bytes[first] == UInt8(ascii: "."), pendingComplete {
                flush()
                chunks.append(Chunk(isCommand: true, start: first, end: lineEnd))
            } else if pending == nil || (pendingComplete && Vocabulary.statementKeywords.contains(firstWord)) {
                flush()
                if !Self.isBlank(bytes, SourceRange(lineStart, lineEnd)) { pending = Chunk(isCommand: false, start: lineStart, end: lineEnd) }
            } else {
                pending!.end = lineEnd
            }
            lineStart = lineEnd + 1
        }
        flush()
        for chunk in chunks {
            let range = SourceRange(chunk.start, chunk.end)
            if chunk.isCommand {
                switch DotCommand.parse(source, range: range) {
                case .success(let command): units.append(.command(command, range))
                case .failure(let diagnostic): diagnostics.append(diagnostic)
                }
                continue
            }
            let parsed = Parser.parse(source, in: range)
            diagnostics += parsed.diagnostics
            if !parsed.isComplete { isComplete = false }
            for parsedStatement in parsed.statements { units.append(.statement(parsedStatement.statement, parsedStatement.range)) }
        }
    }

    /// Only white space and comments.
    static func isBlank(_ bytes: [UInt8], _ range: SourceRange) -> Bool {
        bytes.withUnsafeBufferPointer { Lexer.lexemes(bytes: $0, in: range).first?.kind == .end }
    }

    /// Every error a run would meet before it sends anything: syntax, names, types, and
    /// parameters as `.set` and `.unset` leave them at each point. Empty when the script is fine.
    public func check(_ context: CompileContext) -> [Diagnostic] {
        var problems = diagnostics
        var context = context
        for unit in units {
            switch unit {
            case .command(.set(let name, let value), _): context.parameters[name] = value
            case .command(.param(let name, let value), _): if context.parameters[name] == nil { context.parameters[name] = value }
            case .command(.unset(let name), _): context.parameters[name] = nil
            case .command(.watch(let watch), _):
                let compiler = Compiler(context: context)
                if case .failure(let diagnostic) = compiler.compile(watch.statement) { problems.append(diagnostic) }
                if let until = watch.until {
                    do throws(Diagnostic) { _ = try compiler.resolvePredicate(until) } catch { problems.append(error) }
                }
            case .command: break
            case .statement(let statement, _):
                if case .failure(let diagnostic) = Compiler(context: context).compile(statement) { problems.append(diagnostic) }
            }
        }
        return problems.sorted { $0.range.start < $1.range.start }
    }

    /// A statement of several lines as one line (for history recall): each line's `--` comment is
    /// left out, so the joined line means what the lines meant. Where a comment starts is the
    /// lexer's decision (quotes and their escapes included): the line ends with its last token.
    public static func oneLine(_ text: String) -> String {
        text.split(separator: "\n").map { line -> String in
            let source = String(line)
            let tokens = Lexer.tokenize(source)
            let end = tokens.last { $0.kind != .end }?.range.end ?? 0
            return String(decoding: Array(source.utf8)[..<end], as: UTF8.self).trimmedSpaces
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// A formatter for diagnostics of this script.
    public var formatter: DiagnosticFormatter { DiagnosticFormatter(source: source, fileName: fileName) }
}
