import BNQCore

/// How one job field reads in a table cell: times as `2026-01-31 12:00:00`, enum values by their
/// short names, numbers without noise, arrays joined, objects as compact JSON. Nothing is escaped
/// here: escaping for the terminal happens once, where text is written.
public enum CellText {
    public static func text(of job: JSONValue, _ field: JobField) -> String {
        guard let raw = job.value(of: field) else {
            // Protobuf JSON leaves out an enum holding its first value.
            if case .enumeration(let enumType) = field.type { return enumType.shortName(enumType.values[0]) }
            return ""
        }
        return text(raw, type: field.type)
    }

    public static func text(_ raw: JSONValue, type: FieldType) -> String {
        switch (type, raw) {
        case (.timestamp, .string(let text)): return Timestamp(rfc3339: text)?.shortDescription ?? text
        case (.enumeration(let enumType), .string(let text)): return enumType.shortName(text)
        case (.enumeration(let enumType), .int(let number)) where number >= 0 && number < enumType.values.count:
            // An enum sent by number reads as the name filters treat it as.
            return enumType.shortName(enumType.values[Int(number)])
        case (.integer, .int(let value)), (.int64String, .int(let value)): return String(value)
        case (.integer, .string(let text)), (.int64String, .string(let text)) where Int64(text) != nil:
            return text  // int64 sent as a string, exactly as sent
        case (.double, _), (.integer, _), (.int64String, _):
            if let value = raw.numberValue { return Self.number(value) }
            return plain(raw)
        case (.stringArray, .array(let items)): return items.map(plain).joined(separator: ", ")
        default: return plain(raw)
        }
    }

    /// A number with at most three decimals, no trailing zeros.
    /// Values too large for three decimals (|x| ≥ 10¹⁵) are written in full as Swift prints them,
    /// and non-finite ones by their protobuf JSON names: no value traps.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        guard abs(value) < 1e15 else { return "\(value)" }
        var text = String(format3(value))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    static func format3(_ value: Double) -> String {
        let scaled = (value * 1000).rounded()
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        let fraction = String(magnitude % 1000)
        return (negative ? "-" : "") + String(magnitude / 1000) + "." + fraction.leftPadded(3)
    }

    /// Any JSON value as plain text: strings bare, everything else as compact JSON.
    public static func plain(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return ""
        case .double(let double): return number(double)
        default: return JSONWriter.compact(value)
        }
    }
}

extension CellText {
    /// One job as `field, text` pairs, for `job ID`: every schema field it holds, then any member
    /// the schema does not know (servers add fields before the contract does).
    public static func detailRows(of job: JSONValue) -> [(field: String, text: String)] {
        var rows: [(String, String)] = []
        for field in JobSchema.fields where field.type != .object {
            guard let raw = job.value(atPath: field.path) else { continue }
            rows.append((field.path, text(raw, type: field.type)))
        }
        let known = Set(JobSchema.fields.map { $0.path.split(separator: ".").first.map(String.init) ?? $0.path })
        for member in job.objectValue ?? JSONObject() where !known.contains(member.key) {
            rows.append((member.key, plain(member.value)))
        }
        return rows
    }
}
