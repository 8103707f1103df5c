import BNQCore
import Foundation

/// A JSON file of jobs (what `bnq sync --from FILE` imports): an array of jobs, or a saved
/// `GET /jobs` response, in the seed's literal form or the gateway's protobuf JSON.
public enum JobsFile {
    /// The jobs of the file; the error names the file, and the line and column of bad JSON.
    public static func read(path: String) throws(RunError) -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError("cannot read \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"), status: ExitStatus.usage)
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw RunError("\(path):\(error.line):\(error.column): \(error.reason)", status: ExitStatus.usage)
        }
        guard let jobs = JobsDocument.jobs(in: json) else { throw RunError("\(path): " + JobsDocument.expected, status: ExitStatus.usage) }
        return jobs
    }
}
