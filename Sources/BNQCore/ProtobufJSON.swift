/// The protobuf JSON mapping, as ByteNite's gRPC gateway writes it, and the seed contract's
/// literal form: one place that converts between the two.
///
/// The gateway writes every int64 as a string (`"taskTimeout": "3600"`, `"total": "1200"`), may
/// write any number as a string (`"numChunks": "5"`, `"duration": "NaN"`), enums by name or by
/// number, and leaves out fields that hold their default. The seed's schema types most int64
/// fields as JSON integers. Readers accept both; `bnq serve` writes the seed's form by default and
/// the gateway's with `--int64-strings`.
public enum ProtobufJSON {
    /// The int64 members of a listing response, besides each job's (`pagination.total`, `pagination.offset`).
    public static let paginationInt64Members = ["total", "offset"]

    /// The job fields the contract types as int64 integers (the gateway writes them as strings).
    public static let jobInt64Fields: [JobField] = JobSchema.fields.filter { $0.type == .integer && $0.path.hasPrefix("config.") }

    /// A job in the seed contract's literal form: numbers that arrived as strings become numbers
    /// (an int64 string field such as `numUnitsEstimation` stays a string, written canonically),
    /// enums given by number become names. A number the contract's JSON cannot carry (`NaN`,
    /// `Infinity` in a `number` field) is left out and counted in `dropped`; anything else that
    /// does not fit its field is kept as it is (readers treat it as the field's default).
    public static func literalJob(_ job: JSONValue) -> (job: JSONValue, dropped: [String]) {
        guard case .object = job else { return (job, []) }
        var result = job
        var dropped: [String] = []
        for field in JobSchema.fields {
            guard let raw = job.value(of: field) else { continue }
            switch literalValue(raw, field: field) {
            case .keep: continue
            case .replace(let value): result.setValue(value, at: field.components)
            case .drop:
                result.setValue(nil, at: field.components)
                dropped.append(field.path)
            }
        }
        return (result, dropped)
    }

    enum Change { case keep, replace(JSONValue), drop }

    static func literalValue(_ raw: JSONValue, field: JobField) -> Change {
        switch field.type {
        case .integer:
            switch raw {
            case .int: return .keep
            case .string(let text):
                if let int = Int64(text) { return .replace(.int(int)) }
                if let double = Double(text) { return double.isFinite ? .replace(number(double)) : .drop }
                return .keep
            case .double(let double):
                return double.isFinite ? .replace(number(double)) : .drop
            default: return .keep
            }
        case .int64String:
            switch raw {
            case .int(let int): return .replace(.string(String(int)))
            case .double(let double) where double.isFinite && double == double.rounded() && abs(double) < 9.2e18:
                return .replace(.string(String(Int64(double))))
            default: return .keep
            }
        case .double:
            switch raw {
            case .string(let text):
                guard let double = Double(text) else { return .keep }
                return double.isFinite ? .replace(.double(double)) : .drop
            case .double(let double) where !double.isFinite: return .drop
            default: return .keep
            }
        case .enumeration(let type):
            if case .int(let int) = raw, int >= 0, int < type.values.count { return .replace(.string(type.values[Int(int)])) }
            return .keep
        default:
            return .keep
        }
    }

    /// An integral double as an integer, others as they are.
    static func number(_ double: Double) -> JSONValue {
        double == double.rounded() && abs(double) < 9.2e18 ? .int(Int64(double)) : .double(double)
    }

    /// A job as the gateway writes it: every int64 (`config.taskTimeout`, `config.jobTimeout`) as a string.
    public static func gatewayJob(_ job: JSONValue) -> JSONValue {
        var result = job
        for field in jobInt64Fields {
            if case .int(let int)? = job.value(of: field) { result.setValue(.string(String(int)), at: field.components) }
        }
        return result
    }

    /// A listing or job response as the gateway writes it: the int64 members of `pagination` and
    /// of every job (in `data` or `job`) as strings.
    public static func gatewayResponse(_ response: JSONValue) -> JSONValue {
        guard case .object(var object) = response else { return response }
        if case .object(var pagination)? = object["pagination"] {
            for key in paginationInt64Members {
                if case .int(let int)? = pagination[key] { pagination[key] = .string(String(int)) }
            }
            object["pagination"] = .object(pagination)
        }
        if case .array(let jobs)? = object["data"] { object["data"] = .array(jobs.map(gatewayJob)) }
        if let job = object["job"] { object["job"] = gatewayJob(job) }
        return .object(object)
    }

    /// A `customerGetAllJobsRequest` in the seed's literal form: `pagination.limit` and `.offset`
    /// given as strings become integers, filter conditions given by number become names.
    public static func literalRequest(_ request: JSONValue) -> JSONValue {
        guard case .object(var object) = request else { return request }
        if case .object(var pagination)? = object["pagination"] {
            for key in ["limit", "offset"] {
                if case .string(let text)? = pagination[key], let int = Int64(text) { pagination[key] = .int(int) }
            }
            object["pagination"] = .object(pagination)
        }
        if case .array(let filters)? = object["filters"] {
            let conditions = FilterCondition.allCases
            object["filters"] = .array(filters.map { filter in
                guard case .object(var members) = filter else { return filter }
                // commonFilterCondition numbers its values in declared order.
                if case .int(let number)? = members["condition"], number >= 0, number < conditions.count {
                    members["condition"] = .string(conditions[Int(number)].rawValue)
                }
                return .object(members)
            })
        }
        return .object(object)
    }
}

extension JSONValue {
    /// Sets (or, with nil, removes) the member at a path of object keys, creating objects on the way.
    public mutating func setValue(_ value: JSONValue?, at path: [String]) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        guard case .object(var object) = self else { return }
        if path.count == 1 {
            object[first] = value
        } else {
            var child = object[first] ?? .object(JSONObject())
            child.setValue(value, at: Array(path.dropFirst()))
            object[first] = child
        }
        self = .object(object)
    }
}

/// The jobs of a JSON document bnq reads jobs from: an array of jobs, or a saved listing
/// response (`{"data": […], "pagination": …}`).
public enum JobsDocument {
    /// The jobs, or nil when the document is neither form.
    public static func jobs(in json: JSONValue) -> [JSONValue]? {
        json.arrayValue ?? json["data"]?.arrayValue
    }

    /// What to say when a document is neither form.
    public static let expected = "expected a JSON array of jobs or an object with a \"data\" array"
}
