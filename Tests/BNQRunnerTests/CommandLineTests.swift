import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import Testing

/// The real `bnq` binary, run as a process against `bnq serve` on loopback.
@Suite struct CommandLineTests {
    /// The bnq executable built beside the tests.
    static var binary: URL { TestData.binary }

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs bnq with a private HOME and XDG folders, and no API key. The wait happens off Swift's
    /// cooperative threads, which the in-process service needs to answer.
    /// With `shell`, `arguments` is a command (`bash -c SCRIPT`) given the bnq binary as `$0` and
    /// a file for standard error as `$1`; `errors` is then that file's path.
    static func bnq(_ arguments: [String], input: String? = nil, config: String? = nil, shell: Bool = false, environment: [String: String] = [:]) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments, input: input, config: config, shell: shell, extra: environment) })
            }
        }
    }

    static func runBlocking(_ arguments: [String], input: String?, config: String? = nil, shell: Bool = false, extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        let errorFile = TestData.temporaryDirectory().appendingPathComponent("stderr").path
        if shell {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments + [binary.path, errorFile]
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        let home = TestData.temporaryDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        environment["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        if let config {
            let folder = home.appendingPathComponent("config/bnq")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try config.write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        }
        environment["BYTENITE_API_KEY"] = nil
        environment["BNQ_ENDPOINT"] = nil
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: shell ? errorFile : String(decoding: err, as: UTF8.self))
    }

    static func script(_ text: String) throws -> String {
        let path = TestData.temporaryDirectory().appendingPathComponent("script.bnq").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func oneShotStatementsAndExitStatuses() async throws {
        try await withService { service, _ in
            let ok = try await Self.bnq(["-c", "count where state == FAILED", "--endpoint", service.baseURL, "--format", "ndjson"])
            let failed = TestData.jobs.filter { $0["state"] == "JOB_STATE_FAILED" }.count
            #expect(ok.status == 0 && ok.output == "{\"count\":\(failed)}\n")
            let query = try await Self.bnq(["-c", "jobs where stat == FAILED", "--endpoint", service.baseURL])
            #expect(query.status == 1 && query.output.isEmpty && query.errors.contains("did you mean 'state'?"))
            let api = try await Self.bnq(["-c", "job nope", "--endpoint", service.baseURL])
            #expect(api.status == 2 && api.errors.contains("no job with id 'nope'"))
            let usage = try await Self.bnq(["--format", "yaml", "-c", "jobs"])
            #expect(usage.status == 64)
            let version = try await Self.bnq(["--version"])
            #expect(version.status == 0 && version.output.hasPrefix("bnq "))
            let piped = try await Self.bnq(["--endpoint", service.baseURL], input: "jobs select id limit 2\njobs select id limit 1\n")
            #expect(piped.status == 0 && piped.output.split(separator: "\n").count == 3)
        }
    }

    @Test func theDemoServiceIsTheDefaultWithoutCredentials() async throws {
        let run = try await Self.bnq(["-c", "count"])
        #expect(run.status == 0)
        #expect(run.errors.contains("built-in demo service"))
        #expect(run.output == "{\"count\":300}\n")
        // Its jobs are dated for today: the newest are from the last day, whatever the date.
        let recent = try await Self.bnq(["-c", "count where createdAt > now - 1d"])
        let count = try #require(recent.output.split(separator: ":").last.flatMap { Int($0.dropLast(2)) })
        #expect(count > 0, "\(recent.output)")
        #expect(recent.errors.contains("(300 jobs, created "))
        // A pinned now dates them for that day: the file's own dates for its day.
        let pinned = try await Self.bnq(["--now", "2026-11-28T00:00:00Z", "-c", "jobs select max(createdAt)"])
        #expect(pinned.output == "{\"max(createdAt)\":\"2026-11-27T14:50:26.364Z\"}\n", "\(pinned.output)")
    }

    @Test func checkReportsEveryErrorWithItsPosition() async throws {
        let path = try Self.script("""
            -- three mistakes
            jobs where stat == FAILED
            .set since now - 1d
            jobs select name
              where createdAt > $since and numChunks like '1%'
            count where state == FINISHED
            .frobnicate
            """)
        let run = try await Self.bnq(["--check", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("\(path):2:12: error: unknown field 'stat'"))
        #expect(run.errors.contains("\(path):5:42: error: 'like' cannot apply to 'numChunks'"))
        #expect(run.errors.contains("\(path):6:22: error: unknown state 'FINISHED'"))
        #expect(run.errors.contains("\(path):7:1: error: unknown command '.frobnicate'"))
        #expect(run.errors.contains("4 errors"))
        let clean = try await Self.bnq(["--check", try Self.script("jobs limit 1\ncount")])
        #expect(clean.status == 0 && clean.errors.isEmpty)
    }

    @Test func aStatementFailingMidScriptStopsWithItsPosition() async throws {
        try await withService { service, _ in
            let path = try Self.script("jobs select id limit 1\n\njob no-such-job\njobs select id limit 2\n")
            let stop = try await Self.bnq([path, "--endpoint", service.baseURL, "--format", "ndjson"])
            #expect(stop.status == 2)
            #expect(stop.errors.contains("\(path):3:1: error: no job with id 'no-such-job'"))
            #expect(stop.output.split(separator: "\n").count == 1)
            let carryOn = try await Self.bnq([path, "--endpoint", service.baseURL, "--format", "ndjson", "--on-error", "continue"])
            #expect(carryOn.status == 2)
            #expect(carryOn.output.split(separator: "\n").count == 3)
        }
    }

    @Test func aMissingParameterFailsBeforeAnythingIsSent() async throws {
        try await withService { service, client in
            let path = try Self.script("jobs select id limit 1\njobs where templateId == $template\n")
            let run = try await Self.bnq([path, "--endpoint", service.baseURL])
            #expect(run.status == 1)
            #expect(run.output.isEmpty)
            #expect(run.errors.contains("parameter $template is not set"))
            let given = try await Self.bnq([path, "--endpoint", service.baseURL, "--param", "template=pdf-ocr", "--format", "ndjson"])
            #expect(given.status == 0)
            _ = client
        }
    }

    @Test func watchingAFailedJobExitsWithFour() async throws {
        let failed = TestData.jobs.first { $0["state"] == "JOB_STATE_FAILED" }!
        try await withService { service, _ in
            let run = try await Self.bnq(["-c", ".watch 100ms job \(failed.id) until state in (COMPLETE, FAILED)", "--endpoint", service.baseURL])
            #expect(run.status == 4)
            #expect(run.output.contains("FAILED"))
        }
    }

    @Test func aHostileJobNameReachesAPipeEscapedInATable() async throws {
        guard case .object(var object) = TestData.jobs[0] else { return }
        object["name"] = .string("evil\u{1B}[2J\u{1B}]0;owned\u{07}\u{202E}name")
        try await withService(jobs: [.object(object)]) { service, _ in
            for format in ["table", "expanded", "markdown"] {
                let run = try await Self.bnq(["--endpoint", service.baseURL, "--format", format, "-c", "jobs select id, name"])
                #expect(run.status == 0)
                #expect(!run.output.unicodeScalars.contains { $0 != "\n" && UnsafeCharacters.contains($0) }, "\(format)")
                #expect(run.output.contains("evil\\e[2J"), "\(format)")
            }
            // json keeps the very value, escaped as JSON.
            let json = try await Self.bnq(["--endpoint", service.baseURL, "--format", "ndjson", "-c", "jobs select name"])
            #expect(json.output.contains("evil\\u001b[2J"))
        }
    }

    @Test func checkFindsAnErrorInsideWatchWithItsPosition() async throws {
        let path = try Self.script("jobs limit 1\n.watch 10s jobs where stat == RUNNING until state == COMPLETE\n.watch job abc until state == DONE\n")
        let run = try await Self.bnq(["--check", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("\(path):2:23: error: unknown field 'stat'"))
        #expect(run.errors.contains("\(path):3:31: error: unknown state 'DONE'"))
        // Running it stops before anything is sent.
        let ran = try await Self.bnq([path])
        #expect(ran.status == 1 && ran.output.isEmpty)
    }

    @Test func watchingACountIsAQueryError() async throws {
        let run = try await Self.bnq(["-c", ".watch count where state == RUNNING"])
        #expect(run.status == 1)
        #expect(run.errors.contains("'.watch' takes a jobs listing or job ID"))
        #expect(!run.errors.contains("built-in demo service"))
    }

    @Test func statementsThatNeedNoNetworkStartNoService() async throws {
        let explain = try await Self.bnq(["-c", "explain jobs where state == FAILED"])
        #expect(explain.status == 0 && explain.output.hasPrefix("POST /v1/customer/jobs/filter"))
        #expect(!explain.errors.contains("built-in demo service"))
        let count = try await Self.bnq(["-c", "count"])
        #expect(count.errors.contains("built-in demo service"))
    }

    @Test func aScriptThatReadsItselfStops() async throws {
        let path = try Self.script("jobs select id limit 1\n")
        try ".read \(path)\njobs select id limit 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try await Self.bnq([path, "--format", "ndjson"])
        #expect(run.status == 64)
        #expect(run.errors.contains("more than 16 deep"))
    }

    @Test func aMissingFileSaysWhy() async throws {
        let run = try await Self.bnq(["/nonexistent/nosuch.bnq"])
        #expect(run.status == 64)
        #expect(run.errors.contains("cannot read /nonexistent/nosuch.bnq: no such file"))
    }

    @Test func aConfiguredButUnusableSettingIsAnError() async throws {
        let unreadable = try await Self.bnq(["-c", "count"], config: "key_file = /nonexistent/key\n")
        #expect(unreadable.status == 64)
        #expect(unreadable.errors.contains("cannot read the key file /nonexistent/key"))
        #expect(!unreadable.errors.contains("built-in demo service") && unreadable.output.isEmpty)
        let zero = try await Self.bnq(["-c", "count"], config: "page_size = 0\n")
        #expect(zero.status == 64)
        #expect(zero.errors.contains("page_size must be a whole number from 1 to 1000, not '0'"))
    }

    @Test func writeFailuresStopThePaging() async throws {
        let jobs = JobGenerator(seed: 11).jobs(count: 3000)
        try await withService(jobs: jobs) { service, _ in
            // The reader goes away after a few bytes: bnq stops quietly, without reading every page.
            let closed = try await Self.bnq(["bash", "-c", "set -o pipefail; \"$0\" --endpoint \(service.baseURL) -v --page-size 100 --prefetch 0 -c jobs --format ndjson 2>\"$1\" | head -c 10 >/dev/null; echo $?"], shell: true)
            let lines = closed.output.split(separator: "\n")
            #expect(lines.last == "141")
            let trace = try String(contentsOfFile: closed.errors, encoding: .utf8)
            let requests = trace.split(separator: "\n").filter { $0.hasPrefix("> ") }.count
            #expect(requests >= 1 && requests < 5, "\(requests) requests after the reader left")
            #expect(!trace.contains("error"))
            // A full disk: a one-line error and a failing status.
            let full = try await Self.bnq(["bash", "-c", "\"$0\" --endpoint \(service.baseURL) -c jobs --format ndjson >/dev/full 2>\"$1\"; echo $?"], shell: true)
            #expect(full.output.split(separator: "\n").last == "74")
            #expect(try String(contentsOfFile: full.errors, encoding: .utf8) == "error: cannot write the output: no space left on device\n")
        }
    }

    @Test func aScriptMayNotTakeTheKeyToAnotherOrigin() async throws {
        try await withService { service, _ in
            let path = try Self.script("count\n.endpoint http://127.0.0.2:9/v1/customer\ncount\n")
            let key = ["BYTENITE_API_KEY": "sk-test-origin"]
            let checked = try await Self.bnq(["--check", path, "--endpoint", service.baseURL], environment: key)
            #expect(checked.status == 1)
            #expect(checked.errors.contains("\(path):2:1: error: '.endpoint http://127.0.0.2:9/v1/customer' in a script leaves"))
            let ran = try await Self.bnq([path, "--endpoint", service.baseURL, "--format", "ndjson"], environment: key)
            #expect(ran.status == 64)
            #expect(ran.output.split(separator: "\n").count == 1)
            #expect(ran.errors.contains("where the API key belongs"))
            // Without a key there is nothing to take along.
            #expect(try await Self.bnq(["--check", path]).status == 0)
        }
    }

    @Test func formatShortcutsAndRowsWithoutAHeader() async throws {
        let csv = try await Self.bnq(["-c", "jobs select id, name limit 2", "--csv", "-t"])
        #expect(csv.status == 0)
        #expect(csv.output.split(separator: "\n").count == 2 && !csv.output.contains("id,name"))
        let table = try await Self.bnq(["-c", "jobs select id limit 2", "--format", "table", "--no-header"])
        #expect(table.output.split(separator: "\n").count == 2 && !table.output.contains("---") && !table.output.contains("rows)"))
        let json = try await Self.bnq(["-c", "jobs select id limit 1", "--json"])
        #expect(json.output.hasPrefix("[\n{\"id\":"))
        #expect(try await Self.bnq(["-c", "count", "--csv", "--json"]).status == 64)
        let help = try await Self.bnq(["--help"])
        for option in ["-c STATEMENT", "--format FORMAT", "--csv, --json, --ndjson", "-t, --no-header"] {
            #expect(help.output.contains(option), "\(option)")
        }
    }

    @Test func aShortIdSuggestsTheFullIdsSeen() async throws {
        let run = try await Self.bnq(["--format", "ndjson"], input: "jobs select id limit 1\njob \(TestData.demoFirstID.prefix(8))\n")
        #expect(run.status == 2)
        #expect(run.errors.contains("no job has the id '\(TestData.demoFirstID.prefix(8))'; did you mean '\(TestData.demoFirstID)'?"))
    }

    @Test func timesShowAndReadInTheConfiguredZone() async throws {
        let id = "014fc7a7-d3f0-388f-1d27-92ad815f8517"
        let utc = try await Self.bnq(["--format", "table", "-c", "jobs select createdAt where id == '\(id)'"])
        let berlin = try await Self.bnq(["--format", "table", "-c", "jobs select createdAt where id == '\(id)'"], config: "time_zone = Europe/Berlin\n")
        #expect(utc.status == 0 && berlin.status == 0, "\(berlin.errors)")
        // The zone is named under the table.
        #expect(utc.output.contains("(1 row; times in UTC)"))
        #expect(berlin.output.contains("(1 row; times in Europe/Berlin)"))
        func shown(_ output: String) -> String? {
            output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("20") }
        }
        let utcText = try #require(shown(utc.output))
        let berlinText = try #require(shown(berlin.output))
        let instant = try #require(Timestamp(rfc3339: utcText))
        #expect(berlinText == Timestamp(seconds: instant.seconds + 3600).shortDescription, "November is UTC+1 in Berlin")
        // What each table shows, typed back in its zone, finds the job.
        // What each table shows, typed back in its zone, finds the job; a second later does not.
        func count(from text: String, config: String?) async throws -> String {
            try await Self.bnq(["--format", "csv", "-t", "-c", "count where id == '\(id)' and createdAt >= '\(text)'"], config: config).output
        }
        #expect(try await count(from: utcText, config: nil) == "1\n")
        #expect(try await count(from: Timestamp(seconds: instant.seconds + 1).shortDescription, config: nil) == "0\n")
        #expect(try await count(from: berlinText, config: "time_zone = Europe/Berlin\n") == "1\n")
        #expect(try await count(from: Timestamp(seconds: instant.seconds + 3601).shortDescription, config: "time_zone = Europe/Berlin\n") == "0\n")
        // csv keeps the API's exact text whatever the zone.
        let csv = try await Self.bnq(["--format", "csv", "-c", "jobs select createdAt where id == '\(id)'"], config: "time_zone = Europe/Berlin\n")
        #expect(csv.output.hasSuffix("Z\n"))
        let wrong = try await Self.bnq(["-c", "count"], config: "time_zone = Mars/Olympus\n")
        #expect(wrong.status == 64)
        #expect(wrong.errors.contains("config:1: unknown time zone 'Mars/Olympus'"))
    }
}
