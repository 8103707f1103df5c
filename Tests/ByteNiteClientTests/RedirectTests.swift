import BNQCore
import BNQTestSupport
import ByteNiteClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Testing

/// Redirects: the Authorization header never follows a redirect to another host.
@Suite struct RedirectTests {
    final class Seen: Sendable {
        let authorization = Mutex<[String?]>([])
    }

    static func start(_ router: Router<BasicRequestContext>, host: String) async throws -> (Task<Void, any Error>, Int) {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() }, logger: logger)
        let task = Task { try await app.run() }
        var port = 0
        for await value in stream { port = value }
        return (task, port)
    }

    @Test func authorizationIsDroppedWhenARedirectChangesHost() async throws {
        let seen = Seen()
        // The other host: answers the jobs listing and records what credentials came with it.
        let other = Router()
        other.get("/v1/customer/jobs") { request, _ -> Response in
            seen.authorization.withLock { $0.append(request.headers[.authorization]) }
            let body = #"{"pagination":{"total":"1","offset":"0","hasNext":false},"data":[{"id":"j1","numChunks":"3","state":"JOB_STATE_PAUSED_NEW"}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (otherTask, otherPort) = try await Self.start(other, host: "127.0.0.2")
        // The first host: issues tokens and redirects the listing to the other host.
        let first = Router()
        first.post("/v1/auth/access_token") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"token":"tok-123","expiresIn":"3600"}"#)))
        }
        first.get("/v1/customer/jobs") { request, _ -> Response in
            seen.authorization.withLock { $0.append(request.headers[.authorization]) }
            return Response(status: .temporaryRedirect, headers: [.location: "http://127.0.0.2:\(otherPort)/v1/customer/jobs?pagination.limit=1"])
        }
        let (firstTask, firstPort) = try await Self.start(first, host: "127.0.0.1")

        var configuration = ClientConfiguration(endpoint: URL(string: "http://127.0.0.1:\(firstPort)/v1/customer")!, apiKey: "secret")
        configuration.retry.maxAttempts = 1
        let client = JobsClient(configuration: configuration)
        let page = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
        await client.shutdown()
        firstTask.cancel()
        otherTask.cancel()

        // The raw token went to the first host (no "Bearer"), and nothing to the other one.
        #expect(seen.authorization.withLock { $0 } == ["tok-123", nil])
        // Lenient decoding: int64 as strings, an enum value the contract does not list.
        #expect(page.total == 1)
        #expect(page.jobs.first?["numChunks"]?.int64Value == 3)
        #expect(page.jobs.first?["state"] == .string("JOB_STATE_PAUSED_NEW"))
    }
}
