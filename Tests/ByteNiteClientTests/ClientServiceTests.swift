import BNQCore
import BNQService
import BNQTestSupport
import ByteNiteClient
import Foundation
import Testing

/// The client against `bnq serve` over real HTTP on loopback.
@Suite struct ClientServiceTests {
    typealias Request = JobsRequest

    static func filter(_ field: String, _ condition: FilterCondition, _ operand: FilterOperand) -> JobsRequest.Filter {
        .init(field: field, condition: condition, value: operand)
    }

    /// All ids matching a request, paging through it.
    static func ids(_ client: JobsClient, _ request: Request, pageSize: Int64 = 97) async throws -> [String] {
        var ids: [String] = []
        for try await job in client.jobs(.filtered(request), pageSize: pageSize) { ids.append(job.id) }
        return ids
    }

    /// The ids the test computes itself, in the service's default order (newest first).
    static func expected(_ keep: (JSONValue) -> Bool) -> Set<String> {
        Set(TestData.jobs.filter(keep).map(\.id))
    }

    static func state(_ job: JSONValue) -> String { job["state"]?.stringValue ?? "JOB_STATE_NEW" }
    static func time(_ job: JSONValue, _ field: String) -> Timestamp? { job[field]?.stringValue.flatMap { Timestamp(rfc3339: $0) } }

    @Test func everyFilterConditionReturnsExactlyTheMatchingJobs() async throws {
        let cutoff = Timestamp(rfc3339: "2026-10-15T00:00:00Z")!
        let cases: [(JobsRequest.Filter, (JSONValue) -> Bool)] = [
            (Self.filter("state", .eq, .string("JOB_STATE_FAILED")), { Self.state($0) == "JOB_STATE_FAILED" }),
            (Self.filter("state", .neq, .string("JOB_STATE_COMPLETE")), { Self.state($0) != "JOB_STATE_COMPLETE" }),
            (Self.filter("numChunks", .gt, .int(40)), { ($0["numChunks"]?.int64Value ?? 0) > 40 }),
            (Self.filter("numChunks", .gte, .int(40)), { ($0["numChunks"]?.int64Value ?? 0) >= 40 }),
            (Self.filter("duration", .lt, .double(300)), { ($0["duration"]?.numberValue ?? 0) < 300 }),
            (Self.filter("duration", .lte, .double(300)), { ($0["duration"]?.numberValue ?? 0) <= 300 }),
            (Self.filter("createdAt", .gt, .timestamp(cutoff)), { Self.time($0, "createdAt")! > cutoff }),
            (Self.filter("regions.whitelist", .arrayContains, .string("eu-west")), {
                $0.value(atPath: "regions.whitelist")?.arrayValue?.contains(.string("eu-west")) ?? false
            }),
            (Self.filter("regions.whitelist", .arrayContainsAny, .list([.string("eu-west"), .string("sa-east")])), {
                let regions = $0.value(atPath: "regions.whitelist")?.arrayValue ?? []
                return regions.contains(.string("eu-west")) || regions.contains(.string("sa-east"))
            }),
            (Self.filter("templateInfo.app", .in, .list([.string("imagemagick"), .string("bwa-aligner")])), {
                ["imagemagick", "bwa-aligner"].contains($0.value(atPath: "templateInfo.app")?.stringValue)
            }),
            (Self.filter("state", .notIn, .list([.string("JOB_STATE_COMPLETE"), .string("JOB_STATE_FAILED")])), {
                !["JOB_STATE_COMPLETE", "JOB_STATE_FAILED"].contains(Self.state($0))
            }),
            (Self.filter("name", .like, .string("TRAILER-0%")), { ($0["name"]?.stringValue ?? "").hasPrefix("trailer-0") }),
            (Self.filter("config.isTestJob", .eq, .bool(true)), { $0.value(atPath: "config.isTestJob") == .bool(true) }),
        ]
        try await withService { _, client in
            for (filter, keep) in cases {
                let ids = try await Self.ids(client, Request(filters: [filter]))
                let expected = Self.expected(keep)
                #expect(!expected.isEmpty, "\(filter.field) \(filter.condition) matches nothing in the test data")
                #expect(ids.count == Set(ids).count)
                #expect(Set(ids) == expected, "\(filter.field) \(filter.condition)")
            }
            // Filters are ANDed.
            let both = try await Self.ids(client, Request(filters: [cases[0].0, cases[2].0]))
            #expect(Set(both) == Self.expected { cases[0].1($0) && cases[2].1($0) })
        }
    }

