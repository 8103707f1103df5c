import BNQCore
import Foundation
import BNQArchive
import GRDB

/// Every statement of the shell, kept in SQLite under `$XDG_STATE_HOME/bnq/` (default
/// `~/.local/state/bnq/history.sqlite`), mode 0600. Each entry is written as its statement finishes,
/// so a crash or `kill -9` loses nothing already run; WAL and a busy timeout let several shells
/// write at once. A corrupt file is moved aside with a warning and a new one started.
public final class HistoryStore: Sendable {
    /// One kept statement.
    public struct Entry: Sendable, Equatable, FetchableRecord, PersistableRecord, Codable {
        public static let databaseTableName = "history"
        public var id: Int64?
        public var text: String
        /// When it ran (seconds since 1970).
        public var at: Double
        public var durationMs: Double
        public var endpoint: String
        public var rows: Int
        public var ok: Bool
        public var error: String?

        public init(text: String, at: Double, durationMs: Double, endpoint: String, rows: Int, ok: Bool, error: String?) {
            self.text = text
            self.at = at
            self.durationMs = durationMs
            self.endpoint = endpoint
            self.rows = rows
            self.ok = ok
            self.error = error
        }

        public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
    }

    private let queue: DatabaseQueue
    public let path: String

    /// The default location: `$XDG_STATE_HOME/bnq/history.sqlite`, else `~/.local/state/bnq/history.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return state + "/bnq/history.sqlite"
    }

    /// Opens (or creates) the store; `warn` hears about a corrupt file moved aside.
    public init(path: String, warn: (String) -> Void = { _ in }) throws {
        self.path = path
        try PrivateDatabaseFile.secure(path: path)
        do {
            queue = try Self.open(path)
        } catch {
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))"
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            warn("the history file was unreadable (\(error)); moved it to \(aside) and started a new one")
            queue = try Self.open(path)
        }
    }

    /// A history that cannot be kept safely.
    public typealias UnsafeLocation = PrivateDatabaseFile.UnsafeLocation

    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.journalMode = .wal
        try PrivateDatabaseFile.create(path: path)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            // Reading the schema fails on a corrupt file, which the caller moves aside.
            _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    text TEXT NOT NULL,
                    at REAL NOT NULL,
                    durationMs REAL NOT NULL,
                    endpoint TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    ok BOOLEAN NOT NULL,
                    error TEXT)
                """)
        }
        try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return queue
    }

    /// Keeps one statement.
    public func record(_ entry: Entry) throws {
        try queue.write { db in try entry.insert(db) }
    }

    /// The newest `limit` entries, oldest first.
    public func recent(limit: Int) throws -> [Entry] {
        try queue.read { db in
            try Entry.fetchAll(db, sql: "SELECT * FROM history ORDER BY id DESC LIMIT ?", arguments: [limit]).reversed()
        }
    }

    /// All entries, oldest first.
    public func all() throws -> [Entry] {
        try queue.read { db in try Entry.fetchAll(db, sql: "SELECT * FROM history ORDER BY id") }
    }

    /// Every entry as a record for `history` statements: id, text, at, duration (seconds), endpoint, rows, ok, error.
    public func records() throws -> [JSONValue] {
        try all().map { entry in
            var object = JSONObject()
            object["id"] = .int(entry.id ?? 0)
            object["text"] = .string(entry.text)
            object["at"] = .string(Timestamp(secondsSince1970: entry.at).rfc3339)
            object["duration"] = .double((entry.durationMs).rounded() / 1000)
            object["endpoint"] = .string(entry.endpoint)
            object["rows"] = .int(Int64(entry.rows))
            object["ok"] = .bool(entry.ok)
            if let error = entry.error { object["error"] = .string(error) }
            return .object(object)
        }
    }

    /// The entry with this number.
    public func entry(number: Int64) throws -> Entry? {
        try queue.read { db in try Entry.fetchOne(db, key: number) }
    }
}
