import BNQCore
import BNQLanguage
import BNQRender

/// Accumulates groups and their aggregates, in memory proportional to the number of groups.
struct GroupTable {
    let plan: GroupPlan

    struct Accumulator {
        var count: Int64 = 0
        var sums: [Double]
        var counts: [Int64]
        var minimums: [Double?]
        var maximums: [Double?]
        /// Welford's running mean and sum of squared deviations, for `stddev`.
        var means: [Double]
        var squares: [Double]
        /// Every value, for percentiles (only the columns that need them).
        var values: [[Double]]
        /// The different values, for `count(distinct f)` (only those columns).
        var distinct: [Set<FieldValue>]
        /// Jobs per bucket start (seconds), for `sparkline(bin(…))` (only those columns).
        var series: [[Int64: Int64]]

        /// Nothing counted yet, for `columns` columns.
        static func empty(columns: Int) -> Accumulator {
            Accumulator(
                sums: Array(repeating: 0, count: columns), counts: Array(repeating: 0, count: columns),
                minimums: Array(repeating: nil, count: columns), maximums: Array(repeating: nil, count: columns),
                means: Array(repeating: 0, count: columns), squares: Array(repeating: 0, count: columns),
                values: Array(repeating: [], count: columns), distinct: Array(repeating: [], count: columns),
                series: Array(repeating: [:], count: columns))
        }
    }

    struct Row {
        var values: [JSONValue]
        var cells: [String]
        var sortValues: [Double?]
    }

    /// One group: its key as shown, and what has been counted.
    struct Entry {
        var key: [JSONValue]
        var accumulator: Accumulator
    }

    /// Where each group's entry is in `entries`. Entries are changed in place, through the
    /// array: a copy of an accumulator would copy the values it keeps at every job (quadratic).
    private var slots: [[FieldValue]: Int] = [:]
    private var entries: [Entry] = []
    /// The groups' keys, in the order they came.
    private var order: [[FieldValue]] = []

    /// The group of `key`, by position in `entries`; started when new.
    private mutating func slot(_ key: [FieldValue]) -> Int {
        if let slot = slots[key] { return slot }
        // A key shows in its canonical form, a missing one as its protobuf default (NEW, false,
        // 0), as filters read it.
        entries.append(Entry(key: key.map(\.jsonValue), accumulator: Accumulator.empty(columns: plan.columns.count)))
        slots[key] = entries.count - 1
        order.append(key)
        return entries.count - 1
    }

    /// The entry of `key`, if the group exists.
    private func entry(_ key: [FieldValue]) -> Entry? { slots[key].map { entries[$0] } }
    let measured: [JobField?]
    /// The columns whose values are kept (percentiles).
    let keepsValues: [Bool]

    /// What a value with no default shows (`.nullvalue`).
    var nullMarker = ""
    /// The zone times show in.
    var zone: TimeZoneRule = .utc

    init(plan: GroupPlan, nullMarker: String = "", zone: TimeZoneRule = .utc) {
        self.plan = plan
        self.nullMarker = nullMarker
        self.zone = zone
        measured = plan.columns.map { if case .aggregate(_, let field) = $0 { return field } else { return nil } }
        keepsValues = plan.columns.map { if case .aggregate(let aggregate, _) = $0 { return aggregate.keepsValues } else { return false } }
    }

    static func measure(_ job: JSONValue, _ field: JobField) -> Double? {
        let value = FieldValue.of(job, field).measure
        // A duration that could not be worked out (a time missing) is left out, not counted as 0.
        if field.type == .seconds, let value, value.isNaN { return nil }
        return value
    }

