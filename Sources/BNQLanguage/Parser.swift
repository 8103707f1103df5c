import BNQCore

/// The recursive-descent parser of bnq's query language.
///
/// It builds a `SyntaxTree`: each parse function adds its nodes and returns the index of the one
/// it made (children first, so a node's children always come before it).
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
        reading(source) { $0.parseAll() }
    }

    /// Parses the statements in the part `range` of `source`; every range points into `source`.
    public static func parse(_ source: String, in range: SourceRange) -> Result {
        reading(source, in: range) { $0.parseAll() }
    }

    /// Parses a predicate alone (`.watch … until PREDICATE`) in the part `range` of `source`.
    public static func parsePredicate(_ source: String, in range: SourceRange) -> Swift.Result<Predicate, Diagnostic> {
        reading(source, in: range) { parser in
            do throws(Failure) {
                let predicate = try parser.parseOr()
                guard parser.current.kind == .end else { throw parser.error("unexpected-token", "expected the end of the predicate") }
                return .success(Predicate(tree: parser.tree, root: predicate))
            } catch {
                return .failure(error.diagnostic)
            }
        }
    }

    /// Whether `source` holds only complete statements (see `Result.isComplete`).
    public static func isComplete(_ source: String) -> Bool { parse(source).isComplete }

    struct Failure: Error {
        let diagnostic: Diagnostic
        let atEnd: Bool
    }

    /// The UTF-8 of the text parsed, where the string stores it: valid while the parser is (see `reading`).
    let bytes: UnsafeBufferPointer<UInt8>
    /// Where the text being parsed starts and ends in `bytes`.
    let start: Int
    let limit: Int
    /// The lexemes of the text, ending with `.end`: valid while the parser is.
    let tokens: UnsafeBufferPointer<Lexeme>
    var index = 0
    /// How deeply predicates nest at the current token.
    var depth = 0
    /// The syntax tree's nodes, as they are made: on the stack while they fit (see `reading`).
    var nodes: NodeBuffer

    private init(bytes: UnsafeBufferPointer<UInt8>, start: Int, limit: Int, tokens: UnsafeBufferPointer<Lexeme>, nodes: NodeBuffer) {
        self.bytes = bytes
        self.start = start
        self.limit = limit
        self.tokens = tokens
        self.nodes = nodes
    }

    /// How many nodes a statement may have to be built on the stack: as many as fit in the
    /// bytes Swift always allocates there (a larger tree moves to the heap as it grows).
    static let stackCapacity = Lexer.stackBytes / MemoryLayout<SyntaxNode>.stride

    /// Calls `body` with a parser of the part `range` of `source` (all of it by default). The
    /// parser reads the string's own bytes, and lexemes and nodes held on the stack, so it must
    /// not outlive the call, nor must `lentTree`; `tree` makes a tree that may.
    static func reading<T>(_ source: String, in range: SourceRange? = nil, _ body: (inout Parser) -> T) -> T {
        Lexer.withUTF8(source) { bytes in
            let range = range ?? SourceRange(0, bytes.count)
            return Lexer.withLexemes(bytes: bytes, in: range) { tokens in
                withUnsafeTemporaryAllocation(of: SyntaxNode.self, capacity: stackCapacity) { stack in
                    let limit = min(range.end, bytes.count)
                    var parser = Parser(bytes: bytes, start: min(range.start, limit), limit: limit, tokens: tokens, nodes: NodeBuffer(stack))
                    defer { parser.nodes.free() }
                    return body(&parser)
                }
            }
        }
    }

    /// The tree of the nodes made so far, which keeps a copy of them and of the text.
    var tree: SyntaxTree { SyntaxTree(copying: nodes.buffer, of: UnsafeBufferPointer(rebasing: bytes[start..<limit]), from: start) }

    /// The tree of the nodes made so far, read where they are: valid only inside `reading`.
    var lentTree: SyntaxTree { SyntaxTree(lending: nodes.buffer, of: bytes) }

    /// Adds a node; its index.
    @inline(__always) mutating func add(_ node: SyntaxNode) -> Int32 {
        nodes.append(node)
        return Int32(truncatingIfNeeded: nodes.count - 1)
    }

    @inline(__always) mutating func add(_ kind: SyntaxNode.Kind, _ range: SourceRange, detail: UInt8 = 0, a: Int32 = -1, b: Int32 = -1, number: Double = 0) -> Int32 {
        add(SyntaxNode(kind: kind, detail: detail, a: a, b: b, range: range, number: number))
    }

    /// Links `node` after `last` in a list whose first node is `first` (-1 while empty).
    @inline(__always) mutating func link(_ node: Int32, first: inout Int32, last: inout Int32) {
        if first < 0 { first = node } else { nodes[last].next = node }
        last = node
    }

    var current: Lexeme { tokens[index] }

    /// The token after the current one (the end when there is none).
    var next: Lexeme { tokens[Swift.min(index + 1, tokens.count - 1)] }

    /// The token before the current one (the first when there is none).
    var previous: Lexeme { tokens[Swift.max(0, index - 1)] }

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
        var roots: [(Int32, SourceRange)] = []
        let (diagnostics, complete) = parseStatements { roots.append(($0, $1)) }
        let tree = self.tree
        return Result(statements: roots.map { Parsed(statement: Statement(tree: tree, root: $0.0), range: $0.1) }, diagnostics: diagnostics, isComplete: complete)
    }

    /// Parses every `;`-separated statement, calling `body` with each one's root node and source
    /// range; returns one diagnostic per statement that failed, and whether the text is complete.
    mutating func parseStatements(_ body: (Int32, SourceRange) -> Void) -> (diagnostics: [Diagnostic], complete: Bool) {
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
                body(statement, SourceRange(start, previous.range.end))
            } catch {
                diagnostics.append(error.diagnostic)
                if error.atEnd { complete = false }
                while current.kind != .end && !current.isSymbol(.semicolon) { _ = advance() }
            }
        }
        return (diagnostics, complete)
    }

    static let clauseHelp = Vocabulary.clauseOrderHelp
    static let statementKeywords = Vocabulary.statementKeywords
    /// The clause words as keywords: eight, compared by value (cheaper than hashing into a set).
    static let clauseKeywords = Vocabulary.clauseWords.compactMap(Keyword.named)

    mutating func parseStatement() throws(Failure) -> Int32 {
        let token = current
        if token.isKeyword(.jobs) {
            _ = advance()
            return try parseQuery(.jobs, start: token.range)
        }
        if token.isKeyword(.count) {
            _ = advance()
            if current.isKeyword(.jobs) { _ = advance() }
            return try parseQuery(.count, start: token.range)
        }
        if token.isKeyword(.results), [Keyword.where, .order, .limit, .offset].contains(where: next.isKeyword) {
            // `results where …`: the result files of every matching job.
            _ = advance()
            return try parseQuery(.results, start: token.range)
        }
        if token.isKeyword(.job) || token.isKeyword(.results) {
            _ = advance()
            let (form, range) = try parseIdentifierArgument(after: token)
            return add(token.isKeyword(.job) ? .job : .results, range, detail: form.rawValue)
        }
        if token.isKeyword(.history) {
            _ = advance()
            return try parseQuery(.history, start: token.range)
        }
        if token.isKeyword(.timeline) {
            // `timeline [where …] every WIDTH` (`every` may also come first).
            _ = advance()
            var first: Int32 = -1
            var last: Int32 = -1
            // `every WIDTH`, at `every`: its clause, linked.
            func every(_ parser: inout Parser) throws(Failure) {
                let word = parser.advance()
                parser.link(parser.add(.every, word.range, a: try parser.parseBinStep().step), first: &first, last: &last)
            }
            let everyFirst = current.isKeyword(.every)
            if everyFirst { try every(&self) }
            if current.isKeyword(.where) {
                let word = advance()
                link(add(.where, word.range, a: try parseOr()), first: &first, last: &last)
            }
            if !everyFirst {
                guard current.isKeyword(.every) else {
                    throw error("expected-every", "expected 'every' and a width", help: "e.g. timeline where createdAt > now - 1d every 1h")
                }
                try every(&self)
            }
            guard current.kind == .end || current.isSymbol(.semicolon) else {
                throw error("unexpected-token", "expected the end of the statement", help: "timeline [where …] every WIDTH")
            }
            return add(.query, token.range.union(previous.range), detail: QueryForm.timeline.rawValue, a: first)
        }
        if token.isKeyword(.syncs) {
            _ = advance()
            return try parseQuery(.syncs, start: token.range)
        }
        if token.isKeyword(.diff) {
            _ = advance()
            var predicate: Int32 = -1
            var from: Int32 = -1
            if current.isKeyword(.where) {
                _ = advance()
                predicate = try parseOr()
            }
            if current.isKeyword(.between) {
                _ = advance()
                from = try parseValue()
                try expectKeyword(.and, "expected 'and' between the two syncs of 'between'")
                let to = try parseValue()
                nodes[from].next = to
            }
            if current.isKeyword(.where) || current.isKeyword(.between) {
                let word = folded(current)
                let message = word == "where" && predicate >= 0 || word == "between" ? "'\(word)' is written twice" : "'where' goes before 'between'"
                throw Failure(diagnostic: Diagnostic("clause-order", message, at: current.range, help: "diff [where …] [between SYNC and SYNC]"), atEnd: false)
            }
            return add(.diff, token.range.union(previous.range), a: predicate, b: from)
        }
        if token.isKeyword(.explain) {
            _ = advance()
            if current.isKeyword(.explain) { throw error("nested-explain", "expected a statement to explain") }
            let inner = try parseStatement()
            return add(.explain, token.range, a: inner)
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
    mutating func parseIdentifierArgument(after keyword: Lexeme) throws(Failure) -> (IDForm, SourceRange) {
        if current.kind == .parameter { return (.parameter, advance().range) }
        if current.kind == .string { return (.quoted, advance().range) }
        guard current.kind != .end, !current.isSymbol(.semicolon) else {
            throw error("missing-id", "expected a job id after '\(text(keyword))'")
        }
        let start = current.range.start
        var end = start
        while end < limit, !Self.endsBareWord(bytes[end], inList: false) { end += 1 }
        while current.kind != .end, current.range.start < end { _ = advance() }
        return (.bare, SourceRange(start, end))
    }

    /// The clauses of a query, after its first word: a `.query` node whose clauses are linked in
    /// the order they were written.
    mutating func parseQuery(_ form: QueryForm, start: SourceRange) throws(Failure) -> Int32 {
        var first: Int32 = -1
        var last: Int32 = -1
        // `as of` reads well first (`jobs as of 3 where …`) or last; it is taken in either place.
        var asOf = try parseAsOf()
        /// `count select …`: reported once the whole statement has been read.
        var misplacedSelect: SourceRange?
        if asOf >= 0 { link(asOf, first: &first, last: &last) }
        if current.isKeyword(.select) {
            let word = advance()
            // Names given with `… as NAME` (but `as of` is the clause).
            var items: Int32 = -1
            var lastItem: Int32 = -1
            var progress = LoopProgress()
            repeat {
                if items >= 0 { _ = advance() }
                let expression = try parseSelectItem()
                try rejectArithmetic()
                var alias: Int32 = -1
                if current.isKeyword(.as), !next.isKeyword(.of) {
                    _ = advance()
                    guard current.kind == .identifier else { throw error("expected-alias", "expected a name after 'as'") }
                    alias = add(.name, advance().range)
                }
                link(add(.item, nodes[expression].range, a: expression, b: alias), first: &items, last: &lastItem)
            } while current.isSymbol(.comma) && progress.advanced(to: index)
            link(add(.select, word.range, a: items), first: &first, last: &last)
            if form == .count || form == .results { misplacedSelect = nodes[items].range }
        }
        if current.isKeyword(.where) {
            let word = advance()
            link(add(.where, word.range, a: try parseOr()), first: &first, last: &last)
        }
        if current.isKeyword(.group) {
            let word = advance()
            try expectKeyword(.by, "expected 'by' after 'group'")
            let keys = try parseList { (parser) throws(Failure) in try parser.parseFieldExpression("expected a field to group by", aggregates: false) }
            link(add(.groupBy, word.range, a: keys), first: &first, last: &last)
        }
        if current.isKeyword(.having) {
            let word = advance()
            link(add(.having, word.range, a: try parseOr()), first: &first, last: &last)
        }
        if current.isKeyword(.order) {
            let word = advance()
            try expectKeyword(.by, "expected 'by' after 'order'")
            let keys = try parseList { (parser) throws(Failure) in
                let key = try parser.parseSelectItem()
                try parser.rejectArithmetic()
                var descending: UInt8 = 0
                if parser.current.isKeyword(.desc) { _ = parser.advance(); descending = 1 } else if parser.current.isKeyword(.asc) { _ = parser.advance() }
                return parser.add(.orderItem, parser.nodes[key].range, detail: descending, a: key)
            }
            link(add(.orderBy, word.range, a: keys), first: &first, last: &last)
        }
        if current.isKeyword(.limit) {
            _ = advance()
            let (value, range) = try parseCount("limit")
            link(add(.limit, range, number: SyntaxNode.holding(value)), first: &first, last: &last)
        }
        if current.isKeyword(.offset) {
            _ = advance()
            let (value, range) = try parseCount("offset")
            link(add(.offset, range, number: SyntaxNode.holding(value)), first: &first, last: &last)
        }
        if asOf < 0 {
            asOf = try parseAsOf()
            if asOf >= 0 { link(asOf, first: &first, last: &last) }
        }
        if let keyword = current.keyword, Self.clauseKeywords.contains(keyword) {
            throw misplacedClause(keyword, after: first, statementStart: start.start)
        }
        if current.kind == .identifier, !Self.statementKeywords.contains(folded(current)),
            let close = Typo.closest(to: text(current), among: Vocabulary.clauseWords)
        {
            throw error("unknown-clause", "expected a clause", help: "did you mean '\(close)'?")
        }
        if let misplacedSelect {
            let what = form == .count ? "count" : "results"
            throw Failure(diagnostic: Diagnostic("\(what)-select", "'\(what)' takes no select list", at: misplacedSelect), atEnd: false)
        }
        return add(.query, start.union(previous.range), detail: form.rawValue, a: first)
    }

    /// The error for a clause word met after the clauses `first` links: which clause it belongs
    /// before, or that it was written twice (never a bare "found 'where'" for the word itself).
    func misplacedClause(_ keyword: Keyword, after first: Int32, statementStart: Int) -> Failure {
        let misplaced = Vocabulary.Clause(rawValue: keyword.rawValue)
        let spelling = misplaced?.spelling ?? keyword.rawValue
        let order = misplaced?.order ?? 0
        var clause = first
        while clause >= 0 {
            let node = nodes[clause]
            if let written = Self.clause(of: node.kind), written.order >= order {
                let message = written.order == order ? "'\(spelling)' is written twice" : "'\(spelling)' goes before '\(written.spelling)'"
                let help =
                    written.order == order && keyword == .where ? "join the conditions in one 'where' with 'and'"
                    : reordered(from: statementStart).map { "in order: \($0)" } ?? Self.clauseHelp
                return Failure(diagnostic: Diagnostic("clause-order", message, at: current.range, help: help), atEnd: false)
            }
            clause = node.next
        }
        return Failure(diagnostic: Diagnostic("clause-order", "'\(spelling)' is out of place", at: current.range, help: Self.clauseHelp), atEnd: false)
    }

    /// Whether a clause out of place gets the statement rewritten in order as its help (not while
    /// checking such a rewrite).
    var suggestsOrder = true

    /// The statement starting at `start`, its clauses moved into the order the grammar wants,
    /// when that reads as a statement with no error: `jobs where state == FAILED select name` →
    /// `jobs select name where state == FAILED`. Nil when it does not, or a clause is repeated.
    func reordered(from start: Int) -> String? {
        guard suggestsOrder else { return nil }
        let tokens = Lexer.tokens(bytes: bytes, in: SourceRange(start, limit))
        var depth = 0
        var end = limit
        // Where each clause starts, at the top level (not inside parentheses).
        var clauses: [(clause: Vocabulary.Clause, start: Int)] = []
        for (index, token) in tokens.enumerated() {
            if token.kind == .end || (depth == 0 && token.isSymbol(";")) {
                end = token.range.start
                break
            }
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth -= 1 }
            guard depth == 0, token.kind == .identifier, let clause = Vocabulary.Clause(rawValue: token.folded) else { continue }
            let following = index + 1 < tokens.count ? tokens[index + 1] : token
            switch clause {
            case .group, .order: guard following.isKeyword("by") else { continue }
            case .as: guard following.isKeyword("of") else { continue }
            default: break
            }
            clauses.append((clause, token.range.start))
        }
        guard let firstClause = clauses.first, Set(clauses.map(\.clause)).count == clauses.count else { return nil }
        // `count` takes a predicate only: its other clauses are errors in any order.
        if tokens.first?.isKeyword("count") == true, clauses.contains(where: { [.select, .order, .limit, .offset, .group, .having].contains($0.clause) }) { return nil }
        // One line without comments, so that the rewrite reads as one line of help.
        let written = bytes[start..<end]
        guard !written.contains(0x0A), !written.contains(0x0D), !zip(written, written.dropFirst()).contains(where: { $0 == 0x2D && $1 == 0x2D }) else { return nil }
        func text(_ from: Int, _ to: Int) -> String {
            var from = from
            var to = to
            while from < to, bytes[from] == 0x20 || bytes[from] == 0x09 { from += 1 }
            while to > from, bytes[to - 1] == 0x20 || bytes[to - 1] == 0x09 { to -= 1 }
            return Lexer.decoded(bytes, from, to)
        }
        var pieces: [(order: Int, text: String)] = []
        for (index, clause) in clauses.enumerated() {
            let clauseEnd = index + 1 < clauses.count ? clauses[index + 1].start : end
            pieces.append((clause.clause.order, text(clause.start, clauseEnd)))
        }
        let candidate = ([text(start, firstClause.start)] + pieces.sorted { $0.order < $1.order }.map(\.text)).joined(separator: " ")
        let result = Parser.reading(candidate) { check in
            check.suggestsOrder = false
            return check.parseAll()
        }
        guard result.diagnostics.isEmpty, result.statements.count == 1 else { return nil }
        return candidate
    }

    /// Whether `byte` ends a word written without quotes: white space or `;`, and in a list of
    /// values also `,` and `)`.
    @inline(__always) static func endsBareWord(_ byte: UInt8, inList: Bool) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ";"): return true
        case UInt8(ascii: ","), UInt8(ascii: ")"): return inList
        default: return false
        }
    }

    /// The clause a clause node of a query stands for.
    static func clause(of kind: SyntaxNode.Kind) -> Vocabulary.Clause? {
        switch kind {
        case .select: return .select
        case .where: return .where
        case .groupBy: return .group
        case .having: return .having
        case .orderBy: return .order
        case .limit: return .limit
        case .offset: return .offset
        case .asOf: return .as
        default: return nil
        }
    }

    /// Throws the error for arithmetic after a column when the current token is an arithmetic
    /// operator (the test inline, the message out of line: most columns are followed by none).
    @inline(__always) func rejectArithmetic() throws(Failure) {
        let token = current
        guard token.kind == .invalid || token.keyword == .plus || token.keyword == .minus || token.keyword == .star else { return }
        if let failure = arithmeticError() { throw failure }
    }

    /// The error for arithmetic after a column (`duration / 60`, `paymentAmount * 2`,
    /// `avg(x) - 1`), when the current token is an arithmetic operator; nil otherwise.
    @inline(never) func arithmeticError() -> Failure? {
        let symbol: String
        if current.isSymbol(.plus) || current.isSymbol(.minus) || current.isSymbol(.star) {
            symbol = current.keyword?.rawValue ?? ""
        } else if current.kind == .invalid, ["/", "%"].contains(text(current)) {
            symbol = text(current)
        } else {
            return nil
        }
        return Failure(
            diagnostic: Diagnostic(
                "arithmetic", "bnq does no arithmetic on columns ('\(symbol)'); of two times it takes the difference", at: current.range,
                help: "select the column as it is; endedAt - startedAt and now - createdAt are durations (1h 02m 03s in a table)"),
            atEnd: false)
    }

    /// `as of SYNC`, or -1 when the next words are not `as`.
    mutating func parseAsOf() throws(Failure) -> Int32 {
        guard current.isKeyword(.as) else { return -1 }
        let word = advance()
        try expectKeyword(.of, "expected 'of' after 'as' (as of SYNC: a sync id or a time)")
        return add(.asOf, word.range, a: try parseValue())
    }

    mutating func expectKeyword(_ word: Keyword, _ message: String) throws(Failure) {
        guard current.isKeyword(word) else { throw error("expected-\(word.rawValue)", message) }
        _ = advance()
    }

    mutating func parseCount(_ clause: String) throws(Failure) -> (Int64, SourceRange) {
        let token = current
        if token.kind == .parameter { throw error("parameter-count", "'\(clause)' takes a number, not a parameter") }
        guard token.kind == .number, let value = Self.wholeNumber(bytes, token.range) else {
            throw error("expected-count", "expected a whole number after '\(clause)'")
        }
        _ = advance()
        return (value, token.range)
    }

    /// The value of `bytes[range]` when it is digits only and fits an Int64 (read from the bytes,
    /// without making a string of them).
    static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ range: SourceRange) -> Int64? {
        guard range.end > range.start else { return nil }
        var value: Int64 = 0
        var position = range.start
        while position < range.end {
            let digit = bytes[position] &- 0x30
            guard digit < 10 else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(Int64(digit))
            guard !overflow, !carry else { return nil }
            value = sum
            position += 1
        }
        return value
    }

    /// Items separated by commas, linked as a list; the first.
    mutating func parseList(_ item: (inout Parser) throws(Failure) -> Int32) throws(Failure) -> Int32 {
        var first: Int32 = -1
        var last: Int32 = -1
        link(try item(&self), first: &first, last: &last)
        var progress = LoopProgress()
        while current.isSymbol(.comma), progress.advanced(to: index) {
            _ = advance()
            link(try item(&self), first: &first, last: &last)
        }
        return first
    }

    mutating func parseSelectItem() throws(Failure) -> Int32 {
        guard current.kind == .identifier || current.isSymbol(.star) else { throw error("expected-field", "expected a field") }
        if current.isSymbol(.star) { return add(.star, advance().range) }
        let token = current
        let next = self.next
        if next.isSymbol(.open) || token.isKeyword(.count), let aggregate = token.keyword.flatMap(Aggregate.init(keyword:)) {
            if next.isSymbol(.open) {
                _ = advance()
                let (aggregate, field, close) = try parseAggregateCall(aggregate)
                return add(.aggregate, token.range.union(close.range), detail: aggregate.index, a: field)
            }
            if aggregate == .count {
                _ = advance()
                return add(.aggregate, token.range, detail: Aggregate.count.index)
            }
        }
        return try parseFieldExpression("expected a field", aggregates: false)
    }

    /// An aggregate's parenthesis, at `(`: `(*)`, `(f)`, `(distinct f)` after count, `(f, Q)`
    /// after percentile. Returns the aggregate as it reads (count may become count distinct), its
    /// field (-1 for none), and the closing parenthesis.
    mutating func parseAggregateCall(_ written: Aggregate) throws(Failure) -> (Aggregate, Int32, close: Lexeme) {
        _ = advance()
        let aggregate = try distinctForm(of: written)
        var field: Int32 = -1
        if current.isSymbol(.star) { _ = advance() } else { field = try parseFieldExpression("expected a field in \(aggregate.rawValue)(…)", aggregates: false) }
        if aggregate == .percentile, field >= 0 { field = try parsePercent(of: field) }
        guard current.isSymbol(.close) else { throw error("expected-paren", "expected ')'") }
        return (aggregate, field, advance())
    }

    /// `percentile(f, Q)`: after the field, `, Q` with Q strictly between 0 and 100.
    mutating func parsePercent(of field: Int32) throws(Failure) -> Int32 {
        guard current.isSymbol(.comma) else { throw error("expected-comma", "expected ', Q' in percentile(FIELD, Q)", help: "e.g. percentile(duration, 97.5)") }
        _ = advance()
        let token = current
        guard token.kind == .number, token.number > 0, token.number < 100 else {
            throw error("expected-percent", "expected a percentage between 0 and 100", help: "e.g. percentile(duration, 97.5)")
        }
        _ = advance()
        let percent = add(.number, token.range, number: token.number)
        return add(.ranked, nodes[field].range.union(token.range), a: field, b: percent)
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
    mutating func parseFieldExpression(_ message: @autoclosure () -> String, aggregates: Bool) throws(Failure) -> Int32 {
        guard current.kind == .identifier else { throw error("expected-field", message()) }
        let token = advance()
        if token.isKeyword(.bin), current.isSymbol(.open) {
            _ = advance()
            let time = try parseFieldExpression("expected a time field in bin(…)", aggregates: false)
            guard current.isSymbol(.comma) else { throw error("expected-comma", "expected ',' and a width in bin(TIME, WIDTH)", help: "e.g. bin(createdAt, 1d); widths: s, m, h, d, w, mo") }
            _ = advance()
            let step = try parseBinStep().step
            guard current.isSymbol(.close) else { throw error("expected-paren", "expected ')' to close bin(…)") }
            let close = advance()
            return add(.bin, token.range.union(close.range), a: time, b: step)
        }
        // (An aggregate is always followed by its parenthesis here: the cheap test first.)
        if aggregates, current.isSymbol(.open), let aggregate = token.keyword.flatMap(Aggregate.init(keyword:)) {
            let (aggregate, field, close) = try parseAggregateCall(aggregate)
            return add(.aggregate, token.range.union(close.range), detail: aggregate.index, a: field)
        }
        // `A - B` of two times: the right side is a name, not a duration (`now - 7d` is a value).
        if current.isSymbol(.minus), next.kind == .identifier {
            _ = advance()
            let right = advance()
            let a = add(token.isKeyword(.now) ? .now : .name, token.range)
            let b = add(right.isKeyword(.now) ? .now : .name, right.range)
            return add(.difference, token.range.union(right.range), a: a, b: b)
        }
        return add(.name, token.range)
    }

    /// A bin's width: a duration (`15m`, `1d`), ISO weeks (`1w`) or calendar months (`1mo`).
    mutating func parseBinStep() throws(Failure) -> (step: Int32, text: String) {
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
            return (add(.binStep, token.range, detail: BinUnit.months.rawValue, number: count), "\(Int64(count))mo")
        }
        guard token.kind == .duration else {
            throw Failure(diagnostic: Diagnostic("expected-width", "a width needs a unit", at: token.range, help: "e.g. \(written)h or \(written)d"), atEnd: false)
        }
        if lower.hasSuffix("w"), let weeks = Int64(written.dropLast()) {
            return (add(.binStep, token.range, detail: BinUnit.weeks.rawValue, number: Double(weeks)), written)
        }
        return (add(.binStep, token.range, detail: BinUnit.seconds.rawValue, number: token.number), written)
    }
}

