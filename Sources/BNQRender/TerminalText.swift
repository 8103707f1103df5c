import BNQCore
#if canImport(Glibc)
import Glibc
#endif

/// The C library's `wcwidth` (not exported by the Glibc module).
@_silgen_name("wcwidth") func c_wcwidth(_ character: Int32) -> Int32

/// The one function every byte from the server passes through before it reaches a terminal.
///
/// Control characters (C0, DEL, C1) and the Unicode bidirectional controls are shown escaped
/// (`\e`, `\x07`, `\u{202E}`), so a job named `\e[2J…` or holding an OSC 8 hyperlink cannot
/// clear the screen, ring the bell, open links or reorder the text around it.
public enum TerminalText {
    /// `text` with every unsafe character escaped; safe text comes back unchanged.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: result += "\\e"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            case 0..<0x20, 0x7F: result += "\\x" + hex(scalar.value, 2)
            default: result += "\\u{" + hex(scalar.value, 4) + "}"
            }
        }
        return result
    }

    /// `text` escaped line by line: its line breaks are kept, everything else unsafe is escaped.
    public static func escapeLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "\n")
    }

    /// `text` with each line longer than `width` columns broken at spaces, so that help fits a
    /// narrow terminal instead of being cut mid-word by it. A broken line goes on under where its
    /// own text starts: in a two-column line (`  .format FORMAT   output format: …`), under the
    /// second column, or, when that column starts past the middle, with the second column on lines
    /// of its own, four columns in; otherwise two columns in from the line's indent. A word longer
    /// than the room left stays whole on a line of its own.
    public static func wrap(_ text: String, to width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrap(line: String($0), to: width) }.joined(separator: "\n")
    }

    static func wrap(line: String, to width: Int) -> [String] {
        guard Self.width(line) > width else { return [line] }
        let characters = Array(line)
        let indent = characters.prefix { $0 == " " }.count
        // The second column: text after a gap of two or more spaces that follows the first text.
        var gap = indent
        while gap < characters.count, characters[gap] != " " || gap + 1 < characters.count && characters[gap + 1] != " " { gap += 1 }
        var column = gap
        while column < characters.count, characters[column] == " " { column += 1 }
        guard gap < characters.count, column < characters.count, column - gap >= 2 else {
            return fill(String(characters[indent...]), indent: indent, hanging: indent + 2, width: width)
        }
        if column < width / 2 { return fill(String(characters[indent...]), indent: indent, hanging: column, width: width) }
        return [String(characters[..<gap])] + fill(String(characters[column...]), indent: indent + 4, hanging: indent + 4, width: width)
    }

    /// The words of `text` in lines of at most `width` columns (but for a longer word), the first
    /// `indent` columns in, the others `hanging`.
    static func fill(_ text: String, indent: Int, hanging: Int, width: Int) -> [String] {
        var lines: [String] = []
        var current = String(repeating: " ", count: indent)
        var currentWidth = indent
        var startsLine = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let wordWidth = Self.width(String(word))
            if !startsLine, currentWidth + 1 + wordWidth > width {
                lines.append(current)
                current = String(repeating: " ", count: hanging)
                currentWidth = hanging
                startsLine = true
            }
            if startsLine {
                // Spaces at the start of a line are dropped (a gap the line was broken in).
                guard !word.isEmpty else { continue }
                current += word
                currentWidth += wordWidth
                startsLine = false
            } else {
                current += " " + word
                currentWidth += 1 + wordWidth
            }
        }
        lines.append(current)
        return lines
    }

    /// Whether a character must not reach a terminal raw (`UnsafeCharacters`, the one list).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { UnsafeCharacters.contains(scalar) }

    static func hex(_ value: UInt32, _ width: Int) -> String { String(value, radix: 16).leftPadded(width) }

    /// How many terminal columns `text` takes: the terminal's own widths (`wcwidth`) under a
    /// UTF-8 locale, else the same widths from bnq's table (wide East Asian characters and emoji
    /// take two, combining marks none).
    public static func width(_ text: String) -> Int {
        var total = 0
        var localeKnows: Bool?
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value >= 0x20 && value < 0x7F {
                total += 1
                continue
            }
            if localeKnows == nil { localeKnows = localeIsUTF8 }
            if localeKnows == true {
                let width = c_wcwidth(Int32(bitPattern: value))
                if width >= 0 {
                    total += Int(width)
                    continue
                }
            }
            total += CharacterWidths.width(value)
        }
        return total
    }

    /// Whether the C library's character functions read UTF-8 now (`LC_CTYPE`).
    static var localeIsUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        return String(cString: codeset) == "UTF-8"
    }

    /// The width bnq's own table gives one scalar (what `width` uses without a UTF-8 locale).
    public static func tableWidth(_ scalar: Unicode.Scalar) -> Int { CharacterWidths.width(scalar.value) }

    /// `text` with spaces after it up to `width` columns (as the terminal counts them).
    public static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - self.width(text)))
    }

    /// `text` in pieces of at most `limit` columns each (a character wider than `limit` still
    /// takes a piece of its own): how a long value goes on over several lines.
    public static func pieces(_ text: String, of limit: Int) -> [String] {
        guard width(text) > limit, limit > 0 else { return [text] }
        var pieces: [String] = []
        var piece = ""
        var used = 0
        for character in text {
            let characterWidth = width(String(character))
            if used + characterWidth > limit, !piece.isEmpty {
                pieces.append(piece)
                piece = ""
                used = 0
            }
            piece.append(character)
            used += characterWidth
        }
        if !piece.isEmpty { pieces.append(piece) }
        return pieces
    }

    /// `text` cut to at most `limit` columns, ending in `…` when cut.
    public static func truncate(_ text: String, to limit: Int) -> String {
        guard width(text) > limit else { return text }
        guard limit > 1 else { return limit == 1 ? "…" : "" }
        var result = ""
        var used = 0
        for character in text {
            let characterWidth = width(String(character))
            if used + characterWidth > limit - 1 { break }
            result.append(character)
            used += characterWidth
        }
        return result + "…"
    }
}
