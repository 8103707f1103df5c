import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import GRDB
import Testing

@testable import BNQArchive

/// The archive on a real SQLite file: versions, syncs, gone jobs, `as of`, diffs, busy and
/// rolled-back syncs, and SQL that answers filters exactly as `JobFilter` does.
@Suite struct ArchiveTests {
    static func temporaryArchive() throws -> Archive {
        try Archive(path: TestData.temporaryDirectory().appendingPathComponent("a/archive.sqlite").path, create: true)
    }

    static func sync(_ archive: Archive, _ jobs: [JSONValue], full: Bool = true, endpoint: String = "test") throws -> ArchiveSync.Tally {
        let sync = try ArchiveSync(archive: archive, endpoint: endpoint, kind: full ? "full" : "incremental", at: Timestamp(seconds: 1_800_000_000))
        try sync.record(jobs)
        if full { try sync.markUnseenGone() }
        let tally = sync.tally
        _ = try sync.commit(requests: 1, seconds: 0.1)
        return tally
    }

    static func ids(_ archive: Archive, _ query: ArchiveQuery) async throws -> [String] {
        let reader = archive.jobs(query)
        var ids: [String] = []
        while let job = try await reader.next() { ids.append(job.id) }
        return ids
    }

    @Test func aNewArchiveIsPrivateAndRefusesOtherFiles() throws {
        let folder = TestData.temporaryDirectory()
        let path = folder.appendingPathComponent("data/bnq/archive.sqlite").path
        _ = try Archive(path: path, create: true)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
        #expect(mode & 0o777 == 0o600)
        let folderMode = (try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)[.posixPermissions] as! NSNumber).intValue
        #expect(folderMode & 0o777 == 0o700)

