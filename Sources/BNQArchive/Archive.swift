import BNQCore
import Foundation
import GRDB

/// A local archive of one endpoint's jobs: a plain SQLite file (schema in docs/archive.md).
///
/// Every job version is kept: a sync that finds a job changed closes the version it held (`until`
/// = that sync) and adds the new one (`since` = that sync); a job no longer listed gets a version
/// marked `goneAt`. The jobs held now are the rows with no `until` and no `goneAt` (the `jobs`
/// view); the jobs as of sync N are the rows with `since <= N < until`.
public final class Archive: @unchecked Sendable {
    /// The file.
    public let path: String
    let queue: DatabasePool

    /// The archive format this code writes and reads.
    public static let formatVersion = "1"
    /// How long a second writer waits for the first before the archive is called busy.
    public static let busyTimeout: TimeInterval = 2

    /// The default location: `$XDG_DATA_HOME/bnq/archive.sqlite`, else `~/.local/share/bnq/archive.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/bnq/archive.sqlite"
    }

    /// Opens the archive at `path`; with `create`, makes a new one (mode 0600) when there is none.
    /// `readOnly` (for questions) opens no writer: a lighter start, and a sync elsewhere goes on.
    public init(path: String, create: Bool, readOnly: Bool = false) throws(ArchiveError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists, !create {
            throw ArchiveError("no archive at \(path); `bnq sync` makes one")
        }
        if exists, !PrivateDatabaseFile.looksLikeSQLite(path: path), Self.fileSize(path) > 0 {
            throw ArchiveError("\(path) is not a bnq archive (not a SQLite file)")
        }
        do {
            try PrivateDatabaseFile.secure(path: path)
            if !readOnly { try PrivateDatabaseFile.create(path: path) }
            var configuration = Configuration()
            configuration.readonly = readOnly
            configuration.busyMode = .timeout(Self.busyTimeout)
            configuration.journalMode = .wal
            // A sync is one transaction across many writes (Ctrl-C or a failure rolls all of it back).
            configuration.allowsUnsafeTransactions = true
            queue = try DatabasePool(path: path, configuration: configuration)
            if readOnly {
                try queue.read { db in try Self.checkFormat(db, path: path) }
            } else {
                try queue.writeWithoutTransaction { db in try Self.prepare(db, path: path) }
            }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError.from(error, path: path)
        }
    }

    static func fileSize(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Checks that the file is an archive this bnq reads.
    static func checkFormat(_ db: Database, path: String) throws {
        let hasTable = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'archive'") ?? false
        guard hasTable else { throw ArchiveError("\(path) is not a bnq archive") }
        let format = try String.fetchOne(db, sql: "SELECT value FROM archive WHERE key = 'format'")
        guard format == formatVersion else {
            throw ArchiveError("\(path) has archive format \(format ?? "unknown"); this bnq reads format \(formatVersion)")
        }
    }

    /// Creates the schema in a new archive; checks the format of an existing one.
    static func prepare(_ db: Database, path: String) throws {
        let hasTable = try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'archive'") ?? false
        if hasTable { return try checkFormat(db, path: path) }
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        guard tables == 0 else { throw ArchiveError("\(path) is a SQLite file but not a bnq archive") }
        try db.inTransaction {
            for statement in ArchiveSchema.statements { try db.execute(sql: statement) }
            try db.execute(sql: "INSERT INTO archive (key, value) VALUES ('format', ?)", arguments: [formatVersion])
            return .commit
        }
    }

    /// The endpoint this archive mirrors (recorded by its first sync).
    public func endpoint() throws(ArchiveError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM archive WHERE key = 'endpoint'") }
    }

    /// Every sync, oldest first.
    public func syncs() throws(ArchiveError) -> [SyncRecord] {
        try read { db in try SyncRecord.fetchAll(db, sql: "SELECT * FROM syncs ORDER BY id") }
    }

    /// The sync an `as of` names: a sync id, or the last sync at or before a time.
    public func sync(asOf reference: SyncReference) throws(ArchiveError) -> Int64 {
        let found: Int64? = try read { db in
            switch reference {
            case .id(let id): return try Int64.fetchOne(db, sql: "SELECT id FROM syncs WHERE id = ?", arguments: [id])
            case .time(let time):
                return try Int64.fetchOne(db, sql: "SELECT max(id) FROM syncs WHERE at <= ?", arguments: [time.sortableText])
            }
        }
        guard let found else {
            switch reference {
            case .id(let id): throw ArchiveError("the archive has no sync \(id); `syncs` lists them")
            case .time(let time): throw ArchiveError("the archive has no sync at or before \(time.rfc3339); `syncs` lists them")
            }
        }
        return found
    }

    /// What an incremental sync starts from: the newest creation time held, and the ids of the
    /// jobs held in a state that may still change.
    public func heldSummary() throws(ArchiveError) -> (newestCreatedAt: Timestamp?, unfinished: [String], held: Int64) {
        try read { db in
            let newest = try String.fetchOne(db, sql: "SELECT max(createdAt) FROM versions WHERE until IS NULL AND goneAt IS NULL")
            let finals = EnumType.finalJobStates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            let unfinished = try String.fetchAll(db, sql: "SELECT id FROM versions WHERE until IS NULL AND goneAt IS NULL AND state NOT IN (\(finals))")
            let held = try Int64.fetchOne(db, sql: "SELECT count(*) FROM versions WHERE until IS NULL AND goneAt IS NULL") ?? 0
            return (newest.flatMap { Timestamp(rfc3339: $0) }, unfinished, held)
        }
    }

    /// One job held now (or as of a sync), by id.
    public func job(id: String, asOf sync: Int64? = nil) throws(ArchiveError) -> JSONValue? {
        let scope = ArchiveSQL.scope(asOf: sync)
        let text = try read { db in
            try String.fetchOne(db, sql: "SELECT json FROM versions JOIN documents USING (version) WHERE id = ? AND \(scope.sql)", arguments: StatementArguments([id.databaseValue] + scope.arguments))
        }
        return text.flatMap { try? JSONParser.parse(Array($0.utf8)) }
    }

    /// How many jobs a query matches; nil when SQL cannot answer every filter.
    public func count(_ query: ArchiveQuery) throws(ArchiveError) -> Int64? {
        guard let statement = ArchiveSQL.count(query) else { return nil }
        return try read { db in try Int64.fetchOne(db, sql: statement.sql, arguments: StatementArguments(statement.arguments)) }
    }

    /// The SQL a query runs, arguments written in (what `explain` shows).
    public func explain(_ query: ArchiveQuery) -> (sql: String, local: [JobFilter]) {
        let statement = ArchiveSQL.select(query)
        return (ArchiveSQL.inline(statement.sql, statement.arguments), query.split.local)
    }

    /// The jobs a query matches, in its order: a reader that streams them from SQLite on its own
    /// thread, a batch at a time, so memory stays flat however many match.
    public func jobs(_ query: ArchiveQuery) -> ArchiveReader {
        ArchiveReader(archive: self, query: query)
    }

    /// Runs a read, with errors as `ArchiveError`.
    func read<T>(_ body: (Database) throws -> T) throws(ArchiveError) -> T {
        do {
            return try queue.read(body)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError.from(error, path: path)
        }
    }
}

