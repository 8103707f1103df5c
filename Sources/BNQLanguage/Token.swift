/// A token of the language. Keywords are not separate kinds: the parser recognises them by their
/// text in context, so that no field name is ever reserved.
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
    /// The text as written (for strings: the value without quotes).
    public var text: String
    public var range: SourceRange
    /// The value of a number or the seconds of a duration.
    public var number: Double = 0
    /// An identifier's text in lower case, computed once: keywords are matched against it.
    public var folded: String

    public init(kind: Kind, text: String, range: SourceRange, number: Double = 0) {
        self.kind = kind
        self.text = text
        self.range = range
        self.number = number
        self.folded = kind == .identifier && text.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? text.lowercased() : text
    }

    /// Whether this is the keyword `word` (lower-case ASCII), ignoring case. The parser asks this
    /// many times per token, so it compares the folded text (small strings compare in place).
    public func isKeyword(_ word: String) -> Bool {
        kind == .identifier && folded == word
    }

    public func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }
}
