import BNQService
import BNQTestSupport
import ByteNiteClient
import Testing

@Suite struct ErrorBodyTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsBothErrorBodiesByteNiteSends() {
        let rpc = ByteNiteError.from(status: 400, body: Self.bytes(#"{"code":3,"message":"bad filter","details":[]}"#))
        #expect(rpc == ByteNiteError(.badRequest, status: 400, "the API rejected the request (HTTP 400): bad filter"))
        let envelope = ByteNiteError.from(status: 403, body: Self.bytes(#"{"ok":false,"requestId":"r1","message":"denied","error":{"code":"FORBIDDEN","message":"no access","description":"key lacks the jobs scope"}}"#))
        #expect(envelope.message == "access denied (HTTP 403): no access — key lacks the jobs scope")
    }

    @Test(arguments: [
        (401, ByteNiteError.Kind.unauthorized), (403, .forbidden), (404, .notFound), (429, .rateLimited),
        (500, .serverError), (502, .serverError), (503, .unavailable), (418, .unexpectedStatus),
    ])
    func anHTMLOrEmptyBodyStillGivesACleanMessage(status: Int, kind: ByteNiteError.Kind) {
        for body in ["<html><body><h1>502 Bad Gateway</h1></body></html>", "", "{not json"] {
            let error = ByteNiteError.from(status: status, body: Self.bytes(body))
            #expect(error.kind == kind)
            #expect(error.message.contains("HTTP \(status)"))
            #expect(!error.message.contains("<") && !error.message.contains("\n"))
        }
        #expect(ByteNiteError.from(status: 401, body: []).message.contains("check BYTENITE_API_KEY"))
    }

    @Test(arguments: [(403, ByteNiteError.Kind.forbidden), (429, .rateLimited), (500, .serverError), (404, .notFound)])
    func statusesFromTheServiceBecomeTypedErrors(status: Int, kind: ByteNiteError.Kind) async throws {
        let options = TestData.options { $0.faults = try! FaultPlan.parse("\(status)=1") }
        try await withService(options: options, configure: { $0.retry.maxAttempts = 2 }) { _, client in
            do {
                _ = try await client.page(of: .all(orderBy: nil), offset: 0, limit: 1)
                Issue.record("HTTP \(status) gave a page")
            } catch let error as ByteNiteError {
                #expect(error.kind == kind)
                #expect(error.status == status)
                #expect(error.message.contains("injected fault"))
            }
        }
    }
}
