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

    /// Key types SQL groups as bnq does.
    static func groupsInSQL(_ key: JobField) -> Bool {
        switch key.type {
        case .string, .enumeration, .timestamp, .bool: return true
        default: return false
        }
    }

    /// `explain` on the archive: the SQL it runs, and what runs on each job read.
    public func explain(_ plan: JobsPlan) -> String? {
        guard let query = try? query(plan, offset: plan.paginationPushed ? plan.offset : 0, limit: plan.paginationPushed ? plan.limit : nil) else { return nil }
        let explained = archive.explain(query)
        var lines = ["no request: the archive \(archive.path)", "sql:    " + explained.sql]
        let local = explained.local.map(LocalPredicate.describe) + (plan.residual.map { [$0.description] } ?? [])
        lines.append("local:  " + (local.isEmpty ? "(nothing)" : local.joined(separator: " and ")))
        if ArchiveSQL.orderBy(query.ordering) == nil { lines.append("then:   sorted locally by " + query.ordering.text) }
        if case .groups(let groups) = plan.output {
            let table = GroupTable(plan: groups)
            let fields = table.measured.compactMap { $0 }
            if plan.residual == nil, query.isExact, table.countsAndExtremesOnly, groups.keys.allSatisfy(ArchiveJobSource.groupsInSQL),
                let sql = ArchiveSQL.groupSQL(query, keys: groups.keys, measured: fields)
            {
                lines[1] = "sql:    " + sql
            } else {
                lines.append("then:   grouped locally" + (groups.keys.isEmpty ? "" : " by " + groups.keys.map(\.path).joined(separator: ", "))
                    + (plan.residual == nil && query.isExact ? ", reading only the columns it needs" : ""))
            }
        }
        if case .count = plan.output, let count = ArchiveSQL.countSQL(query) { lines.append("count:  " + count) }
        return lines.joined(separator: "\n")
    }

    /// Groups a plan's jobs in SQL into `table` (count, min and max in SQL; sums and averages
    /// from the needed columns only, in the listing's order). False when the plan has a residual
    /// or SQL cannot answer its filters alone: then the runner groups job by job.
    func group(_ plan: JobsPlan, into table: inout GroupTable) throws -> Bool {
        guard plan.residual == nil else { return false }
        let query = try query(plan, offset: 0, limit: nil)
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
        guard let text = explain(plan) else { return nil }
        var object = JSONObject()
        object["archive"] = .string(archive.path)
        for line in text.split(separator: "\n") {
            if line.hasPrefix("sql:    ") { object["sql"] = .string(String(line.dropFirst(8))) }
            if line.hasPrefix("local:  ") { object["local"] = .string(line.dropFirst(8) == "(nothing)" ? "" : String(line.dropFirst(8))) }
        }
        object["text"] = .string(text)
        return .object(object)
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
