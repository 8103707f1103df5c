import BNQCore

/// Values as written, converted to what a field compares with: parameters substituted, times
/// resolved against `now`, enum names made canonical. Each value is converted and checked once,
/// here, with a positioned diagnostic when it cannot be.
extension Compiler {
    func listElements(_ value: ValueExpression) throws(Diagnostic) -> [ValueExpression] {
        switch value.kind {
        case .list(let elements):
            guard !elements.isEmpty else { throw Diagnostic("empty-list", "the list is empty", at: value.range) }
            return elements
        case .parameter(let name):
            let substituted = try parameterValue(name, range: value.range, list: true)
            return try listElements(substituted)
        default:
            throw Diagnostic("expected-list", "expected a list of values in parentheses", at: value.range)
        }
    }

    func parameterText(_ name: String) -> String? {
        context.parameters[name] ?? context.parameters.first(where: { $0.key.lowercased() == name.lowercased() })?.value
    }

    /// Text without one pair of surrounding quotes.
    static func unquoted(_ text: String) -> String {
        let trimmed = text.trimmedSpaces
        if trimmed.count >= 2, let first = trimmed.first, first == "'" || first == "\"", trimmed.last == first {
            return String(trimmed.dropFirst().dropLast())
        }
        return text
    }

    func parameterValue(_ name: String, range: SourceRange, list: Bool = false) throws(Diagnostic) -> ValueExpression {
        guard let text = parameterText(name) else {
            throw Diagnostic(
                "missing-parameter", "parameter $\(name) is not set", at: range,
                help: "set it with '.set \(name) VALUE' or '--param \(name)=VALUE'")
        }
        var parser = Parser(source: text)
        let value: ValueExpression
        do throws(Parser.Failure) {
            value = list && !text.trimmedSpaces.hasPrefix("(") ? try parser.parseValueListOrValue() : (list ? try parser.parseValueList() : try parser.parseValue())
        } catch {
            throw Diagnostic("parameter-value", "parameter $\(name) is not a value: \(error.diagnostic.message)", at: range)
        }
        guard parser.current.kind == .end else { throw Diagnostic("parameter-value", "parameter $\(name) holds more than one value: \(text)", at: range) }
        // Positions inside the parameter's text mean nothing in the statement: point at $name.
        return ValueExpression(kind: Self.relocated(value.kind, to: range), range: range)
    }

    static func relocated(_ kind: ValueExpression.Kind, to range: SourceRange) -> ValueExpression.Kind {
        switch kind {
        case .list(let elements): return .list(elements.map { ValueExpression(kind: relocated($0.kind, to: range), range: range) })
        case .shifted(let base, let sign, let amount):
            return .shifted(ValueExpression(kind: relocated(base.kind, to: range), range: range), sign: sign, ValueExpression(kind: relocated(amount.kind, to: range), range: range))
        default: return kind
        }
    }

