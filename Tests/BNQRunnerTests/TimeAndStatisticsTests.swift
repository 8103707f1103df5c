import BNQCore
import BNQService
import BNQTestSupport
import ByteNiteClient
import Foundation
import Testing

@testable import BNQRunner

/// Bins, time differences, `having`, `timeline` and the statistics over them, run against
/// `bnq serve` and compared with answers worked out here independently: times read with
/// Foundation's ISO 8601 parser, buckets from Foundation's calendar, percentiles the textbook way.
@Suite struct TimeAndStatisticsTests {
    static let now = LanguageAgainstServiceTests.now
    /// The last instant of a window that runs to now (now itself is not in it).
    static let lastInstant = Date(timeIntervalSince1970: now.secondsSince1970 - 0.001)
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
    static var isoWeeks: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// A time of the job, read independently of bnq's own parser; nil when absent or not a time.
    static func date(_ job: JSONValue, _ name: String) -> Date? {
        guard case .string(let text)? = job.objectValue?[name] else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The start of the bucket `date` falls in: `width` seconds from the epoch, an ISO week, or a month.
    static func bucket(_ date: Date, _ width: String) -> Date {
        switch width {
        case "1w": return isoWeeks.dateInterval(of: .weekOfYear, for: date)!.start
        case "1mo": return utc.dateInterval(of: .month, for: date)!.start
        default:
            let seconds = ["1h": 3600.0, "6h": 21_600, "1d": 86_400][width]!
            return Date(timeIntervalSince1970: (date.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
        }
    }

    static func next(_ date: Date, _ width: String) -> Date {
        switch width {
        case "1w": return isoWeeks.date(byAdding: .weekOfYear, value: 1, to: date)!
        case "1mo": return utc.date(byAdding: .month, value: 1, to: date)!
        default: return date.addingTimeInterval(["1h": 3600.0, "6h": 21_600, "1d": 86_400][width]!)
        }
    }

    static func percentile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let position = q * Double(sorted.count - 1)
        let below = sorted[Int(position)]
        let above = sorted[min(Int(position) + 1, sorted.count - 1)]
        return below + (above - below) * (position - Double(Int(position)))
    }

    static func rows(_ output: String) -> [JSONValue] {
        output.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
    }

    static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return abs(a - b) <= 0.0011 + abs(b) * 1e-12
        default: return false
        }
    }

    @Test func jobsPerDayWithTheEmptyDaysFilled() async throws {
        let since = try #require(ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z"))
        // Two days with no job at all inside the range: they must still show, with 0.
        let jobs = TestData.jobs.filter { job in
            guard let created = Self.date(job, "createdAt") else { return true }
            let day = Self.bucket(created, "1d")
            return day != since.addingTimeInterval(86_400 * 3) && day != since.addingTimeInterval(86_400 * 4)
        }
        var expected: [(String, Int)] = []
        let created = jobs.compactMap { Self.date($0, "createdAt") }.filter { $0 >= since }
        // A lower bound alone runs to now: to the day of its last instant, after the last job's day.
        let last = max(Self.bucket(created.max()!, "1d"), Self.bucket(Self.lastInstant, "1d"))
        var day = since
        while day <= last {
            expected.append((Self.iso(day), created.filter { Self.bucket($0, "1d") == day }.count))
            day = Self.next(day, "1d")
        }
        #expect(expected.contains { $0.1 == 0 })
        try await withService(jobs: jobs) { _, client in
            let result = try await LanguageAgainstServiceTests.run(
                "jobs select bin(createdAt, 1d) as day, count as n where createdAt >= 2026-11-01 group by day order by day", client: client)
            #expect(result.status == 0, "\(result.messages)")
            let rows = Self.rows(result.output)
            #expect(rows.map { $0["day"]?.stringValue ?? "" } == expected.map(\.0))
            #expect(rows.map { Int($0["n"]?.numberValue ?? -1) } == expected.map(\.1))
        }
    }

