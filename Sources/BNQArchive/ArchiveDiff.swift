import BNQCore
import GRDB

/// One change between two syncs: a job new, gone, or one field of it changed.
public struct JobChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case new, gone, changed }
    public var id: String
    public var name: String
    public var kind: Kind
    /// The field's path (`state`, `stateTimestamps.JOB_STATE_FAILED`); for new and gone, `state`.
    public var field: String
    /// The value before and after, as JSON (nil: absent).
    public var before: JSONValue?
    public var after: JSONValue?
    /// The job after the change (before it, for a job gone): what `diff where` tests.
    public var job: JSONValue
}

extension Archive {
    /// The changes from sync `from` to sync `to`, job by job (in id order), field by field (in the
    /// schema's order).
    public func changes(from: Int64, to: Int64) throws(ArchiveError) -> [JobChange] {
        let rows: [(id: String, before: String?, after: String?)] = try read { db in
            let touched = try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT id FROM versions
                    WHERE (since > ? AND since <= ?) OR (until > ? AND until <= ?)
                    ORDER BY id
                    """,
                arguments: [from, to, from, to])
            let at = try db.cachedStatement(
                sql: "SELECT json FROM versions JOIN documents USING (version) WHERE id = ? AND since <= ? AND (until IS NULL OR until > ?) AND goneAt IS NULL")
            return try touched.map { id in
                (id, try String.fetchOne(at, arguments: [id, from, from]), try String.fetchOne(at, arguments: [id, to, to]))
            }
        }
        var changes: [JobChange] = []
        for row in rows {
            let before = row.before.flatMap { try? JSONParser.parse(Array($0.utf8)) }
            let after = row.after.flatMap { try? JSONParser.parse(Array($0.utf8)) }
            switch (before, after) {
            case (nil, let after?):
                changes.append(JobChange(id: row.id, name: after["name"]?.stringValue ?? "", kind: .new, field: "state", before: nil, after: Self.shown("state", after["state"]), job: after))
            case (let before?, nil):
                changes.append(JobChange(id: row.id, name: before["name"]?.stringValue ?? "", kind: .gone, field: "state", before: Self.shown("state", before["state"]), after: nil, job: before))
            case (let before?, let after?):
                for (path, old, new) in Self.fieldDifferences(before, after) {
                    changes.append(JobChange(id: row.id, name: after["name"]?.stringValue ?? "", kind: .changed, field: path, before: old, after: new, job: after))
                }
            case (nil, nil):
                continue
            }
        }
        return changes
    }

    /// The leaf values that differ between two versions of a job: paths in the schema's order
    /// (then the rest by name), objects compared member by member, whatever their order.
    static func fieldDifferences(_ before: JSONValue, _ after: JSONValue) -> [(String, JSONValue?, JSONValue?)] {
        var old: [String: JSONValue] = [:]
        var new: [String: JSONValue] = [:]
        flatten(before, prefix: "", into: &old)
        flatten(after, prefix: "", into: &new)
        let paths = Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }
        let order = Dictionary(uniqueKeysWithValues: JobSchema.paths.enumerated().map { ($1, $0) })
        func rank(_ path: String) -> Int {
            if let rank = order[path] { return rank }
            // A key under a schema field sorts with its parent.
            var prefix = path
            while let dot = prefix.lastIndex(of: ".") {
                prefix = String(prefix[..<dot])
                if let rank = order[prefix] { return rank }
            }
            return order.count
        }
        return paths.sorted { (rank($0), $0) < (rank($1), $1) }.map { ($0, shown($0, old[$0]), shown($0, new[$0])) }
    }

    /// A value as a change shows it: for a field of single values the schema knows, what the job
    /// means by it, as protobuf JSON does (a missing state is NEW, a missing count 0, an enum sent
    /// as a number by its name); anything else as it was sent.
    static func shown(_ path: String, _ value: JSONValue?) -> JSONValue? {
        guard let field = RecordSchema.jobs.field(named: path) else { return value }
        switch field.type {
        case .integer, .int64String:
            // A whole number stays one (a missing count is 0, not 0.0).
            let normalised = FieldValue.normalise(value, as: field.type)
            if case .number(let number) = normalised, number == number.rounded(), abs(number) < 9e15 { return .int(Int64(number)) }
            return normalised.jsonValue
        case .string, .enumeration, .double, .bool:
            return FieldValue.normalise(value, as: field.type).jsonValue
        default:
            return value
        }
    }

    static func flatten(_ value: JSONValue, prefix: String, into leaves: inout [String: JSONValue]) {
        if case .object(let object) = value, !object.isEmpty {
            for (key, member) in object { flatten(member, prefix: prefix.isEmpty ? key : prefix + "." + key, into: &leaves) }
        } else if !prefix.isEmpty {
            leaves[prefix] = value
        }
    }
}
