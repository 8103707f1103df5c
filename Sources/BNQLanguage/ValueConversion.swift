import BNQCore

/// Values as written, converted to what a field compares with: parameters substituted, times
/// resolved against `now`, enum names made canonical. Each value is converted and checked once,
/// here, with a positioned diagnostic when it cannot be.
extension Compiler {
    /// The values of a list (`in (…)`), each converted as `convert` does.
    func convertList(_ value: Int32, to type: FieldType, field: JobField) throws(Diagnostic) -> FilterOperand {
        let node = tree[value]
        switch node.kind {
        case .list:
            guard node.a >= 0 else { throw Diagnostic("empty-list", "the list is empty", at: tree.range(value)) }
            var elements: [FilterOperand] = []
            elements.reserveCapacity(tree.list(from: node.a).count)
            for element in tree.list(from: node.a) { elements.append(try convert(element, to: type, field: field)) }
            return .list(elements)
        case .parameter:
            let (compiler, root) = try parameterValue(value, list: true)
            return try compiler.convertList(root, to: type, field: field)
        default:
            throw Diagnostic("expected-list", "expected a list of values in parentheses", at: tree.range(value))
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

    /// The value of the parameter node `parameter`: its text parsed as a value (or, for `list`,
    /// as a list or a single value made one), and a compiler reading it. Positions inside the
    /// parameter's text mean nothing in the statement: its nodes all report where `$name` was written.
    func parameterValue(_ parameter: Int32, list: Bool = false) throws(Diagnostic) -> (Compiler, Int32) {
        let name = tree.parameterName(parameter)
        let range = tree.range(parameter)
        guard let text = parameterText(name) else {
            throw Diagnostic(
                "missing-parameter", "parameter $\(name) is not set", at: range,
                help: "set it with '.set \(name) VALUE' or '--param \(name)=VALUE'")
        }
        let parsed: Result<(SyntaxTree, Int32), Diagnostic> = Parser.reading(text) { parser in
            let value: Int32
            do throws(Parser.Failure) {
                value = list && !text.trimmedSpaces.hasPrefix("(") ? try parser.parseValueListOrValue() : (list ? try parser.parseValueList() : try parser.parseValue())
            } catch {
                return .failure(Diagnostic("parameter-value", "parameter $\(name) is not a value: \(error.diagnostic.message)", at: range))
            }
            guard parser.current.kind == .end else { return .failure(Diagnostic("parameter-value", "parameter $\(name) holds more than one value: \(text)", at: range)) }
            // A value is text and numbers: one parameter naming another could go round for ever.
            if parser.nodes.contains(.parameter) {
                return .failure(Diagnostic("parameter-value", "parameter $\(name) holds another parameter: \(text)", at: range, help: "give it the value itself"))
            }
            return .success((parser.tree, value))
        }
        var (tree, value) = try parsed.get()
        tree.fixedRange = range
        return (reading(tree), value)
    }

    /// Converts a written value to the operand a field of `type` compares with, or says why it cannot.
    func convert(_ value: Int32, to type: FieldType, field: JobField) throws(Diagnostic) -> FilterOperand {
        func mismatch(_ what: String, help: String? = nil) -> Diagnostic {
            Diagnostic("value-type", "'\(field.path)' is \(type), but \(what)", at: tree.range(value), help: help)
        }
        let node = tree[value]
        switch node.kind {
        case .parameter:
            // For a string field the parameter is text as given (quotes optional), so
            // `--param template=pdf-ocr` works; for other types it is read as a value.
            if type == .string, let text = parameterText(tree.parameterName(value)) {
                return .string(Self.unquoted(text))
            }
            let (compiler, root) = try parameterValue(value)
            return try compiler.convert(root, to: type, field: field)
        case .list:
            throw mismatch("a list was given", help: "use 'in (…)' to compare with several values")
        case .string:
            let text = tree.stringValue(value)
            switch type {
            case .string: return .string(text)
            case .enumeration(let enumType): return .string(try enumValue(text, enumType, tree.range(value), field))
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
        case .number:
            let number = node.number
            try Self.checkFinite(number, tree.numberText(value), at: tree.range(value))
            switch type {
            // Whole numbers for integer fields go as Int64Value and compare exactly.
            case .integer, .int64String: return Int64(tree.numberText(value)).map(FilterOperand.int) ?? .double(number)
            case .double, .seconds: return .double(number)
            case .string:
                let text = tree.numberText(value)
                throw mismatch("\(text) is a number", help: "write '\(text)' in quotes to compare as text")
            default: throw mismatch("\(tree.numberText(value)) is a number")
            }
        case .duration:
            let seconds = node.number
            try Self.checkFinite(seconds, tree.text(value), at: tree.range(value))
            switch type {
            case .double, .integer, .int64String, .seconds: return .double(seconds)
            case .timestamp: throw mismatch("a duration is not a time", help: "write now - \(Self.durationText(seconds)) for a time in the past")
            default: throw mismatch("a duration was given")
            }
        case .word:
            if case .enumeration(let enumType) = type, let canonical = tree.withText(value, { enumType.canonicalValue(in: $0, from: $1, to: $2) }) {
                return .string(canonical)
            }
            let word = tree.text(value)
            if let other = tree.withText(value, { schema.field(in: $0, from: $1, to: $2) }) {
                // `endedAt > startedAt`, `name == templateId`: a field on the right.
                let help: String? =
                    switch (type, other.type) {
                    case (.timestamp, .timestamp): "compare their difference with a duration: \(field.path) - \(other.path) > 0s"
                    case (.string, _): "write '\(word)' in quotes to compare with the text"
                    default: nil
                    }
                throw mismatch("comparing two fields is not supported", help: help)
            }
            switch type {
            case .enumeration(let enumType): return .string(try enumValue(word, enumType, tree.range(value), field))
            case .bool:
                switch word.lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: throw mismatch("'\(word)' is not true or false")
                }
            case .string:
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
        case .timestamp:
            let text = tree.text(value)
            guard type == .timestamp else { throw mismatch("\(text) is a time") }
            guard let timestamp = Timestamp(rfc3339: text, zone: context.timeZone) else {
                throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: tree.range(value), help: "write 2026-01-31 or 2026-01-31T12:00:00Z")
            }
            return .timestamp(timestamp)
        default:
            if type == .string, let text = bareText(value) {
                // `name == stress-test-106` reads as arithmetic; it was meant as text.
                throw mismatch("\(text) is not in quotes", help: "write '\(text)' in quotes")
            }
            guard type == .timestamp else { throw mismatch("a time was given") }
            return .timestamp(try instant(value))
        }
    }

    func instant(_ value: Int32) throws(Diagnostic) -> Timestamp {
        let node = tree[value]
        switch node.kind {
        case .now: return context.now
        case .today: return context.now.startOfDay(in: context.timeZone)
        case .timestamp, .string:
            let text = node.kind == .string ? tree.stringValue(value) : tree.text(value)
            guard let timestamp = Timestamp(rfc3339: text, zone: context.timeZone) else { throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: tree.range(value)) }
            return timestamp
        case .parameter:
            let (compiler, root) = try parameterValue(value)
            return try compiler.instant(root)
        case .shifted:
            let sign: Double = node.detail == 1 ? -1 : 1
            let amount = tree[node.b]
            let seconds: Double
            switch amount.kind {
            case .duration: seconds = amount.number
            case .parameter:
                let (compiler, root) = try parameterValue(node.b)
                guard compiler.tree[root].kind == .duration else {
                    throw Diagnostic("expected-duration", "expected a duration such as 7d after '\(sign > 0 ? "+" : "-")'", at: tree.range(node.b))
                }
                seconds = compiler.tree[root].number
            default:
                throw Diagnostic("expected-duration", "expected a duration such as 90s, 15m, 2h or 7d", at: tree.range(node.b))
            }
            guard let shifted = try instant(node.a).shifted(bySeconds: sign * seconds) else {
                throw Diagnostic("time-out-of-range", "this time falls outside the years 0001–9999", at: tree.range(value), help: "use a shorter duration")
            }
            return shifted
        default:
            throw Diagnostic("expected-time", "expected a time: now, today, or a date such as 2026-01-31", at: tree.range(value))
        }
    }

    /// A number as written must be one a double holds: `1e400` (or `1e400s`) reads as infinity,
    /// which compares with nothing the API can be sent, so it is an error where it is written.
    static func checkFinite(_ value: Double, _ written: @autoclosure () -> String, at range: SourceRange) throws(Diagnostic) {
        guard !value.isFinite else { return }
        throw Diagnostic(
            "number-out-of-range", "'\(written())' is out of range for a number", at: range,
            help: "numbers go up to about 1.8e308 (durations in seconds alike)")
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
    func bareText(_ value: Int32) -> String? {
        let node = tree[value]
        switch node.kind {
        case .word: return tree.text(value)
        case .number: return tree.numberText(value)
        case .shifted:
            guard let left = bareText(node.a), let right = bareText(node.b) else { return nil }
            return left + (node.detail == 1 ? "-" : "+") + right
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
