/// An instant in UTC with nanosecond precision, as protobuf's `google.protobuf.Timestamp`.
/// Parsing and formatting are hand-written for RFC 3339: fast, and free of locale surprises.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    /// Nanoseconds within the second, 0 ..< 1_000_000_000.
    public var nanos: Int32

    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }

    /// From seconds since the epoch with a fraction, kept to the microsecond: a double holds
    /// today's seconds to about a quarter of a microsecond, so finer digits would be noise
    /// (`…26.364000082Z` for a time read as `…26.364Z`).
    public init(secondsSince1970 value: Double) {
        guard value.isFinite, value >= Double(Self.earliest.seconds), value <= Double(Self.latest.seconds) else {
            self = value > 0 ? Self.latest : Self.earliest
            return
        }
        let whole = value.rounded(.down)
        let micros = ((value - whole) * 1e6).rounded().clamped(0, 1_000_000)
        if micros == 1_000_000, whole < Double(Self.latest.seconds) {
            self.seconds = Int64(whole) + 1
            self.nanos = 0
        } else {
            self.seconds = Int64(whole)
            self.nanos = Int32(Swift.min(micros, 999_999) * 1000)
        }
    }

    /// Seconds since the epoch as a double.
    public var secondsSince1970: Double { Double(seconds) + Double(nanos) / 1e9 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.seconds != rhs.seconds ? lhs.seconds < rhs.seconds : lhs.nanos < rhs.nanos
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z: the instants RFC 3339 can write.
    public static let earliest = Timestamp(seconds: -62_135_596_800)
    public static let latest = Timestamp(seconds: 253_402_300_799, nanos: 999_999_999)

    /// This instant moved by `seconds`, or nil when that leaves the years 0001–9999 (or the
    /// shift is not a finite number).
    public func shifted(bySeconds delta: Double) -> Timestamp? {
        guard delta.isFinite, abs(delta) <= Double(Self.latest.seconds - Self.earliest.seconds) + 1 else { return nil }
        let moved = adding(seconds: delta)
        return moved < Self.earliest || Self.latest < moved ? nil : moved
    }

    /// This instant moved by `seconds` (which may be negative or fractional), clamped to the
    /// years 0001–9999.
    public func adding(seconds delta: Double) -> Timestamp {
        guard delta.isFinite else { return delta > 0 ? Self.latest : Self.earliest }
        let span = Double(Self.latest.seconds - Self.earliest.seconds) + 1
        if delta > span { return Self.latest }
        if delta < -span { return Self.earliest }
        let whole = delta.rounded(.towardZero)
        var seconds = self.seconds + Int64(whole)
        var nanos = Int64(nanos) + Int64(((delta - whole) * 1e9).rounded())
        if nanos >= 1_000_000_000 { seconds += 1; nanos -= 1_000_000_000 }
        if nanos < 0 { seconds -= 1; nanos += 1_000_000_000 }
        let moved = Timestamp(seconds: seconds, nanos: Int32(nanos))
        return moved < Self.earliest ? Self.earliest : (Self.latest < moved ? Self.latest : moved)
    }

    /// The start (00:00:00Z) of this instant's UTC day.
    public var startOfUTCDay: Timestamp {
        Timestamp(seconds: seconds - ((seconds % 86_400) + 86_400) % 86_400)
    }

    /// RFC 3339 in UTC: `2026-01-31T12:00:00Z`, with a fraction only when there is one.
    public var description: String { rfc3339 }

    public var rfc3339: String {
        let (year, month, day) = Self.civil(fromDays: Self.floorDiv(seconds, 86_400))
        let secondOfDay = seconds - Self.floorDiv(seconds, 86_400) * 86_400
        var text = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += "T" + Self.pad(secondOfDay / 3600, 2) + ":" + Self.pad(secondOfDay / 60 % 60, 2) + ":" + Self.pad(secondOfDay % 60, 2)
        if nanos != 0 {
            var fraction = Self.pad(Int64(nanos), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// `2026-01-31T12:00:00.000000000Z`: RFC 3339 in UTC with all nine fraction digits, so that
    /// text order is time order (the archive stores times this way and SQLite compares the text).
    public var sortableText: String {
        let text = Timestamp(seconds: seconds).rfc3339
        return String(text.dropLast()) + "." + Self.pad(Int64(nanos), 9) + "Z"
    }

    /// `2026-01-31 12:00:00` (UTC, seconds precision): how tables show times.
    public var shortDescription: String {
        let text = Timestamp(seconds: seconds).rfc3339
        return String(text.dropLast()).replacingFirst("T", with: " ")
    }

    /// `2026-01-31 13:00:00`: the wall-clock time in `zone`, seconds precision.
    public func shortDescription(in zone: TimeZoneRule) -> String {
        zone.isUTC ? shortDescription : Timestamp(seconds: seconds + zone.offset(at: seconds)).shortDescription
    }

    /// The start (00:00) of this instant's day in `zone`.
    public func startOfDay(in zone: TimeZoneRule) -> Timestamp {
        guard !zone.isUTC else { return startOfUTCDay }
        let local = Timestamp(seconds: seconds + zone.offset(at: seconds)).startOfUTCDay.seconds
        return Timestamp(seconds: zone.instant(fromWallClock: local))
    }

    /// Parses as `init?(rfc3339:)`, but a time or date written without a zone is a wall-clock
    /// time of `zone` (what tables show, in the zone they show it in).
    public init?(rfc3339 text: some StringProtocol, zone: TimeZoneRule) {
        guard let parsed = Self.parse(text) else { return nil }
        let seconds = parsed.offset.map { parsed.wallClock - $0 } ?? zone.instant(fromWallClock: parsed.wallClock)
        self.init(seconds: seconds, nanos: parsed.nanos)
    }

    /// Parses RFC 3339 (`2026-01-31T12:00:00Z`, `…T12:00:00.123+02:00`, a space instead of `T`),
    /// a time without a zone (`2026-01-31 12:00:00`, read in UTC: what tables show can be typed
    /// back), or a bare date `2026-01-31`, which means midnight UTC.
    public init?(rfc3339 text: some StringProtocol) {
        guard let parsed = Self.parse(text) else { return nil }
        self.init(seconds: parsed.wallClock - (parsed.offset ?? 0), nanos: parsed.nanos)
    }

    /// The parts of an RFC 3339 text: the wall-clock seconds (as if UTC), the fraction, and the
    /// zone's offset when the text gives one.
    static func parse(_ text: some StringProtocol) -> (wallClock: Int64, nanos: Int32, offset: Int64?)? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            (1...12).contains(month), day >= 1, day <= Self.daysInMonth(year: year, month: month)
        else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        if index == bytes.count { return (days * 86_400, 0, nil) }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") || bytes[index] == 0x20 else { return nil }
        index += 1
        guard let hour = number(2), expect(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
        var second: Int64 = 0
        if expect(":") {
            guard let value = number(2), value < 61 else { return nil }
            second = min(value, 59)
        }
        var nanos: Int64 = 0
        if expect(".") {
            var digits = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int64(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset: Int64?
        if expect("Z") || expect("z") {
            offset = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        }
        // No zone at all (`2026-11-27 21:35:40`, as tables show times): the caller's zone (UTC by default).
        guard index == bytes.count else { return nil }
        return (days * 86_400 + hour * 3600 + minute * 60 + second, Int32(nanos), offset)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { (a - ((a % b) + b) % b) / b }

    static func pad(_ value: Int64, _ width: Int) -> String { String(value).leftPadded(width) }

    static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Comparable {
    func clamped(_ low: Self, _ high: Self) -> Self { min(max(self, low), high) }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: String) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: replacement)
        return copy
    }
}

extension Duration {
    /// This duration in seconds, with its fraction.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
