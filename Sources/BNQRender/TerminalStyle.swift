/// Colour for people at a terminal: bnq's own escape codes around text that is escaped first, so
/// no byte from a server can add or end a style. Used only when colour suits (a terminal, not
/// `TERM=dumb`, no `NO_COLOR`).
public enum TerminalStyle {
    public enum Style: Sendable {
        case keyword, literal, command, prompt, error

        var code: String {
            switch self {
            case .keyword: return "\u{1B}[1;34m"
            case .literal: return "\u{1B}[32m"
            case .command: return "\u{1B}[1m"
            case .prompt: return "\u{1B}[1;32m"
            case .error: return "\u{1B}[1;31m"
            }
        }
    }

    static let reset = "\u{1B}[0m"

    /// `text` in `style` (escaped).
    public static func paint(_ text: String, _ style: Style) -> String {
        style.code + TerminalText.escape(text) + reset
    }

    /// `text` escaped, with the given UTF-8 ranges (in order, not overlapping) in their styles.
    public static func paint(_ text: String, spans: [(start: Int, end: Int, style: Style)]) -> String {
        let bytes = Array(text.utf8)
        var result = ""
        var position = 0
        func plain(_ end: Int) {
            guard end > position else { return }
            result += TerminalText.escape(String(decoding: bytes[position..<end], as: UTF8.self))
            position = end
        }
        for span in spans where span.start >= position && span.end <= bytes.count && span.start < span.end {
            plain(span.start)
            result += span.style.code + TerminalText.escape(String(decoding: bytes[span.start..<span.end], as: UTF8.self)) + reset
            position = span.end
        }
        plain(bytes.count)
        return result
    }
}
