import BNQCore
import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// Receives the raw JSON of one call's successful response for the facade.
///
/// The generated client builds and sends every request and checks each response's status. The
/// bodies of successful responses are read by bnq's own lenient JSON reader instead of the generated
/// Codable types, because protobuf-JSON servers send int64 fields as strings and enum values the
/// contract does not list, which those types reject. The facade makes one capture per call and
/// hands it to that call's response and retry middlewares by value: nothing is shared between
/// calls and nothing travels in task-local storage.
final class ResponseCapture: Sendable {
    private let storage = Mutex<JSONValue?>(nil)
    private let body = Mutex<[UInt8]?>(nil)
    var json: JSONValue? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Hands a response body already read whole (by the retry middleware) to the response
    /// middleware without copying it into a new `HTTPBody` and out again: a page of 1,000 jobs is
    /// a few megabytes.
    func keep(body bytes: [UInt8]) { body.withLock { $0 = bytes } }

    /// The body handed over by `keep(body:)`, once.
    func takeBody() -> [UInt8]? { body.withLock { bytes in defer { bytes = nil }; return bytes } }

    /// A top-level member to leave unparsed (a list's `data`), set before the call.
    let deferredMember: String?
    private let deferredStorage = Mutex<(bytes: [UInt8], range: Range<Int>?)?>(nil)
    /// The whole body and where the deferred member's value is in it.
    var deferred: (bytes: [UInt8], range: Range<Int>?)? {
        get { deferredStorage.withLock { $0 } }
        set { deferredStorage.withLock { $0 = newValue } }
    }

    init(deferring member: String? = nil) { deferredMember = member }
}

/// The outermost middleware: turns error statuses into `ByteNiteError`s with the server's message,
/// and hands successful JSON bodies to the capture.
struct ResponseMiddleware: ClientMiddleware {
    static let maximumBody = 256 << 20
    /// Where this call's body goes.
    let capture: ResponseCapture

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        let bytes: [UInt8]
        do {
            if let kept = capture.takeBody() { bytes = kept } else { bytes = try await collect(responseBody, upTo: Self.maximumBody) ?? [] }
        } catch {
            throw Transport.classify(error, url: baseURL)
        }
        guard (200..<300).contains(response.status.code) else {
            throw ByteNiteError.from(status: response.status.code, body: bytes)
        }
        let json: JSONValue
        do {
            if let member = capture.deferredMember {
                let (value, range) = try JSONParser.parse(bytes, deferring: member)
                json = value
                capture.deferred = (bytes, range)
            } else {
                json = try JSONParser.parse(bytes)
            }
        } catch {
            let what = bytes.isEmpty ? "an empty body" : "a body that is not JSON (\(error))"
            throw ByteNiteError(.badResponse, status: response.status.code, "the API answered HTTP \(response.status.code) with \(what)")
        }
        guard case .object = json else {
            throw ByteNiteError(.badResponse, status: response.status.code, "the API answered HTTP \(response.status.code) with JSON that is not an object")
        }
        capture.json = json
        // The generated decoder only sees the paging information, with int64s made numbers.
        var minimal = JSONObject()
        if let pagination = json["pagination"]?.objectValue {
            var normalised = JSONObject()
            for (key, value) in pagination {
                switch key {
                case "total", "offset": if let int = value.int64Value { normalised[key] = .int(int) }
                case "hasNext", "hasPrevious": if let bool = value.boolValue { normalised[key] = .bool(bool) }
                default: break
                }
            }
            minimal["pagination"] = .object(normalised)
        }
        var headers = response
        headers.headerFields[.contentType] = "application/json"
        return (headers, HTTPBody(JSONWriter.compact(.object(minimal))))
    }
}

/// Retries transient failures (429, 500, 502, 503, 504, connection failures, timeouts) with capped
/// exponential backoff and jitter, honouring `Retry-After`, within the policy's budget. All four calls
/// are reads, so retrying is safe.
struct RetryMiddleware: ClientMiddleware {
    let policy: RetryPolicy
    /// The longest one attempt may take, from sending to the last byte of the answer (`--timeout`).
    let timeout: Duration
    let statistics: ClientStatistics
    /// Takes the body read here, so the response middleware need not read it again.
    let capture: ResponseCapture

    static let transientStatuses: Set<Int> = [429, 500, 502, 503, 504]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // The request body is read again on each attempt.
        let bodyBytes = try await collect(body, upTo: 16 << 20)
        var waited: Duration = .zero
        var attempt = 1
        while true {
            try Task.checkCancellation()
            statistics.countRequest()
            var retryAfter: Duration?
            let failure: ByteNiteError
            let outcome: Result<(HTTPResponse, [UInt8]), any Error>
            do {
                // The whole answer, head and body, within the request timeout; the body is read
                // here, so that a connection that breaks mid-body is retried too.
                // (The task group waits for its tasks, so `next` does not outlive this call.)
                outcome = .success(try await withoutActuallyEscaping(next) { next in
                    try await withDeadline(timeout, host: baseURL.host) {
                        let (response, responseBody) = try await next(request, bodyBytes.map { HTTPBody($0) }, baseURL)
                        return (response, try await collect(responseBody, upTo: ResponseMiddleware.maximumBody) ?? [])
                    }
                })
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let (response, bytes)):
                guard Self.transientStatuses.contains(response.status.code) else {
                    capture.keep(body: bytes)
                    return (response, nil)
                }
                // Any number is accepted and bounded before it becomes a duration (1e300, inf, nan).
                if let value = response.headerFields[.retryAfter], let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                    retryAfter = .milliseconds(Int64(min(seconds, 3600) * 1000))
                }
                failure = ByteNiteError.from(status: response.status.code, body: bytes)
            case .failure(let error):
                let classified = Transport.classify(error, url: baseURL)
                guard let byteNite = classified as? ByteNiteError, byteNite.isTransient else { throw classified }
                failure = byteNite
            }
            if attempt >= policy.maxAttempts { throw failure.exhausted(attempts: attempt) }
            let delay = policy.delay(beforeRetry: attempt, retryAfter: retryAfter)
            if waited + delay > policy.budget {
                throw failure.exhausted(attempts: attempt)
            }
            statistics.countRetry()
            try await Task.sleep(for: delay)
            waited += delay
            attempt += 1
        }
    }
}

