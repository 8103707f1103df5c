import BNQCore
import BNQLanguage
import BNQRender

/// `timeline … every WIDTH`: per bucket, the jobs that started, ended and failed in it, and the
/// jobs running in it — those whose [startedAt, endedAt) overlaps the bucket, a job without an end
/// running until now. Memory grows with the buckets, not the jobs.
struct TimelineTable {
    let plan: TimelinePlan
    let now: Timestamp
    /// Bucket start (seconds) → counts.
    private(set) var started: [Int64: Int64] = [:]
    private(set) var ended: [Int64: Int64] = [:]
    private(set) var failed: [Int64: Int64] = [:]
    /// +1 where a job starts running, -1 in the bucket after its last.
    private(set) var running: [Int64: Int64] = [:]
    private(set) var earliest: Timestamp?
    private(set) var latest: Timestamp?

    static let startedAt = JobSchema.field(named: "startedAt")!
    static let endedAt = JobSchema.field(named: "endedAt")!
    static let state = JobSchema.field(named: "state")!

    /// The buckets at most: a width of 1s over a year would be more rows than anyone reads.
    static let maximumBuckets = 100_000

    init(plan: TimelinePlan, now: Timestamp) {
        self.plan = plan
        self.now = now
    }

    static func time(_ job: JSONValue, _ field: JobField) -> Timestamp? {
        if case .timestamp(let time?) = FieldValue.of(job, field) { return time }
        return nil
    }

    mutating func add(_ job: JSONValue) {
        let step = plan.step
        let start = Self.time(job, Self.startedAt)
        let end = Self.time(job, Self.endedAt)
        if let start {
            started[step.start(of: start).seconds, default: 0] += 1
            extend(to: start)
        }
        if let end {
            ended[step.start(of: end).seconds, default: 0] += 1
            if case .enumValue("JOB_STATE_FAILED", _) = FieldValue.of(job, Self.state) { failed[step.start(of: end).seconds, default: 0] += 1 }
            extend(to: end)
        }
        guard let start else { return }
        // Running over [start, end): the bucket of the start to the bucket holding the last instant before the end.
        let stop = end ?? now
        guard stop > start else { return }
        let first = step.start(of: start)
        let last = step.start(ofLastBefore: stop)
        running[first.seconds, default: 0] += 1
        running[step.next(after: last).seconds, default: 0] -= 1
        extend(to: last)
    }

    private mutating func extend(to time: Timestamp) {
        earliest = min(earliest ?? time, time)
        latest = max(latest ?? time, time)
    }

    /// One row per bucket from the first (the `where` bound, or the earliest event) to the last
    /// (the `where` bound or now, or the last event if later); nil when there would be more than
    /// `maximumBuckets`.
    func rows() -> [(at: Timestamp, started: Int64, ended: Int64, failed: Int64, running: Int64)]? {
        guard let earliest = plan.from ?? earliest.map(plan.step.start(of:)),
            let latest = [plan.to, latest].compactMap({ $0 }).max()
        else { return [] }
        guard let starts = plan.step.starts(from: earliest, through: latest, limit: Self.maximumBuckets) else { return nil }
        // Jobs that began running before the first bucket still run in it.
        var current = running.filter { $0.key < (starts.first?.seconds ?? 0) }.reduce(0) { $0 + $1.value }
        var rows: [(Timestamp, Int64, Int64, Int64, Int64)] = []
        for bucket in starts {
            let key = bucket.seconds
            current += running[key] ?? 0
            rows.append((bucket, started[key] ?? 0, ended[key] ?? 0, failed[key] ?? 0, current))
        }
        return rows
    }
}

extension JobsExecution {
    func timeline(_ timeline: TimelinePlan) async throws -> Int {
        var table = TimelineTable(plan: timeline, now: plan.now)
        try await forEveryMatch { table.add($0) }
        guard let rows = table.rows() else {
            throw RunError("more than \(TimelineTable.maximumBuckets) buckets of \(timeline.step): use a wider one, or bound the time in 'where'")
        }
        let headers = ["at", "started", "ended", "failed", "running"]
        let writer = session.makeWriter(headers: headers, rightAligned: [1, 2, 3, 4])
        writer.begin()
        let zone = session.settings.timeZone
        for row in rows {
            let counts = [row.started, row.ended, row.failed, row.running]
            var object = JSONObject()
            object["at"] = .string(row.at.rfc3339)
            for (index, count) in counts.enumerated() { object[headers[index + 1]] = .int(count) }
            writer.row(cells: [row.at.shortDescription(in: zone)] + counts.map(String.init), json: .object(object))
        }
        writer.finish(note: footer(Session.counted(rows.count, "bucket") + " of \(timeline.step)", showsTimes: true))
        return rows.count
    }
}
