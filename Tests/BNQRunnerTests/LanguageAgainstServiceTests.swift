import BNQCore
import BNQLanguage
import BNQRender
import BNQService
import BNQTestSupport
import ByteNiteClient
import Foundation
import Testing

@testable import BNQRunner

/// Statements run end to end: compiled, sent through the client to `bnq serve` over HTTP.
@Suite struct LanguageAgainstServiceTests {
    static let now = Timestamp(rfc3339: "2026-11-28T00:00:00Z")!
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A session writing into a temporary file, and what it wrote.
    static func run(
        _ source: String, client: JobsClient, format: OutputFormat = .ndjson, pageSize: Int64 = 100, maximumRows: Int? = nil, now: Timestamp = LanguageAgainstServiceTests.now
    ) async throws -> (status: Int32, output: String, messages: String) {
        try await run(
            source, connection: Connection(source: APIJobSource(client: client, pageSize: pageSize, prefetch: 2), description: client.configuration.endpoint.absoluteString),
            format: format, pageSize: pageSize, maximumRows: maximumRows, now: now)
    }

    /// The same, through any connection (an archive's, say).
    static func run(
        _ source: String, connection: Connection, format: OutputFormat = .ndjson, pageSize: Int64 = 100, maximumRows: Int? = nil, now: Timestamp = LanguageAgainstServiceTests.now
    ) async throws -> (status: Int32, output: String, messages: String) {
        let file = TestData.temporaryDirectory().appendingPathComponent("out.txt")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        let messages = MessageBox()
        var settings = SessionSettings()
        settings.format = format
        settings.pinnedNow = now
        settings.pageSize = pageSize
        settings.maximumRows = maximumRows
        let session = Session(connection: connection, settings: settings, output: OutputSink(handle: handle, isTerminal: false), messages: MessageSink { messages.append($0) })
        let status = await session.run(source)
        session.output.flush()
        try handle.close()
        return (status, try String(contentsOf: file, encoding: .utf8), messages.text)
    }

    final class MessageBox: @unchecked Sendable {
        private var parts: [String] = []
        private let lock = NSLock()
        func append(_ text: String) { lock.withLock { parts.append(text) } }
        var text: String { lock.withLock { parts.joined() } }
    }

    @Test func everyExampleInTheLanguageDocumentRuns() async throws {
        let document = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/language.md"), encoding: .utf8)
        let examples = document.split(separator: "\n").filter { $0.hasPrefix("bnq> ") }.map { String($0.dropFirst(5)) }
        #expect(examples.count >= 15)
        try await withService { _, client in
            for example in examples {
                let result = try await Self.run(example, client: client, format: .table)
                #expect(result.status == 0, "\(example): \(result.messages)")
                #expect(!result.output.isEmpty, "\(example) printed nothing")
            }
        }
    }

    @Test func theIssueExampleReturnsTheTenOldestCompleteJobs() async throws {
        try await withService { _, client in
            let result = try await Self.run("jobs where state == COMPLETE order by createdAt limit 10", client: client)
            #expect(result.status == 0)
            let ids = result.output.split(separator: "\n").map { try! JSONParser.parse(String($0)).id }
            let expected = TestData.jobs.filter { $0["state"] == "JOB_STATE_COMPLETE" }
                .sorted { ($0["createdAt"]!.stringValue!, $0.id) < ($1["createdAt"]!.stringValue!, $1.id) }.prefix(10).map(\.id)
            #expect(ids == Array(expected))
        }
    }

