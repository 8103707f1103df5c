import BNQArchive
import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import Testing

/// `bnq sync` and `bnq --archive` as processes: offline answers, an import in the gateway's
/// form, and a sync stopped by Ctrl-C or `kill -9` that leaves the previous sync intact.
@Suite struct SyncCommandTests {
    /// Starts `bnq ARGUMENTS` with a private HOME; returns the process and its output files.
    static func start(_ arguments: [String], home: URL) throws -> (Process, URL, URL) {
        let process = Process()
        process.executableURL = TestData.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["XDG_DATA_HOME"] = home.appendingPathComponent("data").path
        environment["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        environment["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        environment["BYTENITE_API_KEY"] = nil
        environment["BNQ_ENDPOINT"] = nil
        environment["BNQ_ARCHIVE"] = nil
        process.environment = environment
        let out = home.appendingPathComponent("out-\(UUID().uuidString)")
        let err = home.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Runs `bnq ARGUMENTS` to the end: status, standard output, standard error.
    static func run(_ arguments: [String], home: URL) async throws -> (status: Int32, output: String, errors: String) {
        let (process, out, err) = try start(arguments, home: home)
        await waitForExit(process)
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }

    static func waitForExit(_ process: Process) async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func syncThenAskOfflineWithTheDefaultArchive() async throws {
        let home = TestData.temporaryDirectory()
        let first = try await Self.run(["sync"], home: home)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.hasPrefix("synced \(DemoData.count) jobs: \(DemoData.count) new, 0 changed, 0 gone ("))
        let path = home.appendingPathComponent("data/bnq/archive.sqlite").path
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
        #expect(mode & 0o777 == 0o600)
        let second = try await Self.run(["sync"], home: home)
        #expect(second.output.hasPrefix("synced \(DemoData.count) jobs: 0 new, 0 changed, 0 gone ("), "\(second.errors)")

        // The same question online and offline gives the same answer.
        let statement = "jobs select templateId, count, avg(duration) where state == FAILED group by templateId order by count desc"
        let online = try await Self.run(["--json", "-c", statement], home: home)
        let offline = try await Self.run(["--archive", path, "--json", "-c", statement], home: home)
        #expect(online.status == 0 && offline.status == 0)
        #expect(offline.output == online.output)
        #expect(!offline.errors.contains("demo service"), "the archive needs no service: \(offline.errors)")

        let syncs = try await Self.run(["--archive", path, "--csv", "-c", "syncs select id, kind, jobs, new"], home: home)
        #expect(syncs.output == "id,kind,jobs,new\n1,full,\(DemoData.count),\(DemoData.count)\n2,incremental,\(DemoData.count),0\n")

        let explained = try await Self.run(["--archive", path, "-c", "explain jobs where state == FAILED order by createdAt desc limit 5"], home: home)
        #expect(explained.output.contains("SELECT json FROM versions JOIN documents USING (version) WHERE until IS NULL AND goneAt IS NULL AND \"state\" = 'JOB_STATE_FAILED' ORDER BY \"createdAt\" DESC, id LIMIT 5"))

        let explainedJSON = try await Self.run(["--archive", path, "--json", "-c", "explain count where state == FAILED"], home: home)
        let sqlMember = try JSONParser.parse(explainedJSON.output.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "[]")))["sql"]?.stringValue
        #expect(sqlMember?.hasPrefix("SELECT json FROM versions") == true, "\(explainedJSON.output)")

