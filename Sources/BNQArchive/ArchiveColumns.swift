import BNQCore
import Foundation
import GRDB

/// One column of the archive's `versions` table (and `jobs` view): a scalar job field, stored as
/// the value filters compare (`FieldValue`), so that SQL answers as the service would.
public struct ArchiveColumn: Sendable {
    public let field: JobField
    /// The SQL name: the field's path with `_` for `.` (`config_taskTimeout`).
    public let name: String

    /// The SQL type declared for the column.
    var declaredType: String {
        switch field.type {
        case .string, .enumeration, .timestamp: return "TEXT"
        case .double: return "REAL"
        case .bool: return "INTEGER"
        // Whole numbers are held exactly as INTEGER, others (`2.5`, `1e400`) as REAL: no affinity.
        default: return "NUMERIC"
        }
    }

    /// The value stored for this column of `job`: strings as text (missing: ""), enums by their
    /// name, times as `Timestamp.sortableText` (missing: NULL), numbers as numbers (missing: 0;
    /// NaN, which SQLite cannot hold, as NULL), booleans as 0 or 1.
    func value(of job: JSONValue) -> DatabaseValue {
        Self.value(FieldValue.of(job, field))
    }

    static func value(_ value: FieldValue) -> DatabaseValue {
        switch value {
        case .string(let text): return text.databaseValue
        case .enumValue(let name, _): return name.databaseValue
        case .timestamp(let time): return time?.sortableText.databaseValue ?? .null
        case .number(let number): return number.isNaN ? .null : number.databaseValue
        case .integer(let integer): return integer.databaseValue
        case .bool(let bool): return (bool ? 1 : 0).databaseValue
        case .strings, .json: return .null
        }
    }
}

/// The columns of the archive, derived from the job schema: a new scalar field in `JobSchema` is
/// a new column with no change here.
public enum ArchiveColumns {
    /// Every scalar field but `id` (which the table has as its own column).
    public static let all: [ArchiveColumn] = JobSchema.fields
        .filter { $0.type.isScalar && $0.path != "id" }
        .map { ArchiveColumn(field: $0, name: $0.path.replacingOccurrences(of: ".", with: "_")) }

    private static let byPath: [String: ArchiveColumn] = Dictionary(uniqueKeysWithValues: all.map { ($0.field.path, $0) })

    /// The column holding a field, or `id` for the id; nil for fields with no column (objects,
    /// arrays, map keys), which are read from the job's JSON.
    public static func column(for field: JobField) -> String? {
        // A computed column (`endedAt - startedAt`, an alias) is worked out from the job, locally.
        if field.isComputed { return nil }
        if field.path == "id" { return "id" }
        return byPath[field.path]?.name
    }

    /// The fields indexed for the current jobs (what listings filter and sort on most).
    static let indexed = ["state", "createdAt", "templateId", "endedAt", "startedAt", "name"]
}

extension String {
    /// The string as a quoted SQL identifier.
    var quotedIdentifier: String { "\"" + replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

extension ArchiveColumn {
    /// The `FieldValue` a stored column value stands for (the inverse of `value(of:)`): NULL is
    /// NaN in a number column and an unset time in a time column.
    public static func fieldValue(_ stored: DatabaseValue, type: FieldType) -> FieldValue {
        switch type {
        case .string: return .string(String.fromDatabaseValue(stored) ?? "")
        case .enumeration(let enumType):
            let name = String.fromDatabaseValue(stored) ?? enumType.values[0]
            return .enumValue(name, ordinal: enumType.ordinal(name))
        case .timestamp: return .timestamp(String.fromDatabaseValue(stored).flatMap { Timestamp(rfc3339: $0) })
        case .bool: return .bool((Int64.fromDatabaseValue(stored) ?? 0) != 0)
        case .double, .integer, .int64String, .seconds:
            switch stored.storage {
            case .int64(let integer): return type == .double || type == .seconds ? .number(Double(integer)) : .integer(integer)
            case .double(let double): return .number(double)
            default: return .number(.nan)
            }
        case .stringArray, .map, .object, .any: return .json(nil)
        }
    }

    /// What a group measures of a stored value: seconds since 1970 for a time, else the number.
    public static func measure(_ stored: DatabaseValue, type: FieldType) -> Double? {
        fieldValue(stored, type: type).measure
    }
}
