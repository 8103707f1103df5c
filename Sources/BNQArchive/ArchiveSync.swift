import BNQCore
import Foundation
import GRDB

/// One sync being written: a single transaction from `begin` to `commit`. Until it commits,
/// readers see the previous sync; a failure, Ctrl-C or `kill -9` leaves the archive exactly there.
public final class ArchiveSync: @unchecked Sendable {
    let archive: Archive
    /// This sync's id.
    public let id: Int64
    let at: Timestamp
    private var closed = false

    /// What a sync found, so far.
    public struct Tally: Sendable, Equatable {
        public var seen: Int64 = 0
        public var new: Int64 = 0
        public var changed: Int64 = 0
        public var gone: Int64 = 0
        /// Jobs without an id, which cannot be kept.
        public var skipped: Int64 = 0
    }

    public private(set) var tally = Tally()

    /// Starts a sync of `endpoint` (`full`, `incremental` or `import`). Another sync in progress
    /// makes this wait `Archive.busyTimeout`, then fail as busy. An archive that mirrors another
    /// endpoint refuses.
    public init(archive: Archive, endpoint: String, kind: String, at: Timestamp) throws(ArchiveError) {
        self.archive = archive
        self.at = at
        do {
            id = try archive.queue.writeWithoutTransaction { db -> Int64 in
                // A sync writes many pages in one transaction: a larger cache keeps them from being re-read.
                try db.execute(sql: "PRAGMA cache_size = -16384")
                try db.execute(sql: "BEGIN IMMEDIATE")
                do {
                    let recorded = try String.fetchOne(db, sql: "SELECT value FROM archive WHERE key = 'endpoint'")
                    if let recorded, recorded != endpoint {
                        throw ArchiveError(
                            "the archive \(archive.path) mirrors \(recorded), not \(endpoint); use another archive (--archive FILE) for this endpoint")
                    }
                    if recorded == nil { try db.execute(sql: "INSERT INTO archive (key, value) VALUES ('endpoint', ?)", arguments: [endpoint]) }
                    try db.execute(sql: "INSERT INTO syncs (at, endpoint, kind) VALUES (?, ?, ?)", arguments: [at.sortableText, endpoint, kind])
                    let id = db.lastInsertedRowID
                    try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY) WITHOUT ROWID")
                    try db.execute(sql: "DELETE FROM seen")
                    return id
                } catch {
                    try? db.execute(sql: "ROLLBACK")
                    throw error
                }
            }
        } catch {
            throw ArchiveError.from(error, path: archive.path)
        }
    }

    deinit { if !closed { abandon() } }

    static let columnNames = ArchiveColumns.all.map(\.name.quotedIdentifier).joined(separator: ", ")
    static let insertSQL =
        "INSERT INTO versions (id, since, until, goneAt, digest, \(columnNames)) VALUES (?, ?, NULL, ?, ?, "
        + Array(repeating: "?", count: ArchiveColumns.all.count).joined(separator: ", ") + ")"
    static let insertDocumentSQL = "INSERT INTO documents (version, json) VALUES (?, ?)"

    /// Records jobs as listed now. A job seen twice in one sync keeps its last copy.
    public func record(_ jobs: [JSONValue]) throws(ArchiveError) {
        do {
            try archive.queue.writeWithoutTransaction { db in
                let markSeen = try db.cachedStatement(sql: "INSERT OR IGNORE INTO seen (id) VALUES (?)")
                let current = try db.cachedStatement(sql: "SELECT version, since, digest, goneAt FROM versions WHERE id = ? AND until IS NULL")
                let close = try db.cachedStatement(sql: "UPDATE versions SET until = ? WHERE version = ?")
                let remove = try db.cachedStatement(sql: "DELETE FROM versions WHERE version = ?")
                let removeDocument = try db.cachedStatement(sql: "DELETE FROM documents WHERE version = ?")
                let insert = try db.cachedStatement(sql: Self.insertSQL)
                let insertDocument = try db.cachedStatement(sql: Self.insertDocumentSQL)
                for job in jobs {
                    guard let jobID = job["id"]?.stringValue, !jobID.isEmpty else {
                        tally.skipped += 1
                        continue
                    }
                    try markSeen.execute(arguments: [jobID])
                    let firstTimeThisSync = db.changesCount > 0
                    if firstTimeThisSync { tally.seen += 1 }
                    let digest = CanonicalJSON.digest(job)
                    let held = try Row.fetchOne(current, arguments: [jobID])
                    if let held {
                        let version: Int64 = held["version"]
                        let since: Int64 = held["since"]
                        let heldDigest: Int64 = held["digest"]
                        let wasGone = (held["goneAt"] as String?) != nil
                        if heldDigest == digest, !wasGone { continue }
                        if since == id {
                            // Written earlier in this sync: the last copy wins, counted once.
                            try removeDocument.execute(arguments: [version])
                            try remove.execute(arguments: [version])
                        } else {
                            try close.execute(arguments: [id, version])
                            if wasGone { tally.new += 1 } else { tally.changed += 1 }
                        }
                    } else {
                        tally.new += 1
                    }
                    try insert.execute(arguments: Self.arguments(id: jobID, since: id, goneAt: nil, digest: digest, job: job))
                    try insertDocument.execute(arguments: [db.lastInsertedRowID, JSONWriter.compact(job)])
                }
            }
        } catch {
            throw ArchiveError.from(error, path: archive.path)
        }
    }

    static func arguments(id: String, since: Int64, goneAt: String?, digest: Int64, job: JSONValue) -> StatementArguments {
        var values: [DatabaseValue] = [id.databaseValue, since.databaseValue, goneAt?.databaseValue ?? .null, digest.databaseValue]
        values.reserveCapacity(ArchiveColumns.all.count + 5)
        for column in ArchiveColumns.all { values.append(column.value(of: job)) }
        return StatementArguments(values)
    }

    /// Marks gone the jobs held now that this sync did not see (after a full listing).
    public func markUnseenGone() throws(ArchiveError) {
        try markGone(where: "id NOT IN (SELECT id FROM temp.seen)", arguments: [])
    }

    /// Marks gone the jobs with these ids (an incremental sync found them missing one by one).
    public func markGone(ids: [String]) throws(ArchiveError) {
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            try markGone(where: "id IN (\(marks))", arguments: chunk.map(\.databaseValue))
        }
    }

    private func markGone(where condition: String, arguments: [DatabaseValue]) throws(ArchiveError) {
        do {
            try archive.queue.writeWithoutTransaction { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT version, id, digest, json FROM versions JOIN documents USING (version) WHERE until IS NULL AND goneAt IS NULL AND since < ? AND \(condition)",
                    arguments: StatementArguments([id.databaseValue] + arguments))
                let close = try db.cachedStatement(sql: "UPDATE versions SET until = ? WHERE version = ?")
                let insert = try db.cachedStatement(sql: Self.insertSQL)
                let insertDocument = try db.cachedStatement(sql: Self.insertDocumentSQL)
                for row in rows {
                    let text: String = row["json"]
                    let job = (try? JSONParser.parse(Array(text.utf8))) ?? .object(JSONObject())
                    try close.execute(arguments: [id, row["version"] as Int64])
                    try insert.execute(arguments: Self.arguments(id: row["id"], since: id, goneAt: at.sortableText, digest: row["digest"], job: job))
                    try insertDocument.execute(arguments: [db.lastInsertedRowID, text])
                    tally.gone += 1
                }
            }
        } catch {
            throw ArchiveError.from(error, path: archive.path)
        }
    }

    /// Commits the sync with its figures; returns its row.
    public func commit(requests: Int, seconds: Double) throws(ArchiveError) -> SyncRecord {
        do {
            let record = try archive.queue.writeWithoutTransaction { db -> SyncRecord in
                let held = try Int64.fetchOne(db, sql: "SELECT count(*) FROM versions WHERE until IS NULL AND goneAt IS NULL") ?? 0
                try db.execute(
                    sql: "UPDATE syncs SET jobs = ?, new = ?, changed = ?, gone = ?, requests = ?, seconds = ? WHERE id = ?",
                    arguments: [held, tally.new, tally.changed, tally.gone, requests, seconds, id])
                let record = try SyncRecord.fetchOne(db, sql: "SELECT * FROM syncs WHERE id = ?", arguments: [id])!
                try db.execute(sql: "COMMIT")
                return record
            }
            closed = true
            return record
        } catch {
            abandon()
            throw ArchiveError.from(error, path: archive.path)
        }
    }

    /// Rolls the sync back: the archive stays at the previous sync.
    public func abandon() {
        guard !closed else { return }
        closed = true
        try? archive.queue.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
        }
    }
}
