import BNQCore
import BNQLanguage
import BNQRender

/// Runs a `jobs`, `count`, `results where` or `history` plan against a source: reads the jobs the
/// source lists, applies the residual, limit and offset locally when they could not be pushed
/// down, and writes rows as they arrive. The same code runs whatever the source is.
struct JobsExecution {
    let session: Session
    let source: any JobSource
    let plan: JobsPlan
    /// The columns of a plain listing.
    let defaultColumns: [JobField]

    /// The columns of a plain `jobs` listing.
    static let jobColumns = ["id", "name", "state", "templateId", "createdAt", "duration", "paymentAmount"].compactMap(JobSchema.field(named:))
    /// The columns of a plain `syncs` listing.
    static let syncColumns = RecordSchema.syncs.fields
    /// The columns of a plain `history` listing.
    static let historyColumns = ["id", "at", "duration", "rows", "ok", "text"].compactMap(RecordSchema.history.field(named:))

    /// Runs the plan; returns the number of rows written.
    func run() async throws -> Int {
        switch plan.output {
        case .count: return try await count()
        case .results: return try await results()
        case .rows: return try await rows()
        case .groups(let groups): return try await group(groups)
        case .timeline(let timeline): return try await self.timeline(timeline)
        }
    }

    /// Every matching job, in order, limit and offset applied (for `.watch`).
    func collect() async throws -> [JSONValue] {
        var jobs: [JSONValue] = []
        try await forEachMatch { jobs.append($0) }
        return jobs
    }

    /// The matching jobs in order, with offset and limit applied, calling `body` for each; `cap`
    /// (the rows a table shows) lowers the limit. Returns how many jobs match from the offset on,
    /// when the source said.
    @discardableResult
    func forEachMatch(cap: Int64? = nil, _ body: (JSONValue) throws -> Void) async throws -> Int64? {
        let limit = [plan.limit, cap].compactMap { $0 }.min()
        if let limit, limit == 0 { return nil }
        if plan.sortsLocally, let ordering = plan.ordering {
            // Ordered by a computed column: every match is read, then sorted here.
            var matches: [JSONValue] = []
            try await forEveryMatch { matches.append($0) }
            let sorted = ordering.sorted(matches)
            let wanted = sorted.dropFirst(Int(clamping: plan.offset)).prefix(limit.map { Int(clamping: $0) } ?? Int.max)
            for job in wanted { try body(job) }
            return nil
        }
        if plan.paginationPushed, cap == nil, let limit, limit <= plan.request.pagination?.limit ?? 0 {
            for job in try await source.firstJobs(for: plan, offset: plan.offset, limit: limit) { try body(job) }
            return nil
        }
        var skipped: Int64 = 0
        var delivered: Int64 = 0
        // With nothing to filter locally, only what is wanted is requested.
        let total = try await forEachListed(startingAt: plan.paginationPushed ? plan.offset : 0, limit: plan.paginationPushed ? limit : nil) { job in
            if let residual = plan.residual, !residual.matches(job) { return true }
            if !plan.paginationPushed, skipped < plan.offset {
                skipped += 1
                return true
            }
            try body(job)
            delivered += 1
            if let limit, delivered >= limit { return false }
            return true
        }
        return plan.paginationPushed ? total.map { Swift.max(0, $0 - plan.offset) } : nil
    }

    /// A table's footer (`3 rows`), naming the zone its times show in when it shows any.
    func footer(_ counted: String, showsTimes: Bool) -> String {
        counted + (showsTimes ? "; times in \(session.settings.timeZone.name)" : "")
    }

    /// Every job of the listing the residual admits, in listing order, from the first: what
    /// counting, grouping, a timeline and a local sort read (limit and offset apply after).
    func forEveryMatch(_ body: (JSONValue) throws -> Void) async throws {
        try await forEachListed(startingAt: 0) { job in
            if plan.residual?.matches(job) ?? true { try body(job) }
            return true
        }
    }

    /// Reads the listing from `start` (at most `limit` jobs), calling `body` for each job until it
    /// returns false; then says what the source warns of (jobs that may be missing because the
    /// listing changed). Returns the listing's total, when the source said.
    @discardableResult
    func forEachListed(startingAt start: Int64, limit: Int64? = nil, _ body: (JSONValue) throws -> Bool) async throws -> Int64? {
        let cursor = source.jobs(for: plan, startingAt: start, limit: limit)
        while let job = try await cursor.next() {
            if try !body(job) { break }
            // A closed pipe or a full disk stops the paging at once.
            try session.output.check()
        }
        if let warning = cursor.warning { session.reporter.note(warning) }
        return cursor.total
    }