    mutating func add(_ job: JSONValue) {
        let key = plan.keys.map { FieldValue.of(job, $0) }
        let slot = add(key: key, measures: measured.map { field in field.flatMap { Self.measure(job, $0) } })
        guard !jobColumns.isEmpty else { return }
        for index in sparklineColumns {
            guard let field = measured[index], case .timestamp(let bucket?) = FieldValue.of(job, field) else { continue }
            entries[slot].accumulator.series[index][bucket.seconds, default: 0] += 1
        }
        for index in distinctColumns {
            guard let field = measured[index] else { continue }
            let value = FieldValue.of(job, field)
            // Only values that are there: an unset time or a duration that could not be worked out is none.
            if case .timestamp(nil) = value { continue }
            if case .number(let number) = value, number.isNaN, field.type == .seconds { continue }
            entries[slot].accumulator.distinct[index].insert(value)
        }
    }

    /// The columns that count distinct values.
    var distinctColumns: [Int] { columns(of: .countDistinct) }
    /// The columns that draw sparklines.
    var sparklineColumns: [Int] { columns(of: .sparkline) }
    /// The columns that need the jobs themselves, not numbers (an archive cannot group them in SQL).
    var jobColumns: [Int] { distinctColumns + sparklineColumns }

    /// Whether grouping needs values of the job rather than one number a column: computed keys
    /// or measures, distinct counts, sparklines.
    var readsJobValues: Bool {
        plan.keys.contains(where: \.isComputed) || measured.contains { $0?.isComputed ?? false } || !jobColumns.isEmpty
    }

    /// The fields of the job the groups read — a computed column by the fields it is worked out
    /// from — each once.
    var sourceFields: [JobField] {
        var fields: [JobField] = []
        for field in (plan.keys + measured.compactMap { $0 }).flatMap({ $0.derivation?.sources ?? [$0] }) where !fields.contains(field) {
            fields.append(field)
        }
        return fields
    }

    func columns(of aggregate: Aggregate) -> [Int] {
        plan.columns.indices.filter { if case .aggregate(aggregate, _) = plan.columns[$0] { return true } else { return false } }
    }

    /// The sparkline levels, lowest first (a bucket without jobs is the lowest).
    static let levels = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// At most this many buckets in one sparkline (the newest).
    static let maximumSparkline = 1000

    /// The buckets of a sparkline column: the `where` bounds, else the first and last of any group.
    func sparklineBuckets(_ index: Int) -> [Int64] {
        guard let fill = plan.series[index] else { return [] }
        let held = entries.flatMap { $0.accumulator.series[index].keys }
        guard var low = fill.from?.seconds ?? held.min(), let high = [fill.to?.seconds, held.max()].compactMap({ $0 }).max(), low <= high else { return [] }
        // Fixed widths skip straight to the newest buckets that fit.
        let maximum = Int64(Self.maximumSparkline)
        switch fill.step {
        case .seconds(let width) where (high - low) / width >= maximum: low = high - (maximum - 1) * width
        case .weeks(let count) where (high - low) / (604_800 * count) >= maximum: low = high - (maximum - 1) * 604_800 * count
        default: break
        }
        let starts = fill.step.starts(from: Timestamp(seconds: low), through: Timestamp(seconds: high), limit: .max) ?? []
        return starts.suffix(Self.maximumSparkline).map(\.seconds)
    }

    /// Counts drawn as a sparkline: each bucket's height in eighths of the largest.
    static func sparkline(_ counts: [Int64]) -> String {
        let largest = counts.max() ?? 0
        guard largest > 0 else { return String(repeating: levels[0], count: counts.count) }
        return counts.map { count in
            count == 0 ? levels[0] : levels[1 + Int((Double(count) / Double(largest) * Double(levels.count - 2)).rounded())]
        }.joined()
    }

    /// Adds one job by its key and the values its aggregates measure (nil: none); returns the
    /// group's slot.
    @discardableResult
    mutating func add(key: [FieldValue], measures: [Double?]) -> Int {
        let slot = slot(key)
        Self.accumulate(measures, into: &entries[slot].accumulator, keepingValues: keepsValues)
        return slot
    }

