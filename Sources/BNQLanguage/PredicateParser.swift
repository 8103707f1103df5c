import BNQCore

/// Predicates and values: `field OP value` joined by `and`, `or`, `not` and parentheses, and the
/// values comparisons take. The parser's conventions (see `Parser`) hold here too.
extension Parser {
    mutating func parseOr() throws(Failure) -> Int32 {
        var lhs = try parseAnd()
        while current.isKeyword(.or) {
            _ = advance()
            let rhs = try parseAnd()
            lhs = add(.or, SyntaxTree.predicateRange(nodes.base, lhs).union(SyntaxTree.predicateRange(nodes.base, rhs)), a: lhs, b: rhs)
        }
        return lhs
    }

    mutating func parseAnd() throws(Failure) -> Int32 {
        var lhs = try parseUnary()
        while current.isKeyword(.and) {
            _ = advance()
            let rhs = try parseUnary()
            lhs = add(.and, SyntaxTree.predicateRange(nodes.base, lhs).union(SyntaxTree.predicateRange(nodes.base, rhs)), a: lhs, b: rhs)
        }
        return lhs
    }

    /// How deeply `not` and parentheses may nest, and how many terms a value may add: far beyond
    /// what people write, well within the stack of every thread bnq runs on.
    static let maximumDepth = 256
    static let maximumTerms = 256

    mutating func parseUnary() throws(Failure) -> Int32 {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth {
            throw Failure(diagnostic: Diagnostic("too-deep", "the predicate nests more than \(Self.maximumDepth) levels deep", at: current.range, help: "simplify it"), atEnd: false)
        }
        if current.isKeyword(.not) {
            let token = advance()
            return add(.not, token.range, a: try parseUnary())
        }
        if current.isSymbol(.open) {
            _ = advance()
            let inner = try parseOr()
            guard current.isSymbol(.close) else { throw error("expected-paren", "expected ')' to close '('") }
            _ = advance()
            return inner
        }
        return try parseComparison()
    }

    /// The operators' spellings, split once into the one or two keywords and symbols they are
    /// written with (plain values, so reading them retains nothing), longest first.
    static let operatorSpellings: [(op: Comparison.Operator, first: Keyword, second: Keyword?)] =
        Vocabulary.operators.map { op in
            let words = op.words.map { Keyword.named($0)! }
            precondition(words.count <= 2, "an operator of more than two words")
            return (op, words[0], words.count > 1 ? words[1] : nil)
        }

    /// The operator at the current token, longest match first (`not in` before `in`), from the vocabulary.
    mutating func parseOperator() -> (Comparison.Operator, SourceRange)? {
        guard let first = current.keyword else { return nil }
        for spelling in Self.operatorSpellings where spelling.first == first {
            var range = current.range
            if let second = spelling.second {
                guard next.isKeyword(second) else { continue }
                range = range.union(next.range)
                _ = advance()
            }
            _ = advance()
            return (spelling.op, range)
        }
        return nil
    }

    mutating func parseComparison() throws(Failure) -> Int32 {
        guard current.kind == .identifier else { throw error("expected-field", "expected a field") }
        // A field, a computed column, or (for `having`) an aggregate; the compiler says where each may go.
        let field = try parseFieldExpression("expected a field", aggregates: true)
        if current.isKeyword(.is) {
            // `is missing`, `is present`, `is null`, `is not null`.
            let start = advance().range
            let negated = current.isKeyword(.not)
            if negated { _ = advance() }
            guard [Keyword.missing, .present, .null].contains(where: current.isKeyword), !(negated && !current.isKeyword(.null)) else {
                throw error("expected-presence", "expected 'missing', 'present', 'null' or 'not null' after 'is'")
            }
            let word = advance()
            let present = word.isKeyword(.present) || (word.isKeyword(.null) && negated)
            return add(.presence, start.union(word.range), detail: present ? 1 : 0, a: field)
        }
        if current.isKeyword(.between) {
            // `f between A and B`: both ends included, as `f >= A and f <= B`.
            let word = advance()
            let low = try parseValue()
            try expectKeyword(.and, "expected 'and' between the two ends of 'between'")
            let high = try parseValue()
            let lower = add(.comparison, word.range, detail: Comparison.Operator.greaterOrEqual.index, a: field, b: low)
            let upper = add(.comparison, word.range, detail: Comparison.Operator.lessOrEqual.index, a: field, b: high)
            return add(.and, SyntaxTree.predicateRange(nodes.base, lower).union(SyntaxTree.predicateRange(nodes.base, upper)), a: lower, b: upper)
        }
        try rejectArithmetic()
        guard let (op, operatorRange) = parseOperator() else {
            if current.isKeyword(.not) {
                let prefixes = Vocabulary.operators.filter { $0.words.first == "not" && $0.words.count > 1 }.map { "'\($0.words[1])'" }
                _ = advance()
                throw error("expected-operator", "expected \(prefixes.joined(separator: " or ")) after 'not'")
            }
            let spellings = Comparison.Operator.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("expected-operator", "expected an operator (\(spellings)) after '\(lentTree.name(field))'")
        }
        let value = op.takesList ? try parseValueList() : try parseValue()
        return add(.comparison, operatorRange, detail: op.index, a: field, b: value)
    }