    /// The rows a table in the shell shows (`.maxrows`), when only those need fetching: a
    /// human-readable format and nothing to filter locally.
    var displayCap: Int64? {
        guard let cap = session.settings.maximumRows, session.format.isHumanReadable, plan.paginationPushed, case .rows = plan.output else { return nil }
        return Int64(cap)
    }

    func rows() async throws -> Int {
        let fields: [JobField]
        if plan.allFields {
            fields = JobSchema.fields.filter { !$0.path.contains(".") }
        } else if plan.projection.isEmpty {
            fields = defaultColumns
        } else {
            fields = plan.projection
        }
        let rightAligned = Set(fields.indices.filter { fields[$0].type.isNumeric })
        let writer = session.makeWriter(headers: fields.map(\.path), rightAligned: rightAligned)
        writer.begin()
        var count = 0
        let projected = !plan.projection.isEmpty && !plan.allFields
        var recent: [JSONValue] = []
        let cap = displayCap
        let exact = writer.format == .csv
        let matching = try await forEachMatch(cap: cap) { job in
            count += 1
            if recent.count < 200 { recent.append(job) }
            let cells = writer.usesCells ? fields.map { CellText.text(of: job, $0, nullMarker: session.settings.nullValue, exact: exact, zone: session.settings.timeZone) } : []
            writer.row(cells: cells, json: projected ? Self.project(job, fields) : job)
        }
        // Only the rows shown were fetched: the rest are counted from the listing's total.
        if let cap, Int64(count) == cap, let matching {
            let wanted = Swift.min(plan.limit ?? matching, matching)
            if wanted > cap {
                writer.noteOmitted(Int(clamping: wanted - cap))
                count = Int(clamping: wanted)
            }
        }
        writer.finish(note: footer(Session.counted(count, "row"), showsTimes: fields.contains { $0.type == .timestamp }))
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
            for result in try await source.results(id: job.jobID) {
                let ended = job["endedAt"]?.stringValue ?? ""
                writer.row(
                    cells: [job.jobID, job["name"]?.stringValue ?? "", CellText.text(.string(ended), type: .timestamp, zone: session.settings.timeZone), result.name, result.link],
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
        if plan.paginationPushed, let counted = try await source.count(for: plan) {
            total = counted
        } else {
            try await forEveryMatch { _ in total += 1 }
        }
        let writer = session.makeWriter(headers: ["count"], rightAligned: [0])
        writer.begin()
        writer.row(cells: [String(total)], json: ["count": .int(total)])
        writer.finish(note: nil)
        return 1
    }

    func group(_ groups: GroupPlan) async throws -> Int {
        var table = GroupTable(plan: groups, nullMarker: session.settings.nullValue, zone: session.settings.timeZone)
        // Grouping reads every match (an archive groups in SQL); limit and offset apply to the groups.
        let groupedBySource = try (source as? ArchiveJobSource)?.group(plan, into: &table) ?? false
        if !groupedBySource {
            try await forEveryMatch { table.add($0) }
        }
        var (rows, emptyBucketsLeftOut) = table.rows()
        if emptyBucketsLeftOut {
            session.reporter.note(
                "only buckets with jobs are shown: the empty ones would be more than \(GroupTable.maximumFilledBuckets); use a wider bin, or bound the time in 'where'")
        }
        rows = Array(rows.dropFirst(Int(clamping: plan.offset)))
        if let limit = plan.limit { rows = Array(rows.prefix(Int(clamping: limit))) }
        let headers = groups.columns.indices.map(groups.header)
        let rightAligned = Set(groups.columns.indices.filter { if case .aggregate = groups.columns[$0] { return true } else { return false } })
        let writer = session.makeWriter(headers: headers, rightAligned: rightAligned)
        writer.begin()
        for row in rows {
            var object = JSONObject()
            for (index, header) in headers.enumerated() { object[header] = row.values[index] }
            writer.row(cells: row.cells, json: .object(object))
        }
        let showsTimes = groups.keys.contains { $0.type == .timestamp } || groups.columns.contains(where: \.holdsTimes)
        writer.finish(note: footer(Session.counted(rows.count, "group"), showsTimes: showsTimes))
        return rows.count
    }
}

extension JSONValue {
    var jobID: String { self["id"]?.stringValue ?? "" }
}
