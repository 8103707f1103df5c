import BNQCore

/// The recursive-descent parser of bnq's query language.
///
/// Conventions: `tokens[index]` is the current token; `advance()` consumes it. Keywords are
/// identifiers compared case-insensitively (`token.isKeyword(.where)`), so no field name is ever
/// reserved. On the first error the statement is abandoned with one precise diagnostic and parsing
/// resumes after the next `;`. An error at the end of the input means the statement is incomplete
/// rather than wrong: the shell and the script reader use that to ask for more lines.
/// Every loop consumes at least one token per turn, checked by `LoopProgress`. Errors are thrown
/// as `Failure` (typed throws), so nothing else can be caught by mistake.
public struct Parser {
    /// What parsing a text gives.
    public struct Result: Sendable {
        /// The statements parsed without error, with their source ranges.
        public var statements: [Parsed]
        /// One diagnostic per statement that failed.
        public var diagnostics: [Diagnostic]
        /// False when the text ends inside a statement (an unclosed string or parenthesis,
        /// a trailing `and`, `order by` without a field): more lines are needed.
        public var isComplete: Bool
    }

    /// A statement and the part of the source it was written in.
    public struct Parsed: Sendable {
        public var statement: Statement
        public var range: SourceRange
    }

    /// Parses every `;`-separated statement of `source`.
    public static func parse(_ source: String) -> Result {
        var parser = Parser(source: source)
        return parser.parseAll()
    }

    /// Parses the statements in the part `range` of `source`; every range points into `source`.
    public static func parse(_ source: String, in range: SourceRange) -> Result {
        var parser = Parser(source: source, range: range)
        return parser.parseAll()
    }

    /// Parses a predicate alone (`.watch … until PREDICATE`) in the part `range` of `source`.
    public static func parsePredicate(_ source: String, in range: SourceRange) -> Swift.Result<Predicate, Diagnostic> {
        var parser = Parser(source: source, range: range)
        do throws(Failure) {
            let predicate = try parser.parseOr()
            guard parser.current.kind == .end else { throw parser.error("unexpected-token", "expected the end of the predicate") }
            return .success(predicate)
        } catch {
            return .failure(error.diagnostic)
        }
    }

    /// Whether `source` holds only complete statements (see `Result.isComplete`).
    public static func isComplete(_ source: String) -> Bool { parse(source).isComplete }

    struct Failure: Error {
        let diagnostic: Diagnostic
        let atEnd: Bool
    }

    let source: String
    let bytes: [UInt8]
    /// Where the text being parsed ends in `bytes`.
    let limit: Int
    let tokens: [Lexeme]
    var index = 0
    /// How deeply predicates nest at the current token.
    var depth = 0

    init(source: String) {
        self.init(source: source, bytes: Array(source.utf8), range: nil)
    }

    init(source: String, range: SourceRange) {
        self.init(source: source, bytes: Array(source.utf8), range: range)
    }

    /// A parser of `bytes[range]` (the UTF-8 of `source`), for callers that parse many parts of one text.
    init(source: String, bytes: [UInt8], range: SourceRange?) {
        self.source = source
        self.bytes = bytes
        self.limit = min(range?.end ?? bytes.count, bytes.count)
        self.tokens = Lexer.lexemes(bytes: bytes, in: range ?? SourceRange(0, bytes.count))
    }

    /// Parses the statements in `bytes[range]`, the UTF-8 of `source`.
    static func parse(_ source: String, bytes: [UInt8], in range: SourceRange) -> Result {
        var parser = Parser(source: source, bytes: bytes, range: range)
        return parser.parseAll()
    }

    var current: Lexeme { tokens[index] }

    /// The token after the current one (the end when there is none).
    var next: Lexeme { tokens[Swift.min(index + 1, tokens.count - 1)] }

    /// A token's text: a word or number as written, a string's value, a parameter's name, a symbol's canonical spelling.
    func text(_ token: Lexeme) -> String { Lexer.text(of: token, in: bytes) }

    /// A word's text in lower case.
    func folded(_ token: Lexeme) -> String { token.keyword?.rawValue ?? text(token).lowercased() }

