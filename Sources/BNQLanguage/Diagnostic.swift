/// A span of source text, as UTF-8 byte offsets `start ..< end`.
public struct SourceRange: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }
    /// The range covering both.
    public func union(_ other: SourceRange) -> SourceRange { SourceRange(min(start, other.start), max(end, other.end)) }
}

/// An error in a statement: a message, where it is, and help where something is close.
///
/// Its parts are kept in one object of their own, so that a diagnostic is one reference: every
/// parse and compile function returns its result or throws one, and a result that may hold a
/// diagnostic is then small enough to be returned in registers rather than copied through
/// memory at each step (ten copies a statement, when the parts were held in place). A
/// diagnostic is made only when there is an error.
public struct Diagnostic: Error, Sendable, Hashable {
    private final class Parts: Sendable {
        let id: String
        let message: String
        let range: SourceRange
        let help: String?

        init(id: String, message: String, range: SourceRange, help: String?) {
            self.id = id
            self.message = message
            self.range = range
            self.help = help
        }
    }

    private let parts: Parts

    /// A stable identifier for the kind of error (`unknown-field`), for tools and tests.
    public var id: String { parts.id }
    public var message: String { parts.message }
    public var range: SourceRange { parts.range }
    public var help: String? { parts.help }

    public init(_ id: String, _ message: String, at range: SourceRange, help: String? = nil) {
        parts = Parts(id: id, message: message, range: range, help: help)
    }

    public static func == (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        lhs.id == rhs.id && lhs.message == rhs.message && lhs.range == rhs.range && lhs.help == rhs.help
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(message)
        hasher.combine(range)
        hasher.combine(help)
    }
}

/// Where a byte offset falls: line and column, both from 1 (columns count characters).
public struct SourceLocation: Sendable, Hashable {
    public var line: Int
    public var column: Int
}

/// Prints diagnostics the way people read them:
///
///     error: unknown field 'stat'
///      --> 1:12
///       jobs where stat == COMPLETE
///                  ^~~~
///     help: did you mean 'state'?
public struct DiagnosticFormatter: Sendable {
    /// The source the ranges point into.
    public let source: String
    /// The name of the file, when the source came from one.
    public let fileName: String?
    /// Added to line numbers, when the source is a part of a larger file.
    public let lineOffset: Int

    public init(source: String, fileName: String? = nil, lineOffset: Int = 0) {
        self.source = source
        self.fileName = fileName
        self.lineOffset = lineOffset
    }

    /// Line and column of a byte offset.
    public func location(of offset: Int) -> SourceLocation {
        var line = 1
        var column = 1
        var index = 0
        for character in source {
            if index >= offset { break }
            if character == "\n" { line += 1; column = 1 } else { column += 1 }
            index += character.utf8.count
        }
        return SourceLocation(line: line + lineOffset, column: column)
    }

    /// The source line holding `offset`, and the character column where it starts.
    func lineText(at offset: Int) -> (text: String, startOffset: Int) {
        let bytes = Array(source.utf8)
        var start = min(offset, bytes.count)
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        var end = min(offset, bytes.count)
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return (String(decoding: bytes[start..<end], as: UTF8.self), start)
    }

    /// The diagnostic with its line and caret marks. `compact` puts the location first (`FILE:LINE:COL: error: …`).
    public func format(_ diagnostic: Diagnostic, compact: Bool = false) -> String {
        let location = location(of: diagnostic.range.start)
        let place = (fileName.map { $0 + ":" } ?? "") + "\(location.line):\(location.column)"
        var lines: [String] = []
        if compact {
            lines.append("\(place): error: \(diagnostic.message)")
        } else {
            lines.append("error: \(diagnostic.message)")
            lines.append(" --> \(place)")
        }
        let (text, lineStart) = lineText(at: diagnostic.range.start)
        let prefixBytes = Array(source.utf8)[lineStart..<min(diagnostic.range.start, source.utf8.count)]
        let padding = String(decoding: prefixBytes, as: UTF8.self).count
        let lineEnd = lineStart + text.utf8.count
        let markedEnd = min(max(diagnostic.range.end, diagnostic.range.start + 1), max(lineEnd, diagnostic.range.start + 1))
        let markedBytes = Array(source.utf8)[min(diagnostic.range.start, source.utf8.count)..<min(markedEnd, source.utf8.count)]
        let width = max(1, String(decoding: markedBytes, as: UTF8.self).count)
        lines.append("  " + text.replacingTabs)
        lines.append("  " + String(repeating: " ", count: padding) + "^" + String(repeating: "~", count: width - 1))
        if let help = diagnostic.help { lines.append("help: \(help)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    var replacingTabs: String { String(map { $0 == "\t" ? " " : $0 }) }

    /// The text without leading and trailing spaces and tabs.
    var trimmedSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
