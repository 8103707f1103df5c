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
}