    @Test func percentilesAndDeviationMatchAnIndependentComputation() async throws {
        // Computed here the textbook way (PostgreSQL's percentile_cont; the sample deviation).
        func percentile(_ values: [Double], _ q: Double) -> Double {
            let sorted = values.sorted()
            let position = q * Double(sorted.count - 1)
            let below = sorted[Int(position)]
            let above = sorted[min(Int(position) + 1, sorted.count - 1)]
            return below + (above - below) * (position - Double(Int(position)))
        }
        func deviation(_ values: [Double]) -> Double {
            let mean = values.reduce(0, +) / Double(values.count)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
        func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        let complete = TestData.jobs.filter { $0["state"] == "JOB_STATE_COMPLETE" }
        let byTemplate = Dictionary(grouping: complete) { $0["templateId"]?.stringValue ?? "" }
        try await withService { _, client in
            let result = try await Self.run(
                "jobs select templateId, median(duration), p90(duration), p95(duration), p99(numChunks), stddev(paymentAmount) where state == COMPLETE group by templateId",
                client: client)
            #expect(result.status == 0, "\(result.messages)")
            let rows = result.output.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
            #expect(rows.count == byTemplate.count)
            for row in rows {
                let jobs = byTemplate[row["templateId"]?.stringValue ?? ""] ?? []
                let durations = jobs.map { $0["duration"]?.numberValue ?? 0 }
                let chunks = jobs.map { $0["numChunks"]?.numberValue ?? 0 }
                let payments = jobs.map { $0["paymentAmount"]?.numberValue ?? 0 }
                #expect(row["median(duration)"]?.numberValue == rounded(percentile(durations, 0.5)))
                #expect(row["p90(duration)"]?.numberValue == rounded(percentile(durations, 0.9)))
                #expect(row["p95(duration)"]?.numberValue == rounded(percentile(durations, 0.95)))
                #expect(row["p99(numChunks)"]?.numberValue == rounded(percentile(chunks, 0.99)))
                #expect(abs((row["stddev(paymentAmount)"]?.numberValue ?? -1) - rounded(deviation(payments))) < 0.0015)
            }
        }
    }

    @Test func presenceAndRangesMatchAnIndependentTally() async throws {
        // Tallied here from the JSON itself, not through the code under test.
        var jobs = TestData.jobs
        jobs[0].setValue(.null, at: ["endedAt"])
        jobs[2].setValue(.string("JOB_STATE_COMPLETE"), at: ["state"])
        jobs[2].setValue(nil, at: ["endedAt"])
        let finals: Set<String> = ["JOB_STATE_COMPLETE", "JOB_STATE_FAILED"]
        let endedMissing = jobs.filter { job in
            let ended = job.objectValue?["endedAt"]
            let missing = ended == nil || ended == .null || ended?.stringValue.flatMap { Timestamp(rfc3339: $0) } == nil
            return missing && finals.contains(job["state"]?.stringValue ?? "")
        }.count
        let inRange = jobs.filter { job in
            guard case .double(let duration)? = job.objectValue?["duration"] else { return false }
            return duration >= 300 && duration <= 1200
        }.count
        let errorPresent = jobs.filter { $0.objectValue?["errorMessage"] != nil && $0.objectValue?["errorMessage"] != .null }.count
        #expect(endedMissing >= 2 && inRange > 0 && errorPresent > 0)
        try await withService(jobs: jobs) { _, client in
            for (statement, expected) in [
                ("count where endedAt is missing and state in (COMPLETE, FAILED)", endedMissing),
                ("count where duration between 5m and 20m", inRange),
                ("count where errorMessage is not null", errorPresent),
                ("count where not (errorMessage is present)", jobs.count - errorPresent),
            ] {
                let result = try await Self.run(statement, client: client)
                #expect(result.output == "{\"count\":\(expected)}\n", "\(statement): \(result.messages)")
            }
        }
    }

    @Test func countsAndGroupsMatchAnIndependentTally() async throws {
        try await withService { _, client in
            let count = try await Self.run("count where state == FAILED", client: client)
            let failed = TestData.jobs.filter { $0["state"] == "JOB_STATE_FAILED" }
            #expect(count.output == "{\"count\":\(failed.count)}\n")
            let localCount = try await Self.run("count where state == FAILED or state == NEW", client: client)
            let failedOrNew = TestData.jobs.filter { $0["state"] == "JOB_STATE_FAILED" || $0["state"] == nil }
            #expect(localCount.output == "{\"count\":\(failedOrNew.count)}\n")

            let grouped = try await Self.run("jobs select templateId, count, sum(paymentAmount) where state == FAILED group by templateId order by templateId", client: client)
            let lines = grouped.output.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
            let byTemplate = Dictionary(grouping: failed) { $0["templateId"]!.stringValue! }
            #expect(lines.map { $0["templateId"]!.stringValue! } == byTemplate.keys.sorted())
            for line in lines {
                let jobs = byTemplate[line["templateId"]!.stringValue!]!
                #expect(line["count"] == .int(Int64(jobs.count)))
                let sum = jobs.reduce(0.0) { $0 + ($1["paymentAmount"]?.numberValue ?? 0) }
                #expect(abs((line["sum(paymentAmount)"]?.numberValue ?? -1) - sum) < 0.01)
            }
        }
    }

    @Test func outputFormatsStayValid() async throws {
        try await withService { _, client in
            let json = try await Self.run("jobs select id, templateInfo.app where state == FAILED limit 3; jobs limit 2", client: client, format: .json)
            let arrays = json.output.components(separatedBy: "]\n").filter { !$0.isEmpty }.map { try! JSONParser.parse($0 + "]") }
            #expect(arrays.count == 2)
            #expect(arrays[0].arrayValue?.count == 3)
            #expect(arrays[0].arrayValue?[0]["templateInfo.app"] != nil)
            let csv = try await Self.run("jobs select id, name, errorMessage where state == FAILED limit 3", client: client, format: .csv)
            #expect(csv.output.split(separator: "\n").first == "id,name,errorMessage")
            #expect(csv.output.split(separator: "\n").count == 4)
            let markdown = try await Self.run("jobs select id limit 2", client: client, format: .markdown)
            #expect(markdown.output.hasPrefix("| id |\n| --- |\n"))
        }
    }

    @Test func aFailingStatementReportsAndStopsWithTheAPIStatus() async throws {
        let options = TestData.options { $0.faults = try! FaultPlan.parse("503=1") }
        try await withService(options: options, configure: { $0.retry.maxAttempts = 2 }) { _, client in
            let result = try await Self.run("jobs where state == FAILED", client: client, format: .json)
            #expect(result.status == ExitStatus.apiError)
            #expect(result.messages.contains("HTTP 503"))
            #expect(!result.output.contains("]"))
        }
        try await withService { _, client in
            let result = try await Self.run("jobs where stat == FAILED", client: client)
            #expect(result.status == ExitStatus.queryError)
            #expect(result.output.isEmpty)
            #expect(result.messages.contains("did you mean 'state'?"))
            let missing = try await Self.run("job does-not-exist", client: client)
            #expect(missing.status == ExitStatus.apiError)
            #expect(missing.messages.contains("no job with id 'does-not-exist'"))
        }
    }

    @Test func serverTextIsEscapedOnATerminal() async throws {
        var job = TestData.jobs[0]
        if case .object(var object) = job {
            object["name"] = .string("evil\u{1B}[2J\u{07}\u{202E}name\u{1B}]8;;http://x\u{07}")
            job = .object(object)
        }
        try await withService(jobs: [job]) { _, client in
            let file = TestData.temporaryDirectory().appendingPathComponent("tty.txt")
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
            let handle = try FileHandle(forWritingTo: file)
            var settings = SessionSettings()
            settings.format = .table
            let session = Session(client: client, settings: settings, output: OutputSink(handle: handle, isTerminal: true))
            _ = await session.run("jobs select name")
            session.output.flush()
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!text.contains("\u{1B}") && !text.contains("\u{07}") && !text.contains("\u{202E}"))
            #expect(text.contains("evil\\e[2J\\x07\\u{202e}name"))
        }
    }

