/// How `as of` and `diff between` name a moment of an archive: a sync by its id, or the last
/// sync at or before a time.
public enum SyncReference: Sendable, Hashable, CustomStringConvertible {
    case id(Int64)
    case time(Timestamp)

    public var description: String {
        switch self {
        case .id(let id): return "sync \(id)"
        case .time(let time): return "the last sync at or before \(time.rfc3339)"
        }
    }
}
