import Foundation
import NIOCore

/// How the client reaches the API.
public struct ClientConfiguration: Sendable {
    /// The full base URL of the jobs routes (`https://api.bytenite.com/v1/customer`); any base path works.
    public var endpoint: URL
    /// The access-token URL; by default `{origin of endpoint}/v1/auth/access_token`.
    public var accessTokenURL: URL?
    /// The API key; nil sends no credentials (the local demo service accepts that).
    public var apiKey: String?
    /// Time allowed for one request, connection included.
    public var requestTimeout: Duration = .seconds(60)
    /// Time allowed to connect.
    public var connectTimeout: Duration = .seconds(10)
    /// How transient failures are retried.
    public var retry = RetryPolicy()
    /// Receives one line per HTTP exchange (`--verbose`); credentials are redacted.
    public var trace: (@Sendable (String) -> Void)?

    public static let defaultEndpoint = URL(string: "https://api.bytenite.com/v1/customer")!

    public init(endpoint: URL = ClientConfiguration.defaultEndpoint, apiKey: String? = nil) {
        self.endpoint = endpoint
        self.apiKey = apiKey
    }

    /// The access-token URL in effect.
    public var resolvedAccessTokenURL: URL {
        if let accessTokenURL { return accessTokenURL }
        var components = URLComponents()
        components.scheme = endpoint.scheme
        components.host = endpoint.host
        components.port = endpoint.port
        components.path = "/v1/auth/access_token"
        return components.url ?? endpoint
    }

    /// Whether a host is a loopback address, where plain http may carry credentials: an IPv4
    /// literal in 127.0.0.0/8, the IPv6 literal ::1, or exactly `localhost`. A name that merely
    /// starts with `127.` or ends in `.localhost` is a name like any other, resolved by DNS.
    public static func isLoopback(_ host: String?) -> Bool {
        guard var host = host?.lowercased() else { return false }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "localhost." { return true }
        if host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCII) && octet.allSatisfy(\.isNumber) && (Int(octet) ?? 256) <= 255
        }
    }

    /// A URL as people may see it: any user name and password in it left out.
    public static func shown(_ url: URL) -> String {
        guard url.user != nil || url.password != nil, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        components.user = nil
        components.password = nil
        return components.url?.absoluteString ?? url.absoluteString
    }

    /// Refuses to send credentials over plain http to anything but a loopback address.
    static func checkCredentialsMayGo(to url: URL) throws(ByteNiteError) {
        if url.scheme?.lowercased() == "https" { return }
        if url.scheme?.lowercased() == "http", isLoopback(url.host) { return }
        throw ByteNiteError(.insecureEndpoint, "refusing to send credentials over \(url.scheme ?? "?"):// to \(url.host ?? "?"): use https, or http only to a loopback address")
    }
}

extension Duration {
    /// This duration as NIO's `TimeAmount` (nanosecond precision).
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}

/// Capped exponential backoff with jitter, within a budget.
public struct RetryPolicy: Sendable {
    /// Attempts per call, the first included.
    public var maxAttempts = 8
    /// The first backoff; each retry doubles it.
    public var baseDelay: Duration = .milliseconds(50)
    /// No single wait is longer.
    public var maxDelay: Duration = .seconds(5)
    /// The total time one call may spend waiting between attempts.
    public var budget: Duration = .seconds(60)

    public init() {}

    /// The wait before retry number `retry` (1-based): full jitter between half and all of the capped backoff.
    func delay(beforeRetry retry: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay * 6) }
        let exponent = min(retry - 1, 20)
        let capped = min(baseDelay * (1 << exponent), maxDelay)
        return capped * Double.random(in: 0.5...1.0)
    }
}