    @Test func onlyWhatIsShownIsFetched() async throws {
        try await withService { _, client in
            // A pushed-down limit: pages sized to what remains, nothing prefetched past it.
            var before = client.statistics.snapshot.requests
            let limited = try await Self.run("jobs where state == COMPLETE limit 250", client: client, pageSize: 100)
            #expect(limited.output.split(separator: "\n").count == 250)
            #expect(client.statistics.snapshot.requests - before == 3)
            // A table capped at 5 rows fetches 5 and counts the rest from the total.
            before = client.statistics.snapshot.requests
            let capped = try await Self.run("jobs select id", client: client, format: .table, pageSize: 100, maximumRows: 5)
            #expect(client.statistics.snapshot.requests - before == 1)
            #expect(capped.output.contains("… 995 more rows (.maxrows to show more)"))
            #expect(capped.output.contains("(1000 rows)"))
        }
    }

    /// A statement filtered here that stops once its limit is met, inside the last page, warns of
    /// nothing; one that reads the listing to its end and finds the total is warned of nothing too.
    @Test func stoppingAtTheLimitIsNoSignOfAnIncompleteListing() async throws {
        try await withService { _, client in
            let statement = "jobs select id where state == FAILED or name like 'a%' limit 3"
            let early = try await Self.run(statement, client: client, pageSize: 1000)
            #expect(early.status == 0 && early.output.split(separator: "\n").count == 3)
            #expect(!early.messages.contains("warning"), "\(early.messages)")
            let whole = try await Self.run("count where state == FAILED or name like 'a%'", client: client, pageSize: 1000)
            #expect(whole.status == 0 && !whole.messages.contains("warning"), "\(whole.messages)")
        }
    }

    /// `like` takes `\` before `_` or `%` as the character itself, as the language document says:
    /// the string keeps the backslash for the pattern (it once dropped it, and `'%\_%'` matched
    /// every job).
    @Test func likeEscapesFindALiteralUnderscoreAndPercent() async throws {
        var jobs = Array(TestData.jobs.prefix(6))
        for (index, name) in ["a_b", "ab", "a-b", "100%", "100x", "a\\b"].enumerated() { jobs[index].setValue(.string(name), at: ["name"]) }
        try await withService(jobs: jobs) { _, client in
            func names(_ statement: String) async throws -> [String] {
                let result = try await Self.run(statement, client: client)
                #expect(result.status == 0, "\(result.messages)")
                return result.output.split(separator: "\n").map { try! JSONParser.parse(String($0))["name"]?.stringValue ?? "" }.sorted()
            }
            let found1 = try await names(#"jobs select name where name like '%\_%'"#)
            #expect(found1 == ["a_b"])
            let found2 = try await names(#"jobs select name where name like 'a_b'"#)
            #expect(found2 == ["a-b", "a\\b", "a_b"])
            let found3 = try await names(#"jobs select name where name like '%\%'"#)
            #expect(found3 == ["100%"])
            let found4 = try await names(#"jobs select name where name not like '%\_%'"#)
            #expect(found4 == ["100%", "100x", "a-b", "a\\b", "ab"])
        }
    }
}
