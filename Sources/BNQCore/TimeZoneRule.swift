/// The zone times are shown in and typed in: UTC unless the configuration's `time_zone` names
/// another. A rule is a name and the offset from UTC at each instant; the runner makes one from
/// the system's zone database, so this module stays free of I/O.
public struct TimeZoneRule: Sendable {
    /// `UTC`, `Europe/Berlin`, …: what tables say times are in.
    public let name: String
    private let offsetAt: @Sendable (Int64) -> Int64

    /// - Parameter offset: seconds east of UTC at an instant (seconds since 1970, UTC).
    public init(name: String, offset: @escaping @Sendable (Int64) -> Int64) {
        self.name = name
        offsetAt = offset
    }

    public static let utc = TimeZoneRule(name: "UTC") { _ in 0 }

    public var isUTC: Bool { name == "UTC" }

    /// Seconds east of UTC at `seconds` (since 1970, UTC).
    public func offset(at seconds: Int64) -> Int64 { isUTC ? 0 : offsetAt(seconds) }

    /// The instant a wall-clock time of this zone names (seconds since 1970 as if the wall clock
    /// were UTC). When the clocks go back and a time happens twice, the first; when they go
    /// forward over it, the offset in force before the change.
    public func instant(fromWallClock local: Int64) -> Int64 {
        guard !isUTC else { return local }
        // The offsets a day either side: one of them is in force at the time asked for.
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        let candidates = [local - before, local - after].filter { offset(at: $0) == local - $0 }
        return candidates.min() ?? local - before
    }
}
