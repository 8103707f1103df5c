import BNQCore
import ByteNiteAPI
import HTTPTypes
import OpenAPIRuntime

/// The `rpcStatus` error bodies the service sends, with gRPC status codes as ByteNite's gateway does.
enum RPCStatus {
    static let invalidArgument = 3
    static let notFound = 5
    static let unauthenticated = 16
    static let unavailable = 14
    static let `internal` = 13
    static let unimplemented = 12

    /// `{"code": …, "message": …, "details": []}`.
    static func body(code: Int, message: String) -> JSONValue {
        ["code": .int(Int64(code)), "message": .string(message), "details": []]
    }

    static func container(code: Int, message: String) -> OpenAPIValueContainer {
        body(code: code, message: message).openAPIValue
    }

    /// A complete HTTP response with an rpcStatus body, for middlewares outside the generated handlers.
    static func response(status: HTTPResponse.Status, code: Int, message: String) -> (HTTPResponse, HTTPBody) {
        var response = HTTPResponse(status: status)
        response.headerFields[.contentType] = "application/json"
        return (response, HTTPBody(JSONWriter.compact(body(code: code, message: message))))
    }
}

/// Turns request-decoding failures of the generated server (malformed JSON, an unknown enum value,
/// a value of the wrong type) into a 400 with an rpcStatus that says exactly what was wrong.
struct RequestErrorMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            return RPCStatus.response(status: .badRequest, code: RPCStatus.invalidArgument, message: Self.describe(error.underlyingError))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            func path(_ codingPath: [any CodingKey]) -> String {
                let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                return text.isEmpty ? "the body" : String(text.drop(while: { $0 == "." }))
            }
            switch decoding {
            case .dataCorrupted(let context):
                if context.codingPath.isEmpty { return "malformed JSON body: \(context.debugDescription)" }
                return "invalid value at \(path(context.codingPath)): \(context.debugDescription)"
            case .typeMismatch(let type, let context):
                return "wrong type at \(path(context.codingPath)): expected \(type)"
            case .valueNotFound(let type, let context):
                return "missing value at \(path(context.codingPath)): expected \(type)"
            case .keyNotFound(let key, let context):
                return "missing member '\(key.stringValue)' in \(path(context.codingPath))"
            @unknown default:
                return "malformed request: \(decoding)"
            }
        }
        if let runtime = error as? ServerError { return describe(runtime.underlyingError) }
        let text = "\(error)"
        if text.contains("Unexpected content type") || text.contains("content type") {
            return "the request body must be JSON (Content-Type: application/json)"
        }
        return "malformed request: \(text)"
    }
}
