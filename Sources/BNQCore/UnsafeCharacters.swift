/// The characters that must never reach a terminal as they are: C0 and C1 controls, DEL, and the
/// Unicode bidirectional controls. One list, read by the terminal escaper and the JSON writer.
public enum UnsafeCharacters {
    /// Whether `scalar` can move the cursor, change the screen or reorder text on a terminal.
    @inline(__always)
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: return true
        default: return false
        }
    }

    /// Whether a UTF-8 byte may start or be one of the unsafe characters: a quick test that lets
    /// safe ASCII text through without decoding it.
    @inline(__always)
    public static func mayStart(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2 || byte == 0xD8
    }
}

extension String {
    /// The text padded on the left with zeros to `width` characters.
    public func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
