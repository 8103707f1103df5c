/// A token of the language as the parser reads it: what kind it is, where it is in the source,
/// the keyword or symbol it spells, and the value of a number. It holds no text, so it is copied
/// without reference counting; the text is read from the source by range when it is needed.
///
/// Keywords are not separate kinds: `keyword` says which word an identifier spells (in any case),
/// and the parser decides in context, so that no field name is ever reserved.
public struct Lexeme: Sendable, Hashable {
    public var kind: Token.Kind
    /// The word or symbol of the grammar it spells (`where`, `WHERE`, `==`, `=`), if any.
    public var keyword: Keyword?
    public var range: SourceRange
    /// The value of a number or the seconds of a duration.
    public var number: Double

    public init(kind: Token.Kind, keyword: Keyword? = nil, range: SourceRange, number: Double = 0) {
        self.kind = kind
        self.keyword = keyword
        self.range = range
        self.number = number
    }

    /// Whether this is the keyword or symbol `keyword` (a word in any case).
    @inline(__always) public func isKeyword(_ keyword: Keyword) -> Bool { self.keyword == keyword }
    /// Whether this is the symbol `symbol` (the same test: symbols are keywords the lexer spells).
    @inline(__always) public func isSymbol(_ symbol: Keyword) -> Bool { self.keyword == symbol }
}

/// The words and symbols the grammar recognises, found once by the lexer so that the parser
/// compares small integers, not text. A word here is still a valid field name where the grammar
/// expects one. The raw value is the spelling (lower case for words).
public enum Keyword: String, Sendable, Hashable, CaseIterable {
    // Statements.
    case jobs, count, job, results, timeline, explain, history, syncs, diff
    // SQL habits the parser recognises to help.
    case select, from, with
    // Clauses.
    case `where`, group, by, having, order, asc, desc, limit, offset, `as`, of, every, between, until
    // Predicates and values.
    case and, or, not, `is`, missing, present, null, `in`, like, contains, any, distinct, bin, now, today
    // Aggregates (count is above).
    case sum, avg, min, max, median, p50, p90, p95, p99, percentile, stddev, sparkline
    // Symbols. `=` is read as `==` and `<>` as `!=`.
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case open = "(", close = ")", comma = ",", semicolon = ";", plus = "+", minus = "-", star = "*"

    /// Whether it is a symbol rather than a word.
    public var isSymbol: Bool { rawValue.utf8.first.map { !Lexer.isLetter($0) } ?? false }

    /// The keyword spelled `text` (a word in any case, or a symbol), if any.
    public static func named(_ text: String) -> Keyword? {
        Keyword(rawValue: text) ?? Keyword(rawValue: text.lowercased()).flatMap { $0.isSymbol ? nil : $0 }
    }
}

/// A token with its text, for tools that look at a statement as words: completion, highlighting,
/// the script reader. (The parser reads `Lexeme`s, which hold no text.)
public struct Token: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A word or a dotted path: `jobs`, `state`, `templateInfo.app`, `COMPLETE`.
        case identifier
        /// `'text'` or `"text"`; the value has its escapes resolved.
        case string
        /// `42`, `1.5`.
        case number
        /// `90s`, `15m`, `2h`, `7d`, `1w`.
        case duration
        /// `2026-01-31` or `2026-01-31T12:00:00Z`.
        case timestamp
        /// `$name`.
        case parameter
        /// `==`, `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `(`, `)`, `,`, `;`, `+`, `-`, `*`.
        case symbol
        /// A string with no closing quote (the lexer's error, carried on).
        case unterminatedString
        /// A character the language does not use.
        case invalid
        case end
    }

    public var kind: Kind
    /// The text as written (for strings: the value without quotes; for parameters: the name
    /// without `$`; for symbols: the canonical spelling, `==` for `=`).
    public var text: String
    public var range: SourceRange
    /// The value of a number or the seconds of a duration.
    public var number: Double = 0
    /// An identifier's text in lower case.
    public var folded: String
    /// The keyword or symbol it spells, if any.
    public var keyword: Keyword?

    public init(kind: Kind, text: String, range: SourceRange, number: Double = 0, keyword: Keyword? = nil) {
        self.kind = kind
        self.text = text
        self.range = range
        self.number = number
        self.keyword = keyword
        self.folded = kind == .identifier && text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? text.lowercased() : text
    }

    /// Whether this is the word `word` (lower-case ASCII), ignoring case.
    public func isKeyword(_ word: String) -> Bool {
        kind == .identifier && folded == word
    }

    public func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}
