import BNQCore

/// Runs `operation` within `limit`: a response that does not arrive whole in time — a server that
/// sends its body a byte a second included — ends with a timeout error, and the request is
/// cancelled.
func withDeadline<T: Sendable>(
    _ limit: Duration, host: String?, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw ByteNiteError(.timeout, "timed out after \(Int(limit.inSeconds.rounded())) s waiting for the whole answer of \(host ?? "the API") (--timeout)")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
