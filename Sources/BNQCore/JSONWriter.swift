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
        case .double(let double):
            // JSON has no NaN or infinity: written as the protobuf JSON mapping writes them, so
            // what bnq exports reads back as the same number.
            if double.isFinite { output += formatDouble(double) } else { writeString(nonFiniteName(double), to: &output) }
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

    /// `NaN`, `Infinity` or `-Infinity`: how protobuf's JSON mapping spells a non-finite number.
    public static func nonFiniteName(_ double: Double) -> String {
        double.isNaN ? "NaN" : (double < 0 ? "-Infinity" : "Infinity")
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
        // Quotes, backslashes and every character `UnsafeCharacters` lists (C0, C1, DEL and the
        // bidirectional controls) are escaped, so JSON is safe on a terminal and exact in a file.
        for byte in string.utf8 where byte == 0x22 || byte == 0x5C || UnsafeCharacters.mayStart(byte) {
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
            case _ where UnsafeCharacters.contains(scalar):
                output += "\\u" + String(scalar.value, radix: 16).leftPadded(4)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
