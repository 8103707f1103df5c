import BNQCore

/// Type-checks statements against the job schema and compiles them into requests plus a local residual.
///
/// Pushdown: the top-level `and` conjuncts the filter API can express become `filters`
/// (`not (a == b)` becomes NEQ, `not (a in …)` NOT_IN); `or`, `not like` and the rest stay local.
/// `order by` becomes `orderBy`; limit and offset become `pagination` when nothing is left to run locally.
public struct Compiler: Sendable {
    /// What every statement is compiled against, shared by reference: a compiler is copied for
    /// each query (to hold its aliases), and this keeps the copy to two references.
    final class Setup: Sendable {
        let context: CompileContext
        let schema: RecordSchema

        init(context: CompileContext, schema: RecordSchema) {
            self.context = context
            self.schema = schema
        }
    }

    let setup: Setup
    public var context: CompileContext { setup.context }
    /// The records field names resolve against: jobs, or the shell's history.
    public var schema: RecordSchema { setup.schema }
    /// The statement's `select … as NAME` of fields and computed columns, by lower-cased name.
    var aliases: [String: JobField] = [:]

    public init(context: CompileContext, schema: RecordSchema = .jobs) {
        self.setup = Setup(context: context, schema: schema)
    }

    /// Compiles one statement, or gives the first error in it.
    public func compile(_ statement: Statement) -> Result<CompiledStatement, Diagnostic> {
        do throws(Diagnostic) {
            return .success(try compileStatement(statement))
        } catch {
            return .failure(error)
        }
    }

    /// Parses and compiles a single statement of `source`; the diagnostics of parsing come first.
    public func compile(source: String) -> Result<CompiledStatement, Diagnostic> {
        let parsed = Parser.parse(source)
        if let first = parsed.diagnostics.first { return .failure(first) }
        guard parsed.statements.count == 1 else {
            return .failure(Diagnostic("statement-count", parsed.statements.isEmpty ? "no statement" : "expected one statement, found \(parsed.statements.count)", at: SourceRange(0, source.utf8.count)))
        }
        var statements = parsed.statements
        return compile(statements.removeLast().statement)
    }

    func compileStatement(_ statement: Statement) throws(Diagnostic) -> CompiledStatement {
        switch statement {
        case .jobs(let query): return .jobs(try compileQuery(query))
        case .job(let id, let range):
            return .job(id: try jobID(id, range))
        case .results(let id, let range):
            return .results(id: try jobID(id, range))
        case .explain(let inner): return .explain(try compileStatement(inner))
        case .history(let query):
            return .history(try Compiler(context: context, schema: .history).compileQuery(query))
        case .syncs(let query):
            return .syncs(try Compiler(context: context, schema: .syncs).compileQuery(query))
        case .diff(let query):
            var plan = DiffPlan()
            plan.predicate = try query.predicate.map { (predicate) throws(Diagnostic) in try resolvePredicate(predicate) }
            if let (from, to) = query.between {
                plan.from = try syncReference(from)
                plan.to = try syncReference(to)
            }
            return .diff(plan)
        }
    }

    /// A sync named by `as of` or `between`: a whole number is a sync id, anything else a time.
    func syncReference(_ value: ValueExpression) throws(Diagnostic) -> SyncReference {
        var value = value
        if case .parameter(let name) = value.kind { value = try parameterValue(name, range: value.range) }
        if case .number(let number, _) = value.kind {
            guard number >= 1, number == number.rounded(), number < 9e15 else {
                throw Diagnostic("bad-sync", "a sync is named by its id (1, 2, …) or by a time", at: value.range, help: "`syncs` lists them")
            }
            return .id(Int64(number))
        }
        return .time(try instant(value))
    }

