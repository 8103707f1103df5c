import BNQArchive
import BNQCore
import BNQLanguage

/// A local archive as a source: the plan's pushed filters, ordering, offset and limit become one
/// SQL query over indexed columns (what SQL cannot say exactly runs on each job read); the
/// runner does the rest as for any source. No network.
public final class ArchiveJobSource: JobSource {
    public let archive: Archive

    public init(archive: Archive) { self.archive = archive }

    /// The archive query for a plan, `as of` resolved to a sync id.
    func query(_ plan: JobsPlan, offset: Int64, limit: Int64?) throws -> ArchiveQuery {
        let sync = try plan.asOf.map { try archive.sync(asOf: $0) }
        return ArchiveQuery(filters: plan.pushed, ordering: plan.ordering, offset: offset, limit: limit, asOf: sync)
    }

    public func jobs(for plan: JobsPlan, startingAt offset: Int64, limit: Int64?) -> any JobCursor {
        do {
            return ReaderCursor(reader: archive.jobs(try query(plan, offset: offset, limit: limit)), total: nil)
        } catch {
            return FailedCursor(error: error)
        }
    }

    public func firstJobs(for plan: JobsPlan, offset: Int64, limit: Int64) async throws -> [JSONValue] {
        let reader = archive.jobs(try query(plan, offset: offset, limit: limit))
        var jobs: [JSONValue] = []
        while let job = try await reader.next() { jobs.append(job) }
        return jobs
    }

    public func count(for plan: JobsPlan) async throws -> Int64? {
        try archive.count(try query(plan, offset: 0, limit: nil))
    }

    public func job(id: String) async throws -> JSONValue {
        guard let job = try archive.job(id: id) else { throw RunError("the archive holds no job with id '\(id)'", status: ExitStatus.apiError) }
        return job
    }

    public func results(id: String) async throws -> [ResultFile] {
        throw RunError("the archive keeps jobs, not their result files; ask the API for them (without --archive)", status: ExitStatus.apiError)
    }

    public var activity: SourceActivity { SourceActivity() }


    /// `explain` on the archive: the SQL it runs, and what runs on each job read.
    public func explain(_ plan: JobsPlan) -> String? {
        guard let explained = explanation(plan) else { return nil }
        return (["no request: the archive \(archive.path)", "sql:    " + explained.sql, "local:  " + (explained.local.isEmpty ? "(nothing)" : explained.local)]
            + explained.notes).joined(separator: "\n")
    }

    /// What `explain` says of a plan on the archive: the SQL that runs, what runs on each job read,
    /// and the steps after (`then:`, `count:` lines).
    func explanation(_ plan: JobsPlan) -> (sql: String, local: String, notes: [String])? {
        guard let query = try? query(plan, offset: plan.paginationPushed ? plan.offset : 0, limit: plan.paginationPushed ? plan.limit : nil) else { return nil }
        let explained = archive.explain(query)
        var sql = explained.sql
        var notes: [String] = []
        let local = explained.local.map(LocalPredicate.describe) + (plan.residual.map { [$0.description] } ?? [])
        if ArchiveSQL.orderBy(query.ordering) == nil { notes.append("then:   sorted locally by " + query.ordering.text) }
        if case .groups(let groups) = plan.output {
            let table = GroupTable(plan: groups)
            let fields = table.measured.compactMap { $0 }
            if plan.residual == nil, query.isExact, table.countsAndExtremesOnly, groups.keys.allSatisfy(ArchiveSQL.groupsExactly),
                let grouping = ArchiveSQL.groupSQL(query, keys: groups.keys, measured: fields)
            {
                sql = grouping
            } else {
                notes.append("then:   grouped locally" + (groups.keys.isEmpty ? "" : " by " + groups.keys.map(\.path).joined(separator: ", "))
                    + (plan.residual == nil && query.isExact ? ", reading only the columns it needs" : ""))
            }
        }
        if case .count = plan.output, let count = ArchiveSQL.countSQL(query) { notes.append("count:  " + count) }
        return (sql, local.joined(separator: " and "), notes)
    }

    /// Groups a plan's jobs in SQL into `table` (count, min and max in SQL; sums and averages
    /// from the needed columns only, in the listing's order). False when the plan has a residual
    /// or SQL cannot answer its filters alone: then the runner groups job by job.
    func group(_ plan: JobsPlan, into table: inout GroupTable) throws -> Bool {
        guard plan.residual == nil else { return false }
        let query = try query(plan, offset: 0, limit: nil)
        // Computed columns, distinct counts and sparklines: the fields they read, from their
        // columns only, as small objects.
        if table.readsJobValues {
            var grouped = table
            let handled = try archive.partialJobs(query, fields: table.sourceFields) { grouped.add($0) }
            if handled { table = grouped }
            return handled
        }
        let indexes = table.measured.indices.filter { table.measured[$0] != nil }
        let fields = indexes.map { table.measured[$0]! }
        let columns = table.plan.columns.count
        if table.countsAndExtremesOnly, let groups = try archive.aggregate(query, keys: table.plan.keys, measured: fields) {
            for group in groups {
                var counts = Array(repeating: Int64(0), count: columns)
                var minimums = Array(repeating: Double?.none, count: columns)
                var maximums = Array(repeating: Double?.none, count: columns)
                for (position, index) in indexes.enumerated() {
                    counts[index] = group.counts[position]
                    minimums[index] = group.minimums[position]
                    maximums[index] = group.maximums[position]
                }
                table.add(aggregated: group.key, count: group.count, counts: counts, minimums: minimums, maximums: maximums)
            }
            return true
        }
        var measures = Array(repeating: Double?.none, count: columns)
        var grouped = table
        let handled = try archive.measure(query, keys: table.plan.keys, measured: fields) { key, values in
            for (position, index) in indexes.enumerated() { measures[index] = values[position] }
            grouped.add(key: key, measures: measures)
        }
        if handled { table = grouped }
        return handled
    }

    /// `explain --format json` on the archive: `archive`, `sql`, `local`, and the `text`.
    func explainJSON(_ plan: JobsPlan) -> JSONValue? {
        guard let explained = explanation(plan), let text = explain(plan) else { return nil }
        return .object(JSONObject([
            ("archive", .string(archive.path)), ("sql", .string(explained.sql)), ("local", .string(explained.local)), ("text", .string(text)),
        ]))
    }

    final class ReaderCursor: JobCursor {
        let reader: ArchiveReader
        let total: Int64?
        init(reader: ArchiveReader, total: Int64?) {
            self.reader = reader
            self.total = total
        }
        func next() async throws -> JSONValue? { try await reader.next() }
        var warning: String? { nil }
    }

    final class FailedCursor: JobCursor {
        let error: any Error
        init(error: any Error) { self.error = error }
        func next() async throws -> JSONValue? { throw error }
        var warning: String? { nil }
        var total: Int64? { nil }
    }
}