    static func accumulate(_ measures: [Double?], into accumulator: inout Accumulator, keepingValues keepsValues: [Bool]) {
        accumulator.count += 1
        for (index, value) in measures.enumerated() {
            guard let value else { continue }
            accumulator.sums[index] += value
            accumulator.counts[index] += 1
            accumulator.minimums[index] = min(accumulator.minimums[index] ?? value, value)
            accumulator.maximums[index] = max(accumulator.maximums[index] ?? value, value)
            let delta = value - accumulator.means[index]
            accumulator.means[index] += delta / Double(accumulator.counts[index])
            accumulator.squares[index] += delta * (value - accumulator.means[index])
            if keepsValues[index] { accumulator.values[index].append(value) }
        }
    }

    /// The `quantile` of `values` (0…1), interpolated linearly between the closest ranks.
    static func percentile(_ values: [Double], _ quantile: Double) -> Double? {
        let finite = values.filter { !$0.isNaN }.sorted()
        guard !finite.isEmpty else { return nil }
        let rank = quantile * Double(finite.count - 1)
        let lower = Int(rank.rounded(.down))
        let upper = Swift.min(lower + 1, finite.count - 1)
        let fraction = rank - Double(lower)
        return fraction == 0 ? finite[lower] : finite[lower] + (finite[upper] - finite[lower]) * fraction
    }

    /// Adds a group counted elsewhere (SQL): its size, and per measured column how many values,
    /// the least and the greatest. Only for plans without sums or averages.
    mutating func add(aggregated key: [FieldValue], count: Int64, counts: [Int64], minimums: [Double?], maximums: [Double?]) {
        let slot = slot(key)
        entries[slot].accumulator.count += count
        for index in counts.indices {
            entries[slot].accumulator.counts[index] += counts[index]
            if let value = minimums[index] { entries[slot].accumulator.minimums[index] = min(entries[slot].accumulator.minimums[index] ?? value, value) }
            if let value = maximums[index] { entries[slot].accumulator.maximums[index] = max(entries[slot].accumulator.maximums[index] ?? value, value) }
        }
    }

    /// Whether SQL's count, min and max give every column (no sum, average, percentile or deviation).
    var countsAndExtremesOnly: Bool {
        plan.columns.allSatisfy { column in
            if case .aggregate(let aggregate, _) = column { return aggregate == .count || aggregate == .min || aggregate == .max }
            return true
        }
    }

    /// The buckets at most filled in: a bin of 1s over years would be more rows than anyone reads.
    static let maximumFilledBuckets = 100_000

    /// The groups' keys in the order they came, with the empty buckets of a time bin added;
    /// `complete` is false when there would be too many to add (then none are).
    func keysWithEmptyBuckets() -> (keys: [[FieldValue]], complete: Bool) {
        guard let fill = plan.fill else { return (order, true) }
        let times = order.compactMap { key -> Timestamp? in if case .timestamp(let time?) = key.first { return time } else { return nil } }
        guard let first = fill.from ?? times.min(), let last = [fill.to, times.max()].compactMap({ $0 }).max(), first <= last else { return (order, true) }
        guard let starts = fill.step.starts(from: first, through: last, limit: Self.maximumFilledBuckets + order.count) else { return (order, false) }
        var keys = order
        var seen = Set(order)
        var added = 0
        for bucket in starts {
            let key: [FieldValue] = [.timestamp(bucket)]
            guard seen.insert(key).inserted else { continue }
            keys.append(key)
            added += 1
            if added > Self.maximumFilledBuckets { return (order, false) }
        }
        return (keys, true)
    }

