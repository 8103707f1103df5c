import BNQCore
import Foundation

/// The built-in demo data: `examples/jobs.json`, which is `bnq generate 300 --seed 7`.
public enum DemoData {
    public static let count = 300
    public static let seed: UInt64 = 7

    /// The path of examples/jobs.json: `$BNQ_DEMO_DATA`, or the file in the source checkout bnq was built from.
    public static func path() -> String {
        if let path = ProcessInfo.processInfo.environment["BNQ_DEMO_DATA"], !path.isEmpty { return path }
        let source = URL(fileURLWithPath: #filePath)
        return source.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/jobs.json").path
    }

    /// The demo jobs: the file when it is there, else the same jobs generated in memory.
    public static func jobs() throws(JobData.LoadError) -> [JSONValue] {
        let path = path()
        if FileManager.default.fileExists(atPath: path) { return try JobData.load(path: path).jobs }
        return JobGenerator(seed: seed).jobs(count: count)
    }
}