        // Asking the archive for what only the API has says so.
        let results = try await Self.run(["--archive", path, "-c", "results \(TestData.demoFirstID)"], home: home)
        #expect(results.status == 2 && results.errors.contains("the archive keeps jobs, not their result files"))
        // `as of` and `diff` without an archive say what they need.
        let needs = try await Self.run(["-c", "diff"], home: home)
        #expect(needs.status != 0 && needs.errors.contains("--archive"))
    }

    @Test func theConfigsArchiveSettingIsUsedAndAnExportLoadsBackUnchanged() async throws {
        let started = Timestamp(secondsSince1970: Date().timeIntervalSince1970)
        let home = TestData.temporaryDirectory()
        let archive = home.appendingPathComponent("configured.sqlite").path
        #expect(try await Self.run(["sync", "--archive", archive], home: home).status == 0)
        let folder = home.appendingPathComponent("config/bnq")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "archive = \(archive)\n".write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        // `archive =` in the config: statements read it (syncs exist only there).
        let configured = try await Self.run(["--csv", "-c", "syncs select id, kind"], home: home)
        #expect(configured.output == "id,kind\n1,full\n", "\(configured.errors)")
        // What `--format json` exports, `bnq serve --data` reads back as the same jobs.
        let export = try await Self.run(["--json", "--demo", "-c", "jobs"], home: home)
        let file = home.appendingPathComponent("export.json")
        try export.output.write(to: file, atomically: true, encoding: .utf8)
        let loaded = try JobData.load(path: file.path)
        // The same jobs, each with the same members and values (the listing's order and the
        // service's member order aside).
        func canonical(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let object): return .object(JSONObject(object.members.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
            case .array(let array): return .array(array.map(canonical))
            default: return value
            }
        }
        // The archive holds the demo as dated when it was synced (the day's jobs: dated for the
        // start of the test or, should the day have turned meanwhile, for its end).
        let exported = Set(loaded.jobs.map { JSONWriter.compact(canonical($0)) })
        let dated = try [started, Timestamp(secondsSince1970: Date().timeIntervalSince1970)].map { now in
            Set(try DemoData.jobs(datedFor: now).map { JSONWriter.compact(canonical($0)) })
        }
        #expect(loaded.jobs.count == DemoData.count)
        #expect(dated.contains(exported))
    }

    @Test func anExportInTheGatewayFormImportsAndAnswersTheSame() async throws {
        let home = TestData.temporaryDirectory()
        let jobs = try JobData.load(path: DemoData.path()).jobs
        let export = home.appendingPathComponent("export.json")
        let gateway = JSONValue.object(JSONObject([("data", .array(jobs.map(ProtobufJSON.gatewayJob))), ("pagination", ["total": .string(String(jobs.count))])]))
        try JSONWriter.compact(gateway).write(to: export, atomically: true, encoding: .utf8)
        #expect(try String(contentsOf: export, encoding: .utf8).contains("\"taskTimeout\":\""))
        let archive = home.appendingPathComponent("imported.sqlite").path
        let imported = try await Self.run(["sync", "--archive", archive, "--from", export.path], home: home)
        #expect(imported.status == 0, "\(imported.errors)")
        #expect(imported.output.hasPrefix("synced \(jobs.count) jobs: \(jobs.count) new"))
        for statement in ["count where config.taskTimeout >= 1800", "jobs select name, state where state == FAILED order by createdAt desc limit 5"] {
            let online = try await Self.run(["--json", "-c", statement], home: home)
            let offline = try await Self.run(["--archive", archive, "--json", "-c", statement], home: home)
            #expect(offline.status == 0, "\(offline.errors)")
            #expect(offline.output == online.output, "\(statement)")
        }
        // `bnq serve --data` takes the export and the archive alike.
        for data in [export.path, archive] {
            let (server, out, err) = try Self.start(["serve", "--port", "0", "--data", data], home: home)
            var url = ""
            for _ in 0..<500 where url.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
                url = (try String(contentsOf: out, encoding: .utf8)).split(separator: "\n").first.map(String.init) ?? ""
            }
            #expect(url.hasPrefix("http://"), "\((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
            let counted = try await Self.run(["--endpoint", url, "--json", "-c", "count"], home: home)
            server.terminate()
            await Self.waitForExit(server)
            #expect(counted.output.contains("{\"count\":\(jobs.count)}"), "\(data): \(counted.errors)")
        }
    }

    /// A sync stopped midway, by Ctrl-C or by `kill -9`, leaves the archive at the previous sync.
    @Test(arguments: [SIGINT, SIGKILL]) func aStoppedSyncLeavesThePreviousSync(signal: Int32) async throws {
        let home = TestData.temporaryDirectory()
        let archive = home.appendingPathComponent("archive.sqlite").path
        var options = LocalService.Options()
        options.port = 0
        options.latency = .milliseconds(40)
        let service = try await LocalService.start(store: JobStore(jobs: JobGenerator(seed: 61).jobs(count: 2000)), options: options)
        defer { Task { await service.stop() } }
        let first = try await Self.run(["sync", "--endpoint", service.baseURL, "--archive", archive, "--page-size", "1000"], home: home)
        #expect(first.status == 0, "\(first.errors)")

        // A full re-read in pages of 20: 100 requests, about 4 s; stopped after one.
        let (process, _, err) = try Self.start(["sync", "--full", "--endpoint", service.baseURL, "--archive", archive, "--page-size", "20"], home: home)
        try await Task.sleep(for: .seconds(1))
        #expect(process.isRunning)
        kill(process.processIdentifier, signal)
        await Self.waitForExit(process)
        if signal == SIGINT {
            #expect(process.terminationStatus == 130)
            #expect(try String(contentsOf: err, encoding: .utf8).contains("interrupted: nothing was written; the archive is as it was (sync 1)"))
        } else {
            #expect(process.terminationReason == .uncaughtSignal)
        }
        let store = try Archive(path: archive, create: false)
        #expect(try store.syncs().map(\.id) == [1])
        #expect(try store.count(ArchiveQuery(filters: [], ordering: nil)) == 2000)
        // And the next sync works from there.
        let again = try await Self.run(["sync", "--endpoint", service.baseURL, "--archive", archive, "--page-size", "1000"], home: home)
        #expect(again.status == 0, "\(again.errors)")
        #expect(try store.syncs().map(\.id) == [1, 2])
    }
}
