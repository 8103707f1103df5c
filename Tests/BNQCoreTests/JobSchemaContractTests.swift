import BNQCore
import Foundation
import Testing

/// The hand-kept job schema against the contract: every property of `jobJob` (and of the objects
/// it holds) is a field of `JobSchema` with the type its declared type and format mean, and every
/// field of `JobSchema` is in the contract. A field added to or changed in `openapi.json` fails here.
@Suite struct JobSchemaContractTests {
    static let contract: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/ByteNiteAPI/openapi.json")
        let bytes = (try? Data(contentsOf: url)).map { Array($0) } ?? []
        return (try? JSONParser.parse(bytes)) ?? .null
    }()

    static func schema(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/components/schemas/") else { return nil }
        return contract["components"]?["schemas"]?[String(reference.dropFirst("#/components/schemas/".count))]
    }

    /// The field types the contract declares, by path, with the enum values where there are some.
    static func declaredFields(of schema: JSONValue, prefix: String = "") -> [(path: String, type: String, values: [String])] {
        var result: [(String, String, [String])] = []
        for member in schema["properties"]?.objectValue ?? JSONObject() {
            let path = prefix + member.key
            var property = member.value
            // A protobuf `Any` is free-form JSON to bnq, whatever its `@type` says.
            if property["$ref"]?.stringValue == "#/components/schemas/protobufAny" {
                result.append((path, "any", []))
                continue
            }
            if let reference = property["$ref"]?.stringValue, let target = Self.schema(reference) { property = target }
            let type = property["type"]?.stringValue
            let format = property["format"]?.stringValue
            if let values = property["enum"]?.arrayValue {
                result.append((path, "enum", values.compactMap(\.stringValue)))
            } else if property["properties"] != nil {
                result.append((path, "object", []))
                result += declaredFields(of: property, prefix: path + ".")
            } else {
                switch (type, format) {
                case ("string", "date-time"): result.append((path, "timestamp", []))
                case ("string", "int64"), ("string", "uint64"): result.append((path, "int64", []))
                case ("string", _): result.append((path, "string", []))
                case ("number", _): result.append((path, "number", []))
                case ("integer", _): result.append((path, "integer", []))
                case ("boolean", _): result.append((path, "boolean", []))
                case ("array", _) where property["items"]?["type"]?.stringValue == "string": result.append((path, "array of strings", []))
                case ("object", _) where property["additionalProperties"]?["format"]?.stringValue == "date-time": result.append((path, "map", []))
                default: result.append((path, "any", []))
                }
            }
        }
        return result
    }

    static func kind(_ type: FieldType) -> String {
        switch type {
        case .enumeration: return "enum"
        case .any: return "any"
        default: return type.description
        }
    }

    @Test func everyContractPropertyIsAFieldOfTheSameType() throws {
        let job = try #require(Self.schema("#/components/schemas/jobJob"))
        let declared = Self.declaredFields(of: job)
        #expect(declared.count > 30, "the contract's jobJob was not found")
        for (path, type, values) in declared {
            guard let field = JobSchema.fields.first(where: { $0.path == path }) else {
                Issue.record("'\(path)' (\(type)) is in the contract but not in JobSchema")
                continue
            }
            #expect(Self.kind(field.type) == type, "'\(path)': JobSchema says \(field.type), the contract \(type)")
            if case .enumeration(let enumType) = field.type {
                #expect(enumType.values == values, "'\(path)': enum values differ from the contract")
            }
        }
        let declaredPaths = Set(declared.map(\.path))
        for field in JobSchema.fields where !declaredPaths.contains(field.path) {
            Issue.record("'\(field.path)' is in JobSchema but not in the contract")
        }
    }

    @Test func theRoutesExplainShowsAreTheContractsPaths() throws {
        let paths = try #require(Self.contract["paths"]?.objectValue)
        #expect(Set(paths.keys) == Set(APIRoute.allCases.map(\.template)))
        for route in APIRoute.allCases {
            let methods = paths[route.template]?.objectValue?.keys ?? []
            #expect(methods == [route.method.lowercased()], "\(route.template)")
        }
        #expect(APIRoute.job.path(jobID: "a b/c") == "/jobs/a%20b%2Fc")
    }
}
