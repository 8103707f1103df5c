import BNQArchive
import BNQCore
import BNQLanguage
import BNQRender
import BNQService
import BNQTestSupport
import ByteNiteClient
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import BNQRunner

/// The archive against `bnq serve`: synced over real HTTP, then asked the same statements.
@Suite struct ArchiveAgainstServiceTests {
    static func newArchive() throws -> Archive {
        try Archive(path: TestData.temporaryDirectory().appendingPathComponent("archive.sqlite").path, create: true)
    }

    static func sync(_ archive: Archive, client: JobsClient, full: Bool = false, pageSize: Int64 = 100) async throws -> ArchiveSyncer.Outcome {
        var syncer = ArchiveSyncer(source: APIJobSource(client: client, pageSize: pageSize, prefetch: 2), archive: archive, endpoint: "test-service")
        syncer.full = full
        syncer.pageSize = pageSize
        return try await syncer.run()
    }

    static func archiveConnection(_ archive: Archive) -> Connection {
        Connection(description: "the archive", promptName: "archive", basePath: "", hasCredentials: false, identity: archive.path, isArchive: true) {
            .init(source: ArchiveJobSource(archive: archive), close: {})
        }
    }

    /// Random statements of every kind the language has: listings with residuals, counts, groups.
    static func statements(_ count: Int, seed: UInt64) -> [String] {
        var generator = DifferentialTests.Generator(random: SeededRandom(seed: seed))
        return (0..<count).map { index in
            switch index % 6 {
            case 0: return "count where " + generator.predicate(depth: 3)
            case 5:
                // Computed columns: bins, time differences, names, having, ordering by a difference.
                let time = generator.pick(["createdAt", "startedAt", "endedAt"])
                let width = generator.pick(["6h", "1d", "1w", "1mo"])
                let difference = generator.pick(["endedAt - startedAt", "startedAt - submittedAt", "now - createdAt"])
                let statistic = generator.pick(["p95", "avg", "max", "median", "stddev"])
                switch generator.pick([0, 1, 2]) {
                case 0:
                    return "jobs select bin(\(time), \(width)) as b, count, \(statistic)(\(difference)) as v, count(distinct templateId) where \(generator.predicate(depth: 2)) group by b having count > 1"
                case 1:
                    return "jobs select id, \(difference) as d where d > \(generator.pick(["1m", "10m", "1h"])) and \(generator.predicate(depth: 2)) order by d desc, id limit 25"
                default:
                    return "timeline where \(generator.predicate(depth: 2)) every \(generator.pick(["1d", "1w"]))"
                }
            case 1:
                let key = generator.pick(["state", "templateId", "priority", "config.isTestJob"])
                let statistics = generator.pick(["sum(duration), avg(paymentAmount)", "p95(duration), median(numChunks)", "stddev(paymentAmount), p99(duration)"])
                return "jobs select \(key), count, \(statistics), min(createdAt), max(numChunks) where \(generator.predicate(depth: 2)) group by \(key)"
            default: return generator.statement().source
            }
        }
    }

    @Test func theArchiveAnswersAThousandRandomStatementsAsTheServiceDoes() async throws {
        let jobs = DifferentialTests.jobs
        let archive = try Self.newArchive()
        var checked = 0
        try await withService(jobs: jobs) { _, client in
            let outcome = try await Self.sync(archive, client: client)
            #expect(outcome.record.jobs == Int64(jobs.count))
            for source in Self.statements(1000, seed: 909) {
                let fromService = try await LanguageAgainstServiceTests.run(source, client: client, pageSize: 70)
                let fromArchive = try await LanguageAgainstServiceTests.run(source, connection: Self.archiveConnection(archive))
                guard fromService.status == 0 else {
                    // A statement the language refuses is refused the same way offline.
                    #expect(fromArchive.status == fromService.status, "\(source)")
                    continue
                }
                #expect(fromArchive.status == 0, "\(source): \(fromArchive.messages)")
                #expect(fromArchive.output == fromService.output, "\(source)")
                checked += 1
            }
        }
        #expect(checked >= 900)
    }

