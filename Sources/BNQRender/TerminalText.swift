import BNQCore

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

    /// Whether a character must not reach a terminal raw (`UnsafeCharacters`, the one list).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { UnsafeCharacters.contains(scalar) }

    static func hex(_ value: UInt32, _ width: Int) -> String { String(value, radix: 16).leftPadded(width) }

    /// How many terminal columns `text` takes (wide East Asian characters and emoji count two).
    public static func width(_ text: String) -> Int {
        var total = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F, 0x200B...0x200D, 0xFE00...0xFE0F: continue
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
                0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF, 0x1FA70...0x1FAFF, 0x1F004, 0x1F0CF, 0x1F18E,
                0x1F191...0x1F19A, 0x1F200...0x1F251, 0x20000...0x3FFFD:
                total += 2
            // Symbols that terminals draw two columns wide (East Asian Width W): ✅ ❌ ⌚ ⭐ …
            case 0x231A...0x231B, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693,
                0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD,
                0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF,
                0x2B1B...0x2B1C, 0x2B50, 0x2B55:
                total += 2
            default: total += 1
            }
        }
        return total
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
