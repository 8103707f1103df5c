/// Writes JSON values as compact JSON text (no spaces), or indented for people.
public enum JSONWriter {
    /// The compact JSON text of `value`.
    public static func compact(_ value: JSONValue) -> String {
        var output = ""
        output.reserveCapacity(256)
        write(value, to: &output, indent: nil, level: 0)
        return output
    }

    /// The JSON text of `value` indented by two spaces a level.
    public static func pretty(_ value: JSONValue) -> String {
        var output = ""
        write(value, to: &output, indent: "  ", level: 0)
        return output
    }

    /// Appends the JSON text of `value` to `output`.
    public static func write(_ value: JSONValue, to output: inout String, indent: String? = nil, level: Int = 0) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .int(let int): output += String(int)
        case .double(let double): output += formatDouble(double)
        case .string(let string): writeString(string, to: &output)
        case .array(let array):
            if array.isEmpty { output += "[]"; return }
            output += "["
            for (index, element) in array.enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent, level + 1)
                write(element, to: &output, indent: indent, level: level + 1)
            }
            newline(&output, indent, level)
            output += "]"
        case .object(let object):
            if object.isEmpty { output += "{}"; return }
            output += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { output += "," }
                newline(&output, indent, level + 1)
                writeString(member.key, to: &output)
                output += indent == nil ? ":" : ": "
                write(member.value, to: &output, indent: indent, level: level + 1)
            }
            newline(&output, indent, level)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        output += "\n"
        for _ in 0..<level { output += indent }
    }

    /// A double as JSON: integral values without a fraction, non-finite values as null.
    public static func formatDouble(_ double: Double) -> String {
        guard double.isFinite else { return "null" }
        if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
        return "\(double)"
    }

    /// Appends `string` as a JSON string literal, escaping quotes, backslashes and control characters.
    public static func writeString(_ string: String, to output: inout String) {
        output += "\""
        var needsEscaping = false
        // Quotes, backslashes and control characters; C1 controls (0xC2 0x80–0x9F) and the
        // bidirectional controls (0xE2 0x80/0x81 …) are escaped too, so JSON is safe on a terminal.
        for byte in string.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2 || byte == 0xE2 || byte == 0xD8 {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            output += string
            output += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || [0x061C, 0x200E, 0x200F].contains(scalar.value)
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value):
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
