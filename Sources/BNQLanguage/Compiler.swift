import BNQCore

/// Type-checks statements against the job schema and compiles them into requests plus a local residual.
///
/// Pushdown: the top-level `and` conjuncts the filter API can express become `filters`
/// (`not (a == b)` becomes NEQ, `not (a in …)` NOT_IN); `or`, `not like` and the rest stay local.
/// `order by` becomes `orderBy`; limit and offset become `pagination` when nothing is left to run locally.
public struct Compiler: Sendable {
    public let context: CompileContext
    /// The records field names resolve against: jobs, or the shell's history.
    public let schema: RecordSchema

    public init(context: CompileContext, schema: RecordSchema = .jobs) {
        self.context = context
        self.schema = schema
    }

    /// Compiles one statement, or gives the first error in it.
    public func compile(_ statement: Statement) -> Result<CompiledStatement, Diagnostic> {
        do {
            return .success(try compileStatement(statement))
        } catch let diagnostic as Diagnostic {
            return .failure(diagnostic)
        } catch {
            return .failure(Diagnostic("internal", "\(error)", at: SourceRange(0, 0)))
        }
    }

    /// Parses and compiles a single statement of `source`; the diagnostics of parsing come first.
    public func compile(source: String) -> Result<CompiledStatement, Diagnostic> {
        let parsed = Parser.parse(source)
        if let first = parsed.diagnostics.first { return .failure(first) }
        guard parsed.statements.count == 1 else {
            return .failure(Diagnostic("statement-count", parsed.statements.isEmpty ? "no statement" : "expected one statement, found \(parsed.statements.count)", at: SourceRange(0, source.utf8.count)))
        }
        return compile(parsed.statements[0].statement)
    }

    func compileStatement(_ statement: Statement) throws -> CompiledStatement {
        switch statement {
        case .jobs(let query): return .jobs(try compileQuery(query))
        case .job(let id, let range):
            return .job(id: try jobID(id, range))
        case .results(let id, let range):
            return .results(id: try jobID(id, range))
        case .explain(let inner): return .explain(try compileStatement(inner))
        case .history(let query):
            return .history(try Compiler(context: context, schema: .history).compileQuery(query))
        }
    }

    /// A job id as written, with `$name` replaced by the parameter's text (quotes removed).
    func jobID(_ written: String, _ range: SourceRange) throws -> String {
        guard written.hasPrefix("$") else {
            guard !written.isEmpty else { throw Diagnostic("missing-id", "empty job id", at: range) }
            return written
        }
        let name = String(written.dropFirst())
        guard let text = context.parameters[name] else {
            throw Diagnostic(
                "missing-parameter", "parameter $\(name) is not set", at: range,
                help: "set it with '.set \(name) VALUE' or '--param \(name)=VALUE'")
        }
        let id = Self.unquoted(text)
        guard !id.isEmpty else { throw Diagnostic("missing-id", "parameter $\(name) is empty", at: range) }
        return id
    }

    // MARK: Fields

    func resolveField(_ reference: FieldReference) throws -> JobField {
        if let field = schema.field(named: reference.name) { return field }
        let suggestion = Typo.closest(to: reference.name, among: schema.paths)
        throw Diagnostic(
            "unknown-field", "unknown field '\(reference.name)'", at: reference.range,
            help: suggestion.map { "did you mean '\($0)'?" } ?? "'.help fields' lists the fields")
    }

    // MARK: Queries

