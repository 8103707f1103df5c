import BNQCore
import Foundation
import OpenAPIRuntime

/// Conversions between bnq's `JSONValue` and the generated types' free-form containers.
extension JSONValue {
    /// The value an `OpenAPIValueContainer` holds.
    public init(_ container: OpenAPIValueContainer) {
        self = JSONValue(anyValue: container.value)
    }

    init(anyValue: (any Sendable)?) {
        switch anyValue {
        case nil: self = .null
        case let bool as Bool: self = .bool(bool)
        case let int as Int: self = .int(Int64(int))
        case let int as Int64: self = .int(int)
        case let double as Double: self = .double(double)
        case let string as String: self = .string(string)
        case let array as [(any Sendable)?]: self = .array(array.map { JSONValue(anyValue: $0) })
        case let object as [String: (any Sendable)?]:
            self = .object(JSONObject(object.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue(anyValue: $0.value)) }))
        default: self = .string(String(describing: anyValue!))
        }
    }

    /// The plain Swift value (`String`, `Int64`, arrays, dictionaries…) of this JSON value.
    var anyValue: (any Sendable)? {
        switch self {
        case .null: return nil
        case .bool(let bool): return bool
        case .int(let int): return Int(int)
        case .double(let double): return double
        case .string(let string): return string
        case .array(let array): return array.map(\.anyValue)
        case .object(let object): return Dictionary(object.members.map { ($0.key, $0.value.anyValue) }, uniquingKeysWith: { $1 })
        }
    }

    /// This value as an `OpenAPIValueContainer`.
    public var openAPIValue: OpenAPIValueContainer {
        // Every case above is one the container accepts, so this cannot fail.
        let container = try? OpenAPIValueContainer(unvalidatedValue: anyValue)
        let empty: OpenAPIValueContainer = nil
        return container ?? empty
    }

    /// The compact JSON bytes of this value.
    public var jsonData: Data { Data(JSONWriter.compact(self).utf8) }
}

extension Components.Schemas.ProtobufAny {
    /// A protobuf `Any` from its JSON object (`{"@type": …, "value": …}`).
    public init(json: JSONValue) {
        var additional: [String: OpenAPIValueContainer] = [:]
        for member in json.objectValue ?? JSONObject() where member.key != "@type" {
            additional[member.key] = member.value.openAPIValue
        }
        self.init(_commat_type: json["@type"]?.stringValue, additionalProperties: additional)
    }

    /// The JSON object of this `Any`, `@type` first.
    public var json: JSONValue {
        var object = JSONObject()
        if let type = _commat_type { object["@type"] = .string(type) }
        for key in additionalProperties.keys.sorted() {
            object[key] = JSONValue(additionalProperties[key]!)
        }
        return .object(object)
    }
}

extension Components.Schemas.JobJob {
    /// Decodes a job from its JSON object, as the generated Codable conformance reads it.
    public init(json: JSONValue) throws {
        self = try Self.decodeAll([json])[0]
    }

    /// Decodes many jobs with one decoder and one pass over their JSON.
    public static func decodeAll(_ jobs: [JSONValue]) throws -> [Self] {
        let decoder = JSONDecoder()
        let transcoder = RFC3339DateTranscoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            try transcoder.decode(try decoder.singleValueContainer().decode(String.self))
        }
        return try decoder.decode([Self].self, from: JSONValue.array(jobs).jsonData)
    }
}

extension Components.Schemas.CustomerGetAllJobsRequest {
    /// The generated request for the compiler's plain one.
    public init(_ request: JobsRequest) {
        self.init()
        if let pagination = request.pagination { self.pagination = .init(limit: pagination.limit, offset: pagination.offset) }
        if let filters = request.filters {
            self.filters = filters.map { filter in
                .init(
                    field: filter.field, condition: .init(rawValue: filter.condition.rawValue),
                    value: .init(json: ProtobufAny.encode(filter.value)))
            }
        }
        self.orderBy = request.orderBy
    }
}
