import BNQCore
import ByteNiteAPI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// `bnq serve`: a local service that speaks the ByteNite jobs read API over real HTTP.
///
/// Routes: the four endpoints of the contract under both `/v1/customer` and `/v1/computing`,
/// and `POST /v1/auth/access_token`. See docs/service.md for the semantics.
public final class LocalService: Sendable {
    /// How to run the service.
    public struct Options: Sendable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// The key clients must present to get a token; nil accepts any key.
        public var apiKey: String?
        /// How long an access token lives.
        public var tokenLifetime: Duration = .seconds(3600)
        /// Failures to inject.
        public var faults = FaultPlan()
        /// A fixed delay added to every response.
        public var latency: Duration = .zero
        /// Seeds the fault draws and the jobs `churn` inserts.
        public var seed: UInt64 = 1
        /// Jobs inserted per second while the service runs (0: the data never changes). The new
        /// jobs are generated like the others, over the same 90 days, so they land anywhere in
        /// every ordering: before, inside and after the page a client is reading.
        public var churn: Double = 0
        /// Write every int64 as a string, as ByteNite's gRPC gateway does (`"total": "1200"`,
        /// `"taskTimeout": "3600"`); by default the service writes the seed contract's literal
        /// form, JSON integers.
        public var int64Strings = false
        public init() {}
    }

    /// The base path the contract's routes live under by default.
    public static let customerBasePath = "/v1/customer"
    /// The base path ByteNite announced moving the routes to.
    public static let computingBasePath = "/v1/computing"
    /// The access-token route.
    public static let accessTokenPath = "/v1/auth/access_token"

    public let store: JobStore
    public let options: Options
    private let runTask: Task<Void, any Error>
    private let churnTask: Task<Void, Never>?
    /// The port the service listens on (useful with port 0).
    public let port: Int

    /// The base URL of the contract's routes: `http://127.0.0.1:PORT/v1/customer`.
    public var baseURL: String { "http://\(Self.urlHost(options.host)):\(port)\(Self.customerBasePath)" }

    static func urlHost(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// Starts listening and returns once the port is bound.
    public static func start(store: JobStore, options: Options, logger: Logger = Logger(label: "bnq.serve")) async throws -> LocalService {
        let router = try makeRouter(store: store, options: options)
        let bound = AsyncStream<Result<Int, any Error>>.makeStream()
        var quietLogger = logger
        quietLogger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "bnq-serve"),
            onServerRunning: { channel in
                bound.continuation.yield(.success(channel.localAddress?.port ?? options.port))
                bound.continuation.finish()
            },
            logger: quietLogger
        )
        let runTask = Task {
            do {
                try await app.run()
            } catch {
                bound.continuation.yield(.failure(error))
                bound.continuation.finish()
                throw error
            }
        }
        for await result in bound.stream {
            switch result {
            case .success(let port): return LocalService(store: store, options: options, runTask: runTask, port: port)
            case .failure(let error): throw error
            }
        }
        runTask.cancel()
        throw ServiceStartError(message: "the service stopped before it was listening on \(options.host):\(options.port)")
    }

    private init(store: JobStore, options: Options, runTask: Task<Void, any Error>, port: Int) {
        self.store = store
        self.options = options
        self.runTask = runTask
        self.port = port
        self.churnTask = options.churn > 0 ? Task { await Self.churn(store: store, rate: options.churn, seed: options.seed) } : nil
    }

    /// Inserts generated jobs at `rate` per second until cancelled.
    static func churn(store: JobStore, rate: Double, seed: UInt64) async {
        let generator = JobGenerator(seed: seed ^ 0xC4_0000_C4)
        let started = ContinuousClock.now
        var inserted = 0
        var index = 0
        while !Task.isCancelled {
            let due = Int(rate * (ContinuousClock.now - started).inSeconds)
            while inserted < due {
                if store.insert(generator.job(index)) { inserted += 1 }
                index += 1
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Stops listening and waits until the server has shut down.
    public func stop() async {
        churnTask?.cancel()
        runTask.cancel()
        _ = await runTask.result
    }

    /// Runs until the task is cancelled or the server fails.
    public func wait() async throws {
        try await runTask.value
    }

    static func makeRouter(store: JobStore, options: Options) throws -> Router<BasicRequestContext> {
        let router = Router()
        let issuer = TokenIssuer(apiKey: options.apiKey, lifetime: options.tokenLifetime)
        router.add(middleware: MethodMiddleware())
        router.add(middleware: FaultMiddleware(injector: FaultInjector(plan: options.faults, seed: options.seed), latency: options.latency))
        router.add(middleware: AuthenticationMiddleware(issuer: issuer))
        router.add(middleware: JSONBodyMiddleware())
        if options.int64Strings { router.add(middleware: GatewayFormMiddleware()) }
        router.post(RouterPath(stringLiteral: accessTokenPath)) { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 16)
            let json = try? JSONParser.parse(bytes.readableBytesView)
            guard let key = json?["apiKey"]?.stringValue else {
                return jsonResponse(.badRequest, RPCStatus.body(code: RPCStatus.invalidArgument, message: "the body must be {\"apiKey\": \"…\"}"))
            }
            guard let token = issuer.issue(for: key) else {
                return jsonResponse(.unauthorized, RPCStatus.body(code: RPCStatus.unauthenticated, message: "invalid API key"))
            }
            let seconds = Int64(options.tokenLifetime.components.seconds)
            return jsonResponse(.ok, ["token": .string(token), "expiresIn": .string(String(seconds)), "tokenType": "access_token"])
        }
        let api = ServiceAPI(store: store)
        for base in [customerBasePath, computingBasePath] {
            try api.registerHandlers(
                on: router, serverURL: URL(string: base)!, configuration: .byteNite, middlewares: [RequestErrorMiddleware()])
        }
        return router
    }

    static func jsonResponse(_ status: HTTPResponse.Status, _ body: JSONValue) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: JSONWriter.compact(body))))
    }
}

