import BNQCore
import ByteNiteAPI
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
    /// Each job as the generated type, decoded on first use (responses are built from these).
    private let typedCache: Mutex<[Components.Schemas.JobJob?]>

    public init(jobs: [JSONValue]) {
        self.jobs = jobs
        var index: [String: Int] = [:]
        index.reserveCapacity(jobs.count)
        for (position, job) in jobs.enumerated() {
            if let id = job["id"]?.stringValue { index[id] = position }
        }
        self.indexByID = index
        self.typedCache = Mutex(Array(repeating: nil, count: jobs.count))
    }

    /// The jobs at these positions as the generated type.
    func typed(_ positions: [Int]) throws -> [Components.Schemas.JobJob] {
        var result = typedCache.withLock { cache in positions.map { cache[$0] } }
        let missing = result.indices.filter { result[$0] == nil }
        if !missing.isEmpty {
            let decoded = try Components.Schemas.JobJob.decodeAll(missing.map { jobs[positions[$0]] })
            typedCache.withLock { cache in
                for (offset, index) in missing.enumerated() {
                    cache[positions[index]] = decoded[offset]
                    result[index] = decoded[offset]
                }
            }
        }
        return result.map { $0! }
    }

    /// The position of the job with this id.
    func position(id: String) -> Int? { indexByID[id] }

    /// The job with this id.
    public func job(id: String) -> JSONValue? {
        indexByID[id].map { jobs[$0] }
    }

    /// The positions of one page of the jobs that pass every filter, in `ordering`, and how many pass in all.
    func queryPositions(filters: [JobFilter], ordering: JobOrdering, offset: Int, limit: Int) -> (page: [Int], total: Int) {
        let order = permutation(for: ordering)
        var page: [Int] = []
        page.reserveCapacity(min(limit, 1024))
        var total = 0
        if filters.isEmpty {
            let end = min(order.count, offset + limit)
            if offset < end { page = order[offset..<end].map(Int.init) }
            return (page, order.count)
        }
        for position in order {
            let job = jobs[Int(position)]
            if !filters.allSatisfy({ $0.matches(job) }) { continue }
            if total >= offset, page.count < limit { page.append(Int(position)) }
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
