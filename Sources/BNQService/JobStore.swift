import BNQCore
import ByteNiteAPI
import Synchronization

/// The jobs `bnq serve` answers from, with the filtering, ordering and paging of the contract.
///
/// Orderings are computed once and cached (as index permutations), so a page costs one pass over
/// the jobs in that order, testing the filters. Jobs can be added while the service runs
/// (`bnq serve --churn`): each is appended, and put in its place in every cached ordering.
public final class JobStore: Sendable {
    private struct State {
        var jobs: [JSONValue]
        var indexByID: [String: Int]
        var orders: [JobOrdering: [Int32]] = [:]
        /// The positions of the jobs passing a set of filters, in an ordering: paging through a
        /// filtered listing then costs a slice per page instead of a pass over every job.
        var matches: [MatchKey: [Int32]] = [:]
        /// Each job as the generated type, decoded on first use (responses are built from these).
        var typed: [Components.Schemas.JobJob?]
    }

    private struct MatchKey: Hashable {
        var filters: [JobFilter]
        var ordering: JobOrdering
    }

    private let state: Mutex<State>

    public init(jobs: [JSONValue]) {
        var index: [String: Int] = [:]
        index.reserveCapacity(jobs.count)
        for (position, job) in jobs.enumerated() {
            if let id = job["id"]?.stringValue { index[id] = position }
        }
        state = Mutex(State(jobs: jobs, indexByID: index, typed: Array(repeating: nil, count: jobs.count)))
    }

    /// How many jobs there are now.
    public var count: Int { state.withLock { $0.jobs.count } }

    /// Adds a job (a job with an id already present replaces nothing: it is ignored). Returns
    /// whether it was added.
    @discardableResult
    public func insert(_ job: JSONValue) -> Bool {
        state.withLock { state in
            let id = job["id"]?.stringValue
            if let id, state.indexByID[id] != nil { return false }
            let position = Int32(state.jobs.count)
            state.jobs.append(job)
            state.typed.append(nil)
            if let id { state.indexByID[id] = Int(position) }
            state.matches.removeAll()
            for (ordering, var order) in state.orders {
                state.orders[ordering] = nil  // keep the array uniquely referenced while it changes
                let key = ordering.sortKey(job)
                var low = 0
                var high = order.count
                while low < high {
                    let middle = (low + high) / 2
                    if ordering.precedes(ordering.sortKey(state.jobs[Int(order[middle])]), key) { low = middle + 1 } else { high = middle }
                }
                order.insert(position, at: low)
                state.orders[ordering] = order
            }
            return true
        }
    }

    /// The jobs at these positions as the generated type.
    func typed(_ positions: [Int]) throws -> [Components.Schemas.JobJob] {
        let (cached, jobs) = state.withLock { state in (positions.map { state.typed[$0] }, state.jobs) }
        var result = cached
        let missing = result.indices.filter { result[$0] == nil }
        if !missing.isEmpty {
            let decoded = try Components.Schemas.JobJob.decodeAll(missing.map { jobs[positions[$0]] })
            state.withLock { state in
                for (offset, index) in missing.enumerated() {
                    state.typed[positions[index]] = decoded[offset]
                    result[index] = decoded[offset]
                }
            }
        }
        return result.map { $0! }
    }

    /// The position of the job with this id.
    func position(id: String) -> Int? { state.withLock { $0.indexByID[id] } }

    /// The job with this id.
    public func job(id: String) -> JSONValue? {
        state.withLock { state in state.indexByID[id].map { state.jobs[$0] } }
    }

    /// The positions of one page of the jobs that pass every filter, in `ordering`, and how many pass in all.
    func queryPositions(filters: [JobFilter], ordering: JobOrdering, offset: Int, limit: Int) -> (page: [Int], total: Int) {
        let (jobs, order) = snapshot(ordering)
        let matching = filters.isEmpty ? order : self.matching(filters, ordering, jobs: jobs, order: order)
        let end = min(matching.count, offset + limit)
        return (offset < end ? matching[offset..<end].map(Int.init) : [], matching.count)
    }

    /// The positions, in `order`, of the jobs passing every filter: cached per filters and
    /// ordering until a job is inserted.
    private func matching(_ filters: [JobFilter], _ ordering: JobOrdering, jobs: [JSONValue], order: [Int32]) -> [Int32] {
        let key = MatchKey(filters: filters, ordering: ordering)
        if let cached = state.withLock({ $0.matches[key] }) { return cached }
        let matching = order.filter { position in
            let job = jobs[Int(position)]
            return filters.allSatisfy { $0.matches(job) }
        }
        state.withLock { state in
            // Only while the jobs are the ones it was computed from.
            guard state.jobs.count == jobs.count else { return }
            if state.matches.count >= 64 { state.matches.removeAll() }
            state.matches[key] = matching
        }
        return matching
    }

    /// The jobs and their permutation in `ordering`, consistent with each other.
    private func snapshot(_ ordering: JobOrdering) -> (jobs: [JSONValue], order: [Int32]) {
        if let cached = state.withLock({ state in state.orders[ordering].map { (state.jobs, $0) } }) { return cached }
        let jobs = state.withLock { $0.jobs }
        let keys = jobs.map(ordering.sortKey)
        let order = (0..<Int32(jobs.count)).sorted { ordering.precedes(keys[Int($0)], keys[Int($1)]) }
        return state.withLock { state in
            if state.jobs.count != jobs.count {
                // Jobs were added while sorting: the sorted snapshot is still consistent on its own.
                return (jobs, order)
            }
            if state.orders.count > 16 { state.orders.removeAll() }
            state.orders[ordering] = order
            return (jobs, order)
        }
    }
}
