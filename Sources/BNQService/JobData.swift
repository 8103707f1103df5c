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
    /// Jobs in the gateway's protobuf JSON form (int64 and other numbers as strings, enums by
    /// number) are read into the seed's literal form first; then every job must decode as the
    /// contract's `jobJob`. `dropped` names the numbers the contract's JSON cannot carry (`NaN`,
    /// `Infinity`), which were left out.
    public static func load(path: String) throws(LoadError) -> (jobs: [JSONValue], dropped: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(message: "\(path): cannot read the file")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw LoadError(message: "\(path):\(error.line):\(error.column): \(error.reason)")
        }
        guard let listed = JobsDocument.jobs(in: json) else { throw LoadError(message: "\(path): " + JobsDocument.expected) }
        return try literalJobs(listed, source: path)
    }

    /// Jobs from any reader (a file, an archive) in the seed's literal form, each checked against
    /// the contract's `jobJob`; `source` names where they came from in errors.
    public static func literalJobs(_ listed: [JSONValue], source: String) throws(LoadError) -> (jobs: [JSONValue], dropped: [String]) {
        var jobs: [JSONValue] = []
        jobs.reserveCapacity(listed.count)
        var dropped: [String] = []
        for (index, job) in listed.enumerated() {
            guard job.objectValue != nil else { throw LoadError(message: "\(source): job [\(index)] is not an object") }
            let literal = ProtobufJSON.literalJob(job)
            dropped += literal.dropped.map { "job [\(index)] \($0)" }
            jobs.append(literal.job)
        }
        // One decoder pass over all jobs; on failure, find the first job that does not decode.
        if (try? Components.Schemas.JobJob.decodeAll(jobs)) == nil {
            for (index, job) in jobs.enumerated() {
                do {
                    _ = try Components.Schemas.JobJob(json: job)
                } catch {
                    throw LoadError(message: "\(source): job [\(index)] does not match the jobJob schema: \(describe(error))")
                }
            }
        }
        return (jobs, dropped)
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