    /// The groups' rows, and whether the empty buckets of a time bin were left out of them (more
    /// than `maximumFilledBuckets` of them: a bin of 1s over months).
    func rows() -> (rows: [Row], emptyBucketsLeftOut: Bool) {
        var rows: [(Row, [FieldValue])] = []
        let sparklines = Dictionary(uniqueKeysWithValues: sparklineColumns.map { ($0, sparklineBuckets($0)) })
        let (groupKeys, complete) = order.isEmpty && plan.keys.isEmpty ? ([[]], true) : keysWithEmptyBuckets()
        for key in groupKeys {
            let entry = entry(key) ?? Entry(key: key.map(\.jsonValue), accumulator: Accumulator.empty(columns: plan.columns.count))
            var values: [JSONValue] = []
            var cells: [String] = []
            var sortValues: [Double?] = []
            for (index, column) in plan.columns.enumerated() {
                switch column {
                case .key(let keyIndex):
                    let value = keyIndex < entry.key.count ? entry.key[keyIndex] : .null
                    values.append(value)
                    cells.append(value == .null ? nullMarker : CellText.text(value, type: plan.keys[keyIndex].type, zone: zone))
                    sortValues.append(nil)
                case .aggregate(.sparkline, _):
                    let counts = (sparklines[index] ?? []).map { entry.accumulator.series[index][$0] ?? 0 }
                    values.append(.array(counts.map { .int($0) }))
                    cells.append(Self.sparkline(counts))
                    sortValues.append(nil)
                case .aggregate(let aggregate, let field):
                    let accumulator = entry.accumulator
                    var result: Double?
                    switch aggregate {
                    case .count: result = Double(field == nil ? accumulator.count : accumulator.counts[index])
                    case .countDistinct: result = Double(accumulator.distinct[index].count)
                    case .sum: result = accumulator.sums[index]
                    case .avg: result = accumulator.counts[index] > 0 ? accumulator.sums[index] / Double(accumulator.counts[index]) : nil
                    case .min: result = accumulator.minimums[index]
                    case .max: result = accumulator.maximums[index]
                    case .median, .p50, .p90, .p95, .p99: result = Self.percentile(accumulator.values[index], aggregate.quantile ?? 0.5)
                    case .percentile:
                        guard case .ranked(_, let quantile)? = field?.derivation else { break }
                        result = Self.percentile(accumulator.values[index], quantile)
                    case .sparkline: break
                    case .stddev:
                        result = accumulator.counts[index] > 1 ? (accumulator.squares[index] / Double(accumulator.counts[index] - 1)).squareRoot() : nil
                    }
                    sortValues.append(result)
                    if let result, column.holdsTimes {
                        let text = Timestamp(secondsSince1970: result).rfc3339
                        values.append(.string(text))
                        cells.append(Timestamp(secondsSince1970: result).shortDescription(in: zone))
                    } else if let result {
                        values.append(aggregate == .count || aggregate == .countDistinct ? .int(Int64(result)) : .double((result * 1000).rounded() / 1000))
                        // A duration's statistic reads as one (`1h 02m 03s`); json keeps the seconds.
                        cells.append(field?.type == .seconds && aggregate != .count && aggregate != .countDistinct ? CellText.duration(result) : CellText.number(result))
                    } else {
                        values.append(.null)
                        cells.append(nullMarker)
                    }
                }
            }
            if let having = plan.having, !having.matches(sortValues) { continue }
            rows.append((Row(values: values, cells: cells, sortValues: sortValues), key))
        }
        let ordering = plan.ordering
        rows.sort { lhs, rhs in
            for (column, descending) in ordering {
                let a: FieldValue
                let b: FieldValue
                if case .key(let keyIndex) = plan.columns[column] {
                    a = lhs.1[keyIndex]
                    b = rhs.1[keyIndex]
                } else {
                    a = .number(lhs.0.sortValues[column] ?? -.infinity)
                    b = .number(rhs.0.sortValues[column] ?? -.infinity)
                }
                let order = FieldValue.compare(a, b)
                if order != 0 { return descending ? order > 0 : order < 0 }
            }
            for index in lhs.1.indices {
                let order = FieldValue.compare(lhs.1[index], rhs.1[index])
                if order != 0 { return order < 0 }
            }
            return false
        }
        return (rows.map(\.0), !complete)
    }
}