    /// A diff shows what a job means, as protobuf JSON does: a missing state is NEW, a missing
    /// count 0 (it showed nothing for a job gone without a state, and `before: null` for a count
    /// that was missing).
    @Test func aDiffShowsMissingValuesAsTheirDefaults() async throws {
        var jobs = Array(JobGenerator(seed: 41).jobs(count: 3))
        jobs[0].setValue(nil, at: ["state"])
        // Unfinished, so that the next sync reads them again.
        jobs[1].setValue(nil, at: ["numChunks"])
        jobs[1].setValue(.string("JOB_STATE_STARTED"), at: ["state"])
        jobs[2].setValue(.string("JOB_STATE_MERGING"), at: ["state"])
        let archive = try Self.newArchive()
        try await withService(jobs: jobs) { _, client in _ = try await Self.sync(archive, client: client) }
        let gone = jobs[0].id
        let kept = jobs[1].id
        jobs[1].setValue(.int(5), at: ["numChunks"])
        jobs[2].setValue(.string("JOB_STATE_FAILED"), at: ["state"])
        jobs.removeFirst()
        try await withService(jobs: jobs) { _, client in _ = try await Self.sync(archive, client: client) }
        let diff = try await LanguageAgainstServiceTests.run("diff", connection: Self.archiveConnection(archive))
        #expect(diff.status == 0, "\(diff.messages)")
        let rows = diff.output.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        let goneRow = try #require(rows.first { $0.id == gone })
        #expect(goneRow["change"] == "gone" && goneRow["before"] == "JOB_STATE_NEW")
        let countRow = try #require(rows.first { $0.id == kept && $0["field"] == "numChunks" })
        #expect(countRow["before"] == .int(0) && countRow["after"] == .int(5))
        let stateRow = try #require(rows.first { $0.id == jobs[1].id && $0["field"] == "state" })
        #expect(stateRow["before"] == "JOB_STATE_MERGING" && stateRow["after"] == "JOB_STATE_FAILED")
    }

