import BNQCore

/// The archive's tables, indexes and views (documented in docs/archive.md), derived from the job
/// schema's scalar fields.
enum ArchiveSchema {
    static var columnDefinitions: String {
        ArchiveColumns.all.map { "    \($0.name.quotedIdentifier) \($0.declaredType)" }.joined(separator: ",\n")
    }

    static var columnList: String { ArchiveColumns.all.map(\.name.quotedIdentifier).joined(separator: ", ") }

    static var statements: [String] {
        var statements = [
            "CREATE TABLE archive (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE syncs (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                kind TEXT NOT NULL,
                jobs INTEGER NOT NULL DEFAULT 0,
                new INTEGER NOT NULL DEFAULT 0,
                changed INTEGER NOT NULL DEFAULT 0,
                gone INTEGER NOT NULL DEFAULT 0,
                requests INTEGER NOT NULL DEFAULT 0,
                seconds REAL NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE versions (
                version INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                since INTEGER NOT NULL REFERENCES syncs(id),
                until INTEGER REFERENCES syncs(id),
                goneAt TEXT,
                digest INTEGER NOT NULL,
            \(columnDefinitions))
            """,
            // The whole job, apart: scans and indexes over `versions` stay small and fast.
            "CREATE TABLE documents (version INTEGER PRIMARY KEY REFERENCES versions(version), json TEXT NOT NULL)",
            "CREATE UNIQUE INDEX versions_current ON versions(id) WHERE until IS NULL",
            "CREATE INDEX versions_by_id ON versions(id, since)",
            "CREATE INDEX versions_since ON versions(since)",
            "CREATE INDEX versions_until ON versions(until) WHERE until IS NOT NULL",
            "CREATE VIEW jobs AS SELECT id, \(columnList), json FROM versions JOIN documents USING (version) WHERE until IS NULL AND goneAt IS NULL",
            "CREATE VIEW gone_jobs AS SELECT id, goneAt, \(columnList), json FROM versions JOIN documents USING (version) WHERE until IS NULL AND goneAt IS NOT NULL",
        ]
        // Each index leads with one column and carries the ones statements filter and group on
        // most, so that a count or a group over a time range or a state reads the index alone.
        let carried = ["state", "createdAt", "templateId"]
        for path in ArchiveColumns.indexed {
            guard let field = JobSchema.field(named: path), let column = ArchiveColumns.column(for: field) else { continue }
            let columns = ([column] + carried.filter { $0 != column } + ["id"]).map(\.quotedIdentifier).joined(separator: ", ")
            statements.append("CREATE INDEX current_\(column) ON versions(\(columns)) WHERE until IS NULL AND goneAt IS NULL")
        }
        return statements
    }
}
