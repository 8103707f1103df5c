import BNQArchive
import BNQCore
import BNQLanguage
import BNQRender

/// Runs `diff`: the changes between two syncs of the archive, one row per change (id, name,
/// change, field, before, after), filtered by the `where` predicate on the job after the change.
struct ArchiveDiffExecution {
    let session: Session
    let archive: Archive
    let plan: DiffPlan

    static let headers = ["id", "name", "change", "field", "before", "after"]

    func run() async throws -> Int {
        let (from, to) = try syncs()
        let changes = try archive.changes(from: from, to: to).filter { plan.predicate?.matches($0.job) ?? true }
        let writer = session.makeWriter(headers: Self.headers)
        writer.begin()
        for change in changes {
            let cells = [change.id, change.name, change.kind.rawValue, change.field, Self.text(change.before), Self.text(change.after)]
            var object = JSONObject()
            object["id"] = .string(change.id)
            object["name"] = .string(change.name)
            object["change"] = .string(change.kind.rawValue)
            object["field"] = .string(change.field)
            object["before"] = change.before ?? .null
            object["after"] = change.after ?? .null
            writer.row(cells: cells, json: .object(object))
            try session.output.check()
        }
        writer.finish(note: "\(changes.count) change\(changes.count == 1 ? "" : "s") from sync \(from) to sync \(to)")
        return changes.count
    }

    /// The two syncs compared: as given, else the last two (the first sync against nothing).
    func syncs() throws -> (Int64, Int64) {
        if let from = plan.from, let to = plan.to {
            let first = try archive.sync(asOf: from)
            let second = try archive.sync(asOf: to)
            return first <= second ? (first, second) : (second, first)
        }
        let all = try archive.syncs()
        guard let last = all.last else { throw RunError("the archive has no sync yet; `bnq sync` makes the first") }
        return (all.count > 1 ? all[all.count - 2].id : 0, last.id)
    }

    /// A value as a cell: strings as they are (enums short), other JSON compact, absent empty.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?:
            for type in [EnumType.jobState, EnumType.priority] where text.hasPrefix(type.prefix) { return type.shortName(text) }
            return text
        case let value?: return JSONWriter.compact(value)
        }
    }
}
