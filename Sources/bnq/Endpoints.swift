import BNQCore
import BNQRender
import BNQRunner
import BNQService
import ByteNiteClient
import Foundation

/// Makes the connections a session talks through: the API at a URL, with the API key only where
/// it belongs, or the built-in demo service, started on first use and kept for the run.
final class Endpoints: Sendable {
    /// The API key and the origin it belongs to (the configured endpoint's).
    let apiKey: String?
    let keyOrigin: String?
    let accessTokenURL: URL?
    let timeout: Duration
    let pageSize: Int64
    let prefetch: Int
    let trace: (@Sendable (String) -> Void)?
    let demo: DemoHolder

    init(
        apiKey: String?, keyOrigin: URL?, accessTokenURL: URL?, timeout: Duration, pageSize: Int64, prefetch: Int, trace: (@Sendable (String) -> Void)?,
        demoDate: Timestamp
    ) {
        self.demo = DemoHolder(date: demoDate)
        self.apiKey = apiKey
        self.keyOrigin = keyOrigin.map(Self.origin)
        self.accessTokenURL = accessTokenURL
        self.timeout = timeout
        self.pageSize = pageSize
        self.prefetch = prefetch
        self.trace = trace
    }

    /// `scheme://host:port` of a URL, the unit credentials belong to.
    static func origin(_ url: URL) -> String {
        "\(url.scheme?.lowercased() ?? "")://\(url.host?.lowercased() ?? ""):\(url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80))"
    }

    /// A full API base URL from what a person typed, or a usage error.
    static func parse(_ text: String) throws(RunError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host?.isEmpty == false else {
            throw RunError.usage("invalid endpoint '\(text)': give a full URL such as https://api.bytenite.com/v1/customer")
        }
        return url
    }

    /// The API at `url`. The key goes along only to the origin it was configured for.
    func api(_ url: URL) -> Connection {
        let key = keyOrigin == Self.origin(url) ? apiKey : nil
        var configuration = ClientConfiguration(endpoint: url, apiKey: key)
        configuration.accessTokenURL = key == nil ? nil : accessTokenURL
        configuration.requestTimeout = timeout
        configuration.trace = trace
        let pageSize = pageSize
        let prefetch = prefetch
        let settled = configuration
        return Connection(description: ClientConfiguration.shown(url), promptName: url.host ?? "bnq", basePath: url.path, hasCredentials: key != nil, identity: ClientConfiguration.shown(url)) {
            let client = JobsClient(configuration: settled)
            return .init(source: APIJobSource(client: client, pageSize: pageSize, prefetch: prefetch), close: { await client.shutdown() })
        }
    }

    /// The built-in demo service, started when a statement first needs it.
    func demoConnection() -> Connection {
        let demo = demo
        let timeout = timeout
        let trace = trace
        let pageSize = pageSize
        let prefetch = prefetch
        return Connection(description: "the built-in demo service", promptName: "demo", basePath: LocalService.customerBasePath, hasCredentials: false, identity: "demo") {
            let (service, fresh) = try await demo.service()
            var configuration = ClientConfiguration(endpoint: URL(string: service.baseURL)!)
            configuration.requestTimeout = timeout
            configuration.trace = trace
            let client = JobsClient(configuration: configuration)
            let note = fresh ? "bnq: no credentials configured: using the built-in demo service at \(service.baseURL) (\(service.store.count) jobs\(await demo.datesNote))" : nil
            return .init(source: APIJobSource(client: client, pageSize: pageSize, prefetch: prefetch), note: note, close: { await client.shutdown() })
        }
    }

    /// What `.endpoint URL` and `.demo` (nil) switch to. A script or rc file (`fromFile`) may not
    /// move away from the origin the API key belongs to: there it is an error, which `--check`
    /// reports too; typed in the shell, the new origin is used without the key.
    func connect(_ target: String?, fromFile: Bool) throws(RunError) -> Connection {
        guard let target else { return demoConnection() }
        let url = try Self.parse(target)
        if fromFile, apiKey != nil, let keyOrigin, Self.origin(url) != keyOrigin {
            throw RunError.usage(Self.leavingMessage(url, keyOrigin: keyOrigin))
        }
        return api(url)
    }

    /// Why `.endpoint TARGET` in a script is refused while a key belongs to `keyOrigin`; nil when it is fine.
    static func leavesKeyOrigin(_ target: String, keyOrigin: URL) -> String? {
        guard let url = try? parse(target) else { return nil }
        return origin(url) == origin(keyOrigin) ? nil : leavingMessage(url, keyOrigin: origin(keyOrigin))
    }

    static func leavingMessage(_ url: URL, keyOrigin: String) -> String {
        "'.endpoint \(ClientConfiguration.shown(url))' in a script leaves \(keyOrigin), where the API key belongs; "
            + "a script may not take credentials to another origin (give --endpoint on the command line, or use a profile)"
    }

    /// Stops the demo service if it was started.
    func stop() async { await demo.stop() }
}

/// The demo service, started on first need and kept for the run.
actor DemoHolder {
    private var running: LocalService?
    /// The instant the demo's jobs are dated for: the pinned `--now`, or when bnq started.
    let date: Timestamp

    init(date: Timestamp) { self.date = date }

    /// `, created … to …`: where the demo's jobs are in time, for the note that starts it.
    private(set) var datesNote = ""

    /// The service, and whether it was started just now.
    func service() async throws -> (LocalService, Bool) {
        if let running { return (running, false) }
        var options = LocalService.Options()
        options.port = 0
        let jobs = try DemoData.jobs(datedFor: date)
        if let (first, last) = DemoData.creationSpan(jobs) { datesNote = ", created \(first.rfc3339.prefix(10)) to \(last.rfc3339.prefix(10))" }
        let started = try await LocalService.start(store: JobStore(jobs: jobs), options: options)
        running = started
        return (started, true)
    }

    func stop() async {
        await running?.stop()
        running = nil
    }
}
