import BNQCore
import BNQService
import BNQTestSupport
import ByteNiteClient
import Testing

/// Jobs inserted while a client pages with offsets (what `bnq serve --churn` does on a timer,
/// done here between pages so every run is the same).
@Suite struct ChurnTests {
    /// Pages through all jobs in `orderBy` order, inserting `perPage` new jobs after each of the
    /// first 8 pages (a listing that grows faster than it is read would never end).
    static func scan(perPage: Int, pageSize: Int64, orderBy: String) async throws -> (ids: [String], inserted: [JSONValue], missed: Bool, totals: (Int64?, Int64?)) {
        let generator = JobGenerator(seed: 77)
        var inserted: [JSONValue] = []
        return try await withService { service, client in
            let iterator = client.jobs(.filtered(.init(orderBy: orderBy)), pageSize: pageSize, prefetch: 0).makeAsyncIterator()
            var ids: [String] = []
            while let job = try await iterator.next() {
                ids.append(job.id)
                if ids.count % Int(pageSize) == 0, ids.count <= 8 * Int(pageSize) {
                    for _ in 0..<perPage {
                        let job = generator.job(inserted.count)
                        service.store.insert(job)
                        inserted.append(job)
                    }
                }
            }
            return (ids, inserted, iterator.possiblyMissedJobs, (iterator.firstTotal, iterator.lastTotal))
        }
    }

    @Test(arguments: [(10, "createdAt desc"), (49, "createdAt"), (130, "name"), (300, "paymentAmount desc")])
    func noJobTwiceEveryOriginalJobAndAWarning(perPage: Int, orderBy: String) async throws {
        let result = try await Self.scan(perPage: perPage, pageSize: 50, orderBy: orderBy)
        #expect(result.ids.count == Set(result.ids).count, "a job was shown twice")
        #expect(Set(TestData.jobs.map(\.id)).isSubset(of: Set(result.ids)), "an original job was missed")
        #expect(result.missed, "the listing grew, so the stream must say jobs may have been missed")
        #expect(result.totals.0 == 1000 && result.totals.1 == 1000 + Int64(result.inserted.count))
        #expect(result.inserted.count == 8 * perPage)
    }

    @Test func withoutChangesNothingIsSaidToBeMissed() async throws {
        let result = try await Self.scan(perPage: 0, pageSize: 50, orderBy: "createdAt")
        #expect(result.ids.count == 1000 && !result.missed)
    }

    @Test func insertedJobsTakeTheirPlaceInEveryCachedOrdering() async throws {
        let added = JobGenerator(seed: 78).jobs(count: 200)
        try await withService { service, client in
            // Warm two orderings, then insert, then read both orderings whole.
            for orderBy in ["createdAt desc", "name"] { _ = try await client.page(of: .filtered(JobsRequest(orderBy: orderBy)), offset: 0, limit: 1) }
            for job in added { service.store.insert(job) }
            #expect(!service.store.insert(added[0]), "a job with a known id is not added twice")
            for (orderBy, keys) in [("createdAt desc", [(JobSchema.field(named: "createdAt")!, true)]), ("name", [(JobSchema.field(named: "name")!, false)])] {
                var ids: [String] = []
                for try await job in client.jobs(.filtered(.init(orderBy: orderBy)), pageSize: 500) { ids.append(job.id) }
                let expected = JobOrdering(keys: keys.map { JobOrdering.Key(field: $0.0, descending: $0.1) }).sorted(TestData.jobs + added).map(\.id)
                #expect(ids == expected, "\(orderBy)")
            }
        }
    }
}