    @Test func ordersStablyAndPagesAtTheEdges() async throws {
        try await withService { _, client in
            let first = try await client.page(of: .filtered(Request(orderBy: "duration desc")), offset: 0, limit: 10)
            #expect(first.total == 1000)
            #expect(first.jobs.count == 10)
            #expect(first.hasNext && !first.hasPrevious)
            let durations = first.jobs.map { $0["duration"]?.numberValue ?? 0 }
            #expect(durations == durations.sorted(by: >))

            // Exact multiple of the page size: 1,000 jobs in pages of 100 — ten pages, then nothing.
            var pages = 0
            var ids = Set<String>()
            var offset: Int64 = 0
            while true {
                let page = try await client.page(of: .all(orderBy: "createdAt"), offset: offset, limit: 100)
                pages += 1
                ids.formUnion(page.jobs.map(\.id))
                offset += 100
                if !page.hasNext { break }
            }
            #expect(pages == 10)
            #expect(ids.count == 1000)

            let past = try await client.page(of: .all(orderBy: nil), offset: 5000, limit: 100)
            #expect(past.jobs.isEmpty && !past.hasNext && past.total == 1000)

            let none = try await client.page(of: .filtered(Request(filters: [Self.filter("name", .eq, .string("no such job"))])), offset: 0, limit: 100)
            #expect(none.jobs.isEmpty && none.total == 0 && !none.hasNext && !none.hasPrevious)

            let streamed = try await Self.ids(client, Request(orderBy: "createdAt desc"), pageSize: 100)
            #expect(streamed.count == 1000 && Set(streamed).count == 1000)
        }
    }

