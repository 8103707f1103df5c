import BNQCore

/// Type-checks statements against the job schema and compiles them into requests plus a local residual.
///
/// Pushdown: the top-level `and` conjuncts the filter API can express become `filters`
/// (`not (a == b)` becomes NEQ, `not (a in …)` NOT_IN); `or`, `not like` and the rest stay local.
/// `order by` becomes `orderBy`; limit and offset become `pagination` when nothing is left to run locally.
public struct Compiler: Sendable {
    /// What every statement is compiled against, shared by reference, so that a copy of a
    /// compiler (one per statement, reading its tree and holding its aliases) stays small.
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
    /// The syntax tree of the statement being compiled (a parameter's, while its value is read).
    let tree: SyntaxTree
    /// The query's `select … as NAME` of fields and computed columns (nil unless its select list
    /// names a column: most do not, and then there is no table to make).
    ///
    /// A compiler never changes: the one table a query with names gets is filled in as its
    /// select list is read. (A compiler that could change was copied and destroyed once more on
    /// every statement: `compileStatement` was `mutating` only for this table.)
    let aliases: Aliases?

    /// The names a query's select list gives, by lower-cased name; written only while that
    /// query's select list is compiled, by the one compiler compiling it.
    final class Aliases: @unchecked Sendable {
        var fields: [String: JobField] = [:]
    }

    public init(context: CompileContext, schema: RecordSchema = .jobs) {
        self.setup = Setup(context: context, schema: schema)
        self.tree = .empty
        self.aliases = nil
    }

    private init(setup: Setup, tree: SyntaxTree, aliases: Aliases? = nil) {
        self.setup = setup
        self.tree = tree
        self.aliases = aliases
    }

    /// A compiler of the same setup reading `tree`, with no aliases (made afresh rather than
    /// copied: nothing of this one's statement is carried over).
    func reading(_ tree: SyntaxTree) -> Compiler { Compiler(setup: setup, tree: tree) }

    /// Compiles one statement, or gives the first error in it.
    public func compile(_ statement: Statement) -> Result<CompiledStatement, Diagnostic> {
        reading(statement.tree).compiled(statement.root)
    }

    /// The statement at `root`, compiled by this compiler.
    func compiled(_ root: Int32) -> Result<CompiledStatement, Diagnostic> {
        do throws(Diagnostic) {
            return .success(try compileStatement(root))
        } catch {
            return .failure(error)
        }
    }

    /// Parses and compiles a single statement of `source`; the diagnostics of parsing come first.
    ///
    /// The statement is compiled while it is parsed, from the parser's own buffers (the tree is
    /// lent, not copied: nothing of it outlives the call, and the plan holds none of it).
    public func compile(source: String) -> Result<CompiledStatement, Diagnostic> {
        let setup = self.setup
        return Parser.reading(source) { parser in
            var root: Int32 = -1
            var count = 0
            let (diagnostics, _) = parser.parseStatements { statement, _ in
                if count == 0 { root = statement }
                count += 1
            }
            if let first = diagnostics.first { return .failure(first) }
            guard count == 1 else {
                return .failure(Diagnostic("statement-count", count == 0 ? "no statement" : "expected one statement, found \(count)", at: SourceRange(0, parser.bytes.count)))
            }
            return Compiler(setup: setup, tree: parser.lentTree).compiled(root)
        }
    }

    func compileStatement(_ statement: Int32) throws(Diagnostic) -> CompiledStatement {
        let node = tree[statement]
        switch node.kind {
        case .query:
            let query = QueryParts(tree, statement)
            switch query.form {
            case .history:
                return .history(try Compiler(context: context, schema: .history).reading(tree).compileQuery(query))
            case .syncs:
                return .syncs(try Compiler(context: context, schema: .syncs).reading(tree).compileQuery(query))
            default: return .jobs(try compileQuery(query))
            }
        case .job: return .job(id: try jobID(statement))
        case .results: return .results(id: try jobID(statement))
        case .explain: return .explain(try compileStatement(node.a))
        case .diff:
            var plan = DiffPlan()
            if node.a >= 0 { plan.predicate = try resolve(node.a) }
            if node.b >= 0 {
                plan.from = try syncReference(node.b)
                plan.to = try syncReference(tree[node.b].next)
            }
            return .diff(plan)
        default:
            throw Diagnostic("unknown-statement", "expected a statement", at: tree.range(statement))
        }
    }

