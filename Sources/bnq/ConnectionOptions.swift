import ArgumentParser
import BNQCore
import BNQRender
import BNQRunner
import ByteNiteClient
import Foundation

/// The options that choose the API and how to talk to it, shared by `bnq run` and `bnq sync`.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The API base URL (default https://api.bytenite.com/v1/customer; env BNQ_ENDPOINT).") var endpoint: String?
    @Option(help: "The access-token URL (default: {endpoint origin}/v1/auth/access_token; env BNQ_AUTH_URL).") var authURL: String?
    @Flag(help: "Use the built-in demo service, even when credentials are configured.") var demo = false
    @Option(help: "Jobs per request when paging (default 500).") var pageSize: Int64?
    @Option(help: "Request timeout in seconds.") var timeout: Int = 60
    @Option(help: "Pages requested ahead while paging (0 to 8, default 3); they wait as bytes, not parsed.") var prefetch: Int = 3
    @Flag(name: .shortAndLong, help: "Trace HTTP requests on standard error (credentials redacted).") var verbose = false
    @Option(help: "The profile of the config file to use (env BNQ_PROFILE).") var profile: String?

    func validate() throws {
        if let pageSize, !(1...1000).contains(pageSize) { throw ValidationError("--page-size must be 1 to 1000") }
        if !(0...8).contains(prefetch) { throw ValidationError("--prefetch must be 0 to 8") }
    }

    /// The endpoints and the API connection the options and the configuration choose: the
    /// built-in demo without credentials, its jobs dated for `now` (see `DemoData.jobs(datedFor:)`).
    /// Configuration errors are reported and end the run (64).
    func resolve(environment: [String: String], user: inout UserConfiguration, pageSize: Int64, now: Timestamp) throws -> (Endpoints, Connection) {
        let apiKey = environment["BYTENITE_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? user.apiKey ?? user.readKeyFile()
        let endpointText = endpoint ?? environment["BNQ_ENDPOINT"] ?? user.endpoint
        for warning in user.warnings { Terminal.note("warning: " + warning) }
        if !user.errors.isEmpty {
            for error in user.errors { Terminal.error(error) }
            throw ExitCode(ExitStatus.usage)
        }
        let useDemo = demo || (apiKey == nil && endpointText == nil)
        var endpointURL: URL?
        if !useDemo {
            do {
                endpointURL = try Endpoints.parse(endpointText ?? ClientConfiguration.defaultEndpoint.absoluteString)
            } catch {
                Terminal.error(error.message)
                throw ExitCode(ExitStatus.usage)
            }
        }
        let trace: (@Sendable (String) -> Void)? = verbose ? { @Sendable line in FileHandle.standardError.write(Data((TerminalText.escape(line) + "\n").utf8)) } : nil
        let endpoints = Endpoints(
            apiKey: apiKey, keyOrigin: endpointURL ?? ClientConfiguration.defaultEndpoint,
            accessTokenURL: (authURL ?? environment["BNQ_AUTH_URL"]).flatMap(URL.init(string:)),
            timeout: .seconds(timeout), pageSize: pageSize, prefetch: prefetch, trace: trace, demoDate: now)
        return (endpoints, endpointURL.map(endpoints.api) ?? endpoints.demoConnection())
    }
}
