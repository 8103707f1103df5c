import AsyncHTTPClient
import BNQCore
import Foundation
import NIOSSL
import OpenAPIRuntime

/// Maps transport failures to `ByteNiteError`s in plain language, and decides which are worth
/// another attempt: a refused or reset connection and a timeout are; an untrusted certificate, an
/// answer over the size limit or a redirect to another scheme are not.
enum Transport {
    static func classify(_ error: any Error, url: URL?) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? ByteNiteError { return error }
        if let error = error as? ClientError { return classify(error.underlyingError, url: url) }
        let host = url?.host ?? "the API"
        let text = "\(error)"
        if let tls = tlsProblem(error, text: text, host: host) { return tls }
        if text.contains("contains more than the maximum allowed") {
            return ByteNiteError(.badResponse, "the answer of \(host) is larger than \(ResponseMiddleware.maximumBody >> 20) MiB; bnq does not read it")
        }
        if let reason = dnsProblem(text) {
            return ByteNiteError(.network, "cannot find the host \(host): \(reason); check the endpoint's name and the network")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .readTimeout, .connectTimeout, .deadlineExceeded, .writeTimeout:
                return ByteNiteError(.timeout, "timed out talking to \(host)")
            case .cancelled:
                return CancellationError()
            default:
                return ByteNiteError(.network, "connection to \(host) failed: \(error.shortDescription)")
            }
        }
        if text.contains("refused") { return ByteNiteError(.network, "connection to \(host) refused") }
        if text.contains("reset") { return ByteNiteError(.network, "connection to \(host) was reset") }
        return ByteNiteError(.network, "connection to \(host) failed: \(text.prefix(200))")
    }

    /// What the resolver said when a host name did not resolve, in its own words; nil for any
    /// other failure. (NIO reports it as `SocketAddressError.UnknownHost` with getaddrinfo's text.)
    static func dnsProblem(_ text: String) -> String? {
        guard text.contains("UnknownHost") || text.contains("DNS error") || text.contains("name resolution") else { return nil }
        for reason in ["Name or service not known", "Temporary failure in name resolution", "No address associated with hostname"] where text.contains(reason) {
            return "the name does not resolve (\(reason.prefix(1).lowercased() + reason.dropFirst()))"
        }
        return "the name does not resolve"
    }

    /// A TLS failure as one line that says what to do, or nil when the error is not about TLS.
    static func tlsProblem(_ error: any Error, text: String, host: String) -> ByteNiteError? {
        let isTLS = error is NIOSSLError || error is BoringSSLError || text.contains("handshakeFailed") || text.contains("NIOSSL")
            || text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate")
        guard isTLS else { return nil }
        let lower = text.lowercased()
        let reason: String
        if lower.contains("self signed") || lower.contains("self-signed") || lower.contains("self_signed") {
            reason = "self-signed"
        } else if lower.contains("expired") {
            reason = "expired"
        } else if lower.contains("hostname") || lower.contains("name mismatch") || lower.contains("unable to validate") {
            reason = "issued for another name"
        } else if lower.contains("unknown ca") || lower.contains("unable to get local issuer") || lower.contains("verify_failed") || lower.contains("certificate verify failed") {
            reason = "signed by an authority this machine does not trust"
        } else {
            reason = "the TLS handshake failed"
        }
        return ByteNiteError(.tls, "TLS certificate not trusted for \(host) (\(reason)); if it is yours, set SSL_CERT_FILE or SSL_CERT_DIR to the CA that signs it")
    }

    /// The TLS settings: the system's trust roots, or those `SSL_CERT_FILE` / `SSL_CERT_DIR` name.
    static func tlsConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty, FileManager.default.isReadableFile(atPath: file) {
            configuration.trustRoots = .file(file)
        } else if let folder = environment["SSL_CERT_DIR"], !folder.isEmpty,
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
        {
            let certificates = names.sorted().flatMap { name -> [NIOSSLCertificate] in
                (try? NIOSSLCertificate.fromPEMFile((folder as NSString).appendingPathComponent(name))) ?? []
            }
            if !certificates.isEmpty { configuration.trustRoots = .certificates(certificates) }
        }
        return configuration
    }
}