    /// A job id as written, with `$name` replaced by the parameter's text (quotes removed).
    func jobID(_ written: String, _ range: SourceRange) throws(Diagnostic) -> String {
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

    func resolveField(_ reference: FieldReference) throws(Diagnostic) -> JobField {
        if let computed = reference.computed { return try resolveComputed(reference, computed) }
        if !aliases.isEmpty, let alias = aliases[reference.name.lowercased()] { return alias }
        if let field = schema.field(named: reference.name) {
            // A key of stateTimestamps is a state: checked like `state == …` is.
            if field.path.utf8.count > 16, field.path.hasPrefix("stateTimestamps."), schema.field(named: "stateTimestamps") != nil,
                case .map = schema.field(named: "stateTimestamps")!.type
            {
                let key = String(field.path.dropFirst("stateTimestamps.".count))
                if EnumType.jobState.canonicalValue(key) == nil {
                    let suggestion = Typo.closest(to: key.uppercased(), among: EnumType.jobState.values.map(EnumType.jobState.shortName))
                    throw Diagnostic(
                        "unknown-field", "unknown state '\(key)' in '\(reference.name)'", at: reference.range,
                        help: suggestion.map { "did you mean 'stateTimestamps.\($0)'?" } ?? "a key of stateTimestamps is a job state")
                }
            }
            return field
        }
        let suggestion = Typo.closest(to: reference.name, among: schema.paths)
        throw Diagnostic(
            "unknown-field", "unknown field '\(reference.name)'", at: reference.range,
            help: suggestion.map { "did you mean '\($0)'?" } ?? "'.help fields' lists the fields")
    }

    /// A computed column: a time difference (seconds) or a time's bin. Never sent to the API.
    func resolveComputed(_ reference: FieldReference, _ computed: ComputedColumn) throws(Diagnostic) -> JobField {
        switch computed {
        case .difference(let a, let b):
            let end = try timeTerm(a)
            let start = try timeTerm(b)
            func name(_ term: Derivation.TimeTerm) -> String { if case .field(let field) = term { return field.path } else { return "now" } }
            return JobField(computed: "\(name(end)) - \(name(start))", .seconds, .difference(end, start))
        case .bin(let timeReference, let syntax):
            let time = try resolveField(timeReference)
            guard time.type == .timestamp else {
                throw Diagnostic("bin-type", "bin() needs a time, but '\(time.path)' is \(time.type)", at: timeReference.range, help: "e.g. bin(createdAt, 1d)")
            }
            let step = try Self.binStep(syntax)
            return JobField(computed: "bin(\(time.path), \(step))", .timestamp, .bin(time, step))
        case .ranked(let measured, let percent):
            let field = try resolveField(measured)
            return JobField(computed: "\(field.path), \(Self.percentText(percent))", field.type, .ranked(field, quantile: percent / 100))
        case .aggregate:
            throw Diagnostic(
                "aggregate-place", "'\(reference.name)' is an aggregate: it belongs in 'select', 'having' or 'order by' of grouped jobs",
                at: reference.range, help: "e.g. jobs select templateId, count group by templateId having count > 10")
        }
    }

    /// A bin's width: whole seconds from 1s to 366d, ISO weeks (`1w`) or calendar months (`1mo`).
    static func binStep(_ syntax: BinStepSyntax) throws(Diagnostic) -> BinStep {
        if syntax.months > 0 { return .months(syntax.months) }
        if syntax.weeks > 0 { return .weeks(syntax.weeks) }
        guard syntax.seconds >= 1, syntax.seconds == syntax.seconds.rounded(), syntax.seconds <= 366 * 86_400 else {
            throw Diagnostic("bad-width", "a width is at least 1s, in whole seconds, and at most 366d (or 1w, 1mo)", at: syntax.range, help: "e.g. bin(createdAt, 1h)")
        }
        return .seconds(Int64(syntax.seconds))
    }

    /// One side of a time difference: a time field, or `now` (fixed for the statement).
    func timeTerm(_ operand: ComputedColumn.TimeOperand) throws(Diagnostic) -> Derivation.TimeTerm {
        switch operand {
        case .now: return .instant(context.now)
        case .field(let reference):
            let field = try resolveField(reference)
            guard field.type == .timestamp else {
                throw Diagnostic(
                    "difference-type", "only times can be subtracted, but '\(field.path)' is \(field.type)", at: reference.range,
                    help: "e.g. endedAt - startedAt, now - createdAt; to shift a time, write now - 7d")
            }
            return .field(field)
        }
    }

    // MARK: Queries

    func compileQuery(_ query: JobsQuery) throws(Diagnostic) -> JobsPlan {
        var compiler = self
        compiler.aliases = [:]
        return try compiler.compileQueryWithAliases(query)
    }

    mutating func compileQueryWithAliases(_ query: JobsQuery) throws(Diagnostic) -> JobsPlan {
        var projection: [JobField] = []
        var allFields = false
        var aggregates: [(Aggregate, JobField?)] = []
        var selectedKeys: [JobField] = []
        /// Aggregates named with `as`, for `order by` and `having`.
        var aggregateAliases: [String: (Aggregate, JobField?)] = [:]
        var aggregateNames: [GroupPlan.Column: String] = [:]
        for (index, item) in query.selection.enumerated() {
            let alias = index < query.aliases.count ? query.aliases[index] : nil
            if let alias, aliases[alias.name.lowercased()] != nil || aggregateAliases[alias.name.lowercased()] != nil {
                throw Diagnostic("duplicate-alias", "'\(alias.name)' names two columns", at: alias.range, help: "give each column its own name")
            }
            switch item {
            case .field(let reference):
                if reference.name == "*" {
                    if let alias { throw Diagnostic("alias-star", "'*' cannot be named", at: alias.range) }
                    allFields = true
                    continue
                }
                var field = try resolveField(reference)
                if let alias {
                    field = JobField(computed: alias.name, field.type, .alias(field))
                    aliases[alias.name.lowercased()] = field
                }
                projection.append(field)
                selectedKeys.append(field)
            case .aggregate(let aggregate, let reference, let range):
                let field = try reference.map { (reference) throws(Diagnostic) in try resolveField(reference) }
                try Self.checkAggregate(aggregate, field, at: range)
                aggregates.append((aggregate, field))
                if let alias {
                    aggregateAliases[alias.name.lowercased()] = (aggregate, field)
                    aggregateNames[.aggregate(aggregate, field)] = alias.name
                }
            }
        }
        var groupKeys = try query.groupBy.map { (reference) throws(Diagnostic) in try resolveField(reference) }
        for (index, key) in groupKeys.enumerated() where !key.type.isScalar && key.type != .stringArray {
            throw Diagnostic("group-type", "cannot group by '\(key.path)' (\(key.type))", at: query.groupBy[index].range)
        }
        // `select bin(t, 1d) as day … group by bin(t, 1d)`: the key takes the name it was given.
        for selected in selectedKeys {
            if case .alias(let base) = selected.derivation, let index = groupKeys.firstIndex(of: base) { groupKeys[index] = selected }
        }
        let grouped = !groupKeys.isEmpty || !aggregates.isEmpty
        if grouped, let stray = selectedKeys.first(where: { !groupKeys.contains($0) }) {
            let reference = query.selection.first { if case .field(let f) = $0 { return f.name.lowercased() == stray.path.lowercased() } else { return false } }
            throw Diagnostic(
                "select-not-grouped", "'\(stray.path)' is neither grouped by nor aggregated", at: reference?.range ?? query.range,
                help: "add it to 'group by', or use count, sum(…), avg(…), min(…) or max(…)")
        }
        if !grouped, let having = query.having {
            throw Diagnostic("having-without-groups", "'having' filters groups: it needs 'group by' or an aggregate", at: having.range, help: "to filter jobs, use 'where'")
        }

        // The predicate: conjuncts the API can express go to the server, the rest stays local.
        var pushed: [JobFilter] = []
        var residualParts: [LocalPredicate] = []
        if let predicate = query.predicate {
            pushed.reserveCapacity(4)
            try forEachConjunct(of: predicate) { (conjunct) throws(Diagnostic) in
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
        // Grouped by one time bin alone: its buckets, empty ones too.
        let fill = Self.fill(keys: groupKeys, pushed: pushed)
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
                case .field(let reference) where reference.computed == nil && aggregateAliases[reference.name.lowercased()] != nil:
                    let (aggregate, field) = aggregateAliases[reference.name.lowercased()]!
                    column = .aggregate(aggregate, field)
                case .field(let reference):
                    let field = try resolveField(reference)
                    guard let index = groupKeys.firstIndex(of: field) else {
                        throw Diagnostic("order-not-grouped", "cannot order groups by '\(field.path)': it is not grouped by", at: reference.range)
                    }
                    column = .key(index)
                case .aggregate(let aggregate, let reference, let range):
                    let field = try reference.map { (reference) throws(Diagnostic) in try resolveField(reference) }
                    try Self.checkAggregate(aggregate, field, at: range)
                    column = .aggregate(aggregate, field)
                }
                if !columns.contains(column) { columns.append(column) }
                groupOrdering.append((columns.firstIndex(of: column)!, item.descending))
            }
            if groupOrdering.isEmpty {
                // A time bin reads in time order; other groups largest first when counting, else by key.
                if fill != nil, let keyColumn = columns.firstIndex(of: .key(0)) {
                    groupOrdering = [(keyColumn, false)]
                } else if let countColumn = columns.firstIndex(of: .aggregate(.count, nil)), !groupKeys.isEmpty {
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
        if query.countOnly, let range = query.limitRange {
            throw Diagnostic(
                "count-limit", "'count' takes no 'limit': it counts every matching job", at: range,
                help: "to count at most N jobs, write: jobs select id … limit N")
        }

        let output: JobsPlan.Output
        if let syntax = query.timelineStep {
            let step = try Self.binStep(syntax)
            // The first bucket: a lower bound on when jobs were created or started.
            let from = Self.bounds(step, pushed: pushed) { ["createdAt", "startedAt"].contains($0.path) }.from
            output = .timeline(TimelinePlan(step: step, from: from))
        } else if query.resultsOnly {
            output = .results
        } else if query.countOnly {
            output = .count
        } else if grouped {
            var groups = GroupPlan(keys: groupKeys, columns: columns, ordering: groupOrdering)
            if let having = query.having {
                groups.having = try groupPredicate(having, columns: &groups.columns, aliases: aggregateAliases)
            }
            for (index, column) in groups.columns.enumerated() { if let name = aggregateNames[column] { groups.names[index] = name } }
            groups.fill = fill
            for (index, column) in groups.columns.enumerated() {
                if case .aggregate(.sparkline, let field?) = column, let series = Self.fill(keys: [field], pushed: pushed) { groups.series[index] = series }
            }
            output = .groups(groups)
        } else {
            output = .rows
        }

        var request = JobsRequest()
        if !pushed.isEmpty {
            request.filters = pushed.map { JobsRequest.Filter(field: $0.field.path, condition: $0.condition, value: $0.operand) }
        }
        let sortsLocally = orderingKeys.contains { $0.field.isComputed }
        if !grouped, !query.countOnly, let ordering, !sortsLocally { request.orderBy = ordering.text }
        let offset = query.offset ?? 0
        var paginationPushed = false
        switch output {
        case .rows where residual == nil && !sortsLocally, .results where residual == nil && !sortsLocally:
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
            ordering: orderingKeys.isEmpty ? nil : JobOrdering(keys: orderingKeys),
            asOf: try query.asOf.map { (value) throws(Diagnostic) in try syncReference(value) })
    }

    /// Calls `body` with each top-level `and` conjunct of `predicate`, left to right.
    func forEachConjunct(of predicate: Predicate, _ body: (Predicate) throws(Diagnostic) -> Void) throws(Diagnostic) {
        if case .and(let lhs, let rhs) = predicate {
            try forEachConjunct(of: lhs, body)
            try forEachConjunct(of: rhs, body)
        } else {
            try body(predicate)
        }
    }

    /// The single filter a resolved conjunct amounts to, when the API can express it.
    func pushable(_ predicate: LocalPredicate) -> JobFilter? {
        // A computed column is worked out here, never by the API.
        if case .filter(let filter) = predicate, filter.field.isComputed { return nil }
        if case .not(.filter(let filter)) = predicate, filter.field.isComputed { return nil }
        switch predicate {
        case .filter(let filter): return filter
        case .not(.filter(let filter)):
            guard let negated = filter.condition.negated else { return nil }
            return JobFilter(checked: filter.field, condition: negated, operand: filter.operand)
        default: return nil
        }
    }

    // MARK: Predicates

    /// The whole predicate, resolved for local evaluation (what the differential test compares with).
    public func resolvePredicate(_ predicate: Predicate) throws(Diagnostic) -> LocalPredicate {
        switch predicate {
        case .and(let lhs, let rhs): return .and(try resolvePredicate(lhs), try resolvePredicate(rhs))
        case .or(let lhs, let rhs): return .or(try resolvePredicate(lhs), try resolvePredicate(rhs))
        case .not(let inner, _): return .not(try resolvePredicate(inner))
        case .comparison(let comparison): return try resolveComparison(comparison)
        case .presence(let reference, let present, _): return .presence(try resolveField(reference), present: present)
        }
    }

    func resolveComparison(_ comparison: Comparison) throws(Diagnostic) -> LocalPredicate {
        let field = try resolveField(comparison.field)
        let condition = comparison.op.condition
        let negate = comparison.op.negatesCondition
        if let problem = condition.problem(with: field.type) {
            throw Diagnostic(
                "operator-type", "'\(comparison.op.rawValue)' cannot apply to '\(field.path)' (\(field.type)): \(problem)",
                at: comparison.operatorRange, help: Self.operatorHelp(for: field.type))
        }
        let elementType: FieldType = field.type == .stringArray ? .string : field.type
        let operand: FilterOperand
        if condition.takesList {
            let elements = try listElements(comparison.value)
            operand = .list(try elements.map { (element) throws(Diagnostic) in try convert(element, to: elementType, field: field) })
        } else {
            operand = try convert(comparison.value, to: elementType, field: field)
        }
        // Converted and checked once, here: the filter takes the operand as it is.
        let filter = JobFilter(checked: field, condition: condition, operand: operand)
        return negate ? .not(.filter(filter)) : .filter(filter)
    }

    /// Whether an aggregate applies to a field: sums, averages, percentiles and deviations need
    /// numbers (durations too); min and max take times as well; count takes anything.
    static func checkAggregate(_ aggregate: Aggregate, _ field: JobField?, at range: SourceRange) throws(Diagnostic) {
        if aggregate == .sparkline {
            var binned = field
            while case .alias(let base)? = binned?.derivation { binned = base }
            guard case .bin? = binned?.derivation else {
                throw Diagnostic("sparkline-bin", "sparkline() draws counts per bucket of a bin", at: range, help: "e.g. sparkline(bin(createdAt, 1d))")
            }
            return
        }
        if aggregate == .countDistinct {
            guard let field, field.type.isScalar else {
                throw Diagnostic("aggregate-type", "count(distinct …) needs a field of single values", at: range, help: "e.g. count(distinct templateId)")
            }
            return
        }
        if let field {
            let numeric = field.type.isNumeric || (field.type == .timestamp && (aggregate == .min || aggregate == .max))
            guard numeric || aggregate == .count else {
                throw Diagnostic("aggregate-type", "\(aggregate.rawValue)() needs a numeric field, but '\(field.path)' is \(field.type)", at: range)
            }
        } else if aggregate != .count {
            throw Diagnostic("aggregate-field", "\(aggregate.rawValue)() needs a field", at: range)
        }
    }

    /// `having`: each comparison is of an aggregate (written out, or by its alias) with a number,
    /// a duration or a time. An aggregate not selected becomes a column.
    func groupPredicate(_ predicate: Predicate, columns: inout [GroupPlan.Column], aliases: [String: (Aggregate, JobField?)]) throws(Diagnostic) -> GroupPredicate {
        switch predicate {
        case .and(let lhs, let rhs):
            return .and(try groupPredicate(lhs, columns: &columns, aliases: aliases), try groupPredicate(rhs, columns: &columns, aliases: aliases))
        case .or(let lhs, let rhs):
            return .or(try groupPredicate(lhs, columns: &columns, aliases: aliases), try groupPredicate(rhs, columns: &columns, aliases: aliases))
        case .not(let inner, _): return .not(try groupPredicate(inner, columns: &columns, aliases: aliases))
        case .presence(let reference, _, _):
            throw Diagnostic("having-presence", "'having' compares aggregates; test '\(reference.name)' in 'where'", at: reference.range)
        case .comparison(let comparison):
            let reference = comparison.field
            let aggregate: Aggregate
            let field: JobField?
            if case .aggregate(let written, let argument)? = reference.computed {
                aggregate = written
                field = try argument.map { (argument) throws(Diagnostic) in try resolveField(argument) }
                try Self.checkAggregate(aggregate, field, at: reference.range)
            } else if let named = aliases[reference.name.lowercased()] {
                (aggregate, field) = named
            } else if reference.computed == nil, reference.name.lowercased() == "count", schema.field(named: "count") == nil {
                (aggregate, field) = (.count, nil)
            } else {
                throw Diagnostic(
                    "having-field", "'having' compares aggregates (count, p95(duration), an alias of one), not '\(reference.name)'",
                    at: reference.range, help: "test fields of the jobs in 'where'")
            }
            guard [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(comparison.op) else {
                throw Diagnostic("having-operator", "'having' compares with ==, !=, <, <=, > or >=", at: comparison.operatorRange, help: "e.g. having count > 10 and count < 100")
            }
            let column = GroupPlan.Column.aggregate(aggregate, field)
            if !columns.contains(column) { columns.append(column) }
            // A time (min or max of one) compares as seconds since 1970; anything else as a number.
            let asTime = field?.type == .timestamp && aggregate != .count
            let probe = JobField(computed: reference.name, asTime ? .timestamp : .double, .alias(field ?? JobField("count", .double, "")))
            let value: Double
            switch try convert(comparison.value, to: asTime ? .timestamp : .double, field: probe) {
            case .timestamp(let time): value = time.secondsSince1970
            case .int(let number): value = Double(number)
            case .double(let number): value = number
            default: throw Diagnostic("having-value", "expected a number, a duration or a time", at: comparison.value.range)
            }
            return .compare(column: columns.firstIndex(of: column)!, comparison.op, value)
        }
    }

    /// A percentage as people write it, without a needless fraction: `97.5`, `90`.
    static func percentText(_ value: Double) -> String { value == value.rounded() ? String(Int64(value)) : String(value) }

    /// Grouped by one time bin: the buckets to show, bounded by what `where` says of the time.
    static func fill(keys: [JobField], pushed: [JobFilter]) -> BinFill? {
        guard keys.count == 1 else { return nil }
        var key = keys[0]
        while case .alias(let base) = key.derivation { key = base }
        guard case .bin(let time, let step) = key.derivation else { return nil }
        return bounds(step, pushed: pushed) { $0 == time }
    }

    /// The first and last buckets of `step` that the pushed filters on the fields `bounded`
    /// accepts allow (lower bounds from `>`/`>=`, upper from `<`/`<=`).
    static func bounds(_ step: BinStep, pushed: [JobFilter], on bounded: (JobField) -> Bool) -> BinFill {
        var fill = BinFill(step: step)
        for filter in pushed where bounded(filter.field) {
            guard case .timestamp(let bound) = filter.operand else { continue }
            switch filter.condition {
            case .gt, .gte: fill.from = max(fill.from ?? step.start(of: bound), step.start(of: bound))
            case .lte: fill.to = min(fill.to ?? step.start(of: bound), step.start(of: bound))
            case .lt:
                let last = step.start(of: Timestamp(seconds: bound.nanos == 0 ? bound.seconds - 1 : bound.seconds))
                fill.to = min(fill.to ?? last, last)
            default: break
            }
        }
        return fill
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
}

extension Parser {
    /// A parameter meant for `in`: a parenthesised list, or a single value made a one-element list.
    mutating func parseValueListOrValue() throws(Failure) -> ValueExpression {
        let value = try parseValue()
        return ValueExpression(kind: .list([value]), range: value.range)
    }
}