    /// Converts a written value to the operand a field of `type` compares with, or says why it cannot.
    func convert(_ value: ValueExpression, to type: FieldType, field: JobField) throws(Diagnostic) -> FilterOperand {
        func mismatch(_ what: String, help: String? = nil) -> Diagnostic {
            Diagnostic("value-type", "'\(field.path)' is \(type), but \(what)", at: value.range, help: help)
        }
        switch value.kind {
        case .parameter(let name):
            // For a string field the parameter is text as given (quotes optional), so
            // `--param template=pdf-ocr` works; for other types it is read as a value.
            if type == .string, let text = parameterText(name) {
                return .string(Self.unquoted(text))
            }
            return try convert(try parameterValue(name, range: value.range), to: type, field: field)
        case .list:
            throw mismatch("a list was given", help: "use 'in (…)' to compare with several values")
        case .string(let text):
            switch type {
            case .string: return .string(text)
            case .enumeration(let enumType): return .string(try enumValue(text, enumType, value.range, field))
            case .timestamp:
                guard let timestamp = Timestamp(rfc3339: text, zone: context.timeZone) else {
                    throw mismatch("'\(text)' is not a date or time", help: "write 2026-01-31 or 2026-01-31T12:00:00Z")
                }
                return .timestamp(timestamp)
            case .double, .integer, .int64String, .seconds:
                if type != .double, type != .seconds, let int = Int64(text) { return .int(int) }
                guard let number = Double(text) else { throw mismatch("'\(text)' is a string", help: "write the number without quotes") }
                return .double(number)
            case .bool: throw mismatch("'\(text)' is a string", help: "write true or false without quotes")
            default: throw mismatch("a string was given")
            }
        case .number(let number, let text):
            switch type {
            // Whole numbers for integer fields go as Int64Value and compare exactly.
            case .integer, .int64String: return Int64(text).map(FilterOperand.int) ?? .double(number)
            case .double, .seconds: return .double(number)
            case .string: throw mismatch("\(text) is a number", help: "write '\(text)' in quotes to compare as text")
            default: throw mismatch("\(text) is a number")
            }
        case .duration(let seconds):
            switch type {
            case .double, .integer, .int64String, .seconds: return .double(seconds)
            case .timestamp: throw mismatch("a duration is not a time", help: "write now - \(Self.durationText(seconds)) for a time in the past")
            default: throw mismatch("a duration was given")
            }
        case .word(let word):
            switch type {
            case .enumeration(let enumType): return .string(try enumValue(word, enumType, value.range, field))
            case .bool:
                switch word.lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: throw mismatch("'\(word)' is not true or false")
                }
            case .string:
                if let close = Typo.closest(to: word, among: schema.paths), close.lowercased() == word.lowercased() {
                    throw mismatch("comparing two fields is not supported", help: "write '\(word)' in quotes to compare with the text")
                }
                throw mismatch("'\(word)' is a bare word", help: "write '\(word)' in quotes")
            case .timestamp:
                let hint: String? =
                    switch word.lowercased() {
                    case "yesterday": "write today - 1d (midnight UTC a day ago) or now - 1d"
                    case "tomorrow": "write today + 1d"
                    default: "write now, today, now - 7d or a date such as 2026-01-31"
                    }
                throw mismatch("'\(word)' is not a time", help: hint)
            default:
                throw mismatch("'\(word)' is a bare word")
            }
        case .timestamp(let text):
            guard type == .timestamp else { throw mismatch("\(text) is a time") }
            guard let timestamp = Timestamp(rfc3339: text, zone: context.timeZone) else {
                throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: value.range, help: "write 2026-01-31 or 2026-01-31T12:00:00Z")
            }
            return .timestamp(timestamp)
        case .now, .today, .shifted:
            if type == .string, let text = Self.bareText(value) {
                // `name == stress-test-106` reads as arithmetic; it was meant as text.
                throw mismatch("\(text) is not in quotes", help: "write '\(text)' in quotes")
            }
            guard type == .timestamp else { throw mismatch("a time was given") }
            return .timestamp(try instant(value))
        }
    }

    func instant(_ value: ValueExpression) throws(Diagnostic) -> Timestamp {
        switch value.kind {
        case .now: return context.now
        case .today: return context.now.startOfDay(in: context.timeZone)
        case .timestamp(let text):
            guard let timestamp = Timestamp(rfc3339: text, zone: context.timeZone) else { throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: value.range) }
            return timestamp
        case .string(let text):
            guard let timestamp = Timestamp(rfc3339: text, zone: context.timeZone) else { throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: value.range) }
            return timestamp
        case .parameter(let name): return try instant(try parameterValue(name, range: value.range))
        case .shifted(let base, let sign, let amount):
            let seconds: Double
            switch amount.kind {
            case .duration(let value): seconds = value
            case .parameter(let name):
                guard case .duration(let value) = try parameterValue(name, range: amount.range).kind else {
                    throw Diagnostic("expected-duration", "expected a duration such as 7d after '\(sign > 0 ? "+" : "-")'", at: amount.range)
                }
                seconds = value
            default:
                throw Diagnostic("expected-duration", "expected a duration such as 90s, 15m, 2h or 7d", at: amount.range)
            }
            guard let shifted = try instant(base).shifted(bySeconds: sign * seconds) else {
                throw Diagnostic("time-out-of-range", "this time falls outside the years 0001–9999", at: value.range, help: "use a shorter duration")
            }
            return shifted
        default:
            throw Diagnostic("expected-time", "expected a time: now, today, or a date such as 2026-01-31", at: value.range)
        }
    }

    func enumValue(_ text: String, _ enumType: EnumType, _ range: SourceRange, _ field: JobField) throws(Diagnostic) -> String {
        if let canonical = enumType.canonicalValue(text) { return canonical }
        let shortNames = enumType.values.map(enumType.shortName)
        let suggestion = Typo.closest(to: text.uppercased(), among: shortNames)
        throw Diagnostic(
            "unknown-enum-value", "unknown \(field.path) '\(text)'", at: range,
            help: suggestion.map { "did you mean '\($0)'?" } ?? "one of: " + shortNames.joined(separator: ", "))
    }

    /// The text a person wrote as bare words and numbers joined by `-` or `+` (`stress-test-106`),
    /// or nil when the value holds anything else.
    static func bareText(_ value: ValueExpression) -> String? {
        switch value.kind {
        case .word(let word): return word
        case .number(_, let text): return text
        case .shifted(let base, let sign, let amount):
            guard let left = bareText(base), let right = bareText(amount) else { return nil }
            return left + (sign > 0 ? "+" : "-") + right
        default: return nil
        }
    }

    static func durationText(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(JSONWriter.formatDouble(seconds))s" }
        if seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return "\(JSONWriter.formatDouble(seconds))s"
    }
}
