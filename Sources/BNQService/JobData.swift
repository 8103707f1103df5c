import BNQCore
import ByteNiteAPI
import Foundation

/// Loads the jobs `bnq serve --data FILE` answers from.
public enum JobData {
    /// A problem with a data file, naming the file and the position.
    public struct LoadError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads FILE: a JSON array of jobs (`jobJob`), or a saved `GET /jobs` response (`{"data": […]}`).
    /// Every job must decode as the contract's `jobJob`.
    public static func load(path: String) throws(LoadError) -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(message: "\(path): cannot read the file")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw LoadError(message: "\(path):\(error.line):\(error.column): \(error.reason)")
        }
        let jobs: [JSONValue]
        if let array = json.arrayValue {
            jobs = array
        } else if let array = json["data"]?.arrayValue {
            jobs = array
        } else {
            throw LoadError(message: "\(path): expected a JSON array of jobs or an object with a \"data\" array")
        }
        for (index, job) in jobs.enumerated() {
            guard job.objectValue != nil else { throw LoadError(message: "\(path): job [\(index)] is not an object") }
            do {
                _ = try Components.Schemas.JobJob(json: job)
            } catch {
                throw LoadError(message: "\(path): job [\(index)] does not match the jobJob schema: \(describe(error))")
            }
        }
        return jobs
    }

    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
                return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): expected \(type)"
            case .dataCorrupted(let context):
                return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
            case .keyNotFound(let key, _):
                return "missing \(key.stringValue)"
            @unknown default: break
            }
        }
        return "\(error)"
    }
}
