import BNQCore
import BNQLanguage
import BNQRender
import ByteNiteAPI
import ByteNiteClient

/// Runs a `jobs` or `count` plan: pages through the client, applies the residual, limit and
/// offset locally when they could not be pushed down, and writes rows as they arrive.
struct JobsExecution {
    let session: Session
    let plan: JobsPlan
    /// Records to query locally instead of the API (the shell's history).
    var localRecords: [JSONValue]?

    init(session: Session, plan: JobsPlan, localRecords: [JSONValue]? = nil) {
        self.session = session
        self.plan = plan
        self.localRecords = localRecords
    }

    /// The columns of a plain `history` listing.
    static let historyColumns = ["id", "at", "duration", "rows", "ok", "text"]

    /// Local records that pass every filter, ordered (by id when no order is given).
    func localMatches(_ records: [JSONValue]) -> [JSONValue] {
        let matching = records.filter { record in
            plan.pushed.allSatisfy { $0.matches(record) } && (plan.residual?.matches(record) ?? true)
        }
        guard let ordering = plan.ordering else { return matching }
        return ordering.sorted(matching)
    }

    /// The columns of a plain `jobs` listing.
    static let defaultColumns = ["id", "name", "state", "templateId", "createdAt", "duration", "paymentAmount"]

    var listing: JobListing {
        plan.usesFilterEndpoint ? .filtered(.init(plan.request)) : .all(orderBy: plan.request.orderBy)
    }

    /// Runs the plan; returns the number of rows written.
    func run() async throws -> Int {
        switch plan.output {
        case .count: return try await count()
        case .results: return try await results()
        case .rows: return try await rows()
        case .groups(let groups): return try await group(groups)
        }
    }

    /// Every matching job, in order, limit and offset applied (for `.watch`).
    func collect() async throws -> [JSONValue] {
        var jobs: [JSONValue] = []
        try await forEachMatch { jobs.append($0) }
        return jobs
    }

    /// The matching jobs in order, with offset and limit applied, calling `body` for each.
    func forEachMatch(_ body: (JSONValue) throws -> Void) async throws {
        if let localRecords {
            var rows = localMatches(localRecords).dropFirst(Int(plan.offset))
            if let limit = plan.limit { rows = rows.prefix(Int(limit)) }
            for record in rows { try body(record) }
            return
        }
        let client = session.client
        if plan.paginationPushed, let limit = plan.limit, limit <= plan.request.pagination?.limit ?? 0 {
            let page = try await client.page(of: listing, offset: plan.offset, limit: max(limit, 1))
            for job in page.jobs.prefix(Int(limit)) { try body(job) }
            return
        }
        var skipped: Int64 = 0
        var delivered: Int64 = 0
        let start = plan.paginationPushed ? plan.offset : 0
        if let limit = plan.limit, limit == 0 { return }
        try await forEachListed(startingAt: start) { job in
            if let residual = plan.residual, !residual.matches(job) { return true }
            if !plan.paginationPushed, skipped < plan.offset {
                skipped += 1
                return true
            }
            try body(job)
            delivered += 1
            if let limit = plan.limit, delivered >= limit { return false }
            return true
        }
    }

    /// Pages through the listing from `start`, calling `body` for each job until it returns false.
    /// When the listing changed size while it was read, says so on the message stream: jobs
    /// inserted or removed meanwhile may be missing (none is shown twice).
    func forEachListed(startingAt start: Int64, _ body: (JSONValue) throws -> Bool) async throws {
        let stream = session.client.jobs(listing, startingAt: start, pageSize: session.settings.pageSize, prefetch: session.settings.prefetch)
        let iterator = stream.makeAsyncIterator()
        while let job = try await iterator.next() {
            try Task.checkCancellation()
            if try !body(job) { break }
        }
        if iterator.possiblyMissedJobs, let first = iterator.firstTotal, let last = iterator.lastTotal {
            session.note(
                "warning: the listing changed while it was read (\(first) matching jobs at the start, \(last) at the end); "
                    + "jobs added or removed meanwhile may be missing. No job is shown twice.")
        }
    }

