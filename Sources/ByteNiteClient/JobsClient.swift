import AsyncHTTPClient
import BNQCore
import ByteNiteAPI
import Foundation
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// One page of jobs and where it stands in the whole listing.
public struct JobPage: Sendable {
    /// The jobs, as the server sent them (every field, unknown ones included).
    public var jobs: [JSONValue]
    /// How many jobs match in all, when the server says.
    public var total: Int64?
    public var offset: Int64
    /// Whether more jobs follow: as the server said, or, when it did not say, as its total or a
    /// full page tells.
    public var hasNext: Bool
    public var hasPrevious: Bool
}

/// A page whose jobs are still the bytes of the response: parsed by `parsed()` when needed.
struct DeferredJobPage: Sendable {
    var bytes: [UInt8]
    /// Where `data`'s value is in `bytes`; nil when the response had no `data`.
    var range: Range<Int>?
    var total: Int64?
    var offset: Int64
    /// As sent; nil when the server left it out.
    var hasNext: Bool?
    var hasPrevious: Bool
    /// What was asked for, to tell whether there is more when the server does not say.
    var requestedOffset: Int64
    var requestedLimit: Int64

    func parsed() throws -> JobPage {
        var data: JSONValue?
        if let range {
            do {
                data = try JSONParser.parse(bytes[range])
            } catch {
                throw ByteNiteError(.badResponse, status: 200, "the API answered HTTP 200 with 'data' that is not JSON (\(error))")
            }
        }
        let jobs = try JobsClient.jobs(in: data)
        // Without `hasNext`: more when the total says so, or, without a total, when the page is full.
        let more = hasNext ?? (total.map { requestedOffset.addingReportingOverflow(Int64(jobs.count)).partialValue < $0 } ?? (Int64(jobs.count) >= requestedLimit && !jobs.isEmpty))
        return JobPage(jobs: jobs, total: total, offset: offset, hasNext: more, hasPrevious: hasPrevious)
    }
}

/// A job and its template, as `GET /jobs/{jobId}` returns them.
public struct JobDetail: Sendable {
    public var job: JSONValue
    public var templateInfo: JSONValue?
}

/// One result file of a job.
public struct JobResult: Sendable, Equatable {
    public var name: String
    public var link: String
}

/// What to list: every job (`GET /jobs`) or a filtered request (`POST /jobs/filter`).
public enum JobListing: Sendable, Hashable {
    case all(orderBy: String?)
    /// The request's filters and ordering; its pagination is set page by page.
    case filtered(JobsRequest)
}

/// The one client every part of bnq uses to reach the ByteNite jobs read API.
///
/// It wraps the generated client (types and requests from `openapi.json`) over AsyncHTTPClient,
/// with authentication, retries, redirects handled safely, and lenient decoding of what
/// protobuf-JSON servers really send.
public final class JobsClient: Sendable {
    public let configuration: ClientConfiguration
    public let statistics = ClientStatistics()
    private let httpClient: HTTPClient
    private let transport: AsyncHTTPClientTransport
    /// The middlewares every call shares, inside the per-call response and retry layers.
    private let sharedMiddlewares: [any ClientMiddleware]
    private let tokens: AccessTokens?