    @Test func getsAJobItsResultsAndA404() async throws {
        let complete = TestData.jobs.first { Self.state($0) == "JOB_STATE_COMPLETE" }!
        try await withService { _, client in
            let detail = try await client.job(id: complete.id)
            #expect(detail.job.id == complete.id)
            #expect(detail.templateInfo?["app"] == complete.value(atPath: "templateInfo.app"))
            let results = try await client.results(id: complete.id)
            #expect(!results.isEmpty && results.allSatisfy { $0.link.contains(complete.id) })
            await #expect(throws: ByteNiteError(.notFound, status: 404, "no job with id 'nope' (HTTP 404)")) {
                try await client.job(id: "nope")
            }
        }
    }

    @Test func badRequestsGetA400ThatSaysWhy() async throws {
        try await withService { _, client in
            do {
                _ = try await client.page(of: .filtered(Request(filters: [Self.filter("stat", .eq, .string("FAILED"))])), offset: 0, limit: 100)
                Issue.record("an unknown field was accepted")
            } catch let error as ByteNiteError {
                #expect(error.kind == .badRequest)
                #expect(error.message.contains("unknown field 'stat'; did you mean 'state'?"))
            }
            do {
                _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: -1)
                Issue.record("a negative limit was accepted")
            } catch let error as ByteNiteError {
                #expect(error.message.contains("pagination.limit must not be negative"))
            }
        }
    }

    @Test func authenticatesWithTheRawTokenAndRefreshesIt() async throws {
        let options = TestData.options {
            $0.apiKey = "secret-key"
            // Long enough that a token is not already stale when a loaded machine gets to use it
            // (3 s was not, once, on a machine running a build beside the tests).
            $0.tokenLifetime = .seconds(8)
        }
        try await withService(options: options, apiKey: "secret-key") { _, client in
            _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
            try await Task.sleep(for: .milliseconds(8200))
            // The token has expired; the client fetches a new one before or after the 401.
            _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
        }
        try await withService(options: options, apiKey: "wrong-key") { _, client in
            do {
                _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
                Issue.record("a wrong key was accepted")
            } catch let error as ByteNiteError {
                #expect(error.kind == .unauthorized)
                #expect(error.message.contains("BYTENITE_API_KEY"))
                #expect(!error.message.contains("wrong-key"))
            }
        }
        // Without a key the client sends no token, which the service refuses when it requires a key.
        _ = try await withService(options: options, apiKey: nil) { _, client in
            await #expect(throws: ByteNiteError.self) { try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1) }
        }
    }

    @Test func anyBasePathWorks() async throws {
        try await withService { service, _ in
            var configuration = ClientConfiguration(
                endpoint: URL(string: "http://127.0.0.1:\(service.port)/v1/computing")!, apiKey: "k")
            configuration.retry.maxAttempts = 1
            let client = JobsClient(configuration: configuration)
            let page = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 5)
            await client.shutdown()
            #expect(page.jobs.count == 5)
        }
    }

    /// The error asking `endpoint` for a first page ends in, after `attempts` tries; nil (an
    /// issue recorded) when a page came, or an error of another type.
    static func firstPageError(_ endpoint: String, apiKey: String? = nil, attempts: Int) async -> ByteNiteError? {
        var configuration = ClientConfiguration(endpoint: URL(string: endpoint)!, apiKey: apiKey)
        configuration.retry.maxAttempts = attempts
        configuration.retry.baseDelay = .milliseconds(1)
        let client = JobsClient(configuration: configuration)
        var failure: ByteNiteError?
        do {
            _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
            Issue.record("\(endpoint) gave a page")
        } catch let error as ByteNiteError {
            failure = error
        } catch {
            Issue.record("\(endpoint): \(error)")
        }
        await client.shutdown()
        return failure
    }

    @Test func refusesCredentialsOverPlainHTTPToANonLoopbackHost() async throws {
        let error = try #require(await Self.firstPageError("http://jobs.example.com/v1/customer", apiKey: "secret", attempts: 1))
        #expect(error.kind == .insecureEndpoint, "\(error)")
        #expect(!error.message.contains("secret"))
    }

    @Test func retriesInjectedFaultsWithoutLosingOrRepeatingJobs() async throws {
        let options = TestData.options {
            $0.faults = try! FaultPlan.parse("503=0.2,500=0.05,429=0.05,reset=0.05,delay=0.1:5ms")
            $0.seed = 11
        }
        try await withService(options: options) { _, client in
            let ids = try await Self.ids(client, Request(orderBy: "createdAt"), pageSize: 50)
            #expect(ids.count == 1000)
            #expect(Set(ids) == Set(TestData.jobs.map(\.id)))
            #expect(client.statistics.snapshot.retries > 0)
        }
    }

    @Test func givesUpWithAClearErrorWhenTheBudgetRunsOut() async throws {
        let options = TestData.options { $0.faults = try! FaultPlan.parse("503=1") }
        try await withService(options: options, configure: { $0.retry.maxAttempts = 3 }) { _, client in
            do {
                _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
                Issue.record("a failing service gave a page")
            } catch let error as ByteNiteError {
                #expect(error.kind == .unavailable)
                #expect(error.message == "the API is unavailable (HTTP 503): injected fault: HTTP 503 (gave up after 3 attempts)")
            }
            #expect(client.statistics.snapshot.requests == 3)
        }
    }

    @Test func connectionRefusedIsANetworkError() async throws {
        let error = try #require(await Self.firstPageError("http://127.0.0.1:1/v1/customer", attempts: 2))
        #expect(error.kind == .network)
        #expect(error.message.contains("127.0.0.1"))
    }

    /// A host name that does not resolve (`.invalid` never does) is said in plain words, not as
    /// NIO's `SocketAddressError.UnknownHost … (error -2)`.
    @Test func aHostThatDoesNotResolveIsSaidPlainly() async throws {
        let error = try #require(await Self.firstPageError("http://no-such-host.invalid/v1/customer", attempts: 1))
        #expect(error.kind == .network)
        #expect(error.message.hasPrefix("cannot find the host no-such-host.invalid: the name does not resolve"), "\(error.message)")
        #expect(!error.message.contains("SocketAddressError") && !error.message.contains("error -2"), "\(error.message)")
    }
}
