import BNQCore
import Foundation
import GRDB

/// One group SQL aggregated: its key, how many jobs, and per measured field how many values,
/// the least and the greatest (what `count`, `count(f)`, `min` and `max` need).
public struct AggregatedGroup: Sendable {
    public var key: [FieldValue]
    public var count: Int64
    public var counts: [Int64]
    public var minimums: [Double?]
    public var maximums: [Double?]
}

extension Archive {
    /// Groups a query's jobs in SQL, when that gives exactly what grouping job by job gives: every
    /// filter in SQL, keys of types SQL groups as bnq does (strings, enums, times, booleans) and
    /// fields with columns. Nil otherwise.
    public func aggregate(_ query: ArchiveQuery, keys: [JobField], measured: [JobField]) throws(ArchiveError) -> [AggregatedGroup]? {
        guard query.isExact, keys.allSatisfy(ArchiveSQL.groupsExactly), let statement = ArchiveSQL.groupSelect(query, keys: keys, measured: measured) else { return nil }
        return try read { db in
            try Row.fetchAll(db, sql: statement.sql, arguments: StatementArguments(statement.arguments)).map { row in
                var index = 0
                func next() -> DatabaseValue {
                    defer { index += 1 }
                    return row[index]
                }
                let key = keys.map { ArchiveColumn.fieldValue(next(), type: $0.type) }
                let count = Int64.fromDatabaseValue(next()) ?? 0
                var counts: [Int64] = []
                var minimums: [Double?] = []
                var maximums: [Double?] = []
                for field in measured {
                    counts.append(Int64.fromDatabaseValue(next()) ?? 0)
                    minimums.append(ArchiveColumn.measure(next(), type: field.type))
                    maximums.append(ArchiveColumn.measure(next(), type: field.type))
                }
                return AggregatedGroup(key: key, count: count, counts: counts, minimums: minimums, maximums: maximums)
            }
        }
    }

    /// Reads only the columns a grouping needs, in the query's order, handing each job's key and
    /// measures to `body` (no JSON is parsed). False when SQL cannot answer the query alone.
    public func measure(_ query: ArchiveQuery, keys: [JobField], measured: [JobField], _ body: ([FieldValue], [Double?]) throws -> Void) throws -> Bool {
        guard query.isExact else { return false }
        let columns = (keys + measured).map { ArchiveColumns.column(for: $0) }
        guard columns.allSatisfy({ $0 != nil }) else { return false }
        let what = columns.isEmpty ? "1" : columns.map { $0!.quotedIdentifier }.joined(separator: ", ")
        let statement = ArchiveSQL.select(query, what: what)
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: statement.sql, arguments: StatementArguments(statement.arguments))
            while let row = try rows.next() {
                let key = keys.enumerated().map { ArchiveColumn.fieldValue(row[$0.offset], type: $0.element.type) }
                let measures = measured.enumerated().map { ArchiveColumn.measure(row[keys.count + $0.offset], type: $0.element.type) }
                try body(key, measures)
            }
        }
        return true
    }
}

extension Archive {
    /// Reads only the columns of `fields` (fields of the job, not computed ones) for every job of
    /// the query, handing each job as a small JSON object that holds just those fields, in their
    /// canonical form: enough to work out computed columns (`endedAt - startedAt`, a bin, a
    /// distinct count) without parsing whole documents. False when SQL cannot answer the query
    /// alone or a field has no column.
    public func partialJobs(_ query: ArchiveQuery, fields: [JobField], _ body: (JSONValue) throws -> Void) throws -> Bool {
        guard query.isExact, !fields.isEmpty, fields.allSatisfy({ !$0.isComputed }) else { return false }
        let columns = fields.map { ArchiveColumns.column(for: $0) }
        guard columns.allSatisfy({ $0 != nil }) else { return false }
        let statement = ArchiveSQL.select(query, what: columns.map { $0!.quotedIdentifier }.joined(separator: ", "))
        try queue.read { db in
            let rows = try Row.fetchCursor(db, sql: statement.sql, arguments: StatementArguments(statement.arguments))
            while let row = try rows.next() {
                var job = JSONValue.object(JSONObject())
                for (index, field) in fields.enumerated() {
                    let value = ArchiveColumn.fieldValue(row[index], type: field.type).jsonValue
                    // What is not there stays out, as in the document (a NULL number is NaN there too).
                    if value == .null { continue }
                    job.setValue(value, at: field.components)
                }
                try body(job)
            }
        }
        return true
    }
}

extension ArchiveSQL {
    /// Whether SQL groups a key as bnq does: strings, enums, times and booleans (numbers may be
    /// NaN, which SQL groups together and bnq does not).
    public static func groupsExactly(_ key: JobField) -> Bool {
        switch key.type {
        case .string, .enumeration, .timestamp, .bool: return true
        default: return false
        }
    }

    /// `SELECT keys, count(*), count(m), min(m), max(m)… GROUP BY keys`, or nil when a field has no column.
    static func groupSelect(_ query: ArchiveQuery, keys: [JobField], measured: [JobField]) -> (sql: String, arguments: [DatabaseValue])? {
        let keyColumns = keys.map { ArchiveColumns.column(for: $0) }
        let measuredColumns = measured.map { ArchiveColumns.column(for: $0) }
        guard keyColumns.allSatisfy({ $0 != nil }), measuredColumns.allSatisfy({ $0 != nil }), let count = count(query) else { return nil }
        var what = keyColumns.map { $0!.quotedIdentifier } + ["count(*)"]
        for column in measuredColumns.map({ $0!.quotedIdentifier }) { what += ["count(\(column))", "min(\(column))", "max(\(column))"] }
        var sql = count.sql.replacingOccurrences(of: "SELECT count(*) FROM", with: "SELECT " + what.joined(separator: ", ") + " FROM")
        if !keyColumns.isEmpty { sql += " GROUP BY " + keyColumns.map { $0!.quotedIdentifier }.joined(separator: ", ") }
        return (sql, count.arguments)
    }

    /// The grouping SQL of a query, arguments written in (for `explain`).
    public static func groupSQL(_ query: ArchiveQuery, keys: [JobField], measured: [JobField]) -> String? {
        groupSelect(query, keys: keys, measured: measured).map { inline($0.sql, $0.arguments) }
    }
}
