import BNQCore

/// The recursive-descent parser of bnq's query language.
///
/// Conventions: `tokens[index]` is the current token; `advance()` consumes it. Keywords are
/// identifiers compared case-insensitively (`token.isKeyword("where")`), so no field name is ever
/// reserved. On the first error the statement is abandoned with one precise diagnostic and parsing
/// resumes after the next `;`. An error at the end of the input means the statement is incomplete
/// rather than wrong: the shell and the script reader use that to ask for more lines.
/// Every loop consumes at least one token per turn.
public struct Parser {
    /// What parsing a text gives.
    public struct Result: Sendable {
        /// The statements parsed without error, with their source ranges.
        public var statements: [(statement: Statement, range: SourceRange)]
        /// One diagnostic per statement that failed.
        public var diagnostics: [Diagnostic]
        /// False when the text ends inside a statement (an unclosed string or parenthesis,
        /// a trailing `and`, `order by` without a field): more lines are needed.
        public var isComplete: Bool
    }

    /// Parses every `;`-separated statement of `source`.
    public static func parse(_ source: String) -> Result {
        var parser = Parser(source: source)
        return parser.parseAll()
    }

    /// Whether `source` holds only complete statements (see `Result.isComplete`).
    public static func isComplete(_ source: String) -> Bool { parse(source).isComplete }

    struct Failure: Error {
        let diagnostic: Diagnostic
        let atEnd: Bool
    }

    let source: String
    let tokens: [Token]
    var index = 0

    init(source: String) {
        self.source = source
        self.tokens = Lexer.tokenize(source)
    }