    public init(configuration: ClientConfiguration) {
        self.configuration = configuration
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.redirectConfiguration = .disallow
        // bnq retries by its own policy; a refused connection should fail fast, not wait out the connect timeout.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        httpConfiguration.timeout = .init(connect: configuration.connectTimeout.timeAmount)
        httpConfiguration.decompression = .enabled(limit: .ratio(50))
        httpConfiguration.tlsConfiguration = Transport.tlsConfiguration()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        self.httpClient = httpClient
        let tokens = configuration.apiKey.map {
            AccessTokens(
                apiKey: $0, url: configuration.resolvedAccessTokenURL, httpClient: httpClient, timeout: configuration.requestTimeout,
                trace: configuration.trace)
        }
        self.tokens = tokens
        var middlewares: [any ClientMiddleware] = [AuthMiddleware(tokens: tokens)]
        if let trace = configuration.trace { middlewares.append(TraceMiddleware(trace: trace)) }
        middlewares.append(RedirectMiddleware())
        sharedMiddlewares = middlewares
        transport = AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: configuration.requestTimeout.timeAmount))
    }

    /// Closes connections. Call once when done.
    public func shutdown() async {
        try? await httpClient.shutdown()
    }

    /// The generated client for one call, its response and retry layers writing to `capture`.
    private func client(capturingInto capture: ResponseCapture) -> Client {
        Client(
            serverURL: configuration.endpoint,
            configuration: .byteNite,
            transport: transport,
            middlewares: [ResponseMiddleware(capture: capture), RetryMiddleware(policy: configuration.retry, timeout: configuration.requestTimeout, statistics: statistics, capture: capture)]
                + sharedMiddlewares)
    }

    /// A page of either listing, at `offset`, of at most `limit` jobs.
    public func page(of listing: JobListing, offset: Int64, limit: Int64) async throws -> JobPage {
        try await deferredPage(of: listing, offset: offset, limit: limit).parsed()
    }

    /// A page of either listing with the jobs left as the response's bytes until `parsed()`:
    /// pages fetched ahead then cost their size in bytes, not as JSON trees.
    func deferredPage(of listing: JobListing, offset: Int64, limit: Int64) async throws -> DeferredJobPage {
        let (output, _, deferred) = try await call(deferring: "data") { client async throws -> Components.Schemas.JobsJobsResponse in
            switch listing {
            case .all(let orderBy):
                let output = try await client.customerGetAll(query: .init(pagination_limit: limit, pagination_offset: offset, orderBy: orderBy))
                guard case .ok(let ok) = output, case .json(let body) = ok.body else { throw Self.unexpected(output) }
                return body
            case .filtered(var request):
                request.pagination = .init(limit: limit, offset: offset)
                let output = try await client.customerGetAllFiltered(body: .json(.init(request)))
                guard case .ok(let ok) = output, case .json(let body) = ok.body else { throw Self.unexpected(output) }
                return body
            }
        }
        statistics.countPage()
        return DeferredJobPage(
            bytes: deferred?.bytes ?? [], range: deferred?.range, total: output.pagination?.total, offset: output.pagination?.offset ?? 0,
            hasNext: output.pagination?.hasNext, hasPrevious: output.pagination?.hasPrevious ?? false,
            requestedOffset: offset, requestedLimit: limit)
    }

    /// Every job of a listing, page by page (see `JobStream`).
    /// With `maximumJobs` (a pushed-down limit), pages are sized to what remains and nothing is
    /// requested past it.
    public func jobs(_ listing: JobListing, startingAt offset: Int64 = 0, pageSize: Int64 = 500, prefetch: Int = 2, maximumJobs: Int64? = nil) -> JobStream {
        JobStream(client: self, listing: listing, offset: offset, pageSize: pageSize, prefetch: prefetch, maximumJobs: maximumJobs)
    }

    /// `GET /jobs/{jobId}`.
    public func job(id: String) async throws -> JobDetail {
        let (output, json) = try await Self.naming(id) { try await call { client in try await client.customerGetJob(path: .init(jobId: id)) } }
        guard case .ok = output else { throw Self.unexpected(output) }
        guard let job = json["job"], case .object = job else {
            throw ByteNiteError(.badResponse, status: 200, "the API's answer for job '\(id)' holds no job")
        }
        return JobDetail(job: job, templateInfo: json["templateInfo"])
    }

    /// `GET /jobs/{jobId}/results`.
    public func results(id: String) async throws -> [JobResult] {
        let (output, json) = try await Self.naming(id) { try await call { client in try await client.customerGetJobResults(path: .init(jobId: id)) } }
        guard case .ok = output else { throw Self.unexpected(output) }
        return (json["results"]?.arrayValue ?? []).map {
            JobResult(name: $0["name"]?.stringValue ?? "", link: $0["link"]?.stringValue ?? "")
        }
    }

    /// The jobs of a list response's `data`.
    static func jobs(in data: JSONValue?) throws -> [JSONValue] {
        switch data {
        case nil, .null?: return []
        case .array(let items)?:
            if let bad = items.firstIndex(where: { if case .object = $0 { return false } else { return true } }) {
                throw ByteNiteError(.badResponse, status: 200, "the API answered HTTP 200 with data[\(bad)] that is not a job object (\(items[bad].kindName))")
            }
            return items
        case let other?:
            throw ByteNiteError(.badResponse, status: 200, "the API answered HTTP 200 with 'data' that is not a list of jobs (\(other.kindName))")
        }
    }

    /// Runs one generated call with a capture for its raw body, mapping every failure to a `ByteNiteError`.
    private func call<Output>(_ operation: (Client) async throws -> Output) async throws -> (Output, JSONValue) {
        let (output, json, _) = try await call(deferring: nil, operation)
        return (output, json)
    }

    /// `call`, leaving the top-level member `deferring` unparsed (see `ResponseCapture`).
    private func call<Output>(deferring member: String?, _ operation: (Client) async throws -> Output) async throws -> (Output, JSONValue, (bytes: [UInt8], range: Range<Int>?)?) {
        let capture = ResponseCapture(deferring: member)
        do {
            let output = try await operation(client(capturingInto: capture))
            return (output, capture.json ?? .object(JSONObject()), capture.deferred)
        } catch let error as ClientError {
            throw await redacted(Self.unwrap(error))
        } catch {
            throw await redacted(Transport.classify(error, url: configuration.endpoint))
        }
    }

    static func unwrap(_ error: ClientError) -> any Error {
        let underlying = error.underlyingError
        if let underlying = underlying as? ByteNiteError { return underlying }
        if underlying is CancellationError { return underlying }
        if let client = underlying as? ClientError { return unwrap(client) }
        if let status = error.response?.status.code, !(200..<300).contains(status) {
            return ByteNiteError.from(status: status, body: [])
        }
        if underlying is DecodingError {
            return ByteNiteError(.badResponse, status: error.response?.status.code, "the API's answer does not match the contract: \(error.causeDescription)")
        }
        return Transport.classify(underlying, url: error.baseURL)
    }

    /// The error with the API key, the access token and anything after an `Authorization` header
    /// taken out of its message: servers echo requests in their error bodies.
    private func redacted(_ error: any Error) async -> any Error {
        guard var failure = error as? ByteNiteError else { return error }
        var secrets: [String] = configuration.apiKey.map { [$0] } ?? []
        if let token = await tokens?.currentToken { secrets.append(token) }
        failure.message = Redaction.redact(failure.message, secrets: secrets)
        return failure
    }

    /// A 404 for one job names the job: `no job with id '…' (HTTP 404)`.
    static func naming<T>(_ id: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ByteNiteError where error.kind == .notFound {
            throw ByteNiteError(.notFound, status: 404, "no job with id '\(id)' (HTTP 404)")
        }
    }

    static func unexpected(_ output: Any) -> ByteNiteError {
        ByteNiteError(.unexpectedStatus, "unexpected response from the API: \(String(describing: output).prefix(120))")
    }
}