    /// A window with no job in it still has its buckets: each hour of the last day in a
    /// timeline, each day in a bin, all with zeros — not an empty answer.
    @Test func aWindowWithoutJobsShowsEachQuietBucket() async throws {
        let nowDate = Date(timeIntervalSince1970: Self.now.secondsSince1970)
        let jobs = TestData.jobs.filter { (Self.date($0, "createdAt") ?? .distantFuture) < nowDate.addingTimeInterval(-2 * 86_400) }
        #expect(jobs.count > 10)
        var hours: [String] = []
        var hour = Self.bucket(nowDate.addingTimeInterval(-86_400), "1h")
        while hour <= Self.bucket(Self.lastInstant, "1h") {
            hours.append(Self.iso(hour))
            hour = Self.next(hour, "1h")
        }
        #expect(hours.count == 24)
        try await withService(jobs: jobs) { _, client in
            let timeline = try await LanguageAgainstServiceTests.run("timeline where createdAt > now - 1d every 1h", client: client)
            #expect(timeline.status == 0, "\(timeline.messages)")
            let rows = Self.rows(timeline.output)
            #expect(rows.map { $0["at"]?.stringValue ?? "" } == hours)
            #expect(rows.allSatisfy { row in ["started", "ended", "failed", "running"].allSatisfy { row[$0] == .int(0) } }, "\(timeline.output)")
            let days = try await LanguageAgainstServiceTests.run(
                "jobs select bin(createdAt, 1d) as day, count as n where createdAt > now - 1d group by day", client: client)
            #expect(days.status == 0, "\(days.messages)")
            let dayRows = Self.rows(days.output)
            #expect(dayRows.map { $0["day"]?.stringValue ?? "" } == [Self.iso(Self.bucket(nowDate.addingTimeInterval(-86_400), "1d"))], "\(days.output)")
            // At a quarter past: the window's last instant is in the day of now, which is shown.
            let later = try await LanguageAgainstServiceTests.run(
                "jobs select bin(createdAt, 1d) as day, count as n where createdAt > now - 1d group by day", client: client,
                now: Timestamp(seconds: Self.now.seconds + 900))
            #expect(Self.rows(later.output).map { $0["day"]?.stringValue ?? "" } == [-86_400, 0].map { Self.iso(Self.bucket(nowDate.addingTimeInterval(Double($0)), "1d")) }, "\(later.output)")
            #expect(dayRows.allSatisfy { $0["n"] == .int(0) }, "\(days.output)")
            // An upper bound ends the window where it says, not at now.
            let bounded = try await LanguageAgainstServiceTests.run(
                "jobs select bin(createdAt, 1d) as day, count as n where createdAt >= now - 5d and createdAt < now - 3d group by day", client: client)
            #expect(Self.rows(bounded.output).map { $0["day"]?.stringValue ?? "" } == [5, 4].map { Self.iso(Self.bucket(nowDate.addingTimeInterval(Double(-$0 * 86_400)), "1d")) }, "\(bounded.output)")
        }
    }

    @Test func p95RunTimePerTemplateWithHaving() async throws {
        let complete = TestData.jobs.filter { $0["state"] == "JOB_STATE_COMPLETE" }
        var expected: [(String, Double, Int)] = []
        for (template, jobs) in Dictionary(grouping: complete, by: { $0["templateId"]?.stringValue ?? "" }) where jobs.count > 10 {
            let runs = jobs.compactMap { job -> Double? in
                guard let end = Self.date(job, "endedAt"), let start = Self.date(job, "startedAt") else { return nil }
                return end.timeIntervalSince(start)
            }
            expected.append((template, Self.percentile(runs, 0.95)!, jobs.count))
        }
        expected.sort { $0.1 > $1.1 }
        #expect(expected.count >= 3)
        try await withService { _, client in
            let result = try await LanguageAgainstServiceTests.run(
                "jobs select templateId, p95(endedAt - startedAt) as p95run, count where state == COMPLETE group by templateId having count > 10 order by p95run desc",
                client: client)
            #expect(result.status == 0, "\(result.messages)")
            let rows = Self.rows(result.output)
            #expect(rows.map { $0["templateId"]?.stringValue ?? "" } == expected.map(\.0))
            for (row, want) in zip(rows, expected) {
                #expect(Self.close(row["p95run"]?.numberValue, want.1), "\(row)")
                #expect(row["count"] == .int(Int64(want.2)))
            }
            // The same in a table reads as durations.
            let table = try await LanguageAgainstServiceTests.run(
                "jobs select templateId, p95(endedAt - startedAt) as p95run where state == COMPLETE group by templateId having count > 10 order by p95run desc",
                client: client, format: .table)
            #expect(table.output.contains("p95run"))
            #expect(table.output.range(of: #"\d+m \d\ds"#, options: .regularExpression) != nil, "\(table.output)")
        }
    }