/// The service could not start.
public struct ServiceStartError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Checks the `Authorization` header (the raw token, no "Bearer") on the contract's routes.
/// Without `--api-key` a request without a token is let through, so curl works with no set-up;
/// a token that was not issued here, or has expired, is always refused.
struct AuthenticationMiddleware: RouterMiddleware {
    let issuer: TokenIssuer

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(LocalService.customerBasePath) || path.hasPrefix(LocalService.computingBasePath) else {
            return try await next(request, context)
        }
        let token = request.headers[.authorization]
        switch issuer.check(token) {
        case .valid:
            return try await next(request, context)
        case .missing where issuer.apiKey == nil:
            return try await next(request, context)
        case .missing:
            return LocalService.jsonResponse(.unauthorized, RPCStatus.body(code: RPCStatus.unauthenticated, message: "missing access token in the Authorization header"))
        case .unknown:
            return LocalService.jsonResponse(.unauthorized, RPCStatus.body(code: RPCStatus.unauthenticated, message: "invalid access token"))
        case .expired:
            return LocalService.jsonResponse(.unauthorized, RPCStatus.body(code: RPCStatus.unauthenticated, message: "access token expired"))
        }
    }
}

/// Injects `--faults` and `--latency` on every route.
struct FaultMiddleware: RouterMiddleware {
    let injector: FaultInjector
    let latency: Duration

    struct InjectedReset: Error {}

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        if latency > .zero { try await Task.sleep(for: latency) }
        guard !injector.plan.faults.isEmpty else { return try await next(request, context) }
        let (failure, delay) = injector.draw()
        if let delay { try await Task.sleep(for: delay) }
        switch failure {
        case .status(let code):
            var response = LocalService.jsonResponse(
                HTTPResponse.Status(code: code),
                RPCStatus.body(code: code == 503 ? RPCStatus.unavailable : RPCStatus.internal, message: "injected fault: HTTP \(code)"))
            if code == 429 || code == 503 { response.headers[.retryAfter] = "0" }
            return response
        case .reset:
            // Start a response and break the connection before its body is complete.
            _ = try await next(request, context)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "{\"pagination\":"))
                throw InjectedReset()
            })
        case .delay, nil:
            return try await next(request, context)
        }
    }
}

