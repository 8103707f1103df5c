import BNQCore
import Synchronization

/// The jobs `bnq serve` answers from, with the filtering, ordering and paging of the contract.
///
/// Orderings are computed once and cached (as index permutations), so a page costs one pass over
/// the jobs in that order, testing the filters.
public final class JobStore: Sendable {
    /// All jobs as JSON objects.
    public let jobs: [JSONValue]
    private let indexByID: [String: Int]
    private let orderCache = Mutex<[JobOrdering: [Int32]]>([:])

    public init(jobs: [JSONValue]) {
        self.jobs = jobs
        var index: [String: Int] = [:]
        index.reserveCapacity(jobs.count)
        for (position, job) in jobs.enumerated() {
            if let id = job["id"]?.stringValue { index[id] = position }
        }
        self.indexByID = index
    }

    /// The job with this id.
    public func job(id: String) -> JSONValue? {
        indexByID[id].map { jobs[$0] }
    }

    /// One page of the jobs that pass every filter, in `ordering`, and how many pass in all.
    public func query(filters: [JobFilter], ordering: JobOrdering, offset: Int, limit: Int) -> (page: [JSONValue], total: Int) {
        let order = permutation(for: ordering)
        var page: [JSONValue] = []
        page.reserveCapacity(min(limit, 1024))
        var total = 0
        for position in order {
            let job = jobs[Int(position)]
            if !filters.allSatisfy({ $0.matches(job) }) { continue }
            if total >= offset, page.count < limit { page.append(job) }
            total += 1
        }
        return (page, total)
    }

    private func permutation(for ordering: JobOrdering) -> [Int32] {
        if let cached = orderCache.withLock({ $0[ordering] }) { return cached }
        let keys = jobs.map(ordering.sortKey)
        let order = (0..<Int32(jobs.count)).sorted { ordering.precedes(keys[Int($0)], keys[Int($1)]) }
        orderCache.withLock { cache in
            if cache.count > 16 { cache.removeAll() }
            cache[ordering] = order
        }
        return order
    }
}
