import BNQCore
import Foundation

/// A failed API call, with a one-line message for people.
public struct ByteNiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        case badRequest, unauthorized, forbidden, notFound, rateLimited, serverError, unavailable
        case unexpectedStatus, badResponse, network, timeout, insecureEndpoint, configuration
        /// A certificate that is not trusted, or a TLS handshake that failed: not retried.
        case tls
    }

    public var kind: Kind
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The one-line message.
    public var message: String

    public init(_ kind: Kind, status: Int? = nil, _ message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// Whether trying again may succeed: 429, 500, 502, 503, 504, network failures and timeouts.
    public var isTransient: Bool {
        switch kind {
        case .rateLimited, .unavailable, .network, .timeout: return true
        case .serverError: return status == nil || [500, 502, 504].contains(status!)
        default: return false
        }
    }

    /// Builds the error for an HTTP status and its body, reading both error bodies ByteNite sends:
    /// `rpcStatus {code, message, details}` and `{"ok": false, "message", "error": {code, message, description}}`.
    /// An HTML or empty body still gives a clean message with the status.
    public static func from(status: Int, body: [UInt8]) -> ByteNiteError {
        let detail = serverMessage(in: body) ?? otherBody(body)
        let said = detail.map { ": \($0)" } ?? ""
        switch status {
        case 400: return ByteNiteError(.badRequest, status: status, "the API rejected the request (HTTP 400)\(said)")
        case 401:
            return ByteNiteError(.unauthorized, status: status, "the access token or API key was rejected (HTTP 401) — check BYTENITE_API_KEY\(said)")
        case 403: return ByteNiteError(.forbidden, status: status, "access denied (HTTP 403)\(said)")
        case 404:
            return ByteNiteError(.notFound, status: status, "not found (HTTP 404)\(said)")
        case 429: return ByteNiteError(.rateLimited, status: status, "rate limited by the API (HTTP 429)\(said)")
        case 503: return ByteNiteError(.unavailable, status: status, "the API is unavailable (HTTP 503)\(said)")
        case 500...599: return ByteNiteError(.serverError, status: status, "the API failed (HTTP \(status))\(said)")
        default: return ByteNiteError(.unexpectedStatus, status: status, "unexpected HTTP \(status) from the API\(said)")
        }
    }

    /// What a body that is not a ByteNite error says: an HTML page's title, or the start of a text
    /// body; nil for an empty or JSON body.
    static func otherBody(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, (try? JSONParser.parse(body)) == nil else { return nil }
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let open = text.range(of: "<title>", options: .caseInsensitive),
            let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        {
            let title = text[open.upperBound..<close.lowerBound].split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return "an HTML page titled '\(title.prefix(120))'"
        }
        if text.range(of: "<html", options: .caseInsensitive) != nil { return "an HTML page" }
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "a non-JSON body: '\(flat.prefix(120))\(flat.count > 120 ? "…" : "")'"
    }

    /// The server's own message from an error body, if it has one; nil for HTML, empty or unreadable bodies.
    static func serverMessage(in body: [UInt8]) -> String? {
        guard !body.isEmpty, let json = try? JSONParser.parse(body), case .object = json else { return nil }
        var parts: [String] = []
        if let error = json["error"], case .object = error {
            if let message = error["message"]?.stringValue, !message.isEmpty { parts.append(message) }
            if let description = error["description"]?.stringValue, !description.isEmpty, !parts.contains(description) { parts.append(description) }
        }
        if parts.isEmpty, let message = json["message"]?.stringValue, !message.isEmpty { parts.append(message) }
        guard !parts.isEmpty else { return nil }
        let text = parts.joined(separator: " — ")
        // One line, and not endless.
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
    }
}