/// Reads a `POST /jobs/filter` body as JSON when the client did not say what it is
/// (no Content-Type, or curl's default `application/x-www-form-urlencoded`).
struct JSONBodyMiddleware: RouterMiddleware {
    /// The largest filter request read (a request body is a few hundred bytes).
    static let maximumBody = 1 << 20

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, request.uri.path.hasSuffix("/jobs/filter") else { return try await next(request, context) }
        var head = request.head
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.isEmpty || type.hasPrefix("application/x-www-form-urlencoded") { head.headerFields[.contentType] = "application/json" }
        var body = try await request.body.collect(upTo: Self.maximumBody)
        if let json = try? JSONParser.parse(body.readableBytesView) {
            if let problem = Self.nullProblem(json) {
                return LocalService.jsonResponse(.badRequest, RPCStatus.body(code: RPCStatus.invalidArgument, message: problem))
            }
            // The gateway's protobuf JSON forms (`"offset": "5"`, a condition by number) are read
            // as the seed's literal ones before the generated decoder sees the body.
            let literal = ProtobufJSON.literalRequest(json)
            if literal != json { body = ByteBuffer(string: JSONWriter.compact(literal)) }
        }
        return try await next(Request(head: head, body: .init(buffer: body)), context)
    }

    /// The contract types every member of `customerGetAllJobsRequest`; a `null` in one of them is
    /// a request outside the contract, answered 400 rather than read as "not given".
    static func nullProblem(_ json: JSONValue) -> String? {
        guard case .object(let request) = json else { return nil }
        for (key, value) in request where ["pagination", "filters", "orderBy"].contains(key) {
            if value == .null { return "\(key): null is not allowed here" }
        }
        if case .object(let pagination)? = request["pagination"] {
            for (key, value) in pagination where ["limit", "offset"].contains(key) && value == .null {
                return "pagination.\(key): null is not allowed here (an integer is)"
            }
        }
        if case .array(let filters)? = request["filters"] {
            for (index, filter) in filters.enumerated() {
                if filter == .null { return "filters[\(index)]: null is not allowed here (a filter object is)" }
                guard case .object(let members) = filter else { continue }
                for (key, value) in members where ["field", "condition", "value"].contains(key) && value == .null {
                    return "filters[\(index)].\(key): null is not allowed here"
                }
            }
        }
        return nil
    }
}

/// `bnq serve --int64-strings`: rewrites the JSON answers of the contract's routes in the
/// gateway's form, every int64 as a string (see `ProtobufJSON.gatewayResponse`).
struct GatewayFormMiddleware: RouterMiddleware {
    /// The largest answer rewritten (a page of 1,000 jobs is about 2 MB).
    static let maximumBody = 256 << 20

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let path = request.uri.path
        guard response.status == .ok, path.hasPrefix(LocalService.customerBasePath) || path.hasPrefix(LocalService.computingBasePath) else { return response }
        let collected = Collected()
        let original = response.body
        try await original.write(CollectingWriter(target: collected, limit: Self.maximumBody))
        let body = collected.buffer
        guard let json = try? JSONParser.parse(body.readableBytesView) else {
            response.body = .init(byteBuffer: body)
            return response
        }
        let rewritten = ByteBuffer(string: JSONWriter.compact(ProtobufJSON.gatewayResponse(json)))
        response.headers[.contentLength] = String(rewritten.readableBytes)
        response.body = .init(byteBuffer: rewritten)
        return response
    }
}

/// A response body read into memory (what `GatewayFormMiddleware` rewrites).
final class Collected: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let target: Collected
    let limit: Int

    struct TooLarge: Error {}

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        guard target.buffer.readableBytes + buffer.readableBytes <= limit else { throw TooLarge() }
        target.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Answers 405 Method Not Allowed, with `Allow`, for a method a route of the contract does not
/// take (`TRACE /v1/customer/jobs`), instead of 404: the path exists.
struct MethodMiddleware: RouterMiddleware {
    /// The methods the route at `path` takes, or nil when no route has that path.
    static func allowed(path: String) -> [HTTPRequest.Method]? {
        if path == LocalService.accessTokenPath { return [.post] }
        for base in [LocalService.customerBasePath, LocalService.computingBasePath] where path.hasPrefix(base + "/jobs") {
            let tail = path.dropFirst(base.count + "/jobs".count)
            if tail.isEmpty { return [.get] }
            let rest = tail.split(separator: "/", omittingEmptySubsequences: false)
            switch rest.count {
            case 2 where rest[1] == "filter": return [.post]
            case 2 where !rest[1].isEmpty: return [.get]
            case 3 where !rest[1].isEmpty && rest[2] == "results": return [.get]
            default: return nil
            }
        }
        return nil
    }

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        guard let methods = Self.allowed(path: request.uri.path), !methods.contains(request.method),
            !(request.method == .get && request.uri.path.hasSuffix("/jobs/filter"))  // GET /jobs/{jobId} with the id "filter"
        else {
            return try await next(request, context)
        }
        let names = methods.map(\.rawValue).joined(separator: ", ")
        var response = LocalService.jsonResponse(
            .methodNotAllowed,
            RPCStatus.body(code: RPCStatus.unimplemented, message: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(names)"))
        response.headers[.allow] = names
        return response
    }
}