    @Test func theLongestWaitsBeforeAStart() async throws {
        var jobs = TestData.jobs
        // A job without submittedAt has no wait: it is left out, not counted as 0 or as its start.
        jobs[5].setValue(nil, at: ["submittedAt"])
        let waits = jobs.compactMap { job -> (String, Double)? in
            guard let start = Self.date(job, "startedAt"), let submitted = Self.date(job, "submittedAt") else { return nil }
            return (job["name"]?.stringValue ?? "", start.timeIntervalSince(submitted))
        }.filter { $0.1 > 300 }.sorted { $0.1 > $1.1 }
        #expect(waits.count >= 10)
        try await withService(jobs: jobs) { _, client in
            let result = try await LanguageAgainstServiceTests.run(
                "jobs select name, startedAt - submittedAt as wait where wait > 5m order by wait desc limit 10", client: client)
            #expect(result.status == 0, "\(result.messages)")
            let rows = Self.rows(result.output)
            #expect(rows.count == 10)
            for (row, want) in zip(rows, waits.prefix(10)) {
                #expect(Self.close(row["wait"]?.numberValue, want.1), "\(row) \(want)")
            }
            let names: Set<String> = Set(rows.map { $0["name"]?.stringValue ?? "" })
            let longest: Set<String> = Set(waits.prefix(12).map(\.0))
            #expect(names.isSubset(of: longest))
            // Counting the same jobs agrees.
            let count = try await LanguageAgainstServiceTests.run("count where startedAt - submittedAt > 5m", client: client)
            #expect(count.output == "{\"count\":\(waits.count)}\n")
            // explain says the difference is worked out locally, and the sort too.
            let explained = try await LanguageAgainstServiceTests.run(
                "explain jobs select name, startedAt - submittedAt as wait where wait > 5m order by wait desc limit 10", client: client, format: .table)
            #expect(explained.output.contains("local:  wait > 300"))
            #expect(explained.output.contains("then:   sorted locally by wait desc"))
        }
    }

    @Test func aMissingDurationSortsLikeAnUnsetTime() async throws {
        let jobs = TestData.jobs
        let runs = jobs.map { job -> (String, Double?) in
            guard let start = Self.date(job, "startedAt"), let end = Self.date(job, "endedAt") else { return (job.id, nil) }
            return (job.id, end.timeIntervalSince(start))
        }
        let missing = runs.filter { $0.1 == nil }.count
        #expect(missing > 3 && missing < jobs.count - 3)
        try await withService(jobs: jobs) { _, client in
            // Descending: the longest runs first, the jobs without one last (as `order by endedAt desc` puts them).
            let longest = try await LanguageAgainstServiceTests.run("jobs select id, endedAt - startedAt as run order by run desc limit 3", client: client)
            let want = runs.compactMap { run in run.1.map { (run.0, $0) } }.sorted { $0.1 > $1.1 }.prefix(3)
            #expect(Self.rows(longest.output).map { $0["id"]?.stringValue ?? "" } == want.map(\.0), "\(longest.output)")
            let all = try await LanguageAgainstServiceTests.run("jobs select id, endedAt - startedAt as run order by run desc", client: client)
            let tail = Self.rows(all.output).suffix(missing)
            #expect(tail.allSatisfy { $0["run"] == nil || $0["run"] == .null }, "\(tail)")
            // Ascending: the jobs without a run first, then the shortest.
            let shortest = try await LanguageAgainstServiceTests.run("jobs select id, endedAt - startedAt as run order by run limit \(missing + 1)", client: client)
            let rows = Self.rows(shortest.output)
            #expect(rows.prefix(missing).allSatisfy { $0["run"] == nil || $0["run"] == .null }, "\(shortest.output)")
            #expect(rows.last?["id"]?.stringValue == runs.compactMap { run in run.1.map { (run.0, $0) } }.min { $0.1 < $1.1 }?.0)
            // As the service orders an unset time: before every time.
            let unfinished = jobs.filter { $0["endedAt"] == nil }.count
            let unset = try await LanguageAgainstServiceTests.run("jobs select id, endedAt order by endedAt limit \(unfinished + 1)", client: client)
            let unsetRows = Self.rows(unset.output)
            #expect(unsetRows.prefix(unfinished).allSatisfy { $0["endedAt"] == nil || $0["endedAt"] == .null } && unsetRows.last?["endedAt"]?.stringValue != nil)
        }
    }

