import BNQCore
import BNQLanguage
import ByteNiteClient
import Synchronization

/// The API as a source of jobs, through the one client: `POST /jobs/filter` when the plan has
/// filters for the server, `GET /jobs` otherwise, paged with the session's page size and prefetch.
public final class APIJobSource: JobSource {
    public let client: JobsClient
    /// Jobs listed so far, for the progress line.
    let delivered = JobCounter()
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

    public func jobs(for plan: JobsPlan, startingAt offset: Int64, limit: Int64?) -> any JobCursor {
        StreamCursor(iterator: client.jobs(Self.listing(plan), startingAt: offset, pageSize: pageSize, prefetch: prefetch, maximumJobs: limit).makeAsyncIterator(), counter: delivered)
    }

    public func firstJobs(for plan: JobsPlan, offset: Int64, limit: Int64) async throws -> [JSONValue] {
        Array(try await client.page(of: Self.listing(plan), offset: offset, limit: max(limit, 1)).jobs.prefix(Int(clamping: limit)))
    }

    /// The total of a one-job page; nil when the server sends none (then the runner counts by listing).
    public func count(for plan: JobsPlan) async throws -> Int64? {
        try await client.page(of: Self.listing(plan), offset: 0, limit: 1).total
    }

    public func job(id: String) async throws -> JSONValue { try await client.job(id: id).job }

    public func results(id: String) async throws -> [ResultFile] {
        try await client.results(id: id).map { ResultFile(name: $0.name, link: $0.link) }
    }

    public var activity: SourceActivity {
        let snapshot = client.statistics.snapshot
        return SourceActivity(requests: snapshot.requests, pages: snapshot.pages, jobs: delivered.value)
    }

    /// The client's page stream as a cursor, with its warning about a listing that changed.
    final class StreamCursor: JobCursor {
        let iterator: JobStream.Iterator
        let counter: JobCounter

        init(iterator: JobStream.Iterator, counter: JobCounter) {
            self.iterator = iterator
            self.counter = counter
        }

        func next() async throws -> JSONValue? {
            try Task.checkCancellation()
            let job = try await iterator.next()
            if job != nil { counter.add() }
            return job
        }

        var total: Int64? { iterator.lastTotal }

        var warning: String? {
            if iterator.possiblyMissedJobs, let first = iterator.firstTotal, let last = iterator.lastTotal {
                return "warning: the listing changed while it was read (\(first) matching jobs at the start, \(last) at the end); "
                    + "jobs added or removed meanwhile may be missing. No job is shown twice."
            }
            // Read to the end from the start: what was read should be what the server counted.
            if iterator.reachedEnd, iterator.startOffset == 0, let total = iterator.lastTotal, total != iterator.delivered {
                return "warning: the API said \(total) job\(total == 1 ? "" : "s") match but listed \(iterator.delivered); the listing may be incomplete"
            }
            return nil
        }
    }
}

/// A count shared between a source and its cursors.
final class JobCounter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
