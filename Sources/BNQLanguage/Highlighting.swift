import BNQCore

/// What of a statement is worth showing in colour: its keywords and its literal values, found by
/// the lexer the parser uses. Plain data (UTF-8 ranges); the shell turns it into colour.
public enum Highlighting {
    public enum Kind: Sendable, Hashable {
        /// A statement, clause, connective, operator or direction word: `jobs`, `where`, `and`, `desc`.
        case keyword
        /// A quoted string, number, duration, time or parameter.
        case literal
    }

    /// Every word of the language that reads as a keyword.
    static let keywords: Set<String> = Set(
        Vocabulary.statementKeywords + Vocabulary.clauseWords + ["by", "of", "as"] + Vocabulary.connectives + Vocabulary.directions
            + Vocabulary.operators.flatMap(\.words).filter { $0.first?.isLetter == true }
            + Vocabulary.presenceForms.flatMap { $0.split(separator: " ").map(String.init) } + [Vocabulary.rangeForm, "until", "every"])

    /// The ranges of `text` to highlight, in order.
    public static func spans(in text: String) -> [(range: SourceRange, kind: Kind)] {
        Lexer.tokenize(text).compactMap { token in
            switch token.kind {
            case .identifier where keywords.contains(token.folded): return (token.range, .keyword)
            case .string, .number, .duration, .timestamp, .parameter: return (token.range, .literal)
            default: return nil
            }
        }
    }
}