        let text = folder.appendingPathComponent("notes.txt").path
        try "not a database".write(toFile: text, atomically: true, encoding: .utf8)
        #expect { try Archive(path: text, create: true) } throws: { ($0 as? ArchiveError)?.message.contains("not a bnq archive") == true }
        #expect { try Archive(path: folder.appendingPathComponent("missing.sqlite").path, create: false) } throws: {
            ($0 as? ArchiveError)?.message.contains("bnq sync") == true
        }
        // Another SQLite database is not taken over.
        let other = folder.appendingPathComponent("other.sqlite").path
        let queue = try DatabaseQueue(path: other)
        try queue.write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect { try Archive(path: other, create: true) } throws: { ($0 as? ArchiveError)?.message.contains("not a bnq archive") == true }
    }

    @Test func syncsKeepVersionsMarkGoneAndAnswerAsOf() async throws {
        let archive = try Self.temporaryArchive()
        var jobs = JobGenerator(seed: 11).jobs(count: 50)
        #expect(try Self.sync(archive, jobs) == ArchiveSync.Tally(seen: 50, new: 50, changed: 0, gone: 0, skipped: 0))
        // The same jobs again, members in another order: nothing changed.
        let reordered = jobs.map { job -> JSONValue in .object(JSONObject(job.objectValue!.members.reversed())) }
        #expect(try Self.sync(archive, reordered).changed == 0)

        jobs[0].setValue(.string("JOB_STATE_FAILED"), at: ["state"])
        let removed = jobs.removeLast()
        #expect(try Self.sync(archive, jobs) == ArchiveSync.Tally(seen: 49, new: 0, changed: 1, gone: 1, skipped: 0))

        let syncs = try archive.syncs()
        #expect(syncs.map(\.id) == [1, 2, 3])
        #expect(syncs.map(\.jobs) == [50, 50, 49])
        let all = ArchiveQuery(filters: [], ordering: nil)
        #expect(try await Self.ids(archive, all).count == 49)
        var asOfTwo = all
        asOfTwo.asOf = 2
        #expect(try await Self.ids(archive, asOfTwo).count == 50)
        #expect(try archive.job(id: removed.id) == nil)
        #expect(try archive.job(id: removed.id, asOf: 1) != nil)
        #expect(try archive.job(id: jobs[0].id, asOf: 1)?["state"] != "JOB_STATE_FAILED")
        #expect(try archive.job(id: jobs[0].id)?["state"] == "JOB_STATE_FAILED")

        let changes = try archive.changes(from: 2, to: 3)
        #expect(changes.count == 2)
        #expect(changes.contains { $0.kind == .gone && $0.id == removed.id })
        #expect(changes.contains { $0.kind == .changed && $0.id == jobs[0].id && $0.field == "state" && $0.after == "JOB_STATE_FAILED" })
        // The gone job is kept, marked with when.
        let gone = try await archive.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM gone_jobs WHERE goneAt IS NOT NULL") }
        #expect(gone == 1)
        // It comes back as new when listed again.
        jobs.append(removed)
        #expect(try Self.sync(archive, jobs).new == 1)
        #expect(try archive.changes(from: 3, to: 4).map(\.kind) == [.new])
    }

    @Test func aSyncOfAnotherEndpointIsRefused() throws {
        let archive = try Self.temporaryArchive()
        _ = try Self.sync(archive, JobGenerator(seed: 1).jobs(count: 3), endpoint: "https://a.example/v1/customer")
        #expect { try Self.sync(archive, [], endpoint: "https://b.example/v1/customer") } throws: {
            ($0 as? ArchiveError)?.message.contains("mirrors https://a.example/v1/customer") == true
        }
        #expect(try archive.syncs().count == 1)
    }

    @Test func anAbandonedSyncLeavesThePreviousOneAndASecondWriterIsBusy() throws {
        let archive = try Self.temporaryArchive()
        let jobs = JobGenerator(seed: 2).jobs(count: 20)
        _ = try Self.sync(archive, jobs)
        let running = try ArchiveSync(archive: archive, endpoint: "test", kind: "full", at: Timestamp(seconds: 1))
        try running.record(JobGenerator(seed: 3).jobs(count: 30))
        // A second process writing the same file waits, then says the archive is busy.
        let second = try Archive(path: archive.path, create: false)
        let started = Date()
        #expect { try ArchiveSync(archive: second, endpoint: "test", kind: "full", at: Timestamp(seconds: 2)) } throws: { ($0 as? ArchiveError)?.isBusy == true }
        #expect(Date().timeIntervalSince(started) >= Archive.busyTimeout * 0.9)
        // Readers see the previous sync meanwhile.
        #expect(try second.count(ArchiveQuery(filters: [], ordering: nil)) == 20)
        running.abandon()
        #expect(try archive.syncs().count == 1)
        #expect(try archive.count(ArchiveQuery(filters: [], ordering: nil)) == 20)
    }

    @Test func aFullDiskFailsTheSyncAndLeavesThePreviousOne() async throws {
        let archive = try Self.temporaryArchive()
        _ = try Self.sync(archive, JobGenerator(seed: 5).jobs(count: 20))
        // SQLite says SQLITE_FULL when a database reaches its page limit, as when the disk fills.
        try await archive.queue.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + 8)")
        }
        #expect { try Self.sync(archive, JobGenerator(seed: 6).jobs(count: 2000)) } throws: {
            ($0 as? ArchiveError)?.message.contains("the disk is full; the archive is unchanged") == true
        }
        #expect(try archive.syncs().count == 1)
        #expect(try archive.count(ArchiveQuery(filters: [], ordering: nil)) == 20)
    }

    /// Jobs in every form the gateway may send, plus values at the edges of each type.
    static var awkwardJobs: [JSONValue] {
        var jobs = JobGenerator(seed: 21).jobs(count: 300)
        let edits: [(String, [String], JSONValue?)] = [
            ("duration", ["duration"], "NaN"), ("duration", ["duration"], "Infinity"), ("duration", ["duration"], "-Infinity"),
            ("duration", ["duration"], "1121.2"), ("duration", ["duration"], nil), ("numChunks", ["numChunks"], "5"),
            ("numChunks", ["numChunks"], 2.5), ("numChunks", ["numChunks"], "9223372036854775807"), ("taskTimeout", ["config", "taskTimeout"], "3600"),
            ("state", ["state"], 10), ("state", ["state"], 0), ("state", ["state"], "JOB_STATE_SOMETHING_NEW"), ("state", ["state"], nil),
            ("priority", ["priority"], 3), ("createdAt", ["createdAt"], "2026-11-01T10:00:00+02:00"), ("createdAt", ["createdAt"], nil),
            ("endedAt", ["endedAt"], "2026-11-20T10:00:00.123456789Z"), ("name", ["name"], "zé"), ("name", ["name"], 5),
            ("paymentAmount", ["paymentAmount"], 1e300), ("isTestJob", ["config", "isTestJob"], "true"),
        ]
        for (index, edit) in edits.enumerated() {
            for copy in 0..<3 { jobs[index * 3 + copy].setValue(edit.2, at: edit.1) }
        }
        return jobs
    }

    /// Random filters of every condition over every scalar field type.
    static func randomFilters(_ random: inout SeededRandom) -> [JobFilter] {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let candidates: [(String, [FilterCondition], [FilterOperand])] = [
            ("state", [.eq, .neq, .in, .notIn], [.string("JOB_STATE_COMPLETE"), .string("JOB_STATE_FAILED"), .string("JOB_STATE_NEW"), .list([.string("JOB_STATE_NEW"), .string("JOB_STATE_MERGING")])]),
            ("duration", [.eq, .neq, .gt, .gte, .lt, .lte, .in, .notIn], [.double(0), .int(600), .double(1121.2), .double(.infinity), .list([.int(0), .double(1121.2)])]),
            ("numChunks", [.eq, .neq, .gt, .lt, .gte, .lte], [.int(5), .int(0), .double(2.5), .int(Int64.max), .double(3e18)]),
            ("config.taskTimeout", [.eq, .gt, .lte, .neq], [.int(3600), .int(600), .double(599.5)]),
            ("createdAt", [.gt, .lt, .gte, .lte, .eq, .neq], [.timestamp(Timestamp(rfc3339: "2026-11-01T08:00:00Z")!), .timestamp(Timestamp(rfc3339: "2026-11-15T00:00:00Z")!)]),
            ("endedAt", [.gt, .lt, .neq, .eq], [.timestamp(Timestamp(rfc3339: "2026-11-20T10:00:00.123456789Z")!), .timestamp(Timestamp(rfc3339: "2026-10-01T00:00:00Z")!)]),
            ("name", [.eq, .neq, .gt, .lt, .like, .in], [.string("zé"), .string(""), .string("m"), .string("%a%"), .list([.string("zé"), .string("")])]),
            ("priority", [.eq, .neq, .in], [.string("EXECUTION_PRIORITY_FAST"), .string("EXECUTION_PRIORITY_UNDEFINED")]),
            ("config.isTestJob", [.eq, .neq], [.bool(true), .bool(false)]),
            ("paymentAmount", [.gt, .lte], [.double(1), .double(1e299)]),
            ("regions.whitelist", [.arrayContains], [.string("eu-west")]),
        ]
        var filters: [JobFilter] = []
        for _ in 0..<(1 + Int(random.next() % 2)) {
            let (path, conditions, operands) = pick(candidates)
            let condition = pick(conditions)
            var operand = pick(operands)
            if condition.takesList, case .list = operand {} else if condition.takesList { operand = .list([operand]) }
            if !condition.takesList, case .list(let list) = operand { operand = list[0] }
            if case .success(let filter) = JobFilter.resolve(field: path, condition: condition, operand: operand) { filters.append(filter) }
        }
        return filters
    }

    @Test func sqlAnswersEveryFilterAndOrderingAsJobFilterDoes() async throws {
        let archive = try Self.temporaryArchive()
        let jobs = Self.awkwardJobs
        _ = try Self.sync(archive, jobs)
        var random = SeededRandom(seed: 77)
        let orderings = ["createdAt desc", "duration", "duration desc", "state, name desc", "numChunks desc", "priority", "endedAt", "name", "config.isTestJob desc, paymentAmount", "stateTimestamps.JOB_STATE_FAILED desc", "stateTimestamps.JOB_STATE_NEW, name"]
        for round in 0..<400 {
            let filters = Self.randomFilters(&random)
            let ordering = try JobOrdering.parse(orderings[round % orderings.count]).get()
            let offset = Int64(random.next() % 3 == 0 ? random.next() % 20 : 0)
            let limit: Int64? = random.next() % 2 == 0 ? Int64(1 + random.next() % 40) : nil
            var expected = ordering.sorted(jobs.filter { job in filters.allSatisfy { $0.matches(job) } }).map(\.id)
            let total = Int64(expected.count)
            expected = Array(expected.dropFirst(Int(offset)))
            if let limit { expected = Array(expected.prefix(Int(limit))) }
            let query = ArchiveQuery(filters: filters, ordering: ordering, offset: offset, limit: limit)
            let ids = try await Self.ids(archive, query)
            #expect(ids == expected, "\(filters.map { "\($0.field.path) \($0.condition.spelling) \($0.operand)" }) order by \(ordering.text)")
            if let count = try archive.count(ArchiveQuery(filters: filters, ordering: ordering)) { #expect(count == total) }
        }
    }

    /// A change shows a field's value as the job means it: an enum sent as a number by its name,
    /// a missing state as NEW, a missing count as 0; a time or an object as it was sent.
    @Test func aChangeShowsValuesAsTheJobMeansThem() {
        #expect(Archive.shown("state", .int(9)) == "JOB_STATE_COMPLETE")
        #expect(Archive.shown("state", nil) == "JOB_STATE_NEW")
        #expect(Archive.shown("numChunks", nil) == .int(0))
        #expect(Archive.shown("numUnitsEstimation", "12") == .int(12))
        #expect(Archive.shown("endedAt", nil) == nil)
        #expect(Archive.shown("stateTimestamps.JOB_STATE_FAILED", "2026-11-01T00:00:00Z") == "2026-11-01T00:00:00Z")
    }

    @Test func aReaderStoppedEarlyFreesItsThread() async throws {
        let archive = try Self.temporaryArchive()
        _ = try Self.sync(archive, JobGenerator(seed: 4).jobs(count: 3000))
        for _ in 0..<20 {
            let reader = archive.jobs(ArchiveQuery(filters: [], ordering: nil))
            _ = try await reader.next()
        }
        // Readers dropped after one job each: the archive is still usable for reads and writes.
        #expect(try archive.count(ArchiveQuery(filters: [], ordering: nil)) == 3000)
        _ = try Self.sync(archive, JobGenerator(seed: 4).jobs(count: 3000))
        #expect(try archive.syncs().count == 2)
    }
}