extension ByteNiteError {
    func exhausted(attempts: Int) -> ByteNiteError {
        var copy = self
        copy.message += " (gave up after \(attempts) attempts)"
        return copy
    }
}

/// Sends the raw access token in the `Authorization` header (no "Bearer"), fetching it lazily and
/// fetching a new one once after a 401. Credentials never go over plain http to a non-loopback host.
struct AuthMiddleware: ClientMiddleware {
    let tokens: AccessTokens?

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let tokens else { return try await next(request, body, baseURL) }
        try ClientConfiguration.checkCredentialsMayGo(to: baseURL)
        let bodyBytes = try await collect(body, upTo: 16 << 20)
        let token = try await tokens.token()
        var authorised = request
        authorised.headerFields[.authorization] = token
        let (response, responseBody) = try await next(authorised, bodyBytes.map { HTTPBody($0) }, baseURL)
        guard response.status == .unauthorized else { return (response, responseBody) }
        await tokens.invalidate(token)
        authorised.headerFields[.authorization] = try await tokens.token()
        return try await next(authorised, bodyBytes.map { HTTPBody($0) }, baseURL)
    }
}

/// Follows redirects itself (the HTTP client's own following is off), so that the `Authorization`
/// header never goes to another host, nor over plain http to a non-loopback one.
struct RedirectMiddleware: ClientMiddleware {
    static let maximumRedirects = 5

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let bodyBytes = try await collect(body, upTo: 16 << 20)
        var request = request
        var baseURL = baseURL
        var originalOrigin = Self.origin(of: baseURL)
        for _ in 0...Self.maximumRedirects {
            let (response, responseBody) = try await next(request, bodyBytes.map { HTTPBody($0) }, baseURL)
            guard [301, 302, 303, 307, 308].contains(response.status.code), let location = response.headerFields[.location] else {
                return (response, responseBody)
            }
            let current = URL(string: baseURL.absoluteString + (request.path ?? ""))
            guard let target = URL(string: location, relativeTo: current)?.absoluteURL, let scheme = target.scheme?.lowercased(), let host = target.host else {
                throw ByteNiteError(.badResponse, status: response.status.code, "the API redirected to an invalid location")
            }
            guard scheme == "http" || scheme == "https" else {
                throw ByteNiteError(.badResponse, status: response.status.code, "the API redirected to a \(scheme): address, which bnq does not follow")
            }
            var components = URLComponents()
            components.scheme = scheme
            components.host = host
            components.port = target.port
            baseURL = components.url!
            var path = target.path.isEmpty ? "/" : target.path
            if let query = target.query { path += "?" + query }
            request.path = path
            let sameOrigin = Self.origin(of: baseURL) == originalOrigin
            let secure = scheme == "https" || ClientConfiguration.isLoopback(host)
            if !sameOrigin || !secure {
                request.headerFields[.authorization] = nil
                originalOrigin = ""
            }
        }
        throw ByteNiteError(.badResponse, "too many redirects")
    }

    static func origin(of url: URL) -> String {
        "\(url.scheme ?? "")://\(url.host ?? ""):\(url.port ?? (url.scheme == "https" ? 443 : 80))"
    }
}

/// Writes one line per HTTP exchange for `--verbose`, with the Authorization header redacted.
struct TraceMiddleware: ClientMiddleware {
    let trace: @Sendable (String) -> Void

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let start = ContinuousClock.now
        let auth = request.headerFields[.authorization] == nil ? "" : " Authorization: <redacted>"
        let line = "\(request.method) \(ClientConfiguration.shown(baseURL))\(request.path ?? "")\(auth)"
        do {
            let result = try await next(request, body, baseURL)
            trace("> \(line) → \(result.0.status.code) in \(Self.milliseconds(ContinuousClock.now - start)) ms")
            return result
        } catch {
            trace("> \(line) → failed after \(Self.milliseconds(ContinuousClock.now - start)) ms: \(Transport.classify(error, url: baseURL))")
            throw error
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}

/// Counts requests, retries and pages, for `.timing`.
public final class ClientStatistics: Sendable {
    private let counters = Mutex<(requests: Int, retries: Int, pages: Int)>((0, 0, 0))
    public init() {}
    func countRequest() { counters.withLock { $0.requests += 1 } }
    func countRetry() { counters.withLock { $0.retries += 1 } }
    func countPage() { counters.withLock { $0.pages += 1 } }
    /// Requests sent (retries included), retries, and pages received so far.
    public var snapshot: (requests: Int, retries: Int, pages: Int) { counters.withLock { $0 } }
}

/// All bytes of an optional body.
func collect(_ body: HTTPBody?, upTo limit: Int) async throws -> [UInt8]? {
    guard let body else { return nil }
    return try await [UInt8](collecting: body, upTo: limit)
}
