import BNQCore

/// How one job field reads in a table cell: times as `2026-01-31 12:00:00`, enum values by their
/// short names, numbers without noise, arrays joined, objects as compact JSON. Nothing is escaped
/// here: escaping for the terminal happens once, where text is written.
public enum CellText {
    /// A count with thousands separated by commas, as people read it: `1,500`.
    public static func grouped<Number: BinaryInteger>(_ value: Number) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result += "," }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// The cell of `field` in `job`. A missing field shows its protobuf default (protobuf JSON
    /// leaves out a field that holds it): an enum's first value, `false`, `0`, an empty string.
    /// A field with no default — a time, an object — shows `nullMarker` (`.nullvalue`).
    /// With `exact` (csv), a time is the API's own text, fractional seconds and zone kept.
    public static func text(of job: JSONValue, _ field: JobField, nullMarker: String = "", exact: Bool = false, zone: TimeZoneRule = .utc) -> String {
        guard let raw = job.value(of: field), raw != .null else { return defaultText(field.type, nullMarker: nullMarker) }
        if exact, field.type == .timestamp, case .string(let text) = raw { return text }
        return text(raw, type: field.type, zone: zone)
    }

    /// What a missing value of `type` shows.
    public static func defaultText(_ type: FieldType, nullMarker: String = "") -> String {
        defaultValue(type).map { text($0, type: type) } ?? nullMarker
    }

    /// The protobuf default of a field of `type`, or nil when it has none (times, objects).
    public static func defaultValue(_ type: FieldType) -> JSONValue? {
        switch type {
        case .enumeration(let enumType): return .string(enumType.values[0])
        case .bool: return .bool(false)
        case .double, .integer, .int64String: return .int(0)
        case .string: return .string("")
        case .stringArray: return .array([])
        case .timestamp, .map, .object, .any, .seconds: return nil
        }
    }

    /// A time shows as wall-clock time in `zone` (UTC by default), to the second.
    public static func text(_ raw: JSONValue, type: FieldType, zone: TimeZoneRule = .utc) -> String {
        switch (type, raw) {
        case (.timestamp, .string(let text)): return Timestamp(rfc3339: text)?.shortDescription(in: zone) ?? text
        case (.enumeration(let enumType), .string(let text)): return enumType.shortName(text)
        case (.enumeration(let enumType), .int(let number)) where number >= 0 && number < enumType.values.count:
            // An enum sent by number reads as the name filters treat it as.
            return enumType.shortName(enumType.values[Int(number)])
        case (.seconds, _):
            guard let value = raw.numberValue else { return plain(raw) }
            return duration(value)
        case (.integer, .int(let value)), (.int64String, .int(let value)): return String(value)
        case (.integer, .string(let text)) where Int64(text) != nil, (.int64String, .string(let text)) where Int64(text) != nil:
            return text  // int64 sent as a string, exactly as sent
        case (.double, _), (.integer, _), (.int64String, _):
            if let value = raw.numberValue { return Self.number(value) }
            return plain(raw)
        case (.stringArray, .array(let items)): return items.map(plain).joined(separator: ", ")
        default: return plain(raw)
        }
    }

    /// Seconds as people read a duration: `1h 02m 03s`, `2d 00h 10m 00s`, `45s`, `0.25s`.
    public static func duration(_ value: Double) -> String {
        guard value.isFinite else { return number(value) }
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        guard magnitude >= 60 else { return sign + number(magnitude) + "s" }
        let total = Int64(magnitude.rounded())
        let (days, hours, minutes, seconds) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if days > 0 { return sign + "\(days)d \(two(hours))h \(two(minutes))m \(two(seconds))s" }
        if hours > 0 { return sign + "\(hours)h \(two(minutes))m \(two(seconds))s" }
        return sign + "\(minutes)m \(two(seconds))s"
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
    /// Times carry their zone's name (`2026-11-27 21:35:40 UTC`).
    public static func detailRows(of job: JSONValue, zone: TimeZoneRule = .utc) -> [(field: String, text: String)] {
        var rows: [(String, String)] = []
        for field in JobSchema.fields where field.type != .object {
            guard let raw = job.value(atPath: field.path) else { continue }
            let shown = text(raw, type: field.type, zone: zone)
            rows.append((field.path, field.type == .timestamp && raw.stringValue.flatMap({ Timestamp(rfc3339: $0) }) != nil ? shown + " " + zone.name : shown))
        }
        let known = Set(JobSchema.fields.map { $0.path.split(separator: ".").first.map(String.init) ?? $0.path })
        for member in job.objectValue ?? JSONObject() where !known.contains(member.key) {
            rows.append((member.key, plain(member.value)))
        }
        return rows
    }
}
