import BNQCore
import BNQLanguage

/// Records held in memory as a source (the shell's kept history): filters and ordering are
/// evaluated here with the same `JobFilter` and `JobOrdering` code the service uses.
public final class RecordsJobSource: JobSource {
    let records: [JSONValue]

    public init(records: [JSONValue]) { self.records = records }

    /// The records that pass the plan's pushed filters, ordered (by position when no order is given).
    func matches(_ plan: JobsPlan) -> [JSONValue] {
        let matching = records.filter { record in plan.pushed.allSatisfy { $0.matches(record) } }
        return plan.ordering?.sorted(matching) ?? matching
    }

    public func jobs(for plan: JobsPlan, startingAt offset: Int64, limit: Int64?) -> any JobCursor {
        let all = matches(plan)
        return ArrayCursor(Array(all.dropFirst(Int(clamping: offset))), total: Int64(all.count))
    }

    public func firstJobs(for plan: JobsPlan, offset: Int64, limit: Int64) async throws -> [JSONValue] {
        Array(matches(plan).dropFirst(Int(clamping: offset)).prefix(Int(clamping: limit)))
    }

    public func count(for plan: JobsPlan) async throws -> Int64? { Int64(matches(plan).count) }

    public func job(id: String) async throws -> JSONValue {
        guard let record = records.first(where: { $0["id"]?.stringValue == id }) else { throw NotFound(id: id) }
        return record
    }

    /// No record has the id.
    public struct NotFound: Error, CustomStringConvertible {
        public var id: String
        public var description: String { "no record with id '\(id)'" }
    }

    public func results(id: String) async throws -> [ResultFile] { [] }

    public var activity: SourceActivity { SourceActivity() }

    final class ArrayCursor: JobCursor {
        var remaining: ArraySlice<JSONValue>
        let total: Int64?
        init(_ items: [JSONValue], total: Int64?) {
            remaining = items[...]
            self.total = total
        }
        func next() async throws -> JSONValue? { remaining.popFirst() }
        var warning: String? { nil }
    }
}
