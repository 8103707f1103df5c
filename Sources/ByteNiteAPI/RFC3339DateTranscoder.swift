import BNQCore
import Foundation
import OpenAPIRuntime

/// Reads and writes the date-times of the contract as protobuf JSON does: RFC 3339 in UTC,
/// with a fraction of a second only when there is one. It reads any RFC 3339 offset and any
/// number of fractional digits, which the runtime's ISO 8601 transcoders do not both accept.
public struct RFC3339DateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String {
        // A Date is a double: kept to the microsecond, within the years RFC 3339 can write.
        Timestamp(secondsSince1970: date.timeIntervalSince1970).rfc3339
    }

    public func decode(_ text: String) throws -> Date {
        guard let timestamp = Timestamp(rfc3339: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an RFC 3339 date-time"))
        }
        return Date(timeIntervalSince1970: timestamp.secondsSince1970)
    }
}

extension Configuration {
    /// The configuration the client and the service share: RFC 3339 dates, compact JSON with sorted keys.
    public static var byteNite: Configuration {
        Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys])
    }
}