    func compileQuery(_ query: JobsQuery) throws -> JobsPlan {
        var projection: [JobField] = []
        var allFields = false
        var aggregates: [(Aggregate, JobField?)] = []
        var selectedKeys: [JobField] = []
        for item in query.selection {
            switch item {
            case .field(let reference):
                if reference.name == "*" { allFields = true; continue }
                let field = try resolveField(reference)
                projection.append(field)
                selectedKeys.append(field)
            case .aggregate(let aggregate, let reference, let range):
                let field = try reference.map(resolveField)
                if let field {
                    let numeric = field.type.isNumeric || (field.type == .timestamp && (aggregate == .min || aggregate == .max))
                    guard numeric || aggregate == .count else {
                        throw Diagnostic("aggregate-type", "\(aggregate.rawValue)() needs a numeric field, but '\(field.path)' is \(field.type)", at: range)
                    }
                } else if aggregate != .count {
                    throw Diagnostic("aggregate-field", "\(aggregate.rawValue)() needs a field", at: range)
                }
                aggregates.append((aggregate, field))
            }
        }
        let groupKeys = try query.groupBy.map(resolveField)
        for key in groupKeys where !key.type.isScalar && key.type != .stringArray {
            throw Diagnostic("group-type", "cannot group by '\(key.path)' (\(key.type))", at: query.groupBy[groupKeys.firstIndex(of: key)!].range)
        }
        let grouped = !groupKeys.isEmpty || !aggregates.isEmpty
        if grouped, let stray = selectedKeys.first(where: { !groupKeys.contains($0) }) {
            let reference = query.selection.first { if case .field(let f) = $0 { return f.name.lowercased() == stray.path.lowercased() } else { return false } }
            throw Diagnostic(
                "select-not-grouped", "'\(stray.path)' is neither grouped by nor aggregated", at: reference?.range ?? query.range,
                help: "add it to 'group by', or use count, sum(…), avg(…), min(…) or max(…)")
        }

        // The predicate: conjuncts the API can express go to the server, the rest stays local.
        var pushed: [JobFilter] = []
        var residualParts: [LocalPredicate] = []
        if let predicate = query.predicate {
            for conjunct in Self.conjuncts(predicate) {
                let local = try resolvePredicate(conjunct)
                if let filter = pushable(local) { pushed.append(filter) } else { residualParts.append(local) }
            }
        }
        let residual = residualParts.isEmpty ? nil : residualParts.dropFirst().reduce(residualParts[0]) { .and($0, $1) }

        // Ordering.
        var ordering: JobOrdering?
        var orderingKeys: [JobOrdering.Key] = []
        var groupOrdering: [(Int, Bool)] = []
        var columns: [GroupPlan.Column] = []
        if grouped {
            for index in groupKeys.indices { columns.append(.key(index)) }
            if aggregates.isEmpty { aggregates = [(.count, nil)] }
            for (aggregate, field) in aggregates { columns.append(.aggregate(aggregate, field)) }
            // Keep the user's order of columns when they listed keys in the select.
            if !selectedKeys.isEmpty {
                var ordered: [GroupPlan.Column] = []
                var aggregateIterator = aggregates.makeIterator()
                for item in query.selection {
                    switch item {
                    case .field(let reference) where reference.name != "*":
                        if let field = schema.field(named: reference.name), let index = groupKeys.firstIndex(of: field) { ordered.append(.key(index)) }
                    case .aggregate:
                        if let (aggregate, field) = aggregateIterator.next() { ordered.append(.aggregate(aggregate, field)) }
                    default: break
                    }
                }
                for index in groupKeys.indices where !ordered.contains(.key(index)) { ordered.insert(.key(index), at: 0) }
                columns = ordered
            }
            for item in query.orderBy {
                let column: GroupPlan.Column
                switch item.key {
                case .field(let reference):
                    let field = try resolveField(reference)
                    guard let index = groupKeys.firstIndex(of: field) else {
                        throw Diagnostic("order-not-grouped", "cannot order groups by '\(field.path)': it is not grouped by", at: reference.range)
                    }
                    column = .key(index)
                case .aggregate(let aggregate, let reference, _):
                    column = .aggregate(aggregate, try reference.map(resolveField))
                }
                if !columns.contains(column) { columns.append(column) }
                groupOrdering.append((columns.firstIndex(of: column)!, item.descending))
            }
            if groupOrdering.isEmpty {
                // Largest groups first when counting; otherwise by key.
                if let countColumn = columns.firstIndex(of: .aggregate(.count, nil)), !groupKeys.isEmpty {
                    groupOrdering = [(countColumn, true)]
                }
            }
        } else {
            var keys: [JobOrdering.Key] = []
            for item in query.orderBy {
                guard case .field(let reference) = item.key else {
                    throw Diagnostic("order-aggregate", "ordering by an aggregate needs 'group by' or an aggregate select", at: item.key.range)
                }
                let field = try resolveField(reference)
                guard field.type.isScalar else {
                    throw Diagnostic("order-type", "cannot order by '\(field.path)' (\(field.type))", at: reference.range)
                }
                keys.append(JobOrdering.Key(field: field, descending: item.descending))
            }
            if !keys.isEmpty { ordering = JobOrdering(keys: keys) }
            orderingKeys = keys
        }
        if query.countOnly, !query.orderBy.isEmpty {
            throw Diagnostic("count-order", "'count' takes no 'order by'", at: query.orderBy[0].key.range)
        }

        let output: JobsPlan.Output
        if query.resultsOnly {
            output = .results
        } else if query.countOnly {
            output = .count
        } else if grouped {
            output = .groups(GroupPlan(keys: groupKeys, columns: columns, ordering: groupOrdering))
        } else {
            output = .rows
        }

        var request = JobsRequest()
        if !pushed.isEmpty {
            request.filters = pushed.map { JobsRequest.Filter(field: $0.field.path, condition: $0.condition, value: $0.operand) }
        }
        if !grouped, !query.countOnly, let ordering { request.orderBy = ordering.text }
        let offset = query.offset ?? 0
        var paginationPushed = false
        switch output {
        case .rows where residual == nil, .results where residual == nil:
            let first = query.limit.map { Swift.min($0, context.pageSize) } ?? context.pageSize
            request.pagination = .init(limit: first, offset: offset)
            paginationPushed = true
        case .count where residual == nil:
            request.pagination = .init(limit: 1, offset: 0)
            paginationPushed = true
        default:
            request.pagination = .init(limit: context.pageSize, offset: 0)
        }
        return JobsPlan(
            request: request, usesFilterEndpoint: !pushed.isEmpty, pushed: pushed, residual: residual,
            limit: query.limit, offset: offset, paginationPushed: paginationPushed,
            projection: projection, allFields: allFields, output: output, now: context.now,
            ordering: orderingKeys.isEmpty ? nil : JobOrdering(keys: orderingKeys))
    }