    @Test func aTimelineOfStartsEndsFailuresAndRunningJobs() async throws {
        for (statement, width, since) in [
            ("timeline where createdAt > now - 1d every 1h", "1h", Self.now.secondsSince1970 - 86_400),
            ("timeline where createdAt > now - 30d every 1d", "1d", Self.now.secondsSince1970 - 30 * 86_400),
        ] {
            let nowDate = Date(timeIntervalSince1970: Self.now.secondsSince1970)
            let sinceDate = Date(timeIntervalSince1970: since)
            let jobs = TestData.jobs.filter { (Self.date($0, "createdAt") ?? .distantPast) > sinceDate }
            #expect(!jobs.isEmpty)
            var events: [Date] = []
            for job in jobs {
                if let start = Self.date(job, "startedAt") {
                    events.append(start)
                    let end = Self.date(job, "endedAt") ?? nowDate
                    if end > start { events.append(end.addingTimeInterval(-0.001)) }
                }
                if let end = Self.date(job, "endedAt") { events.append(end) }
            }
            var expected: [[Int]] = []
            var bucket = Self.bucket(sinceDate, width)
            var starts: [String] = []
            // To the bucket of the window's last instant (just before now), or of the last event if later.
            while bucket <= max(Self.bucket(events.max()!, width), Self.bucket(Self.lastInstant, width)) {
                let end = Self.next(bucket, width)
                func inBucket(_ date: Date?) -> Bool { date.map { $0 >= bucket && $0 < end } ?? false }
                let started = jobs.filter { inBucket(Self.date($0, "startedAt")) }.count
                let ended = jobs.filter { inBucket(Self.date($0, "endedAt")) }.count
                let failed = jobs.filter { inBucket(Self.date($0, "endedAt")) && $0["state"] == "JOB_STATE_FAILED" }.count
                let running = jobs.filter { job in
                    guard let start = Self.date(job, "startedAt") else { return false }
                    let stop = Self.date(job, "endedAt") ?? nowDate
                    return start < end && stop > bucket && stop > start
                }.count
                expected.append([started, ended, failed, running])
                starts.append(Self.iso(bucket))
                bucket = end
            }
            try await withService { _, client in
                let result = try await LanguageAgainstServiceTests.run(statement, client: client)
                #expect(result.status == 0, "\(result.messages)")
                let rows = Self.rows(result.output)
                #expect(rows.map { $0["at"]?.stringValue ?? "" } == starts, "\(statement)")
                let got = rows.map { row in ["started", "ended", "failed", "running"].map { Int(row[$0]?.numberValue ?? -1) } }
                #expect(got == expected, "\(statement)")
            }
        }
    }

