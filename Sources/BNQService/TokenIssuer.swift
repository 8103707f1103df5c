import BNQCore
import Synchronization

/// Issues and checks access tokens, as `POST /v1/auth/access_token` does at ByteNite.
final class TokenIssuer: Sendable {
    /// The key clients must present; nil accepts any key.
    let apiKey: String?
    /// How long a token lives.
    let lifetime: Duration
    private let tokens = Mutex<[String: ContinuousClock.Instant]>([:])

    init(apiKey: String?, lifetime: Duration) {
        self.apiKey = apiKey
        self.lifetime = lifetime
    }

    /// A new token for `key`, or nil when the key is wrong.
    func issue(for key: String) -> String? {
        if let apiKey, key != apiKey { return nil }
        var generator = SystemRandomNumberGenerator()
        let token = "bnqtok_" + (0..<4).map { _ in String(generator.next(), radix: 16).leftPadded(16) }.joined()
        let expiry = ContinuousClock.now + lifetime
        tokens.withLock { tokens in
            if tokens.count > 10_000 { tokens = tokens.filter { $0.value > .now } }
            tokens[token] = expiry
        }
        return token
    }

    enum Verdict { case valid, missing, unknown, expired }

    /// Whether `token` was issued here and has not expired.
    func check(_ token: String?) -> Verdict {
        guard let token, !token.isEmpty else { return .missing }
        guard let expiry = tokens.withLock({ $0[token] }) else { return .unknown }
        return expiry > .now ? .valid : .expired
    }
}