    static func conjuncts(_ predicate: Predicate) -> [Predicate] {
        if case .and(let lhs, let rhs) = predicate { return conjuncts(lhs) + conjuncts(rhs) }
        return [predicate]
    }

    /// The single filter a resolved conjunct amounts to, when the API can express it.
    func pushable(_ predicate: LocalPredicate) -> JobFilter? {
        switch predicate {
        case .filter(let filter): return filter
        case .not(.filter(let filter)):
            guard let negated = filter.condition.negated else { return nil }
            return try? JobFilter.resolve(field: filter.field.path, condition: negated, operand: filter.operand, schema: schema).get()
        default: return nil
        }
    }

    // MARK: Predicates

    /// The whole predicate, resolved for local evaluation (what the differential test compares with).
    public func resolvePredicate(_ predicate: Predicate) throws -> LocalPredicate {
        switch predicate {
        case .and(let lhs, let rhs): return .and(try resolvePredicate(lhs), try resolvePredicate(rhs))
        case .or(let lhs, let rhs): return .or(try resolvePredicate(lhs), try resolvePredicate(rhs))
        case .not(let inner, _): return .not(try resolvePredicate(inner))
        case .comparison(let comparison): return try resolveComparison(comparison)
        }
    }

    func resolveComparison(_ comparison: Comparison) throws -> LocalPredicate {
        let field = try resolveField(comparison.field)
        let condition: FilterCondition
        var negate = false
        switch comparison.op {
        case .equal: condition = .eq
        case .notEqual: condition = .neq
        case .less: condition = .lt
        case .lessOrEqual: condition = .lte
        case .greater: condition = .gt
        case .greaterOrEqual: condition = .gte
        case .in: condition = .in
        case .notIn: condition = .notIn
        case .like: condition = .like
        case .notLike: condition = .like; negate = true
        case .contains: condition = .arrayContains
        case .containsAny: condition = .arrayContainsAny
        }
        if let problem = condition.problem(with: field.type) {
            throw Diagnostic(
                "operator-type", "'\(comparison.op.rawValue)' cannot apply to '\(field.path)' (\(field.type)): \(problem)",
                at: comparison.operatorRange, help: Self.operatorHelp(for: field.type))
        }
        let elementType: FieldType = field.type == .stringArray ? .string : field.type
        let operand: FilterOperand
        if condition.takesList {
            let elements = try listElements(comparison.value)
            operand = .list(try elements.map { try convert($0, to: elementType, field: field) })
        } else {
            operand = try convert(comparison.value, to: elementType, field: field)
        }
        let filter: JobFilter
        switch JobFilter.resolve(field: field.path, condition: condition, operand: operand, schema: schema) {
        case .success(let resolved): filter = resolved
        case .failure(let error): throw Diagnostic("invalid-filter", error.message, at: comparison.range)
        }
        return negate ? .not(.filter(filter)) : .filter(filter)
    }