    /// Random statements over random data (times removed here and there): bins of every width,
    /// every aggregate over every kind of duration, `having` on the count — each row against
    /// the independent answer, empty buckets and the group of jobs without the time included.
    @Test func randomBinsAggregatesAndHavingMatchAnIndependentComputation() async throws {
        var random = SeededRandom(seed: 14)
        var jobs = TestData.jobs
        for index in jobs.indices where random.next() % 7 == 0 {
            jobs[index].setValue(nil, at: [["startedAt", "endedAt", "submittedAt", "createdAt"][Int(random.next() % 4)]])
        }
        let times = ["createdAt", "startedAt", "endedAt"]
        let widths = ["1h", "6h", "1d", "1w", "1mo"]
        let durations = ["endedAt - startedAt", "startedAt - submittedAt", "now - createdAt", "duration"]
        let aggregates = ["count", "sum", "avg", "min", "max", "median", "p90", "stddev", "distinct", "percentile"]
        let nowDate = Date(timeIntervalSince1970: Self.now.secondsSince1970)
        func measure(_ job: JSONValue, _ duration: String) -> Double? {
            switch duration {
            case "duration": return job.objectValue?["duration"]?.numberValue ?? 0
            case "now - createdAt": return Self.date(job, "createdAt").map { nowDate.timeIntervalSince($0) }
            default:
                let parts = duration.components(separatedBy: " - ")
                guard let a = Self.date(job, parts[0]), let b = Self.date(job, parts[1]) else { return nil }
                return a.timeIntervalSince(b)
            }
        }
        var percent = 50.0
        func aggregate(_ name: String, _ values: [Double]) -> Double? {
            switch name {
            case "count": return Double(values.count)
            case "sum": return values.reduce(0, +)
            case "avg": return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            case "min": return values.min()
            case "max": return values.max()
            case "median": return Self.percentile(values, 0.5)
            case "p90": return Self.percentile(values, 0.9)
            case "distinct": return Double(Set(values).count)
            case "percentile": return Self.percentile(values, percent / 100)
            default:
                guard values.count > 1 else { return nil }
                let mean = values.reduce(0, +) / Double(values.count)
                return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
            }
        }
        try await withService(jobs: jobs) { _, client in
            for _ in 0..<80 {
                let time = times[Int(random.next() % 3)]
                let width = widths[Int(random.next() % 5)]
                let duration = durations[Int(random.next() % 4)]
                let function = aggregates[Int(random.next() % 10)]
                percent = [12.5, 33.0, 97.5, 99.9][Int(random.next() % 4)]
                let minimum = Int(random.next() % 4) - 1
                let state = ["COMPLETE", "FAILED", "NEW"][Int(random.next() % 3)]
                let call = function == "distinct" ? "count(distinct \(duration))"
                    : function == "percentile" ? "percentile(\(duration), \(percent))" : "\(function)(\(duration))"
                let statement = "jobs select bin(\(time), \(width)) as b, count as n, \(call) as v where state == \(state) group by b having count > \(minimum)"
                let result = try await LanguageAgainstServiceTests.run(statement, client: client)
                #expect(result.status == 0, "\(statement): \(result.messages)")
                // Independently: the groups, the buckets between the first and last filled in.
                let matching = jobs.filter { ($0["state"]?.stringValue ?? "JOB_STATE_NEW") == "JOB_STATE_" + state }
                var groups: [String: [JSONValue]] = [:]
                for job in matching { groups[Self.date(job, time).map { Self.iso(Self.bucket($0, width)) } ?? "", default: []].append(job) }
                let dated = matching.compactMap { Self.date($0, time) }
                if let first = dated.min(), let last = dated.max() {
                    var bucket = Self.bucket(first, width)
                    while bucket <= last {
                        if groups[Self.iso(bucket)] == nil { groups[Self.iso(bucket)] = [] }
                        bucket = Self.next(bucket, width)
                    }
                }
                let expected = groups.filter { $0.value.count > minimum }.sorted { $0.key < $1.key }
                let rows = Self.rows(result.output)
                #expect(rows.map { $0["b"]?.stringValue ?? "" } == expected.map(\.key), "\(statement)")
                for (row, group) in zip(rows, expected) {
                    #expect(row["n"] == .int(Int64(group.value.count)), "\(statement) \(group.key)")
                    let values = group.value.compactMap { measure($0, duration) }
                    let want = aggregate(function, values)
                    let value: JSONValue? = row["v"]
                    let got: Double? = value == .null ? nil : value?.numberValue
                    let rounded: Double? = want.map { ($0 * 1000).rounded() / 1000 }
                    let agrees = Self.close(got, rounded)
                    #expect(agrees, "\(statement) \(group.key): \(String(describing: got)) vs \(String(describing: want))")
                }
            }
        }
    }

