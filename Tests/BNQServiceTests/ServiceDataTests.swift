import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import Testing

@Suite struct ServiceDataTests {
    @Test func generationIsDeterministicAndConsistent() {
        let a = JobGenerator(seed: 9).jobs(count: 500)
        #expect(a == JobGenerator(seed: 9).jobs(count: 500))
        #expect(a != JobGenerator(seed: 10).jobs(count: 500))
        #expect(Set(a.map(\.id)).count == 500)
        let states = Set(a.map { $0["state"]?.stringValue ?? "JOB_STATE_NEW" })
        #expect(states.count == 11)
        for job in a {
            let state = job["state"]?.stringValue ?? "JOB_STATE_NEW"
            let finished = state == "JOB_STATE_COMPLETE" || state == "JOB_STATE_FAILED"
            #expect((job["endedAt"] != nil) == finished, "endedAt only on finished jobs")
            if state == "JOB_STATE_FAILED" { #expect(job["errorMessage"]?.stringValue?.isEmpty == false) }
            let created = Timestamp(rfc3339: job["createdAt"]!.stringValue!)!
            if let submitted = job["submittedAt"]?.stringValue.flatMap({ Timestamp(rfc3339: $0) }) { #expect(submitted > created) }
            if let started = job["startedAt"]?.stringValue.flatMap({ Timestamp(rfc3339: $0) }),
                let ended = job["endedAt"]?.stringValue.flatMap({ Timestamp(rfc3339: $0) }),
                let duration = job["duration"]?.numberValue
            {
                #expect(abs(ended.secondsSince1970 - started.secondsSince1970 - duration) < 0.002)
            }
        }
    }

    @Test func theDemoFileIsTheGeneratedDemoData() throws {
        let file = try JobData.load(path: DemoData.path()).jobs
        #expect(JSONWriter.compact(.array(file)) == JSONWriter.compact(.array(JobGenerator(seed: DemoData.seed).jobs(count: DemoData.count))))
    }

    /// Every time of a job: its time fields and the values of its maps of times, by path.
    static func times(_ job: JSONValue) -> [String: Timestamp] {
        var times: [String: Timestamp] = [:]
        guard case .object(let object) = job else { return times }
        for (key, value) in object {
            if case .string(let text) = value, key.hasSuffix("At"), let time = Timestamp(rfc3339: text) { times[key] = time }
            if key == "stateTimestamps", case .object(let states) = value {
                for (state, time) in states { times[key + "." + state] = time.stringValue.flatMap { Timestamp(rfc3339: $0) } }
            }
        }
        return times
    }

    @Test func theDemoIsDatedForTheDayItRunsOn() throws {
        let original = try DemoData.jobs()
        let originalTimes = original.map(Self.times)
        let latest = originalTimes.flatMap(\.values).max()!
        // Before the latest time comes round a day later, the jobs are the file's.
        #expect(try DemoData.jobs(datedFor: latest) == original)
        #expect(try DemoData.jobs(datedFor: latest.adding(seconds: 86_399)) == original)
        for now in [
            latest.adding(seconds: 86_400), Timestamp(rfc3339: "2027-03-01T08:00:00Z")!, Timestamp(rfc3339: "2031-07-15T23:59:59.5Z")!,
            Timestamp(rfc3339: "2026-10-01T00:00:00Z")!,
        ] {
            let dated = try DemoData.jobs(datedFor: now)
            #expect(dated.count == original.count)
            let shift = Self.times(dated[0])["createdAt"]!.seconds - originalTimes[0]["createdAt"]!.seconds
            #expect(shift % 86_400 == 0, "moved by whole days")
            var newest = Timestamp.earliest
            for (job, before) in zip(dated, original) {
                let times = Self.times(job)
                let originals = Self.times(before)
                #expect(Set(times.keys) == Set(originals.keys))
                for (path, time) in times {
                    #expect(time.seconds - originals[path]!.seconds == shift && time.nanos == originals[path]!.nanos, "\(path) moved like the rest")
                    newest = max(newest, time)
                }
                // Nothing but times changes.
                var unmoved = job
                var unmovedBefore = before
                for key in ["createdAt", "submittedAt", "startAt", "startedAt", "endedAt", "stateTimestamps"] {
                    if case .object(var object) = unmoved { object[key] = nil; unmoved = .object(object) }
                    if case .object(var object) = unmovedBefore { object[key] = nil; unmovedBefore = .object(object) }
                }
                #expect(unmoved == unmovedBefore)
            }
            // The latest time is within the day before `now`: relative questions find jobs.
            #expect(newest <= now && newest.secondsSince1970 > now.secondsSince1970 - 86_400, "\(newest) for \(now)")
        }
    }

    @Test func datingNeverMovesATimeOutOfTheYearsRFC3339Writes() {
        func jobs(_ times: [String]) -> [JSONValue] { times.enumerated().map { ["id": .string("j\($0.offset)"), "createdAt": .string($0.element)] } }
        func created(_ jobs: [JSONValue]) -> [String] { jobs.compactMap { $0["createdAt"]?.stringValue } }
        // Back from 9999 towards 2026, but only as far as the earliest time allows: two days.
        #expect(created(DemoData.dated(jobs(["0001-01-03T00:00:00Z", "9999-06-01T00:00:00Z"]), for: Timestamp(rfc3339: "2026-11-30T12:00:00Z")!))
            == ["0001-01-01T00:00:00Z", "9999-05-30T00:00:00Z"])
        // Forward to the last day there is.
        #expect(created(DemoData.dated(jobs(["0001-01-03T00:00:00Z", "9999-12-29T00:00:00Z"]), for: .latest))
            == ["0001-01-05T00:00:00Z", "9999-12-31T00:00:00Z"])
        // Ordinary times move by whole days, the latest to within the day before now.
        #expect(created(DemoData.dated(jobs(["2026-01-01T10:00:00Z", "2026-01-02T23:00:00Z"]), for: Timestamp(rfc3339: "2026-11-30T12:00:00Z")!))
            == ["2026-11-28T10:00:00Z", "2026-11-29T23:00:00Z"])
    }

    @Test func anExportInTheGatewayFormLoads() throws {
        let folder = TestData.temporaryDirectory()
        let literal = JobGenerator(seed: 8).jobs(count: 20)
        // As the gateway writes them: int64 and other numbers as strings, enums by number.
        let gateway = literal.map { job -> JSONValue in
            var job = ProtobufJSON.gatewayJob(job)
            if let chunks = job["numChunks"]?.int64Value { job.setValue(.string(String(chunks)), at: ["numChunks"]) }
            if let duration = job["duration"]?.numberValue { job.setValue(.string(JSONWriter.formatDouble(duration)), at: ["duration"]) }
            if let state = job["state"]?.stringValue { job.setValue(.int(Int64(EnumType.jobState.ordinal(state))), at: ["state"]) }
            return job
        }
        #expect(gateway.contains { $0["config"]?["taskTimeout"]?.stringValue != nil })
        let file = folder.appendingPathComponent("export.json")
        try JSONWriter.pretty(.object(JSONObject([("data", .array(gateway)), ("pagination", ["total": "20"])]))).write(to: file, atomically: true, encoding: .utf8)
        let loaded = try JobData.load(path: file.path)
        #expect(loaded.dropped.isEmpty)
        #expect(loaded.jobs.map { JSONWriter.compact($0) } == literal.map { JSONWriter.compact($0) })

        // Numbers JSON cannot carry are left out, and said.
        var odd = literal[0]
        odd.setValue("NaN", at: ["duration"])
        let oddFile = folder.appendingPathComponent("odd.json")
        try JSONWriter.compact(.array([odd])).write(to: oddFile, atomically: true, encoding: .utf8)
        let oddLoaded = try JobData.load(path: oddFile.path)
        #expect(oddLoaded.dropped == ["job [0] duration"])
        #expect(oddLoaded.jobs[0]["duration"] == nil)
    }

    @Test func badDataFilesNameTheFileAndThePosition() throws {
        let folder = TestData.temporaryDirectory()
        let broken = folder.appendingPathComponent("broken.json")
        try "[{\"id\": \"a\"},\n {\"id\": }]".write(to: broken, atomically: true, encoding: .utf8)
        #expect(throws: JobData.LoadError.self) { try JobData.load(path: broken.path) }
        do { _ = try JobData.load(path: broken.path) } catch { #expect(error.message.hasPrefix("\(broken.path):2:9: ")) }

        let wrongType = folder.appendingPathComponent("wrong.json")
        try #"{"data": [{"id": "a", "numChunks": "many"}]}"#.write(to: wrongType, atomically: true, encoding: .utf8)
        do {
            _ = try JobData.load(path: wrongType.path)
            Issue.record("a job with a wrong type was loaded")
        } catch { #expect(error.message.contains("job [0]") && error.message.contains("numChunks")) }

        do {
            _ = try JobData.load(path: folder.appendingPathComponent("missing.json").path)
            Issue.record("a missing file was loaded")
        } catch { #expect(error.message.contains("cannot read")) }
    }

    @Test func faultSpecsParseAndRejectNonsense() throws {
        let plan = try FaultPlan.parse("503=0.2,reset=0.05,delay=0.1:300ms")
        #expect(plan.faults.count == 3)
        #expect(plan.faults[2].fault == .delay(.milliseconds(300)))
        #expect(throws: FilterError.self) { try FaultPlan.parse("503=2") }
        #expect(throws: FilterError.self) { try FaultPlan.parse("teapot=0.1") }
        #expect(throws: FilterError.self) { try FaultPlan.parse("delay=0.1") }
    }
}
