import BNQCore
import Foundation
import GRDB

/// A listing asked of the archive: the filters to apply, the order, the window, and which moment
/// of the archive (now, or as of a sync).
public struct ArchiveQuery: Sendable {
    public var filters: [JobFilter]
    public var ordering: JobOrdering
    public var offset: Int64
    public var limit: Int64?
    /// The sync whose jobs are asked (`as of`); nil for the jobs held now.
    public var asOf: Int64?

    public init(filters: [JobFilter], ordering: JobOrdering?, offset: Int64 = 0, limit: Int64? = nil, asOf: Int64? = nil) {
        self.filters = filters
        self.ordering = ordering.flatMap { $0.keys.isEmpty ? nil : $0 } ?? .defaultOrdering
        self.offset = offset
        self.limit = limit
        self.asOf = asOf
    }

    /// The filters SQL answers exactly, and those evaluated on each job read (`like`, arrays, map keys).
    var split: (sql: [JobFilter], local: [JobFilter]) {
        var sql: [JobFilter] = []
        var local: [JobFilter] = []
        for filter in filters {
            if ArchiveSQL.condition(filter) != nil { sql.append(filter) } else { local.append(filter) }
        }
        return (sql, local)
    }

    /// Whether SQL answers every filter (then offset, limit and count run in SQL too).
    public var isExact: Bool { split.local.isEmpty }
}

/// Turns filters and orderings into SQL over the archive's columns with the semantics of
/// `JobFilter` and `JobOrdering` (docs/archive.md lists them), or says it cannot.
public enum ArchiveSQL {
    /// The rows holding the jobs at one moment: now, or as of a sync.
    static func scope(asOf sync: Int64?) -> (sql: String, arguments: [DatabaseValue]) {
        guard let sync else { return ("until IS NULL AND goneAt IS NULL", []) }
        return ("since <= ? AND (until IS NULL OR until > ?) AND goneAt IS NULL", [sync.databaseValue, sync.databaseValue])
    }

    /// The SQL condition of a filter and its arguments; nil when SQL cannot answer it exactly.
    public static func condition(_ filter: JobFilter) -> (sql: String, arguments: [DatabaseValue])? {
        guard let column = ArchiveColumns.column(for: filter.field)?.quotedIdentifier else { return nil }
        let type = filter.field.type
        switch filter.condition {
        case .like, .arrayContains, .arrayContainsAny: return nil
        default: break
        }
        func bound(_ operand: FilterOperand) -> DatabaseValue? {
            switch (operand, type) {
            case (.string(let text), .string), (.string(let text), .enumeration): return text.databaseValue
            case (.int(let int), _) where type.isNumeric: return int.databaseValue
            case (.double(let double), _) where type.isNumeric: return double.isNaN ? nil : double.databaseValue
            case (.bool(let bool), .bool): return (bool ? 1 : 0).databaseValue
            case (.timestamp(let time), .timestamp): return time.sortableText.databaseValue
            default: return nil
            }
        }
        if filter.condition.takesList {
            guard case .list(let elements) = filter.operand else { return nil }
            let values = elements.compactMap(bound)
            guard values.count == elements.count else { return nil }
            if values.isEmpty { return filter.condition == .in ? ("0", []) : ("1", []) }
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            // NULL (an unset time, a NaN) is in no list: `not in` holds for it, as in JobFilter.
            return filter.condition == .in ? ("\(column) IN (\(marks))", values) : ("(\(column) IS NULL OR \(column) NOT IN (\(marks)))", values)
        }
        guard let value = bound(filter.operand) else { return nil }
        if case .enumeration = type, filter.condition != .eq, filter.condition != .neq { return nil }
        switch filter.condition {
        case .eq: return ("\(column) = ?", [value])
        case .neq: return ("\(column) IS NOT ?", [value])
        case .gt: return ("\(column) > ?", [value])
        case .gte: return ("\(column) >= ?", [value])
        case .lt: return ("\(column) < ?", [value])
        case .lte: return ("\(column) <= ?", [value])
        default: return nil
        }
    }

    /// ORDER BY for an ordering, ties broken by id: enums in declared order, unset times first,
    /// NaN after every number, strings by their UTF-8 bytes, as `JobOrdering` sorts.
    public static func orderBy(_ ordering: JobOrdering) -> String? {
        var terms: [String] = []
        for key in ordering.keys {
            guard let column = ArchiveColumns.column(for: key.field)?.quotedIdentifier else { return nil }
            let direction = key.descending ? " DESC" : ""
            switch key.field.type {
            case .enumeration(let type):
                let cases = type.values.enumerated().map { "WHEN '\($0.element)' THEN \($0.offset)" }.joined(separator: " ")
                terms.append("CASE \(column) \(cases) ELSE \(type.values.count) END\(direction)")
                terms.append("\(column)\(direction)")
            case .double, .integer, .int64String:
                terms.append("(\(column) IS NULL)\(direction)")
                terms.append("\(column)\(direction)")
            default:
                terms.append("\(column)\(direction)")
            }
        }
        terms.append("id")
        return terms.joined(separator: ", ")
    }

    /// The statement that lists a query's jobs (their JSON), and its arguments.
    static func select(_ query: ArchiveQuery, what: String = "json") -> (sql: String, arguments: [DatabaseValue], exact: Bool) {
        let scope = scope(asOf: query.asOf)
        var conditions = [scope.sql]
        var arguments = scope.arguments
        let split = query.split
        for filter in split.sql {
            let condition = condition(filter)!
            conditions.append(condition.sql)
            arguments += condition.arguments
        }
        let from = what.contains("json") ? "versions JOIN documents USING (version)" : "versions"
        var sql = "SELECT \(what) FROM \(from) WHERE " + conditions.joined(separator: " AND ")
        let order = orderBy(query.ordering)
        if let order { sql += " ORDER BY " + order }
        let exact = split.local.isEmpty && order != nil
        if exact {
            if let limit = query.limit {
                sql += " LIMIT ?"
                arguments.append(limit.databaseValue)
            } else if query.offset > 0 {
                sql += " LIMIT -1"
            }
            if query.offset > 0 {
                sql += " OFFSET ?"
                arguments.append(query.offset.databaseValue)
            }
        }
        return (sql, arguments, exact)
    }

    /// The statement that counts a query's jobs, when SQL answers every filter.
    static func count(_ query: ArchiveQuery) -> (sql: String, arguments: [DatabaseValue])? {
        guard query.isExact else { return nil }
        let scope = scope(asOf: query.asOf)
        var conditions = [scope.sql]
        var arguments = scope.arguments
        for filter in query.filters {
            let condition = condition(filter)!
            conditions.append(condition.sql)
            arguments += condition.arguments
        }
        return ("SELECT count(*) FROM versions WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    /// The counting SQL of a query, arguments written in; nil when SQL cannot count it alone.
    public static func countSQL(_ query: ArchiveQuery) -> String? {
        count(query).map { inline($0.sql, $0.arguments) }
    }

    /// SQL with its arguments written in, for `explain` (and to paste into sqlite3).
    public static func inline(_ sql: String, _ arguments: [DatabaseValue]) -> String {
        var result = ""
        var remaining = arguments[...]
        var inString = false
        for character in sql {
            if character == "'" { inString.toggle() }
            if character == "?", !inString, let argument = remaining.popFirst() {
                result += literal(argument)
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func literal(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "NULL"
        case .int64(let int): return String(int)
        case .double(let double): return "\(double)"
        case .string(let text): return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob: return "X''"
        }
    }
}