    mutating func parseValueList() throws(Failure) -> Int32 {
        if current.kind == .parameter { return add(.parameter, advance().range) }
        guard current.isSymbol(.open) else { throw error("expected-list", "expected '(' to start a list of values") }
        let open = advance()
        var values: Int32 = -1
        if !current.isSymbol(.close) { values = try parseList { (parser) throws(Failure) in try parser.parseValue() } }
        guard current.isSymbol(.close) else { throw error("expected-paren", "expected ',' or ')' in the list") }
        let close = advance()
        return add(.list, open.range.union(close.range), a: values)
    }

    mutating func parseValue() throws(Failure) -> Int32 {
        var value = try parsePrimaryValue()
        var terms = 1
        while current.isSymbol(.plus) || current.isSymbol(.minus) {
            terms += 1
            if terms > Self.maximumTerms {
                throw Failure(diagnostic: Diagnostic("too-many-terms", "a value may add at most \(Self.maximumTerms) terms", at: current.range), atEnd: false)
            }
            let minus: UInt8 = advance().isSymbol(.plus) ? 0 : 1
            let amount = try parsePrimaryValue()
            // `now - 1 day`: a number and a unit written apart.
            if nodes[amount].kind == .number, current.kind == .identifier, let unit = Self.unitWord(folded(current)) {
                let text = lentTree.numberText(amount)
                throw error(
                    "duration-unit", "expected a duration such as \(text)\(unit)", at: current,
                    help: "write the unit right after the number: \(text)\(unit)")
            }
            value = add(.shifted, nodes[value].range.union(nodes[amount].range), detail: minus, a: value, b: amount)
        }
        return value
    }

    mutating func parsePrimaryValue() throws(Failure) -> Int32 {
        let token = current
        switch token.kind {
        case .string: _ = advance(); return add(.string, token.range)
        case .number: _ = advance(); return add(.number, token.range, number: token.number)
        case .duration: _ = advance(); return add(.duration, token.range, number: token.number)
        case .timestamp: _ = advance(); return add(.timestamp, token.range)
        case .parameter: _ = advance(); return add(.parameter, token.range)
        case .identifier:
            _ = advance()
            if current.isSymbol(.open) {
                // `duration > avg(duration)`: a value is a constant, not a call.
                let aggregate = token.keyword.flatMap(Aggregate.init(keyword:))
                throw Failure(
                    diagnostic: Diagnostic(
                        "value-call", aggregate != nil ? "a comparison takes a value, not an aggregate: '\(text(token))(…)' belongs in 'select', 'having' or 'order by'"
                            : "a comparison takes a value, not a call of '\(text(token))'",
                        at: token.range.union(current.range),
                        help: aggregate != nil ? "aggregates are compared with values in 'having': jobs select templateId, avg(duration) group by templateId having avg(duration) > 10m" : nil),
                    atEnd: false)
            }
            if token.isKeyword(.now) { return add(.now, token.range) }
            if token.isKeyword(.today) { return add(.today, token.range) }
            return add(.word, token.range)
        case .symbol where token.isSymbol(.minus):
            _ = advance()
            guard current.kind == .number else { throw error("expected-value", "expected a number after '-'") }
            let number = advance()
            return add(.number, token.range.union(number.range), detail: 1, a: Int32(truncatingIfNeeded: number.range.start), number: -number.number)
        case .invalid where Lexer.isDigit(bytes[token.range.start]):
            // `3739cd3c-…`: an id or other text written without quotes.
            throw error("expected-value", "expected a value", help: "write ids and other text in quotes: '\(rawWord(at: token))'")
        default:
            throw error("expected-value", "expected a value")
        }
    }

    /// The duration unit a word such as `day`, `hours` or `min` names.
    static func unitWord(_ word: String) -> String? {
        switch word {
        case "ms", "millisecond", "milliseconds": return "ms"
        case "s", "sec", "secs", "second", "seconds": return "s"
        case "m", "min", "mins", "minute", "minutes": return "m"
        case "h", "hr", "hrs", "hour", "hours": return "h"
        case "d", "day", "days": return "d"
        case "w", "wk", "week", "weeks": return "w"
        default: return nil
        }
    }

    /// The text from `token` up to white space, a comma or a parenthesis: what a person meant as one word.
    func rawWord(at token: Lexeme) -> String {
        var end = token.range.start
        while end < limit, !Self.endsBareWord(bytes[end], inList: true) { end += 1 }
        return Lexer.decoded(bytes, token.range.start, end)
    }
}