/// The nodes a parser makes: in a buffer it is lent (on the stack) until they outgrow it, then in
/// one it allocates, twice as large each time, and frees when parsing ends.
struct NodeBuffer {
    private(set) var base: UnsafeMutablePointer<SyntaxNode>
    private(set) var count = 0
    private var capacity: Int
    /// Whether `base` was allocated here (and is freed by `free`).
    private var owned = false

    init(_ lent: UnsafeMutableBufferPointer<SyntaxNode>) {
        base = lent.baseAddress!
        capacity = lent.count
    }

    var buffer: UnsafeBufferPointer<SyntaxNode> { UnsafeBufferPointer(start: base, count: count) }

    /// Node `index` (one already made).
    @inline(__always) subscript(_ index: Int32) -> SyntaxNode {
        get { base[Int(index)] }
        nonmutating set { base[Int(index)] = newValue }
    }

    @inline(__always) mutating func append(_ node: SyntaxNode) {
        if count == capacity { grow() }
        (base + count).initialize(to: node)
        count += 1
    }

    private mutating func grow() {
        let largerCapacity = Swift.max(capacity * 2, 16)
        let larger = UnsafeMutablePointer<SyntaxNode>.allocate(capacity: largerCapacity)
        larger.moveInitialize(from: base, count: count)
        if owned { base.deallocate() }
        base = larger
        capacity = largerCapacity
        owned = true
    }

    /// Frees what was allocated here (the nodes are plain values: nothing to deinitialize).
    mutating func free() {
        if owned { base.deallocate() }
        owned = false
        count = 0
    }

    /// Whether any node is of `kind`.
    func contains(_ kind: SyntaxNode.Kind) -> Bool { buffer.contains { $0.kind == kind } }
}