    /// A sync named by `as of` or `between`: a whole number is a sync id, anything else a time.
    func syncReference(_ value: Int32) throws(Diagnostic) -> SyncReference {
        let node = tree[value]
        if node.kind == .parameter {
            let (compiler, root) = try parameterValue(value)
            return try compiler.syncReference(root)
        }
        if node.kind == .number {
            let number = node.number
            guard number >= 1, number == number.rounded(), number < 9e15 else {
                throw Diagnostic("bad-sync", "a sync is named by its id (1, 2, …) or by a time", at: tree.range(value), help: "`syncs` lists them")
            }
            return .id(Int64(number))
        }
        return .time(try instant(value))
    }

    /// The id of `job ID` or `results ID`, with `$name` replaced by the parameter's text (quotes removed).
    func jobID(_ statement: Int32) throws(Diagnostic) -> String {
        let node = tree[statement]
        let range = tree.range(statement)
        guard IDForm(rawValue: node.detail) == .parameter else {
            let written = tree.writtenID(statement)
            guard !written.isEmpty else { throw Diagnostic("missing-id", "empty job id", at: range) }
            return written
        }
        let name = tree.parameterName(statement)
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

    func resolveField(_ reference: Int32) throws(Diagnostic) -> JobField {
        let kind = tree[reference].kind
        guard kind == .name || kind == .star else { return try resolveComputed(reference) }
        if let aliases, let alias = aliases.fields[tree.text(reference).lowercased()] { return alias }
        let schema = setup.schema
        if let field = tree.withText(reference, { schema.field(in: $0, from: $1, to: $2) }) {
            // A key of stateTimestamps is a state: checked like `state == …` is.
            if field.path.utf8.count > 16, field.path.hasPrefix("stateTimestamps."), schema.field(named: "stateTimestamps") != nil,
                case .map = schema.field(named: "stateTimestamps")!.type
            {
                let key = String(field.path.dropFirst("stateTimestamps.".count))
                if EnumType.jobState.canonicalValue(key) == nil {
                    let suggestion = Typo.closest(to: key.uppercased(), among: EnumType.jobState.values.map(EnumType.jobState.shortName))
                    throw Diagnostic(
                        "unknown-field", "unknown state '\(key)' in '\(tree.text(reference))'", at: tree.range(reference),
                        help: suggestion.map { "did you mean 'stateTimestamps.\($0)'?" } ?? "a key of stateTimestamps is a job state")
                }
            }
            return field
        }
        let name = tree.text(reference)
        let suggestion = Typo.closest(to: name, among: schema.paths)
        throw Diagnostic(
            "unknown-field", "unknown field '\(name)'", at: tree.range(reference),
            help: suggestion.map { "did you mean '\($0)'?" } ?? "'.help fields' lists the fields")
    }

    /// A computed column: a time difference (seconds) or a time's bin. Never sent to the API.
    func resolveComputed(_ reference: Int32) throws(Diagnostic) -> JobField {
        let node = tree[reference]
        switch node.kind {
        case .difference:
            let end = try timeTerm(node.a)
            let start = try timeTerm(node.b)
            func name(_ term: Derivation.TimeTerm) -> String { if case .field(let field) = term { return field.path } else { return "now" } }
            return JobField(computed: "\(name(end)) - \(name(start))", .seconds, .difference(end, start))
        case .bin:
            let time = try resolveField(node.a)
            guard time.type == .timestamp else {
                throw Diagnostic("bin-type", "bin() needs a time, but '\(time.path)' is \(time.type)", at: tree.range(node.a), help: "e.g. bin(createdAt, 1d)")
            }
            let step = try binStep(node.b)
            return JobField(computed: "bin(\(time.path), \(step))", .timestamp, .bin(time, step))
        case .ranked:
            let field = try resolveField(node.a)
            let percent = tree[node.b].number
            return JobField(computed: "\(field.path), \(Self.percentText(percent))", field.type, .ranked(field, quantile: percent / 100))
        default:
            throw Diagnostic(
                "aggregate-place", "'\(tree.name(reference))' is an aggregate: it belongs in 'select', 'having' or 'order by' of grouped jobs",
                at: tree.range(reference), help: "e.g. jobs select templateId, count group by templateId having count > 10")
        }
    }

    /// A bin's width: whole seconds from 1s to 366d, ISO weeks (`1w`) or calendar months (`1mo`).
    func binStep(_ index: Int32) throws(Diagnostic) -> BinStep {
        let node = tree[index]
        let unit = BinUnit(rawValue: node.detail) ?? .seconds
        if unit == .months { return .months(Int64(node.number)) }
        if unit == .weeks, node.number > 0 { return .weeks(Int64(node.number)) }
        let seconds = unit == .weeks ? node.number * 604_800 : node.number
        guard seconds >= 1, seconds == seconds.rounded(), seconds <= 366 * 86_400 else {
            throw Diagnostic("bad-width", "a width is at least 1s, in whole seconds, and at most 366d (or 1w, 1mo)", at: tree.range(index), help: "e.g. bin(createdAt, 1h)")
        }
        return .seconds(Int64(seconds))
    }

    /// One side of a time difference: a time field, or `now` (fixed for the statement).
    func timeTerm(_ operand: Int32) throws(Diagnostic) -> Derivation.TimeTerm {
        guard tree[operand].kind != .now else { return .instant(context.now) }
        let field = try resolveField(operand)
        guard field.type == .timestamp else {
            throw Diagnostic(
                "difference-type", "only times can be subtracted, but '\(field.path)' is \(field.type)", at: tree.range(operand),
                help: "e.g. endedAt - startedAt, now - createdAt; to shift a time, write now - 7d")
        }
        return .field(field)
    }

    // MARK: Queries

    /// The clauses of a `.query` node, found once.
    struct QueryParts {
        var form: QueryForm
        var range: SourceRange
        /// The first select item, key of `group by` and of `order by` (-1 for none).
        var selection: Int32 = -1
        var groupBy: Int32 = -1
        var orderBy: Int32 = -1
        /// The predicates of `where` and `having` (-1 for none).
        var predicate: Int32 = -1
        var having: Int32 = -1
        var limit: Int64?
        var limitRange: SourceRange?
        var offset: Int64?
        /// The value of `as of`, the width of `every` (-1 for none).
        var asOf: Int32 = -1
        var every: Int32 = -1

        init(_ tree: borrowing SyntaxTree, _ query: Int32) {
            let node = tree[query]
            form = QueryForm(rawValue: node.detail) ?? .jobs
            range = tree.range(query)
            var clause = node.a
            while clause >= 0 {
                let part = tree[clause]
                defer { clause = part.next }
                switch part.kind {
                case .select: selection = part.a
                case .groupBy: groupBy = part.a
                case .orderBy: orderBy = part.a
                case .where: predicate = part.a
                case .having: having = part.a
                case .limit: (limit, limitRange) = (part.count, tree.range(clause))
                case .offset: offset = part.count
                case .asOf: asOf = part.a
                case .every: every = part.a
                default: break
                }
            }
        }

        var countOnly: Bool { form == .count }
        var resultsOnly: Bool { form == .results }
    }

    /// What a select list asks for.
    struct Selection {
        /// The fields and computed columns, in order (empty: the default columns).
        var projection: [JobField] = []
        /// `*`: whole jobs.
        var allFields = false
        var aggregates: [(Aggregate, JobField?)] = []
        /// Aggregates named with `as`, for `order by` and `having`, and their names by column
        /// (made when one is named).
        var aggregateAliases: [String: (Aggregate, JobField?)]?
        var aggregateNames: [GroupPlan.Column: String]?
    }

    /// A query's plan; the aliases its select list gives hold for it alone (a compiler with a
    /// table of its own compiles a query whose select list names a column).
    func compileQuery(_ query: QueryParts) throws(Diagnostic) -> JobsPlan {
        if query.selection >= 0, tree.list(from: query.selection).contains(where: { tree[$0].b >= 0 }) {
            return try Compiler(setup: setup, tree: tree, aliases: Aliases()).compileNamedQuery(query)
        }
        return try compileNamedQuery(query)
    }

    /// `compileQuery`, by a compiler that holds the query's aliases if it has any.
    private func compileNamedQuery(_ query: QueryParts) throws(Diagnostic) -> JobsPlan {
        let selection = query.selection >= 0 ? try select(query.selection) : Selection()
        var groupKeys: [JobField] = []
        if query.groupBy >= 0 { groupKeys = try self.groupKeys(query.groupBy, projection: selection.projection) }
        let grouped = !groupKeys.isEmpty || !selection.aggregates.isEmpty
        if grouped, let stray = selection.projection.first(where: { !groupKeys.contains($0) }) {
            let reference = tree.list(from: query.selection).map { tree[$0].a }.first { expression in
                tree[expression].kind != .aggregate && tree.name(expression).lowercased() == stray.path.lowercased()
            }
            throw Diagnostic(
                "select-not-grouped", "'\(stray.path)' is neither grouped by nor aggregated", at: reference.map(tree.range) ?? query.range,
                help: "add it to 'group by', or use count, sum(…), avg(…), min(…) or max(…)")
        }
        if !grouped, query.having >= 0 {
            throw Diagnostic("having-without-groups", "'having' filters groups: it needs 'group by' or an aggregate", at: tree.predicateRange(query.having), help: "to filter jobs, use 'where'")
        }

        // The predicate: conjuncts the API can express go to the server, the rest stays local.
        var pushed: [JobFilter] = []
        var residual: LocalPredicate?
        if query.predicate >= 0 {
            var residualParts: [LocalPredicate] = []
            // Room for every conjunct at once (most are pushed): one allocation.
            pushed.reserveCapacity(conjunctCount(query.predicate))
            try split(query.predicate, pushed: &pushed, residual: &residualParts)
            if !residualParts.isEmpty { residual = residualParts.dropFirst().reduce(residualParts[0]) { .and($0, $1) } }
        }

        // Ordering: of the groups, or of the jobs.
        var ordering: JobOrdering?
        let output: JobsPlan.Output
        if grouped {
            output = try groupedOutput(query, selection, keys: groupKeys, pushed: pushed)
        } else {
            if query.orderBy >= 0 { ordering = try jobOrdering(query.orderBy) }
            try checkCountClauses(query)
            output = try plainOutput(query, pushed: pushed) ?? .rows
        }

        let sortsLocally = ordering?.keys.contains { $0.field.isComputed } ?? false
        let offset = query.offset ?? 0
        var paginationPushed = false
        let pagination: JobsRequest.Pagination
        switch output {
        case .rows where residual == nil && !sortsLocally, .results where residual == nil && !sortsLocally:
            let first = query.limit.map { Swift.min($0, context.pageSize) } ?? context.pageSize
            pagination = .init(limit: first, offset: offset)
            paginationPushed = true
        case .count where residual == nil:
            pagination = .init(limit: 1, offset: 0)
            paginationPushed = true
        default:
            pagination = .init(limit: context.pageSize, offset: 0)
        }
        return JobsPlan(
            pagination: pagination, ordersOnServer: !grouped && !query.countOnly && ordering != nil && !sortsLocally,
            usesFilterEndpoint: !pushed.isEmpty, pushed: pushed, residual: residual,
            limit: query.limit, offset: offset, paginationPushed: paginationPushed,
            projection: selection.projection, allFields: selection.allFields, output: output, now: context.now,
            ordering: ordering,
            asOf: query.asOf >= 0 ? try syncReference(query.asOf) : nil)
    }

    /// The select list starting at item `first`; the fields it names with `as` become aliases.
    func select(_ first: Int32) throws(Diagnostic) -> Selection {
        var selection = Selection()
        // Room for every item in whichever list it joins: no list grows item by item.
        var fields = 0
        var aggregates = 0
        for item in tree.list(from: first) {
            switch tree[tree[item].a].kind {
            case .aggregate: aggregates += 1
            case .star: break
            default: fields += 1
            }
        }
        if fields > 0 { selection.projection.reserveCapacity(fields) }
        if aggregates > 0 { selection.aggregates.reserveCapacity(aggregates) }
        for item in tree.list(from: first) {
            let expression = tree[item].a
            let kind = tree[expression].kind
            let aliasNode = tree[item].b
            let alias = aliasNode >= 0 ? tree.text(aliasNode) : nil
            if let alias, aliases?.fields[alias.lowercased()] != nil || selection.aggregateAliases?[alias.lowercased()] != nil {
                throw Diagnostic("duplicate-alias", "'\(alias)' names two columns", at: tree.range(aliasNode), help: "give each column its own name")
            }
            switch kind {
            case .star:
                if alias != nil { throw Diagnostic("alias-star", "'*' cannot be named", at: tree.range(aliasNode)) }
                selection.allFields = true
            case .aggregate:
                let (aggregate, field) = try resolveAggregate(expression)
                selection.aggregates.append((aggregate, field))
                if let alias {
                    if selection.aggregateAliases == nil { (selection.aggregateAliases, selection.aggregateNames) = ([:], [:]) }
                    selection.aggregateAliases?[alias.lowercased()] = (aggregate, field)
                    selection.aggregateNames?[.aggregate(aggregate, field)] = alias
                }
            default:
                var field = try resolveField(expression)
                if let alias {
                    field = JobField(computed: alias, field.type, .alias(field))
                    aliases?.fields[alias.lowercased()] = field
                }
                selection.projection.append(field)
            }
        }
        return selection
    }

    /// The keys of `group by` (from key `first`), checked; a key selected with `as`
    /// (`select bin(t, 1d) as day … group by bin(t, 1d)`) takes the name it was given.
    func groupKeys(_ first: Int32, projection: [JobField]) throws(Diagnostic) -> [JobField] {
        var groupKeys: [JobField] = []
        groupKeys.reserveCapacity(tree.list(from: first).count)
        for key in tree.list(from: first) { groupKeys.append(try resolveField(key)) }
        for (key, field) in zip(tree.list(from: first), groupKeys) where !field.type.isScalar && field.type != .stringArray {
            throw Diagnostic("group-type", "cannot group by '\(field.path)' (\(field.type))", at: tree.range(key))
        }
        for selected in projection {
            if case .alias(let base) = selected.derivation, let index = groupKeys.firstIndex(of: base) { groupKeys[index] = selected }
        }
        return groupKeys
    }

    /// The order of jobs `order by` (from item `first`) asks for.
    func jobOrdering(_ first: Int32) throws(Diagnostic) -> JobOrdering {
        var keys: [JobOrdering.Key] = []
        keys.reserveCapacity(tree.list(from: first).count)
        for item in tree.list(from: first) {
            let key = tree[item].a
            guard tree[key].kind != .aggregate else {
                throw Diagnostic("order-aggregate", "ordering by an aggregate needs 'group by' or an aggregate select", at: tree.range(key))
            }
            let field = try resolveField(key)
            guard field.type.isScalar else {
                throw Diagnostic("order-type", "cannot order by '\(field.path)' (\(field.type))", at: tree.range(key))
            }
            keys.append(JobOrdering.Key(field: field, descending: tree[item].detail == 1))
        }
        return JobOrdering(keys: keys)
    }

    /// `count` counts every match: it takes no `order by` and no `limit`.
    func checkCountClauses(_ query: QueryParts) throws(Diagnostic) {
        guard query.countOnly else { return }
        if query.orderBy >= 0 {
            throw Diagnostic("count-order", "'count' takes no 'order by'", at: tree.range(tree[query.orderBy].a))
        }
        if let range = query.limitRange {
            throw Diagnostic(
                "count-limit", "'count' takes no 'limit': it counts every matching job", at: range,
                help: "to count at most N jobs, write: jobs select id … limit N")
        }
    }

    /// What a query returns when it is a timeline, result files or a count; nil for rows or groups.
    func plainOutput(_ query: QueryParts, pushed: [JobFilter]) throws(Diagnostic) -> JobsPlan.Output? {
        if query.every >= 0 { return .timeline(try timeline(every: query.every, pushed: pushed)) }
        if query.resultsOnly { return .results }
        if query.countOnly { return .count }
        return nil
    }

    /// A timeline's buckets: the width `every` gives, from and to the bounds on when jobs were
    /// created or started. Out of line, as the grouped output is: few statements are timelines.
    @inline(never)
    func timeline(every: Int32, pushed: [JobFilter]) throws(Diagnostic) -> TimelinePlan {
        let step = try binStep(every)
        let bounds = Self.bounds(step, pushed: pushed, now: context.now) { ["createdAt", "startedAt"].contains($0.path) }
        return TimelinePlan(step: step, from: bounds.from, to: bounds.to)
    }

    /// The output of a grouped query: its groups (columns, their order, `having`, the buckets to
    /// show), unless it is a timeline, result files or a count. Kept out of line: most statements
    /// are not grouped, and need none of its state.
    @inline(never)
    func groupedOutput(_ query: QueryParts, _ selection: Selection, keys groupKeys: [JobField], pushed: [JobFilter]) throws(Diagnostic) -> JobsPlan.Output {
        var aggregates = selection.aggregates
        var columns: [GroupPlan.Column] = []
        var groupOrdering: [(column: Int, descending: Bool)] = []
        let orderKeys = tree.list(from: query.orderBy).count
        if orderKeys > 0 { groupOrdering.reserveCapacity(orderKeys) }
        // Grouped by one time bin alone: its buckets, empty ones too.
        let fill = Self.fill(keys: groupKeys, pushed: pushed, now: context.now)
        if aggregates.isEmpty { aggregates = [(.count, nil)] }
        // Room for the columns `order by` may add and, as a rule, those `having` adds: the lists
        // do not grow column by column.
        let room = groupKeys.count + aggregates.count + orderKeys + 2
        columns.reserveCapacity(room)
        for index in groupKeys.indices { columns.append(.key(index)) }
        for (aggregate, field) in aggregates { columns.append(.aggregate(aggregate, field)) }
        // Keep the user's order of columns when they listed keys in the select.
        if !selection.projection.isEmpty {
            var ordered: [GroupPlan.Column] = []
            ordered.reserveCapacity(room)
            var aggregateIterator = aggregates.makeIterator()
            for item in tree.list(from: query.selection) {
                let expression = tree[item].a
                switch tree[expression].kind {
                case .star: break
                case .aggregate:
                    if let (aggregate, field) = aggregateIterator.next() { ordered.append(.aggregate(aggregate, field)) }
                default:
                    if let field = schema.field(named: tree.name(expression)), let index = groupKeys.firstIndex(of: field) { ordered.append(.key(index)) }
                }
            }
            for index in groupKeys.indices where !ordered.contains(.key(index)) { ordered.insert(.key(index), at: 0) }
            columns = ordered
        }
        for item in tree.list(from: query.orderBy) {
            let key = tree[item].a
            let column: GroupPlan.Column
            switch tree[key].kind {
            case .name where selection.aggregateAliases?[tree.text(key).lowercased()] != nil:
                let (aggregate, field) = selection.aggregateAliases![tree.text(key).lowercased()]!
                column = .aggregate(aggregate, field)
            case .aggregate:
                let (aggregate, field) = try resolveAggregate(key)
                column = .aggregate(aggregate, field)
            default:
                let field = try resolveField(key)
                guard let index = groupKeys.firstIndex(of: field) else {
                    throw Diagnostic("order-not-grouped", "cannot order groups by '\(field.path)': it is not grouped by", at: tree.range(key))
                }
                column = .key(index)
            }
            if !columns.contains(column) { columns.append(column) }
            groupOrdering.append((columns.firstIndex(of: column)!, tree[item].detail == 1))
        }
        if groupOrdering.isEmpty {
            // A time bin reads in time order; other groups largest first when counting, else by key.
            if fill != nil, let keyColumn = columns.firstIndex(of: .key(0)) {
                groupOrdering = [(keyColumn, false)]
            } else if let countColumn = columns.firstIndex(of: .aggregate(.count, nil)), !groupKeys.isEmpty {
                groupOrdering = [(countColumn, true)]
            }
        }
        try checkCountClauses(query)
        if let plain = try plainOutput(query, pushed: pushed) { return plain }
        var groups = GroupPlan(keys: groupKeys, columns: columns, ordering: groupOrdering)
        groups.fill = fill
        if query.having >= 0 {
            groups.having = try groupPredicate(query.having, columns: &groups.columns, aliases: selection.aggregateAliases ?? [:])
        }
        for (index, column) in groups.columns.enumerated() { if let name = selection.aggregateNames?[column] { groups.names[index] = name } }
        for (index, column) in groups.columns.enumerated() {
            if case .aggregate(.sparkline, let field?) = column, let series = Self.fill(keys: [field], pushed: pushed, now: context.now) { groups.series[index] = series }
        }
        return .groups(groups)
    }

    /// Resolves each top-level `and` conjunct of `predicate`, left to right, into a filter the
    /// API can apply (`pushed`) or a part of what runs locally (`residual`).
    func split(_ predicate: Int32, pushed: inout [JobFilter], residual: inout [LocalPredicate]) throws(Diagnostic) {
        let node = tree[predicate]
        if node.kind == .and {
            try split(node.a, pushed: &pushed, residual: &residual)
            try split(node.b, pushed: &pushed, residual: &residual)
            return
        }
        // A comparison, or `not` of one: pushed when the API can express it (`not (a == b)` as
        // NEQ); anything else runs locally.
        let comparison = node.kind == .not ? node.a : predicate
        if tree[comparison].kind == .comparison {
            let (filter, negated) = try resolveFilter(comparison)
            // The common case, a plain comparison of a field the API has, goes as it is.
            if node.kind != .not, !negated, !filter.field.isComputed { return pushed.append(filter) }
            if node.kind == .not {
                if !negated, let pushable = Self.pushable(filter, negated: true) { return pushed.append(pushable) }
                return residual.append(.not(negated ? .not(.filter(filter)) : .filter(filter)))
            }
            if let pushable = Self.pushable(filter, negated: negated) { return pushed.append(pushable) }
            return residual.append(negated ? .not(.filter(filter)) : .filter(filter))
        }
        residual.append(try resolve(predicate))
    }

    /// How many top-level `and` conjuncts `predicate` has.
    func conjunctCount(_ predicate: Int32) -> Int {
        let node = tree[predicate]
        return node.kind == .and ? conjunctCount(node.a) + conjunctCount(node.b) : 1
    }

    /// The single filter a resolved conjunct amounts to, when the API can express it.
    /// `filter`, or its negation, as the API can apply it: nil for a computed column (worked out
    /// here, never by the API) and for a negation the API has no condition for.
    static func pushable(_ filter: JobFilter, negated: Bool) -> JobFilter? {
        guard !filter.field.isComputed else { return nil }
        guard negated else { return filter }
        guard let condition = filter.condition.negated else { return nil }
        return JobFilter(checked: filter.field, condition: condition, operand: filter.operand)
    }

    // MARK: Predicates

    /// The whole predicate, resolved for local evaluation (what the differential test compares with).
    public func resolvePredicate(_ predicate: Predicate) throws(Diagnostic) -> LocalPredicate {
        try reading(predicate.tree).resolve(predicate.root)
    }

    func resolve(_ predicate: Int32) throws(Diagnostic) -> LocalPredicate {
        let node = tree[predicate]
        switch node.kind {
        case .and: return .and(try resolve(node.a), try resolve(node.b))
        case .or: return .or(try resolve(node.a), try resolve(node.b))
        case .not: return .not(try resolve(node.a))
        case .presence: return .presence(try resolveField(node.a), present: node.detail == 1)
        default: return try resolveComparison(predicate)
        }
    }

    func resolveComparison(_ comparison: Int32) throws(Diagnostic) -> LocalPredicate {
        let (filter, negated) = try resolveFilter(comparison)
        return negated ? .not(.filter(filter)) : .filter(filter)
    }

    /// A comparison as a filter, and whether its result is negated (`not like`: the API has no NOT LIKE).
    func resolveFilter(_ comparison: Int32) throws(Diagnostic) -> (JobFilter, negated: Bool) {
        let node = tree[comparison]
        let field = try resolveField(node.a)
        let type = field.type
        let op = Comparison.Operator.at(node.detail)
        let condition = op.condition
        let negate = op.negatesCondition
        if let problem = condition.problem(with: type) {
            throw Diagnostic(
                "operator-type", "'\(op.rawValue)' cannot apply to '\(field.path)' (\(type)): \(problem)",
                at: tree.range(comparison), help: Self.operatorHelp(for: type))
        }
        let elementType: FieldType
        if case .stringArray = type { elementType = .string } else { elementType = type }
        let operand = condition.takesList ? try convertList(node.b, to: elementType, field: field) : try convert(node.b, to: elementType, field: field)
        // Converted and checked once, here: the filter takes the operand as it is.
        return (JobFilter(checked: field, condition: condition, operand: operand), negate)
    }

    /// An aggregate as written (`count`, `p95(duration)`): the aggregate and its field, checked.
    func resolveAggregate(_ aggregate: Int32) throws(Diagnostic) -> (Aggregate, JobField?) {
        let argument = tree[aggregate].a
        let field = argument >= 0 ? try resolveField(argument) : nil
        let written = Aggregate.at(tree[aggregate].detail)
        try Self.checkAggregate(written, field, at: tree.range(aggregate))
        return (written, field)
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
    func groupPredicate(_ predicate: Int32, columns: inout [GroupPlan.Column], aliases: [String: (Aggregate, JobField?)]) throws(Diagnostic) -> GroupPredicate {
        let node = tree[predicate]
        switch node.kind {
        case .and:
            return .and(try groupPredicate(node.a, columns: &columns, aliases: aliases), try groupPredicate(node.b, columns: &columns, aliases: aliases))
        case .or:
            return .or(try groupPredicate(node.a, columns: &columns, aliases: aliases), try groupPredicate(node.b, columns: &columns, aliases: aliases))
        case .not: return .not(try groupPredicate(node.a, columns: &columns, aliases: aliases))
        case .presence:
            throw Diagnostic("having-presence", "'having' compares aggregates; test '\(tree.name(node.a))' in 'where'", at: tree.range(node.a))
        default:
            let reference = node.a
            let name = tree.name(reference)
            let aggregate: Aggregate
            let field: JobField?
            if tree[reference].kind == .aggregate {
                (aggregate, field) = try resolveAggregate(reference)
            } else if let named = aliases[name.lowercased()] {
                (aggregate, field) = named
            } else if tree[reference].kind == .name, name.lowercased() == "count", schema.field(named: "count") == nil {
                (aggregate, field) = (.count, nil)
            } else {
                throw Diagnostic(
                    "having-field", "'having' compares aggregates (count, p95(duration), an alias of one), not '\(name)'",
                    at: tree.range(reference), help: "test fields of the jobs in 'where'")
            }
            let op = Comparison.Operator.at(node.detail)
            guard [.equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual].contains(op) else {
                throw Diagnostic("having-operator", "'having' compares with ==, !=, <, <=, > or >=", at: tree.range(predicate), help: "e.g. having count > 10 and count < 100")
            }
            let column = GroupPlan.Column.aggregate(aggregate, field)
            if !columns.contains(column) { columns.append(column) }
            // A time (min or max of one) compares as seconds since 1970; anything else as a number.
            let asTime = field?.type == .timestamp && aggregate != .count
            let probe = JobField(computed: name, asTime ? .timestamp : .double, .alias(field ?? JobField("count", .double, "")))
            let value: Double
            switch try convert(node.b, to: asTime ? .timestamp : .double, field: probe) {
            case .timestamp(let time): value = time.secondsSince1970
            case .int(let number): value = Double(number)
            case .double(let number): value = number
            default: throw Diagnostic("having-value", "expected a number, a duration or a time", at: tree.range(node.b))
            }
            return .compare(column: columns.firstIndex(of: column)!, op, value)
        }
    }

    /// A percentage as people write it, without a needless fraction: `97.5`, `90`.
    static func percentText(_ value: Double) -> String { value == value.rounded() ? String(Int64(value)) : String(value) }

    /// Grouped by one time bin: the buckets to show, bounded by what `where` says of the time.
    static func fill(keys: [JobField], pushed: [JobFilter], now: Timestamp) -> BinFill? {
        guard keys.count == 1 else { return nil }
        var key = keys[0]
        while case .alias(let base) = key.derivation { key = base }
        guard case .bin(let time, let step) = key.derivation else { return nil }
        return bounds(step, pushed: pushed, now: now) { $0 == time }
    }

    /// The first and last buckets of `step` that the pushed filters on the fields `bounded`
    /// accepts allow (lower bounds from `>`/`>=`, upper from `<`/`<=`). A window with a start and
    /// no end runs to now: its last bucket holds the last instant before `now` (`createdAt >
    /// now - 7d` asks about the last seven days, so the quiet days at its end are shown too, not
    /// cut off at the last job).
    static func bounds(_ step: BinStep, pushed: [JobFilter], now: Timestamp, on bounded: (JobField) -> Bool) -> BinFill {
        var fill = BinFill(step: step)
        for filter in pushed where bounded(filter.field) {
            guard case .timestamp(let bound) = filter.operand else { continue }
            switch filter.condition {
            case .gt, .gte: fill.from = max(fill.from ?? step.start(of: bound), step.start(of: bound))
            case .lte: fill.to = min(fill.to ?? step.start(of: bound), step.start(of: bound))
            case .lt:
                let last = step.start(ofLastBefore: bound)
                fill.to = min(fill.to ?? last, last)
            default: break
            }
        }
        // The window ends just before now: the bucket of its last instant.
        if fill.from != nil, fill.to == nil { fill.to = step.start(ofLastBefore: now) }
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
    mutating func parseValueListOrValue() throws(Failure) -> Int32 {
        let value = try parseValue()
        return add(.list, nodes[value].range, a: value)
    }
}
