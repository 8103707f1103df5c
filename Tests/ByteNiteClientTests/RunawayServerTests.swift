import BNQCore
import ByteNiteClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A server that ignores the offset and always says there is more: bnq stops with an error
/// after a few pages that bring nothing new, instead of paging forever.
@Suite struct RunawayServerTests {
    @Test func aServerThatIgnoresTheOffsetIsStopped() async throws {
        let requests = Mutex(0)
        let router = Router()
        router.get("/v1/customer/jobs") { _, _ -> Response in
            requests.withLock { $0 += 1 }
            let body = #"{"pagination":{"offset":"0","hasNext":true},"data":[{"id":"a"},{"id":"b"}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (task, port) = try await RedirectTests.start(router, host: "127.0.0.1")
        let client = JobsClient(configuration: ClientConfiguration(endpoint: URL(string: "http://127.0.0.1:\(port)/v1/customer")!))
        var ids: [String] = []
        await #expect(throws: ByteNiteError.self) {
            for try await job in client.jobs(.all(orderBy: nil), pageSize: 2, prefetch: 0) { ids.append(job["id"]?.stringValue ?? "") }
        }
        #expect(ids == ["a", "b"])
        #expect(requests.withLock { $0 } <= 5)
        await client.shutdown()
        task.cancel()
    }

    /// A server that pages by the offset but leaves out `hasNext`, or the whole `pagination`.
    static func partialServer(pagination: @escaping @Sendable (Int, Int) -> String?) async throws -> (Task<Void, any Error>, JobsClient) {
        let ids = ["a", "b", "c", "d", "e"]
        let router = Router()
        router.get("/v1/customer/jobs") { request, _ -> Response in
            let offset = Int(request.uri.queryParameters["pagination.offset"].map(String.init) ?? "0") ?? 0
            let limit = Int(request.uri.queryParameters["pagination.limit"].map(String.init) ?? "2") ?? 2
            let page = ids.dropFirst(offset).prefix(limit).map { #"{"id":"\#($0)"}"# }.joined(separator: ",")
            let body = "{" + (pagination(offset, ids.count).map { $0 + "," } ?? "") + #""data":["# + page + "]}"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (task, port) = try await RedirectTests.start(router, host: "127.0.0.1")
        return (task, JobsClient(configuration: ClientConfiguration(endpoint: URL(string: "http://127.0.0.1:\(port)/v1/customer")!)))
    }

    static func listed(_ client: JobsClient) async throws -> [String] {
        var ids: [String] = []
        for try await job in client.jobs(.all(orderBy: nil), pageSize: 2, prefetch: 1) { ids.append(job["id"]?.stringValue ?? "") }
        return ids
    }

    @Test func withoutHasNextTheTotalTellsWhetherMoreFollow() async throws {
        let (task, client) = try await Self.partialServer { offset, total in #""pagination":{"total":"\#(total)","offset":"\#(offset)"}"# }
        #expect(try await Self.listed(client) == ["a", "b", "c", "d", "e"])
        await client.shutdown()
        task.cancel()
    }

    @Test func withoutPaginationAFullPageMeansMore() async throws {
        let (task, client) = try await Self.partialServer { _, _ in nil }
        #expect(try await Self.listed(client) == ["a", "b", "c", "d", "e"])
        let first = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
        #expect(first.total == nil && first.hasNext)
        await client.shutdown()
        task.cancel()
    }

    /// The whole listing (pages of 10) read to its end: the iterator, for what it says after.
    static func readToTheEnd(_ client: JobsClient) async throws -> JobStream.Iterator {
        let iterator = client.jobs(.all(orderBy: nil), pageSize: 10, prefetch: 1).makeAsyncIterator()
        while try await iterator.next() != nil {}
        return iterator
    }

    /// `reachedEnd` says the consumer read to the end the server gave, which is when a total that
    /// differs from what was read means jobs are missing; stopping early, even inside the last
    /// page, is not reaching the end (bnq warned "the listing may be incomplete" after
    /// `… where name like 'a%' or … limit 3` found its three rows among the first ten of 300).
    @Test func stoppingInsideTheLastPageIsNotReachingTheEnd() async throws {
        let (task, client) = try await Self.partialServer { offset, total in
            #""pagination":{"total":"\#(total)","offset":"\#(offset)","hasNext":false}"#
        }
        let early = client.jobs(.all(orderBy: nil), pageSize: 10, prefetch: 1).makeAsyncIterator()
        #expect(try await early.next()?["id"]?.stringValue == "a")
        #expect(try await early.next()?["id"]?.stringValue == "b")
        #expect(!early.reachedEnd && early.delivered == 2 && early.lastTotal == 5)
        let whole = try await Self.readToTheEnd(client)
        #expect(whole.reachedEnd && whole.delivered == 5 && whole.lastTotal == 5)
        await client.shutdown()
        task.cancel()
    }

    /// A server whose total says more jobs than it lists: read to the end, the difference shows.
    @Test func aTotalLargerThanTheListingShowsAtTheEnd() async throws {
        let (task, client) = try await Self.partialServer { offset, _ in
            #""pagination":{"total":"9","offset":"\#(offset)","hasNext":false}"#
        }
        let whole = try await Self.readToTheEnd(client)
        #expect(whole.reachedEnd && whole.delivered == 5 && whole.lastTotal == 9)
        await client.shutdown()
        task.cancel()
    }

    @Test func aBodySentAByteASecondEndsAtTheTimeout() async throws {
        let router = Router()
        router.get("/v1/customer/jobs") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                for _ in 0..<120 {
                    try await writer.write(ByteBuffer(string: " "))
                    try await Task.sleep(for: .seconds(1))
                }
                try await writer.finish(nil)
            })
        }
        let (task, port) = try await RedirectTests.start(router, host: "127.0.0.1")
        var configuration = ClientConfiguration(endpoint: URL(string: "http://127.0.0.1:\(port)/v1/customer")!)
        configuration.requestTimeout = .seconds(1)
        configuration.retry.maxAttempts = 2
        configuration.retry.baseDelay = .milliseconds(1)
        let client = JobsClient(configuration: configuration)
        let started = ContinuousClock.now
        do {
            _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
            Issue.record("a body that never ends was accepted")
        } catch let error as ByteNiteError {
            #expect(error.kind == .timeout)
            #expect(error.message.contains("timed out"))
        }
        // The body would last two minutes: ending well before proves the deadline cut it (the
        // bound is loose: a loaded machine stretches two one-second attempts a good deal).
        #expect(ContinuousClock.now - started < .seconds(60))
        await client.shutdown()
        task.cancel()
    }

    @Test func anErrorBodyThatEchoesTheCredentialsIsRedacted() async throws {
        let router = Router()
        router.post("/v1/auth/access_token") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"token":"tok-secret-777","expiresIn":"3600"}"#)))
        }
        router.get("/v1/customer/jobs") { request, _ -> Response in
            let echoed = request.headers[.authorization] ?? ""
            let body = #"{"message":"bad request; you sent Authorization: \#(echoed) with key sk-live-4242"}"#
            return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (task, port) = try await RedirectTests.start(router, host: "127.0.0.1")
        let client = JobsClient(configuration: ClientConfiguration(endpoint: URL(string: "http://127.0.0.1:\(port)/v1/customer")!, apiKey: "sk-live-4242"))
        do {
            _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
            Issue.record("a 400 was accepted")
        } catch let error as ByteNiteError {
            #expect(!error.message.contains("tok-secret-777") && !error.message.contains("sk-live-4242"))
            #expect(error.message.contains("Authorization: <redacted>"))
        }
        await client.shutdown()
        task.cancel()
    }
}