    var current: Token { tokens[index] }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ id: String, _ message: String, at token: Token? = nil, help: String? = nil) -> Failure {
        let token = token ?? current
        if token.kind == .unterminatedString {
            return Failure(diagnostic: Diagnostic("unterminated-string", "unterminated string", at: token.range, help: "close it with a matching quote"), atEnd: true)
        }
        if token.kind == .invalid {
            return Failure(diagnostic: Diagnostic("invalid-token", "unexpected '\(token.text)'", at: token.range, help: help), atEnd: false)
        }
        let atEnd = token.kind == .end
        let found = atEnd ? "end of input" : "'\(token.text)'"
        return Failure(diagnostic: Diagnostic(id, "\(message), found \(found)", at: token.range, help: help), atEnd: atEnd)
    }

    mutating func parseAll() -> Result {
        var statements: [(Statement, SourceRange)] = []
        var diagnostics: [Diagnostic] = []
        var complete = true
        while current.kind != .end {
            if current.isSymbol(";") { _ = advance(); continue }
            let start = current.range.start
            do {
                let statement = try parseStatement()
                guard current.kind == .end || current.isSymbol(";") else {
                    throw error("unexpected-token", "expected the end of the statement", help: Self.clauseHelp)
                }
                statements.append((statement, SourceRange(start, tokens[max(0, index - 1)].range.end)))
            } catch let failure as Failure {
                diagnostics.append(failure.diagnostic)
                if failure.atEnd { complete = false }
                while current.kind != .end && !current.isSymbol(";") { _ = advance() }
            } catch {}
        }
        return Result(statements: statements, diagnostics: diagnostics, isComplete: complete)
    }

    static let clauseHelp = "clauses go in this order: select, where, group by, order by, limit, offset"
    static let statementKeywords = ["jobs", "count", "job", "results", "explain", "history"]

    mutating func parseStatement() throws -> Statement {
        let token = current
        if token.isKeyword("jobs") {
            _ = advance()
            return .jobs(try parseQuery(start: token.range))
        }
        if token.isKeyword("count") {
            _ = advance()
            if current.isKeyword("jobs") { _ = advance() }
            var query = try parseQuery(start: token.range)
            if !query.selection.isEmpty { throw Failure(diagnostic: Diagnostic("count-select", "'count' takes no select list", at: query.selection[0].range), atEnd: false) }
            query.countOnly = true
            return .jobs(query)
        }
        let next = tokens[min(index + 1, tokens.count - 1)]
        if token.isKeyword("results"), ["where", "order", "limit", "offset"].contains(where: next.isKeyword) {
            // `results where …`: the result files of every matching job.
            _ = advance()
            var query = try parseQuery(start: token.range)
            if !query.selection.isEmpty { throw Failure(diagnostic: Diagnostic("results-select", "'results' takes no select list", at: query.selection[0].range), atEnd: false) }
            query.resultsOnly = true
            return .jobs(query)
        }
        if token.isKeyword("job") || token.isKeyword("results") {
            _ = advance()
            let (id, range) = try parseIdentifierArgument(after: token)
            return token.isKeyword("job") ? .job(id: id, range: range) : .results(id: id, range: range)
        }
        if token.isKeyword("history") {
            _ = advance()
            return .history(try parseQuery(start: token.range))
        }
        if token.isKeyword("explain") {
            _ = advance()
            if current.isKeyword("explain") { throw error("nested-explain", "expected a statement to explain") }
            return .explain(try parseStatement())
        }
        let help: String?
        if token.kind == .identifier, let close = Typo.closest(to: token.text, among: Self.statementKeywords) {
            help = "did you mean '\(close)'?"
        } else {
            help = "a statement starts with jobs, count, job, results, explain or history"
        }
        throw error("unknown-statement", "expected a statement", help: help)
    }

    /// A job id: a quoted string, or the bare text up to white space or `;` (ids hold dashes).
    mutating func parseIdentifierArgument(after keyword: Token) throws -> (String, SourceRange) {
        if current.kind == .parameter {
            let token = advance()
            return ("$" + token.text, token.range)
        }
        if current.kind == .string {
            let token = advance()
            return (token.text, token.range)
        }
        guard current.kind != .end, !current.isSymbol(";") else {
            throw error("missing-id", "expected a job id after '\(keyword.text)'")
        }
        let bytes = Array(source.utf8)
        let start = current.range.start
        var end = start
        while end < bytes.count, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ";")].contains(bytes[end]) { end += 1 }
        while current.kind != .end, current.range.start < end { _ = advance() }
        return (String(decoding: bytes[start..<end], as: UTF8.self), SourceRange(start, end))
    }

    mutating func parseQuery(start: SourceRange) throws -> JobsQuery {
        var query = JobsQuery(range: start)
        if current.isKeyword("select") {
            _ = advance()
            query.selection = try parseList { try $0.parseSelectItem() }
        }
        if current.isKeyword("where") {
            _ = advance()
            query.predicate = try parseOr()
        }
        if current.isKeyword("group") {
            _ = advance()
            try expectKeyword("by", "expected 'by' after 'group'")
            query.groupBy = try parseList { try $0.parseField("expected a field to group by") }
        }
        if current.isKeyword("order") {
            _ = advance()
            try expectKeyword("by", "expected 'by' after 'order'")
            query.orderBy = try parseList { parser in
                let key = try parser.parseSelectItem()
                var descending = false
                if parser.current.isKeyword("desc") { _ = parser.advance(); descending = true } else if parser.current.isKeyword("asc") { _ = parser.advance() }
                return OrderItem(key: key, descending: descending)
            }
        }
        if current.isKeyword("limit") {
            _ = advance()
            (query.limit, query.limitRange) = try parseCount("limit")
        }
        if current.isKeyword("offset") {
            _ = advance()
            query.offset = try parseCount("offset").0
        }
        if current.kind == .identifier, ["where", "select", "group", "order", "limit", "offset"].contains(current.folded) {
            throw error("clause-order", "'\(current.folded)' is out of place", help: Self.clauseHelp)
        }
        if current.kind == .identifier, !Self.statementKeywords.contains(current.folded),
            let close = Typo.closest(to: current.text, among: ["select", "where", "group", "order", "limit", "offset"])
        {
            throw error("unknown-clause", "expected a clause", help: "did you mean '\(close)'?")
        }
        query.range = query.range.union(tokens[max(0, index - 1)].range)
        return query
    }

    mutating func expectKeyword(_ word: String, _ message: String) throws {
        guard current.isKeyword(word) else { throw error("expected-\(word)", message) }
        _ = advance()
    }

    mutating func parseCount(_ clause: String) throws -> (Int64, SourceRange) {
        let token = current
        if token.kind == .parameter { throw error("parameter-count", "'\(clause)' takes a number, not a parameter") }
        guard token.kind == .number, token.text.allSatisfy(\.isNumber), let value = Int64(token.text) else {
            throw error("expected-count", "expected a whole number after '\(clause)'")
        }
        _ = advance()
        return (value, token.range)
    }

    mutating func parseList<T>(_ item: (inout Parser) throws -> T) throws -> [T] {
        var items = [try item(&self)]
        while current.isSymbol(",") {
            _ = advance()
            items.append(try item(&self))
        }
        return items
    }

    mutating func parseField(_ message: String) throws -> FieldReference {
        guard current.kind == .identifier else { throw error("expected-field", message) }
        let token = advance()
        return FieldReference(name: token.text, range: token.range)
    }

    mutating func parseSelectItem() throws -> SelectItem {
        guard current.kind == .identifier || current.isSymbol("*") else { throw error("expected-field", "expected a field") }
        let token = advance()
        if token.isSymbol("*") { return .field(FieldReference(name: "*", range: token.range)) }
        if let aggregate = Aggregate(rawValue: token.folded) {
            if current.isSymbol("(") {
                _ = advance()
                var field: FieldReference?
                if current.isSymbol("*") { _ = advance() } else { field = try parseField("expected a field in \(aggregate.rawValue)(…)") }
                guard current.isSymbol(")") else { throw error("expected-paren", "expected ')'") }
                let close = advance()
                return .aggregate(aggregate, field, token.range.union(close.range))
            }
            if aggregate == .count { return .aggregate(.count, nil, token.range) }
        }
        return .field(FieldReference(name: token.text, range: token.range))
    }

    mutating func parseOr() throws -> Predicate {
        var lhs = try parseAnd()
        while current.isKeyword("or") {
            _ = advance()
            lhs = .or(lhs, try parseAnd())
        }
        return lhs
    }

    mutating func parseAnd() throws -> Predicate {
        var lhs = try parseUnary()
        while current.isKeyword("and") {
            _ = advance()
            lhs = .and(lhs, try parseUnary())
        }
        return lhs
    }

    mutating func parseUnary() throws -> Predicate {
        if current.isKeyword("not") {
            let token = advance()
            return .not(try parseUnary(), token.range)
        }
        if current.isSymbol("(") {
            _ = advance()
            let inner = try parseOr()
            guard current.isSymbol(")") else { throw error("expected-paren", "expected ')' to close '('") }
            _ = advance()
            return inner
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> Predicate {
        guard current.kind == .identifier else { throw error("expected-field", "expected a field") }
        let fieldToken = advance()
        let field = FieldReference(name: fieldToken.text, range: fieldToken.range)
        let operatorToken = current
        let op: Comparison.Operator
        switch operatorToken.folded {
        case "==" where operatorToken.kind == .symbol: op = .equal
        case "!=" where operatorToken.kind == .symbol: op = .notEqual
        case "<" where operatorToken.kind == .symbol: op = .less
        case "<=" where operatorToken.kind == .symbol: op = .lessOrEqual
        case ">" where operatorToken.kind == .symbol: op = .greater
        case ">=" where operatorToken.kind == .symbol: op = .greaterOrEqual
        case "in" where operatorToken.kind == .identifier: op = .in
        case "like" where operatorToken.kind == .identifier: op = .like
        case "contains" where operatorToken.kind == .identifier: op = .contains
        case "not" where operatorToken.kind == .identifier:
            _ = advance()
            if current.isKeyword("in") { op = .notIn } else if current.isKeyword("like") { op = .notLike } else {
                throw error("expected-operator", "expected 'in' or 'like' after 'not'")
            }
        default:
            throw error("expected-operator", "expected an operator (==, !=, <, <=, >, >=, in, not in, like, contains) after '\(fieldToken.text)'")
        }
        var operatorRange = operatorToken.range.union(current.range)
        _ = advance()
        var finalOp = op
        if op == .contains, current.isKeyword("any") {
            operatorRange = operatorRange.union(advance().range)
            finalOp = .containsAny
        }
        let value: ValueExpression
        switch finalOp {
        case .in, .notIn, .containsAny: value = try parseValueList()
        default: value = try parseValue()
        }
        return .comparison(Comparison(field: field, op: finalOp, operatorRange: operatorRange, value: value))
    }

    mutating func parseValueList() throws -> ValueExpression {
        if current.kind == .parameter {
            let token = advance()
            return ValueExpression(kind: .parameter(token.text), range: token.range)
        }
        guard current.isSymbol("(") else { throw error("expected-list", "expected '(' to start a list of values") }
        let open = advance()
        var values: [ValueExpression] = []
        if !current.isSymbol(")") { values = try parseList { try $0.parseValue() } }
        guard current.isSymbol(")") else { throw error("expected-paren", "expected ',' or ')' in the list") }
        let close = advance()
        return ValueExpression(kind: .list(values), range: open.range.union(close.range))
    }

    mutating func parseValue() throws -> ValueExpression {
        var value = try parsePrimaryValue()
        while current.isSymbol("+") || current.isSymbol("-") {
            let sign: Double = advance().text == "+" ? 1 : -1
            let amount = try parsePrimaryValue()
            value = ValueExpression(kind: .shifted(value, sign: sign, amount), range: value.range.union(amount.range))
        }
        return value
    }

    mutating func parsePrimaryValue() throws -> ValueExpression {
        let token = current
        switch token.kind {
        case .string: _ = advance(); return ValueExpression(kind: .string(token.text), range: token.range)
        case .number: _ = advance(); return ValueExpression(kind: .number(token.number, text: token.text), range: token.range)
        case .duration: _ = advance(); return ValueExpression(kind: .duration(token.number), range: token.range)
        case .timestamp: _ = advance(); return ValueExpression(kind: .timestamp(token.text), range: token.range)
        case .parameter: _ = advance(); return ValueExpression(kind: .parameter(token.text), range: token.range)
        case .identifier:
            _ = advance()
            if token.isKeyword("now") { return ValueExpression(kind: .now, range: token.range) }
            if token.isKeyword("today") { return ValueExpression(kind: .today, range: token.range) }
            return ValueExpression(kind: .word(token.text), range: token.range)
        case .symbol where token.text == "-":
            _ = advance()
            guard current.kind == .number else { throw error("expected-value", "expected a number after '-'") }
            let number = advance()
            return ValueExpression(kind: .number(-number.number, text: "-" + number.text), range: token.range.union(number.range))
        default:
            throw error("expected-value", "expected a value")
        }
    }
}