    static func operatorHelp(for type: FieldType) -> String? {
        switch type {
        case .stringArray: return "use 'contains' or 'contains any (…)'"
        case .enumeration: return "use ==, !=, in (…) or not in (…)"
        case .bool: return "use == true or == false"
        case .double, .integer, .int64String: return "use ==, !=, <, <=, >, >=, in (…)"
        case .object, .map, .any: return "compare one of its fields, such as '.help fields' lists"
        default: return nil
        }
    }

    func listElements(_ value: ValueExpression) throws -> [ValueExpression] {
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

    func parameterValue(_ name: String, range: SourceRange, list: Bool = false) throws -> ValueExpression {
        guard let text = parameterText(name) else {
            throw Diagnostic(
                "missing-parameter", "parameter $\(name) is not set", at: range,
                help: "set it with '.set \(name) VALUE' or '--param \(name)=VALUE'")
        }
        var parser = Parser(source: text)
        do {
            let value = list && !text.trimmedSpaces.hasPrefix("(") ? try parser.parseValueListOrValue() : (list ? try parser.parseValueList() : try parser.parseValue())
            guard parser.current.kind == .end else { throw Diagnostic("parameter-value", "parameter $\(name) holds more than one value: \(text)", at: range) }
            // Positions inside the parameter's text mean nothing in the statement: point at $name.
            return ValueExpression(kind: Self.relocated(value.kind, to: range), range: range)
        } catch let failure as Parser.Failure {
            throw Diagnostic("parameter-value", "parameter $\(name) is not a value: \(failure.diagnostic.message)", at: range)
        }
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
    func convert(_ value: ValueExpression, to type: FieldType, field: JobField) throws -> FilterOperand {
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
                guard let timestamp = Timestamp(rfc3339: text) else {
                    throw mismatch("'\(text)' is not a date or time", help: "write 2026-01-31 or 2026-01-31T12:00:00Z")
                }
                return .timestamp(timestamp)
            case .double, .integer, .int64String:
                guard let number = Double(text) else { throw mismatch("'\(text)' is a string", help: "write the number without quotes") }
                return .double(number)
            case .bool: throw mismatch("'\(text)' is a string", help: "write true or false without quotes")
            default: throw mismatch("a string was given")
            }
        case .number(let number, let text):
            switch type {
            case .double, .integer, .int64String: return .double(number)
            case .string: throw mismatch("\(text) is a number", help: "write '\(text)' in quotes to compare as text")
            default: throw mismatch("\(text) is a number")
            }
        case .duration(let seconds):
            switch type {
            case .double, .integer, .int64String: return .double(seconds)
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
            default:
                throw mismatch("'\(word)' is a bare word")
            }
        case .timestamp(let text):
            guard type == .timestamp else { throw mismatch("\(text) is a time") }
            guard let timestamp = Timestamp(rfc3339: text) else {
                throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: value.range, help: "write 2026-01-31 or 2026-01-31T12:00:00Z")
            }
            return .timestamp(timestamp)
        case .now, .today, .shifted:
            guard type == .timestamp else { throw mismatch("a time was given") }
            return .timestamp(try instant(value))
        }
    }

    func instant(_ value: ValueExpression) throws -> Timestamp {
        switch value.kind {
        case .now: return context.now
        case .today: return context.now.startOfUTCDay
        case .timestamp(let text):
            guard let timestamp = Timestamp(rfc3339: text) else { throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: value.range) }
            return timestamp
        case .string(let text):
            guard let timestamp = Timestamp(rfc3339: text) else { throw Diagnostic("invalid-time", "'\(text)' is not a valid date or time", at: value.range) }
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

    func enumValue(_ text: String, _ enumType: EnumType, _ range: SourceRange, _ field: JobField) throws -> String {
        if let canonical = enumType.canonicalValue(text) { return canonical }
        let shortNames = enumType.values.map(enumType.shortName)
        let suggestion = Typo.closest(to: text.uppercased(), among: shortNames)
        throw Diagnostic(
            "unknown-enum-value", "unknown \(field.path) '\(text)'", at: range,
            help: suggestion.map { "did you mean '\($0)'?" } ?? "one of: " + shortNames.joined(separator: ", "))
    }

    static func durationText(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(JSONWriter.formatDouble(seconds))s" }
        if seconds.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(seconds / 86_400))d" }
        if seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return "\(JSONWriter.formatDouble(seconds))s"
    }
}

extension Parser {
    /// A parameter meant for `in`: a parenthesised list, or a single value made a one-element list.
    mutating func parseValueListOrValue() throws -> ValueExpression {
        let value = try parseValue()
        return ValueExpression(kind: .list([value]), range: value.range)
    }
}
