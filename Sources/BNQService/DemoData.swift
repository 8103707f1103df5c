import BNQCore
import Foundation

/// The built-in demo data: `examples/jobs.json`, which is `bnq generate 300 --seed 7`.
public enum DemoData {
    public static let count = 300
    public static let seed: UInt64 = 7

    /// The path of examples/jobs.json: `$BNQ_DEMO_DATA`, or the file in the source checkout bnq was built from.
    public static func path() -> String {
        if let path = ProcessInfo.processInfo.environment["BNQ_DEMO_DATA"], !path.isEmpty { return path }
        let source = URL(fileURLWithPath: #filePath)
        return source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/jobs.json").path
    }

    /// The demo jobs: the file when it is there, else the same jobs generated in memory. Their
    /// times are the file's: the 90 days before `JobGenerator.defaultAnchor`.
    public static func jobs() throws(JobData.LoadError) -> [JSONValue] {
        let path = path()
        if FileManager.default.fileExists(atPath: path) { return try JobData.load(path: path).jobs }
        return JobGenerator(seed: seed).jobs(count: count)
    }

    /// The demo jobs dated for `now`: every time moved by the same whole number of days, the
    /// most that leaves the latest time in them at or before `now`. The newest jobs are then
    /// from the last 24 hours whatever the date, so `createdAt > now - 1d` and `now - 7d` find
    /// jobs; times of day stay as they are, and the jobs are the same until the latest time
    /// comes round again (for a pinned `--now`, always). No time is moved out of the years
    /// 0001–9999 (a file whose times span more than that is moved only as far as they allow).
    public static func jobs(datedFor now: Timestamp) throws(JobData.LoadError) -> [JSONValue] {
        dated(try jobs(), for: now)
    }

    /// `jobs` dated for `now` as `jobs(datedFor:)` dates the demo's.
    public static func dated(_ jobs: [JSONValue], for now: Timestamp) -> [JSONValue] {
        let all = jobs.flatMap(times)
        guard let latest = all.max(), let earliest = all.min() else { return jobs }
        let apart = now.seconds - latest.seconds - (latest.nanos > now.nanos ? 1 : 0)
        var days = apart >= 0 ? apart / 86_400 : -((-apart + 86_399) / 86_400)
        days = max(days, -((earliest.seconds - Timestamp.earliest.seconds) / 86_400))
        days = min(days, (Timestamp.latest.seconds - latest.seconds) / 86_400)
        return days == 0 ? jobs : jobs.map { moved($0, bySeconds: days * 86_400) }
    }

    /// The earliest and latest `createdAt` of `jobs`, for saying where the demo's jobs are in time.
    public static func creationSpan(_ jobs: [JSONValue]) -> (first: Timestamp, last: Timestamp)? {
        let created = jobs.compactMap { $0["createdAt"]?.stringValue.flatMap { Timestamp(rfc3339: $0) } }
        guard let first = created.min(), let last = created.max() else { return nil }
        return (first, last)
    }

    /// The top-level fields that hold a time, and those that map names to times (`stateTimestamps`).
    static let timeFields = Set(JobSchema.fields.filter { $0.type == .timestamp }.map(\.path))
    static let timeMapFields = Set(JobSchema.fields.filter { $0.type == .map(valueType: .timestamp) }.map(\.path))

    /// Every time a job holds (in its time fields and maps of times).
    static func times(in job: JSONValue) -> [Timestamp] {
        var times: [Timestamp] = []
        _ = visitTimes(job) { time in
            times.append(time)
            return nil
        }
        return times
    }

    /// `job` with each of its times `delta` seconds later.
    static func moved(_ job: JSONValue, bySeconds delta: Int64) -> JSONValue {
        visitTimes(job) { Timestamp(seconds: $0.seconds + delta, nanos: $0.nanos) }
    }

    /// Calls `visit` with each of `job`'s times, in its time fields and maps of times, and writes
    /// back the time it returns (nil: the value stays as it is, and the job is not copied).
    static func visitTimes(_ job: JSONValue, _ visit: (Timestamp) -> Timestamp?) -> JSONValue {
        guard case .object(var object) = job else { return job }
        func visited(_ value: JSONValue) -> JSONValue? {
            guard case .string(let text) = value, let time = Timestamp(rfc3339: text), let replaced = visit(time) else { return nil }
            return .string(replaced.rfc3339)
        }
        for (key, value) in object {
            if timeFields.contains(key) {
                if let replaced = visited(value) { object[key] = replaced }
            } else if timeMapFields.contains(key), case .object(var times) = value {
                var changed = false
                for (name, time) in times {
                    if let replaced = visited(time) {
                        times[name] = replaced
                        changed = true
                    }
                }
                if changed { object[key] = .object(times) }
            }
        }
        return .object(object)
    }
}
