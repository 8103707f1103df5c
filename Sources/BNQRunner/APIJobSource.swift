import BNQCore
import BNQLanguage
import ByteNiteClient

/// The API as a source of jobs, through the one client: `POST /jobs/filter` when the plan has
/// filters for the server, `GET /jobs` otherwise, paged with the session's page size and prefetch.
public final class APIJobSource: JobSource {
    public let client: JobsClient
    let pageSize: Int64
    let prefetch: Int

    public init(client: JobsClient, pageSize: Int64, prefetch: Int) {
        self.client = client
        self.pageSize = pageSize
        self.prefetch = prefetch
    }

    static func listing(_ plan: JobsPlan) -> JobListing {
        plan.usesFilterEndpoint ? .filtered(plan.request) : .all(orderBy: plan.request.orderBy)
    }

    public func jobs(for plan: JobsPlan, startingAt offset: Int64) -> any JobCursor {
        StreamCursor(iterator: client.jobs(Self.listing(plan), startingAt: offset, pageSize: pageSize, prefetch: prefetch).makeAsyncIterator())
    }

    public func firstJobs(for plan: JobsPlan, offset: Int64, limit: Int64) async throws -> [JSONValue] {
        Array(try await client.page(of: Self.listing(plan), offset: offset, limit: max(limit, 1)).jobs.prefix(Int(clamping: limit)))
    }

    public func count(for plan: JobsPlan) async throws -> Int64 {
        let page = try await client.page(of: Self.listing(plan), offset: 0, limit: 1)
        return page.total ?? Int64(page.jobs.count)
    }

    public func job(id: String) async throws -> JSONValue { try await client.job(id: id).job }

    public func results(id: String) async throws -> [ResultFile] {
        try await client.results(id: id).map { ResultFile(name: $0.name, link: $0.link) }
    }

    public var activity: SourceActivity {
        let snapshot = client.statistics.snapshot
        return SourceActivity(requests: snapshot.requests, pages: snapshot.pages)
    }

    /// The client's page stream as a cursor, with its warning about a listing that changed.
    final class StreamCursor: JobCursor {
        let iterator: JobStream.Iterator

        init(iterator: JobStream.Iterator) { self.iterator = iterator }

        func next() async throws -> JSONValue? {
            try Task.checkCancellation()
            return try await iterator.next()
        }

        var warning: String? {
            guard iterator.possiblyMissedJobs, let first = iterator.firstTotal, let last = iterator.lastTotal else { return nil }
            return "warning: the listing changed while it was read (\(first) matching jobs at the start, \(last) at the end); "
                + "jobs added or removed meanwhile may be missing. No job is shown twice."
        }
    }
}