    mutating func advance() -> Lexeme {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ id: String, _ message: String, at token: Lexeme? = nil, help: String? = nil) -> Failure {
        let token = token ?? current
        if token.kind == .unterminatedString {
            return Failure(diagnostic: Diagnostic("unterminated-string", "unterminated string", at: token.range, help: "close it with a matching quote"), atEnd: true)
        }
        if token.kind == .invalid {
            return Failure(diagnostic: Diagnostic("invalid-token", "unexpected '\(text(token))'", at: token.range, help: help), atEnd: false)
        }
        let atEnd = token.kind == .end
        let found = atEnd ? "end of input" : "'\(text(token))'"
        return Failure(diagnostic: Diagnostic(id, "\(message), found \(found)", at: token.range, help: help), atEnd: atEnd)
    }

    mutating func parseAll() -> Result {
        var statements: [Parsed] = []
        var diagnostics: [Diagnostic] = []
        var complete = true
        var progress = LoopProgress()
        while current.kind != .end, progress.advanced(to: index) {
            if current.isSymbol(.semicolon) { _ = advance(); continue }
            let start = current.range.start
            do throws(Failure) {
                let statement = try parseStatement()
                guard current.kind == .end || current.isSymbol(.semicolon) else {
                    throw error("unexpected-token", "expected the end of the statement", help: Self.clauseHelp)
                }
                statements.append(Parsed(statement: statement, range: SourceRange(start, tokens[max(0, index - 1)].range.end)))
            } catch {
                diagnostics.append(error.diagnostic)
                if error.atEnd { complete = false }
                while current.kind != .end && !current.isSymbol(.semicolon) { _ = advance() }
            }
        }
        return Result(statements: statements, diagnostics: diagnostics, isComplete: complete)
    }

    static let clauseHelp = Vocabulary.clauseOrderHelp
    static let statementKeywords = Vocabulary.statementKeywords
    static let clauseKeywords = Set(Vocabulary.clauseWords.compactMap(Keyword.named))

    mutating func parseStatement() throws(Failure) -> Statement {
        let token = current
        if token.isKeyword(.jobs) {
            _ = advance()
            return .jobs(try parseQuery(start: token.range))
        }
        if token.isKeyword(.count) {
            _ = advance()
            if current.isKeyword(.jobs) { _ = advance() }
            var query = try parseQuery(start: token.range)
            if !query.selection.isEmpty { throw Failure(diagnostic: Diagnostic("count-select", "'count' takes no select list", at: query.selection[0].range), atEnd: false) }
            query.countOnly = true
            return .jobs(query)
        }
        let next = tokens[min(index + 1, tokens.count - 1)]
        if token.isKeyword(.results), [Keyword.where, .order, .limit, .offset].contains(where: next.isKeyword) {
            // `results where …`: the result files of every matching job.
            _ = advance()
            var query = try parseQuery(start: token.range)
            if !query.selection.isEmpty { throw Failure(diagnostic: Diagnostic("results-select", "'results' takes no select list", at: query.selection[0].range), atEnd: false) }
            query.resultsOnly = true
            return .jobs(query)
        }
        if token.isKeyword(.job) || token.isKeyword(.results) {
            _ = advance()
            let (id, range) = try parseIdentifierArgument(after: token)
            return token.isKeyword(.job) ? .job(id: id, range: range) : .results(id: id, range: range)
        }
        if token.isKeyword(.history) {
            _ = advance()
            return .history(try parseQuery(start: token.range))
        }
        if token.isKeyword(.timeline) {
            // `timeline [where …] every WIDTH` (`every` may also come first).
            _ = advance()
            var query = JobsQuery(range: token.range)
            func every(_ parser: inout Parser) throws(Failure) {
                _ = parser.advance()
                query.timelineStep = try parser.parseBinStep().step
            }
            if current.isKeyword(.every) { try every(&self) }
            if current.isKeyword(.where) {
                _ = advance()
                query.predicate = try parseOr()
            }
            if query.timelineStep == nil {
                guard current.isKeyword(.every) else {
                    throw error("expected-every", "expected 'every' and a width", help: "e.g. timeline where createdAt > now - 1d every 1h")
                }
                try every(&self)
            }
            guard current.kind == .end || current.isSymbol(.semicolon) else {
                throw error("unexpected-token", "expected the end of the statement", help: "timeline [where …] every WIDTH")
            }
            query.range = query.range.union(tokens[max(0, index - 1)].range)
            return .jobs(query)
        }
        if token.isKeyword(.syncs) {
            _ = advance()
            return .syncs(try parseQuery(start: token.range))
        }
        if token.isKeyword(.diff) {
            _ = advance()
            var query = DiffQuery(range: token.range)
            if current.isKeyword(.where) {
                _ = advance()
                query.predicate = try parseOr()
            }
            if current.isKeyword(.between) {
                _ = advance()
                let from = try parseValue()
                try expectKeyword(.and, "expected 'and' between the two syncs of 'between'")
                query.between = (from, try parseValue())
            }
            if current.isKeyword(.where) || current.isKeyword(.between) {
                throw error("clause-order", "'\(folded(current))' is out of place", help: "diff [where …] [between SYNC and SYNC]")
            }
            query.range = query.range.union(tokens[max(0, index - 1)].range)
            return .diff(query)
        }
        if token.isKeyword(.explain) {
            _ = advance()
            if current.isKeyword(.explain) { throw error("nested-explain", "expected a statement to explain") }
            return .explain(try parseStatement())
        }
        let help: String?
        if token.isKeyword(.select) || token.isKeyword(.from) || token.isKeyword(.with) {
            // SQL habits: the source comes first in bnq.
            help = "bnq names the jobs first: 'jobs select …' (as in: jobs select * where state == FAILED)"
        } else if token.kind == .identifier, let close = Typo.closest(to: text(token), among: Self.statementKeywords) {
            help = "did you mean '\(close)'?"
        } else {
            help = "a statement starts with " + Self.statementKeywords.dropLast().joined(separator: ", ") + " or " + (Self.statementKeywords.last ?? "")
        }
        throw error("unknown-statement", "expected a statement", help: help)
    }

