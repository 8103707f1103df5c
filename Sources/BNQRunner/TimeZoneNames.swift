import BNQCore
import Foundation

extension TimeZoneRule {
    /// The zone `time_zone` or `.timezone` names: `UTC`, `local` (the system's zone, or `$TZ`), or
    /// a zone of the IANA database such as `Europe/Berlin`; nil when there is no such zone.
    public static func named(_ text: String) -> TimeZoneRule? {
        let zone: TimeZone
        switch text.lowercased() {
        case "utc", "z", "gmt", "etc/utc": return .utc
        case "local": zone = TimeZone.current
        default:
            guard text.contains("/") || text.count <= 5, let named = TimeZone(identifier: text) else { return nil }
            zone = named
        }
        if zone.identifier == "UTC" || zone.identifier == "GMT" || zone.identifier == "Etc/UTC" { return .utc }
        return TimeZoneRule(name: zone.identifier) { seconds in
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
        }
    }
}
