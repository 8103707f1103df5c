import BNQCore
import BNQLanguage

/// Where statements get their jobs: the API through the one client, the shell's kept history, or
/// (next) a local archive. A source answers the part of a plan it was given to answer — the
/// pushed-down filters, in the plan's order — and the runner does the rest the same way for
/// every source: residual evaluation, offset and limit, grouping, rendering and reporting.
public protocol JobSource: AnyObject, Sendable {
    /// The jobs that pass `plan.pushed`, in the plan's order, from position `offset` on; with
    /// `limit`, at most that many (the source need not fetch more).
    func jobs(for plan: JobsPlan, startingAt offset: Int64, limit: Int64?) -> any JobCursor
    /// At most `limit` jobs from position `offset` (one request, for a limit that was pushed down).
    func firstJobs(for plan: JobsPlan, offset: Int64, limit: Int64) async throws -> [JSONValue]
    /// How many jobs pass `plan.pushed`; nil when the source cannot say without listing them.
    func count(for plan: JobsPlan) async throws -> Int64?
    /// One job by id.
    func job(id: String) async throws -> JSONValue
    /// A job's result files.
    func results(id: String) async throws -> [ResultFile]
    /// Requests and pages so far, for `.timing`.
    var activity: SourceActivity { get }
    /// What `explain` shows for a plan when the source answers it without the API (the SQL of
    /// an archive); nil for the API, whose requests `Explanation` describes.
    func explain(_ plan: JobsPlan) -> String?
}

extension JobSource {
    public func explain(_ plan: JobsPlan) -> String? { nil }
}

/// Reads the jobs a source lists, one at a time.
public protocol JobCursor: AnyObject {
    /// The next job, or nil at the end.
    func next() async throws -> JSONValue?
    /// Said once the listing is read: what may be missing (the listing changed while it was read).
    var warning: String? { get }
    /// How many jobs the listing holds, when the source said (after the first job is read).
    var total: Int64? { get }
}

/// One result file of a job.
public struct ResultFile: Sendable, Equatable {
    public var name: String
    public var link: String

    public init(name: String, link: String) {
        self.name = name
        self.link = link
    }
}

/// Requests sent and pages read by a source.
public struct SourceActivity: Sendable {
    public var requests = 0
    public var pages = 0
    /// Jobs listed.
    public var jobs = 0
    public init(requests: Int = 0, pages: Int = 0, jobs: Int = 0) {
        self.requests = requests
        self.pages = pages
        self.jobs = jobs
    }
}
