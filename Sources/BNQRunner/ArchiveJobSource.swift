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
        guard let query = try? query(plan, offset: plan.paginationPushed ? plan.offset : 0, limit: plan.paginationPushed ? plan.limit : nil) else { return nil }
        let explained = archive.explain(query)
        var lines = ["no request: the archive \(archive.path)", "sql:    " + explained.sql]
        let local = explained.local.map(LocalPredicate.describe) + (plan.residual.map { [$0.description] } ?? [])
        lines.append("local:  " + (local.isEmpty ? "(nothing)" : local.joined(separator: " and ")))
        if case .groups(let groups) = plan.output {
            lines.append("then:   grouped locally" + (groups.keys.isEmpty ? "" : " by " + groups.keys.map(\.path).joined(separator: ", ")))
        }
        if case .count = plan.output, let count = ArchiveSQL.countSQL(query) { lines.append("count:  " + count) }
        return lines.joined(separator: "\n")
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