/// One row of `syncs`.
public struct SyncRecord: Sendable, Equatable, FetchableRecord, Decodable {
    public var id: Int64
    /// When the sync started (sortable RFC 3339 text).
    public var at: String
    public var endpoint: String
    /// `full`, `incremental` or `import`.
    public var kind: String
    /// The jobs held after it.
    public var jobs: Int64
    public var new: Int64
    public var changed: Int64
    public var gone: Int64
    public var requests: Int64
    public var seconds: Double

    /// The row as a record for `syncs` statements.
    public var json: JSONValue {
        .object(JSONObject([
            ("id", .int(id)), ("at", .string(Timestamp(rfc3339: at)?.rfc3339 ?? at)), ("endpoint", .string(endpoint)), ("kind", .string(kind)),
            ("jobs", .int(jobs)), ("new", .int(new)), ("changed", .int(changed)), ("gone", .int(gone)),
            ("requests", .int(requests)), ("seconds", .double((seconds * 1000).rounded() / 1000)),
        ]))
    }
}

/// An archive problem, said in one line.
public struct ArchiveError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Another process holds the archive for writing.
    public var isBusy = false

    public init(_ message: String, isBusy: Bool = false) {
        self.message = message
        self.isBusy = isBusy
    }

    public var description: String { message }

    /// A SQLite or file error in words: busy, full disk, read-only, corrupt.
    static func from(_ error: any Error, path: String) -> ArchiveError {
        if let error = error as? ArchiveError { return error }
        if let unsafe = error as? PrivateDatabaseFile.UnsafeLocation { return ArchiveError(unsafe.description) }
        if let database = error as? DatabaseError {
            switch database.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return ArchiveError("the archive \(path) is busy: another bnq is syncing it; try again when it is done", isBusy: true)
            case .SQLITE_FULL: return ArchiveError("cannot write the archive \(path): the disk is full; the archive is unchanged")
            case .SQLITE_READONLY: return ArchiveError("cannot write the archive \(path): it is read-only")
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: return ArchiveError("\(path) is damaged or not a bnq archive (\(database.message ?? "corrupt"))")
            case .SQLITE_CANTOPEN: return ArchiveError("cannot open the archive \(path)")
            case .SQLITE_IOERR: return ArchiveError("cannot write the archive \(path): \(database.message ?? "I/O error"); the archive is unchanged")
            default: return ArchiveError("archive \(path): \(database.message ?? "\(database.resultCode)")")
            }
        }
        return ArchiveError("archive \(path): \(error)")
    }
}
