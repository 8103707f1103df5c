import AsyncHTTPClient
import BNQCore
import Foundation
import NIOCore
import NIOHTTP1
import OpenAPIRuntime

/// The access token, fetched lazily with the API key (`POST {origin}/v1/auth/access_token`),
/// refreshed shortly before it expires and once after a 401, and kept in memory only.
actor AccessTokens {
    private let apiKey: String
    private let url: URL
    private let httpClient: HTTPClient
    private let timeout: Duration
    private var current: (token: String, refreshAt: ContinuousClock.Instant)?
    private var pending: Task<(String, ContinuousClock.Instant), any Error>?
    /// `--verbose`: one line for the exchange, without the key or the token.
    private let trace: (@Sendable (String) -> Void)?

    init(apiKey: String, url: URL, httpClient: HTTPClient, timeout: Duration, trace: (@Sendable (String) -> Void)? = nil) {
        self.apiKey = apiKey
        self.url = url
        self.httpClient = httpClient
        self.timeout = timeout
        self.trace = trace
    }

    /// The token held now, if any (to keep it out of messages).
    var currentToken: String? { current?.token }

    /// A valid token, fetching one when there is none or it is about to expire.
    func token() async throws -> String {
        if let current, ContinuousClock.now < current.refreshAt { return current.token }
        if let pending { return try await pending.value.0 }
        let task = Task { try await fetch() }
        pending = task
        defer { pending = nil }
        let (token, refreshAt) = try await task.value
        current = (token, refreshAt)
        return token
    }

    /// Forgets `token` after the server rejected it, so the next call fetches a new one.
    func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    private func fetch() async throws -> (String, ContinuousClock.Instant) {
        try ClientConfiguration.checkCredentialsMayGo(to: url)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        var body = ""
        JSONWriter.write(["apiKey": .string(apiKey)], to: &body)
        request.body = .bytes(ByteBuffer(string: body))
        let response: HTTPClientResponse
        let start = ContinuousClock.now
        let line = "POST \(ClientConfiguration.shown(url)) (API key <redacted>)"
        let bytes: [UInt8]
        do {
            let httpClient = httpClient
            let timeout = timeout
            let request = request
            // The whole answer within the timeout: a body sent a byte a second does not hang bnq.
            (response, bytes) = try await withDeadline(timeout, host: url.host) {
                let response = try await httpClient.execute(request, timeout: timeout.timeAmount)
                return (response, Array(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            }
        } catch {
            let failure = Transport.classify(error, url: url)
            trace?("> \(line) → failed after \(TraceMiddleware.milliseconds(ContinuousClock.now - start)) ms: \(failure)")
            throw failure
        }
        trace?("> \(line) → \(response.status.code) in \(TraceMiddleware.milliseconds(ContinuousClock.now - start)) ms (token <redacted>)")
        guard response.status == .ok else {
            let error = ByteNiteError.from(status: Int(response.status.code), body: bytes)
            if response.status == .unauthorized || response.status == .forbidden {
                throw ByteNiteError(.unauthorized, status: Int(response.status.code), "the API key was rejected when asking for an access token (HTTP \(response.status.code)) — check BYTENITE_API_KEY")
            }
            throw error
        }
        guard let json = try? JSONParser.parse(bytes), let token = json["token"]?.stringValue, !token.isEmpty else {
            throw ByteNiteError(.badResponse, status: 200, "the access-token response has no token")
        }
        // expiresIn is an int64, which protobuf JSON sends as a string.
        let lifetime = json["expiresIn"]?.int64Value ?? 3600
        let margin = min(60, lifetime / 10)
        return (token, ContinuousClock.now + .seconds(max(0, lifetime - margin)))
    }
}

extension HTTPClientError {
    var shortDescription: String {
        let text = "\(self)"
        return text.hasPrefix("HTTPClientError.") ? String(text.dropFirst("HTTPClientError.".count)) : text
    }
}