    func rows() async throws -> Int {
        let fields: [JobField]
        if plan.allFields {
            fields = JobSchema.fields.filter { !$0.path.contains(".") }
        } else if plan.projection.isEmpty, localRecords != nil {
            fields = Self.historyColumns.compactMap(RecordSchema.history.field(named:))
        } else if plan.projection.isEmpty {
            fields = Self.defaultColumns.compactMap(JobSchema.field(named:))
        } else {
            fields = plan.projection
        }
        let rightAligned = Set(fields.indices.filter { fields[$0].type.isNumeric })
        let writer = session.makeWriter(headers: fields.map(\.path), rightAligned: rightAligned)
        writer.begin()
        var count = 0
        let projected = !plan.projection.isEmpty && !plan.allFields
        var recent: [JSONValue] = []
        try await forEachMatch { job in
            count += 1
            if recent.count < 200 { recent.append(job) }
            let cells = writer.usesCells ? fields.map { CellText.text(of: job, $0) } : []
            writer.row(cells: cells, json: projected ? Self.project(job, fields) : job)
        }
        writer.finish(note: "\(count) row\(count == 1 ? "" : "s")")
        session.remember(recent)
        return count
    }

    /// The result files of each matching job: job id, name, file name and link.
    func results() async throws -> Int {
        let jobs = try await collect()
        let writer = session.makeWriter(headers: ["id", "name", "endedAt", "file", "link"])
        writer.begin()
        var count = 0
        for job in jobs {
            for result in try await session.client.results(id: job.jobID) {
                let ended = job["endedAt"]?.stringValue ?? ""
                writer.row(
                    cells: [job.jobID, job["name"]?.stringValue ?? "", CellText.text(.string(ended), type: .timestamp), result.name, result.link],
                    json: ["id": .string(job.jobID), "name": job["name"] ?? .null, "endedAt": job["endedAt"] ?? .null, "file": .string(result.name), "link": .string(result.link)])
                count += 1
            }
        }
        writer.finish(note: "\(count) result file\(count == 1 ? "" : "s") of \(jobs.count) job\(jobs.count == 1 ? "" : "s")")
        session.remember(jobs)
        return count
    }

    /// A job reduced to the selected fields, nested paths kept nested.
    static func project(_ job: JSONValue, _ fields: [JobField]) -> JSONValue {
        var object = JSONObject()
        for field in fields {
            guard let value = job.value(of: field) else { continue }
            object[field.path] = value
        }
        return .object(object)
    }

    func count() async throws -> Int {
        var total: Int64 = 0
        if plan.paginationPushed, localRecords == nil {
            let page = try await session.client.page(of: listing, offset: 0, limit: 1)
            total = page.total ?? Int64(page.jobs.count)
        } else {
            try await forEachMatch { _ in total += 1 }
        }
        let writer = session.makeWriter(headers: ["count"], rightAligned: [0])
        writer.begin()
        writer.row(cells: [String(total)], json: ["count": .int(total)])
        writer.finish(note: nil)
        return 1
    }

    func group(_ groups: GroupPlan) async throws -> Int {
        var table = GroupTable(plan: groups)
        try await forEachMatchIgnoringLimit { table.add($0) }
        var rows = table.rows()
        let offset = Int(plan.offset)
        rows = Array(rows.dropFirst(offset))
        if let limit = plan.limit { rows = Array(rows.prefix(Int(limit))) }
        let headers = groups.columns.map { $0.title(keys: groups.keys) }
        let rightAligned = Set(groups.columns.indices.filter { if case .aggregate = groups.columns[$0] { return true } else { return false } })
        let writer = session.makeWriter(headers: headers, rightAligned: rightAligned)
        writer.begin()
        for row in rows {
            var object = JSONObject()
            for (index, header) in headers.enumerated() { object[header] = row.values[index] }
            writer.row(cells: row.cells, json: .object(object))
        }
        writer.finish(note: "\(rows.count) group\(rows.count == 1 ? "" : "s")")
        return rows.count
    }

    /// Grouping reads every match; limit and offset apply to the groups.
    func forEachMatchIgnoringLimit(_ body: (JSONValue) -> Void) async throws {
        if let localRecords {
            for record in localMatches(localRecords) { body(record) }
            return
        }
        try await forEachListed(startingAt: 0) { job in
            if plan.residual?.matches(job) ?? true { body(job) }
            return true
        }
    }
}
