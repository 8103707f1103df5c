@testable import ByteNiteClient
import Testing

/// Secrets are taken out of what servers say before anyone sees it.
@Suite struct RedactionTests {
    @Test func keysTokensAndHeaderValuesAreRedacted() {
        let secrets = ["sk-live-12345", "tok-abcdef"]
        #expect(Redaction.redact("bad request from key sk-live-12345", secrets: secrets) == "bad request from key <redacted>")
        #expect(Redaction.redact("echo: Authorization: tok-xyz999 was sent", secrets: []) == "echo: Authorization: <redacted> was sent")
        #expect(Redaction.redact(#"{"headers":{"authorization":"tok-xyz999"},"apiKey":"k-1"}"#, secrets: []) == #"{"headers":{"authorization":"<redacted>"},"apiKey":"<redacted>"}"#)
        #expect(Redaction.redact("use Bearer abc.def.ghi here", secrets: []) == "use Bearer <redacted> here")
        // Prose that only mentions the words is left alone.
        let prose = "the access token or API key was rejected (HTTP 401) — check BYTENITE_API_KEY"
        #expect(Redaction.redact(prose, secrets: []) == prose)
    }
}

/// Plain http may carry credentials only to a loopback address: decided by the address, not a prefix.
@Suite struct LoopbackTests {
    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "::1"])
    func loopbackAddresses(_ host: String) { #expect(ClientConfiguration.isLoopback(host)) }

    @Test(arguments: ["127.attacker.example", "127.0.0.1.nip.io", "evil.localhost", "localhost.evil.com", "128.0.0.1", "127.0.0.256", "127.0.0", "example.com", ""])
    func namesThatOnlyLookLikeLoopback(_ host: String) { #expect(!ClientConfiguration.isLoopback(host)) }
}