    /// A job id: a quoted string, or the bare text up to white space or `;` (ids hold dashes).
    mutating func parseIdentifierArgument(after keyword: Lexeme) throws(Failure) -> (String, SourceRange) {
        if current.kind == .parameter {
            let token = advance()
            return ("$" + text(token), token.range)
        }
        if current.kind == .string {
            let token = advance()
            return (text(token), token.range)
        }
        guard current.kind != .end, !current.isSymbol(.semicolon) else {
            throw error("missing-id", "expected a job id after '\(text(keyword))'")
        }
        let start = current.range.start
        var end = start
        while end < limit, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ";")].contains(bytes[end]) { end += 1 }
        while current.kind != .end, current.range.start < end { _ = advance() }
        return (String(decoding: bytes[start..<end], as: UTF8.self), SourceRange(start, end))
    }

    mutating func parseQuery(start: SourceRange) throws(Failure) -> JobsQuery {
        var query = JobsQuery(range: start)
        // `as of` reads well first (`jobs as of 3 where …`) or last; it is taken in either place.
        try parseAsOf(into: &query)
        if current.isKeyword(.select) {
            _ = advance()
            // Names given with `… as NAME` (but `as of` is the clause); `aliases` stays empty when none is.
            var progress = LoopProgress()
            repeat {
                if !query.selection.isEmpty { _ = advance() }
                query.selection.append(try parseSelectItem())
                if current.isKeyword(.as), !next.isKeyword(.of) {
                    _ = advance()
                    guard current.kind == .identifier else { throw error("expected-alias", "expected a name after 'as'") }
                    let name = advance()
                    while query.aliases.count < query.selection.count - 1 { query.aliases.append(nil) }
                    query.aliases.append(FieldReference(name: text(name), range: name.range))
                }
            } while current.isSymbol(.comma) && progress.advanced(to: index)
        }
        if current.isKeyword(.where) {
            _ = advance()
            query.predicate = try parseOr()
        }
        if current.isKeyword(.group) {
            _ = advance()
            try expectKeyword(.by, "expected 'by' after 'group'")
            query.groupBy = try parseList { (parser) throws(Failure) in try parser.parseFieldExpression("expected a field to group by", aggregates: false) }
        }
        if current.isKeyword(.having) {
            _ = advance()
            query.having = try parseOr()
        }
        if current.isKeyword(.order) {
            _ = advance()
            try expectKeyword(.by, "expected 'by' after 'order'")
            query.orderBy = try parseList { (parser) throws(Failure) in
                let key = try parser.parseSelectItem()
                var descending = false
                if parser.current.isKeyword(.desc) { _ = parser.advance(); descending = true } else if parser.current.isKeyword(.asc) { _ = parser.advance() }
                return OrderItem(key: key, descending: descending)
            }
        }
        if current.isKeyword(.limit) {
            _ = advance()
            (query.limit, query.limitRange) = try parseCount("limit")
        }
        if current.isKeyword(.offset) {
            _ = advance()
            query.offset = try parseCount("offset").0
        }
        if query.asOf == nil { try parseAsOf(into: &query) }
        if let keyword = current.keyword, Self.clauseKeywords.contains(keyword) {
            throw error("clause-order", "'\(keyword.rawValue)' is out of place", help: Self.clauseHelp)
        }
        if current.kind == .identifier, !Self.statementKeywords.contains(folded(current)),
            let close = Typo.closest(to: text(current), among: Vocabulary.clauseWords)
        {
            throw error("unknown-clause", "expected a clause", help: "did you mean '\(close)'?")
        }
        query.range = query.range.union(tokens[max(0, index - 1)].range)
        return query
    }

    mutating func parseAsOf(into query: inout JobsQuery) throws(Failure) {
        guard current.isKeyword(.as) else { return }
        _ = advance()
        try expectKeyword(.of, "expected 'of' after 'as' (as of SYNC: a sync id or a time)")
        query.asOf = try parseValue()
    }

    mutating func expectKeyword(_ word: Keyword, _ message: String) throws(Failure) {
        guard current.isKeyword(word) else { throw error("expected-\(word.rawValue)", message) }
        _ = advance()
    }

    mutating func parseCount(_ clause: String) throws(Failure) -> (Int64, SourceRange) {
        let token = current
        if token.kind == .parameter { throw error("parameter-count", "'\(clause)' takes a number, not a parameter") }
        guard token.kind == .number, case let digits = text(token), digits.utf8.allSatisfy({ $0 &- 0x30 < 10 }), let value = Int64(digits) else {
            throw error("expected-count", "expected a whole number after '\(clause)'")
        }
        _ = advance()
        return (value, token.range)
    }

    mutating func parseList<T>(_ item: (inout Parser) throws(Failure) -> T) throws(Failure) -> [T] {
        var items = [try item(&self)]
        var progress = LoopProgress()
        while current.isSymbol(.comma), progress.advanced(to: index) {
            _ = advance()
            items.append(try item(&self))
        }
        return items
    }

    mutating func parseField(_ message: String) throws(Failure) -> FieldReference {
        guard current.kind == .identifier else { throw error("expected-field", message) }
        let token = advance()
        return FieldReference(name: text(token), range: token.range)
    }

    mutating func parseSelectItem() throws(Failure) -> SelectItem {
        guard current.kind == .identifier || current.isSymbol(.star) else { throw error("expected-field", "expected a field") }
        if current.isSymbol(.star) {
            let token = advance()
            return .field(FieldReference(name: "*", range: token.range))
        }
        let token = current
        let next = self.next
        if next.isSymbol(.open) || token.isKeyword(.count), let aggregate = token.keyword.flatMap(Aggregate.init(keyword:)) {
            if next.isSymbol(.open) {
                _ = advance()
                let (aggregate, field, close) = try parseAggregateCall(aggregate)
                return .aggregate(aggregate, field, token.range.union(close.range))
            }
            if aggregate == .count {
                _ = advance()
                return .aggregate(.count, nil, token.range)
            }
        }
        return .field(try parseFieldExpression("expected a field", aggregates: false))
    }

    /// An aggregate's parenthesis, at `(`: `(*)`, `(f)`, `(distinct f)` after count, `(f, Q)`
    /// after percentile. Returns the aggregate as it reads (count may become count distinct), its
    /// field, and the closing parenthesis.
    mutating func parseAggregateCall(_ written: Aggregate) throws(Failure) -> (Aggregate, FieldReference?, close: Lexeme) {
        _ = advance()
        let aggregate = try distinctForm(of: written)
        var field: FieldReference?
        if current.isSymbol(.star) { _ = advance() } else { field = try parseFieldExpression("expected a field in \(aggregate.rawValue)(…)", aggregates: false) }
        if aggregate == .percentile, let measured = field { field = try parsePercent(of: measured) }
        guard current.isSymbol(.close) else { throw error("expected-paren", "expected ')'") }
        return (aggregate, field, advance())
    }

    /// `percentile(f, Q)`: after the field, `, Q` with Q strictly between 0 and 100.
    mutating func parsePercent(of field: FieldReference) throws(Failure) -> FieldReference {
        guard current.isSymbol(.comma) else { throw error("expected-comma", "expected ', Q' in percentile(FIELD, Q)", help: "e.g. percentile(duration, 97.5)") }
        _ = advance()
        let token = current
        guard token.kind == .number, token.number > 0, token.number < 100 else {
            throw error("expected-percent", "expected a percentage between 0 and 100", help: "e.g. percentile(duration, 97.5)")
        }
        _ = advance()
        return FieldReference(name: "\(field.name), \(text(token))", range: field.range.union(token.range), computed: .ranked(field, percent: token.number))
    }

    /// `count(distinct f)`: after `count(`, the word `distinct` makes it a count of values.
    mutating func distinctForm(of aggregate: Aggregate) throws(Failure) -> Aggregate {
        guard current.isKeyword(.distinct) else { return aggregate }
        guard aggregate == .count else { throw error("distinct-count", "'distinct' goes only in count(distinct …)", help: "to count the different values, write count(distinct FIELD)") }
        _ = advance()
        return .countDistinct
    }

    /// A field, or a column computed from fields: `endedAt - startedAt`, `now - createdAt`,
    /// `bin(createdAt, 1d)`; with `aggregates`, also `count` and `p95(f)` (in `having`).
    mutating func parseFieldExpression(_ message: String, aggregates: Bool) throws(Failure) -> FieldReference {
        guard current.kind == .identifier else { throw error("expected-field", message) }
        let token = advance()
        if token.isKeyword(.bin), current.isSymbol(.open) {
            _ = advance()
            let time = try parseFieldExpression("expected a time field in bin(…)", aggregates: false)
            guard current.isSymbol(.comma) else { throw error("expected-comma", "expected ',' and a width in bin(TIME, WIDTH)", help: "e.g. bin(createdAt, 1d); widths: s, m, h, d, w, mo") }
            _ = advance()
            let step = try parseBinStep()
            guard current.isSymbol(.close) else { throw error("expected-paren", "expected ')' to close bin(…)") }
            let close = advance()
            return FieldReference(name: "bin(\(time.name), \(step.text))", range: token.range.union(close.range), computed: .bin(time, step: step.step))
        }
        // (An aggregate is always followed by its parenthesis here: the cheap test first.)
        if aggregates, current.isSymbol(.open), let aggregate = token.keyword.flatMap(Aggregate.init(keyword:)) {
            let (aggregate, field, close) = try parseAggregateCall(aggregate)
            let name = field.map { aggregate.written($0.name) } ?? aggregate.rawValue
            return FieldReference(name: name, range: token.range.union(close.range), computed: .aggregate(aggregate, field))
        }
        // `A - B` of two times: the right side is a name, not a duration (`now - 7d` is a value).
        if current.isSymbol(.minus), next.kind == .identifier {
            _ = advance()
            let right = advance()
            func operand(_ token: Lexeme) -> ComputedColumn.TimeOperand {
                token.isKeyword(.now) ? .now(token.range) : .field(FieldReference(name: text(token), range: token.range))
            }
            return FieldReference(
                name: "\(token.isKeyword(.now) ? "now" : text(token)) - \(right.isKeyword(.now) ? "now" : text(right))", range: token.range.union(right.range),
                computed: .difference(operand(token), operand(right)))
        }
        return FieldReference(name: text(token), range: token.range)
    }

    /// A bin's width: a duration (`15m`, `1d`), ISO weeks (`1w`) or calendar months (`1mo`).
    mutating func parseBinStep() throws(Failure) -> (step: BinStepSyntax, text: String) {
        let token = current
        guard token.kind == .duration || token.kind == .number else {
            throw error("expected-width", "expected a width such as 1h, 1d, 1w or 1mo", help: "e.g. bin(createdAt, 1d)")
        }
        _ = advance()
        let written = text(token)
        let lower = written.lowercased()
        if token.kind == .duration, lower.hasSuffix("mo") {
            let count = Double(lower.dropLast(2)) ?? 0
            guard count >= 1, count == count.rounded(), count <= 1200 else {
                throw Failure(diagnostic: Diagnostic("bad-width", "a width in months is a whole number from 1 to 1200", at: token.range), atEnd: false)
            }
            return (BinStepSyntax(seconds: 0, months: Int64(count), range: token.range), "\(Int64(count))mo")
        }
        guard token.kind == .duration else {
            throw Failure(diagnostic: Diagnostic("expected-width", "a width needs a unit", at: token.range, help: "e.g. \(written)h or \(written)d"), atEnd: false)
        }
        var step = BinStepSyntax(seconds: token.number, range: token.range)
        if lower.hasSuffix("w"), let weeks = Int64(written.dropLast()) { step.weeks = weeks }
        return (step, written)
    }
}