    @Test func syncChangeSyncDiffShowsExactlyTheChanges() async throws {
        var jobs = JobGenerator(seed: 31).jobs(count: 500)
        let archive = try Self.newArchive()
        let unfinished = jobs.indices.filter { !EnumType.finalJobStates.contains(jobs[$0]["state"]?.stringValue ?? "") }
        #expect(unfinished.count >= 40)
        let changed = Array(unfinished.prefix(30))
        let dropped = Array(unfinished.dropFirst(30).prefix(10))
        let newest = jobs.compactMap { $0["createdAt"]?.stringValue.flatMap { Timestamp(rfc3339: $0) } }.max()!
        try await withService(jobs: jobs) { _, client in
            let first = try await Self.sync(archive, client: client)
            #expect(first.record.kind == "full" && first.record.new == 500)
        }
        for index in changed { jobs[index].setValue(.string(jobs[index]["state"] == "JOB_STATE_MERGING" ? "JOB_STATE_FAILED" : "JOB_STATE_COMPLETE"), at: ["state"]) }
        let changedIDs = Set(changed.map { jobs[$0].id })
        let droppedIDs = Set(dropped.map { jobs[$0].id })
        jobs = jobs.filter { !droppedIDs.contains($0.id) }
        var added = JobGenerator(seed: 32).jobs(count: 50)
        for index in added.indices {
            added[index].setValue(.string(newest.adding(seconds: Double(60 * (index + 1))).rfc3339), at: ["createdAt"])
            added[index].setValue(.string("added-\(index)"), at: ["id"])
        }
        jobs += added
        try await withService(jobs: jobs) { _, client in
            let second = try await Self.sync(archive, client: client)
            #expect(second.record.kind == "incremental")
            #expect((second.record.new, second.record.changed, second.record.gone) == (50, 30, 10))
            // Far fewer requests than a full listing (5 pages of 100): the new jobs, the unfinished
            // ones, and one `id in (…)` listing for the 40 held unfinished jobs neither returned.
            #expect(second.record.requests <= 6)
        }
        let diff = try await LanguageAgainstServiceTests.run("diff", connection: Self.archiveConnection(archive))
        #expect(diff.status == 0, "\(diff.messages)")
        let rows = diff.output.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
        #expect(rows.count == 90)
        #expect(Set(rows.filter { $0["change"] == "new" }.map(\.id)) == Set(added.map(\.id)))
        #expect(Set(rows.filter { $0["change"] == "gone" }.map(\.id)) == droppedIDs)
        let changes = rows.filter { $0["change"] == "changed" }
        #expect(Set(changes.map(\.id)) == changedIDs)
        #expect(changes.allSatisfy { $0["field"] == "state" && $0["before"] != $0["after"] })
        // `diff where` filters on the job after the change; `between` names the syncs.
        let failed = try await LanguageAgainstServiceTests.run("diff where state == FAILED between 1 and 2", connection: Self.archiveConnection(archive))
        let failedRows = rows.filter { ($0["change"] == "gone" ? $0["before"] : $0["after"]) == "JOB_STATE_FAILED" }
        #expect(failedRows.count > 0)
        #expect(failed.output.split(separator: "\n").count == failedRows.count)
        // The past stays queryable.
        let before = try await LanguageAgainstServiceTests.run("count as of 1", connection: Self.archiveConnection(archive))
        #expect(before.output.contains("500"))
        let now = try await LanguageAgainstServiceTests.run("count", connection: Self.archiveConnection(archive))
        #expect(now.output.contains("540"))
        // A time names the last sync at or before it.
        let byTime = try await LanguageAgainstServiceTests.run("count as of '2099-01-01'", connection: Self.archiveConnection(archive))
        #expect(byTime.output.contains("540"), "\(byTime.messages)")
        let beforeAll = try await LanguageAgainstServiceTests.run("count as of '2001-01-01'", connection: Self.archiveConnection(archive))
        #expect(beforeAll.status != 0 && beforeAll.messages.contains("no sync at or before 2001-01-01"))
    }

    /// The issue's first check: an export in the gateway's form (int64 strings, numbers as
    /// strings, enums by number) imported into an archive answers the language document's
    /// examples offline as the service answers them.
    @Test func anExportInTheGatewayFormAnswersTheDocumentsExamplesOffline() async throws {
        let document = try String(contentsOf: LanguageAgainstServiceTests.repositoryRoot.appendingPathComponent("docs/language.md"), encoding: .utf8)
        // `select *` is left out: object cells show the job's objects as the source holds them
        // (the gateway's strings in the archive, the service's re-encoded integers online).
        let examples = document.split(separator: "\n").filter { $0.hasPrefix("bnq> ") && !$0.contains("explain") && !$0.contains("select *") }.map { String($0.dropFirst(5)) }
        #expect(examples.count >= 14)
        let gateway = TestData.jobs.map { job -> JSONValue in
            var job = ProtobufJSON.gatewayJob(job)
            if let chunks = job["numChunks"]?.int64Value { job.setValue(.string(String(chunks)), at: ["numChunks"]) }
            if let state = job["state"]?.stringValue { job.setValue(.int(Int64(EnumType.jobState.ordinal(state))), at: ["state"]) }
            return job
        }
        let archive = try Self.newArchive()
        var syncer = ArchiveSyncer(source: RecordsJobSource(records: gateway), archive: archive, endpoint: "file:export.json")
        syncer.kind = "import"
        _ = try await syncer.run()
        try await withService { _, client in
            for example in examples {
                let online = try await LanguageAgainstServiceTests.run(example, client: client, format: .csv)
                let offline = try await LanguageAgainstServiceTests.run(example, connection: Self.archiveConnection(archive), format: .csv)
                #expect(online.status == 0 && offline.status == 0, "\(example): \(offline.messages)")
                #expect(offline.output == online.output, "\(example)")
            }
        }
    }

