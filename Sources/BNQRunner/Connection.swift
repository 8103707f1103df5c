import BNQCore
import Foundation

/// The endpoint a session talks to, chosen once and opened on first use: a statement that needs
/// no network (`explain`, a dot-command, a failed check) starts no HTTP client, no event loop and
/// no demo service.
public final class Connection: @unchecked Sendable {
    /// What `.show` and the history call the endpoint.
    public let description: String
    /// What the prompt says (`demo`, `api.bytenite.com`).
    public let promptName: String
    /// The endpoint's base path (`/v1/customer`), for `explain`.
    public let basePath: String
    /// Whether an API key goes with the requests (never the key itself).
    public let hasCredentials: Bool
    /// What an archive records as the endpoint it mirrors (`demo`, or the URL without credentials).
    public let identity: String
    /// Whether the source is a local archive (no network).
    public let isArchive: Bool
    private let open: @Sendable () async throws -> OpenedSource
    private var opened: OpenedSource?
    private let lock = NSLock()

    /// A source once opened, and how to close it.
    public struct OpenedSource: Sendable {
        public var source: any JobSource
        /// Shown once, when the source opens (`using the built-in demo service at …`).
        public var note: String?
        public var close: @Sendable () async -> Void

        public init(source: any JobSource, note: String? = nil, close: @escaping @Sendable () async -> Void) {
            self.source = source
            self.note = note
            self.close = close
        }
    }

    public init(
        description: String, promptName: String, basePath: String, hasCredentials: Bool, identity: String? = nil, isArchive: Bool = false,
        open: @escaping @Sendable () async throws -> OpenedSource
    ) {
        self.identity = identity ?? description
        self.isArchive = isArchive
        self.description = description
        self.promptName = promptName
        self.basePath = basePath
        self.hasCredentials = hasCredentials
        self.open = open
    }

    /// A connection over a source that is already open.
    public convenience init(source: any JobSource, description: String, basePath: String = "/v1/customer") {
        let opened = OpenedSource(source: source, close: {})
        self.init(description: description, promptName: "bnq", basePath: basePath, hasCredentials: false, open: { opened })
    }

    /// The source, opened now if it was not; the note to show when it was opened just now.
    public func source() async throws -> (source: any JobSource, note: String?) {
        if let opened = lock.withLock({ opened }) { return (opened.source, nil) }
        let fresh = try await open()
        lock.withLock { opened = fresh }
        return (fresh.source, fresh.note)
    }

    /// Whether the source was opened.
    public var isOpen: Bool { lock.withLock { opened != nil } }

    /// Requests and pages of the source so far; nothing when it was not opened (opening it here
    /// would start what a statement did not need).
    public var activity: SourceActivity { lock.withLock { opened?.source.activity } ?? SourceActivity() }

    /// Closes the source if it was opened.
    public func close() async {
        let current = lock.withLock { () -> OpenedSource? in
            defer { opened = nil }
            return opened
        }
        await current?.close()
    }
}
