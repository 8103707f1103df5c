import BNQLanguage

/// One unit of a script: a statement (possibly over several lines, possibly several separated by
/// `;`) or a dot-command line, with where it starts in the file.
public struct ScriptUnit: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case statement, dotCommand }
    public var kind: Kind
    public var text: String
    /// Byte offset of the unit's first character in the file.
    public var offset: Int
    /// Line of the unit's first character, from 1.
    public var line: Int
}

/// Splits a script into units. A new statement starts on a line whose first word is a statement
/// keyword (`jobs`, `count`, `job`, `results`, `explain`) or a dot-command, once the statement
/// before it is complete; any other line continues the statement before it. So a statement may
/// run over several lines, and several may share a line separated by `;`.
public enum ScriptSplitter {
    static let starters: Set<String> = ["jobs", "count", "job", "results", "explain", "history"]

    public static func split(_ source: String) -> [ScriptUnit] {
        var units: [ScriptUnit] = []
        var pending: ScriptUnit?
        var offset = 0
        var lineNumber = 0
        func flush() {
            if let unit = pending, !isBlank(unit.text) { units.append(unit) }
            pending = nil
        }
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = String(rawLine)
            defer { offset += line.utf8.count + 1 }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            let firstWord = trimmed.prefix(while: { $0.isLetter }).lowercased()
            let pendingComplete = pending.map { Parser.isComplete($0.text) } ?? true
            if trimmed.hasPrefix("."), pendingComplete {
                flush()
                units.append(ScriptUnit(kind: .dotCommand, text: String(trimmed), offset: offset + (line.utf8.count - trimmed.utf8.count), line: lineNumber))
                continue
            }
            if pending == nil || (pendingComplete && starters.contains(firstWord)) {
                flush()
                if isBlank(line) { continue }
                pending = ScriptUnit(kind: .statement, text: line, offset: offset, line: lineNumber)
            } else {
                pending!.text += "\n" + line
            }
        }
        flush()
        return units
    }

    /// Only white space and comments.
    static func isBlank(_ text: String) -> Bool {
        Lexer.tokenize(text).first?.kind == .end
    }
}