    @Test func sparklinesCountEachBucketOverTheSameDays() async throws {
        let since = try #require(ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z"))
        let recent = TestData.jobs.filter { (Self.date($0, "createdAt") ?? .distantPast) >= since }
        let days = recent.compactMap { Self.date($0, "createdAt") }.map { Self.bucket($0, "1d") }
        var axis: [Date] = []
        var day = since
        let today = Self.bucket(Self.lastInstant, "1d")
        while day <= max(days.max()!, today) {
            axis.append(day)
            day = Self.next(day, "1d")
        }
        try await withService { _, client in
            let result = try await LanguageAgainstServiceTests.run(
                "jobs select templateId, sparkline(bin(createdAt, 1d)) as daily where createdAt >= 2026-11-01 group by templateId", client: client)
            #expect(result.status == 0, "\(result.messages)")
            let rows = Self.rows(result.output)
            #expect(rows.count == Set(recent.map { $0["templateId"]?.stringValue ?? "" }).count)
            for row in rows {
                let template = row["templateId"]?.stringValue ?? ""
                let mine = recent.filter { $0["templateId"]?.stringValue == template }.compactMap { Self.date($0, "createdAt") }
                let expected = axis.map { start in mine.filter { Self.bucket($0, "1d") == start }.count }
                #expect(row["daily"]?.arrayValue?.map { Int($0.numberValue ?? -1) } == expected, "\(template)")
            }
            // In a table: one character a day, the busiest day a full block.
            let table = try await LanguageAgainstServiceTests.run(
                "jobs select templateId, sparkline(bin(createdAt, 1d)) as daily where createdAt >= 2026-11-01 group by templateId", client: client, format: .table)
            let line = try #require(table.output.split(separator: "\n").first { $0.contains("█") })
            #expect(line.split(separator: "|")[1].trimmingCharacters(in: .whitespaces).count == axis.count)
        }
    }

    @Test func theChartOfJobsPerDayIsDrawnAsGolden() async throws {
        let golden = LanguageAgainstServiceTests.repositoryRoot.appendingPathComponent("Tests/BNQRunnerTests/Golden/chart-jobs-per-day.txt")
        try await withService { _, client in
            let result = try await LanguageAgainstServiceTests.run(
                "jobs select bin(createdAt, 1d) as day, count as n where createdAt >= 2026-11-01 group by day order by day", client: client, format: .chart)
            #expect(result.status == 0, "\(result.messages)")
            if ProcessInfo.processInfo.environment["BNQ_UPDATE_GOLDEN"] == "1" {
                try result.output.write(to: golden, atomically: true, encoding: .utf8)
            }
            #expect(result.output == (try String(contentsOf: golden, encoding: .utf8)))
            // One bar per day, the longest for the busiest day, each bar ending with its count.
            let lines = result.output.split(separator: "\n").dropFirst().dropLast()
            let days = try await LanguageAgainstServiceTests.run(
                "jobs select bin(createdAt, 1d) as day, count as n where createdAt >= 2026-11-01 group by day order by day", client: client)
            #expect(lines.count == Self.rows(days.output).count)
            for (line, row) in zip(lines, Self.rows(days.output)) {
                #expect(line.hasSuffix(" \(Int(row["n"]?.numberValue ?? -1))"))
            }
        }
    }

    /// A chart whose last column holds no numbers says so, instead of a list without bars.
    @Test func aChartWithoutNumbersSaysWhy() async throws {
        try await withService { _, client in
            let names = try await LanguageAgainstServiceTests.run("jobs select id, name limit 2", client: client, format: .chart)
            #expect(names.status == 0)
            #expect(names.output.contains("\n(no bars: a chart draws the last column, and 'name' holds no numbers; put a number last, such as count)\n"), "\(names.output)")
            let counts = try await LanguageAgainstServiceTests.run("jobs select state, count group by state", client: client, format: .chart)
            #expect(!counts.output.contains("no bars") && counts.output.contains("█"))
        }
    }

    /// A bin too fine to fill (more than 100,000 empty buckets) shows the buckets that have jobs
    /// and says that the empty ones are left out, rather than leaving it silent.
    @Test func aBinTooFineToFillSaysSo() async throws {
        try await withService { _, client in
            let fine = try await LanguageAgainstServiceTests.run("jobs select bin(createdAt, 1s) as s, count group by s", client: client)
            #expect(fine.status == 0)
            #expect(fine.messages.contains("only buckets with jobs are shown"), "\(fine.messages)")
            let seconds = Set(TestData.jobs.compactMap { $0["createdAt"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.seconds })
            #expect(fine.output.split(separator: "\n").count == seconds.count)
            let daily = try await LanguageAgainstServiceTests.run("jobs select bin(createdAt, 1d) as d, count group by d", client: client)
            #expect(!daily.messages.contains("only buckets"))
        }
    }
}
