/// How a computed column is worked out from a job: the difference of two times, a time's bin,
/// or another name for a field (`select … as name`). A `JobField` with a derivation is read like
/// any field — filters, orderings, groups and cells all go through `JSONValue.value(of:)` — but it
/// is never sent to the API, which cannot compute it.
public indirect enum Derivation: Sendable, Hashable {
    /// `a - b` of two times: a duration in seconds; missing when either time is.
    case difference(TimeTerm, TimeTerm)
    /// `bin(time, step)`: the start of the bucket the time falls in; missing when the time is.
    case bin(JobField, BinStep)
    /// `expression as name`: the same value under another name.
    case alias(JobField)
    /// The field `percentile(f, Q)` measures, with its Q as a fraction (0.975): the field's value.
    case ranked(JobField, quantile: Double)

    /// A time in a difference: a field of the job, or an instant (`now`).
    public enum TimeTerm: Sendable, Hashable {
        case field(JobField)
        case instant(Timestamp)

        func seconds(in job: JSONValue) -> (seconds: Int64, nanos: Int32)? {
            switch self {
            case .instant(let time): return (time.seconds, time.nanos)
            case .field(let field):
                guard case .timestamp(let time?) = FieldValue.of(job, field) else { return nil }
                return (time.seconds, time.nanos)
            }
        }
    }

    /// The value for `job`, as JSON: seconds for a difference, an RFC 3339 time for a bin.
    func value(in job: JSONValue) -> JSONValue? {
        switch self {
        case .difference(let a, let b):
            guard let end = a.seconds(in: job), let start = b.seconds(in: job) else { return nil }
            return .double(Double(end.seconds - start.seconds) + Double(end.nanos - start.nanos) / 1e9)
        case .bin(let field, let step):
            guard case .timestamp(let time?) = FieldValue.of(job, field) else { return nil }
            return .string(step.start(of: time).rfc3339)
        case .alias(let field), .ranked(let field, _):
            return job.value(of: field)
        }
    }

    /// The fields of the job it reads.
    public var sources: [JobField] {
        switch self {
        case .difference(let a, let b):
            return [a, b].compactMap { if case .field(let field) = $0 { return field } else { return nil } }
        case .bin(let field, _): return [field]
        case .alias(let field), .ranked(let field, _): return field.derivation?.sources ?? [field]
        }
    }
}

/// The width of a time bin. Seconds, minutes, hours and days are aligned to the Unix epoch in
/// UTC (`1d` starts at midnight UTC); weeks are ISO weeks (Monday 00:00 UTC); months are calendar
/// months (UTC).
public enum BinStep: Sendable, Hashable, CustomStringConvertible {
    case seconds(Int64)
    case weeks(Int64)
    case months(Int64)

    /// The start of the bucket holding the last instant before `end`: the last bucket of a span
    /// that stops at `end` without including it (`< end`, a run until now).
    public func start(ofLastBefore end: Timestamp) -> Timestamp {
        start(of: Timestamp(seconds: end.nanos == 0 ? end.seconds - 1 : end.seconds))
    }

    /// The start of the bucket `time` falls in.
    public func start(of time: Timestamp) -> Timestamp {
        switch self {
        case .seconds(let width):
            return Timestamp(seconds: Timestamp.floorDiv(time.seconds, width) * width)
        case .weeks(let count):
            // 1970-01-05 was a Monday: weeks count from there.
            let monday: Int64 = 4 * 86_400
            let width = 7 * 86_400 * count
            return Timestamp(seconds: Timestamp.floorDiv(time.seconds - monday, width) * width + monday)
        case .months(let count):
            return Self.monthStart(Timestamp.floorDiv(Self.monthIndex(time), count) * count)
        }
    }

    /// Months since year 0 (January of year 0 is 0) of the month `time` falls in (UTC).
    static func monthIndex(_ time: Timestamp) -> Int64 {
        let (year, month, _) = Timestamp.civil(fromDays: Timestamp.floorDiv(time.seconds, 86_400))
        return year * 12 + (month - 1)
    }

    /// Midnight UTC on the first day of month `index` (as `monthIndex` counts).
    static func monthStart(_ index: Int64) -> Timestamp {
        let year = Timestamp.floorDiv(index, 12)
        return Timestamp(seconds: Timestamp.days(fromCivil: year, index - year * 12 + 1, 1) * 86_400)
    }

    /// The starts of the buckets from the one holding `first` to the one holding `last`, in
    /// order; nil when there are more than `limit`.
    public func starts(from first: Timestamp, through last: Timestamp, limit: Int) -> [Timestamp]? {
        var starts: [Timestamp] = []
        var bucket = start(of: first)
        while bucket <= last {
            guard starts.count < limit else { return nil }
            starts.append(bucket)
            bucket = next(after: bucket)
        }
        return starts
    }

    /// The start of the bucket after the one starting at `start`.
    public func next(after start: Timestamp) -> Timestamp {
        switch self {
        case .seconds(let width): return Timestamp(seconds: start.seconds + width)
        case .weeks(let count): return Timestamp(seconds: start.seconds + 7 * 86_400 * count)
        case .months(let count): return Self.monthStart(Self.monthIndex(start) + count)
        }
    }

    /// As written: `1h`, `1w`, `1mo`.
    public var description: String {
        switch self {
        case .seconds(let width):
            for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where width % size == 0 { return "\(width / size)\(unit)" }
            return "\(width)s"
        case .weeks(let count): return "\(count)w"
        case .months(let count): return "\(count)mo"
        }
    }
}