    @Test func dotArchiveAndDotSyncInASession() async throws {
        let path = TestData.temporaryDirectory().appendingPathComponent("shell.sqlite").path
        _ = try Archive(path: path, create: true)
        try await withService(jobs: DifferentialTests.jobs) { _, client in
            let api = Connection(source: APIJobSource(client: client, pageSize: 100, prefetch: 2), description: "the test service")
            let file = TestData.temporaryDirectory().appendingPathComponent("out.txt")
            try #require(FileManager.default.createFile(atPath: file.path, contents: nil))
            let handle = try FileHandle(forWritingTo: file)
            let messages = LanguageAgainstServiceTests.MessageBox()
            var settings = SessionSettings()
            settings.format = .csv
            settings.pinnedNow = DifferentialTests.now
            let session = Session(connection: api, settings: settings, output: OutputSink(handle: handle, isTerminal: false), messages: MessageSink { messages.append($0) })
            session.syncConnection = api
            let status = await session.run(".archive \(path)\ncount\n.sync\ncount where state == FAILED\nsyncs select id, kind, new\n.archive\ncount where state == FAILED\n.sync\n")
            session.output.flush()
            try handle.close()
            let output = try String(contentsOf: file, encoding: .utf8)
            let failed = DifferentialTests.jobs.filter { $0["state"] == "JOB_STATE_FAILED" }.count
            // An empty archive counts 0; synced, it counts as the API does; back on the API, the same.
            #expect(output == "count\n0\n\ncount\n\(failed)\n\nid,kind,new\n1,full,\(DifferentialTests.jobs.count)\n\ncount\n\(failed)\n")
            #expect(messages.text.contains("synced \(DifferentialTests.jobs.count) jobs: \(DifferentialTests.jobs.count) new"))
            // `.sync` on the API (no archive in use) says what it needs; the script stops there.
            #expect(status != 0 && messages.text.contains("'.sync' asks an archive"))
        }
    }

    @Test func theGatewayFormReadsAsTheLiteralForm() async throws {
        let jobs = DifferentialTests.jobs
        let statements = Self.statements(200, seed: 4242)
        var literal: [String] = []
        try await withService(jobs: jobs) { _, client in
            for source in statements { literal.append(try await LanguageAgainstServiceTests.run(source, client: client, pageSize: 70).output) }
        }
        try await withService(jobs: jobs, options: TestData.options { $0.int64Strings = true }) { service, client in
            // The service really writes the gateway's strings.
            let (data, _) = try await URLSession.shared.data(from: URL(string: service.baseURL + "/jobs?pagination.limit=1")!)
            let text = String(decoding: data, as: UTF8.self)
            #expect(text.contains("\"total\":\"\(jobs.count)\""))
            #expect(text.contains("\"taskTimeout\":\""))
            for (index, source) in statements.enumerated() {
                let output = try await LanguageAgainstServiceTests.run(source, client: client, pageSize: 70).output
                let expected = literal[index]
                // Jobs come back with int64 strings; everything else, and every row chosen, is the same.
                let normalise = { (text: String) in text.split(separator: "\n").map { line in
                    JSONWriter.compact(ProtobufJSON.literalJob(try! JSONParser.parse(String(line))).job) } }
                #expect(normalise(output) == normalise(expected), "\(source)")
            }
            // And an archive synced from it answers as the literal service did.
            let archive = try Self.newArchive()
            _ = try await Self.sync(archive, client: client)
            let count = try await LanguageAgainstServiceTests.run("count where config.taskTimeout >= 600", connection: Self.archiveConnection(archive))
            let expected = jobs.filter { ($0["config"]?["taskTimeout"]?.int64Value ?? 0) >= 600 }.count
            #expect(count.output.contains("\(expected)"))
        }
    }
}
