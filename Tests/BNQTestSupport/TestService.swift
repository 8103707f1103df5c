import BNQCore
import BNQService
import ByteNiteClient
import Foundation

/// Runs `body` against a real `bnq serve` on a free loopback port, with a client over real HTTP,
/// and stops both afterwards.
public func withService<T>(
    jobs: [JSONValue] = TestData.jobs,
    options: LocalService.Options = TestData.options(),
    apiKey: String? = nil,
    configure: (inout ClientConfiguration) -> Void = { _ in },
    _ body: (LocalService, JobsClient) async throws -> T
) async throws -> T {
    let service = try await LocalService.start(store: JobStore(jobs: jobs), options: options)
    var configuration = ClientConfiguration(endpoint: URL(string: service.baseURL)!, apiKey: apiKey)
    configuration.retry.baseDelay = .milliseconds(1)
    configure(&configuration)
    let client = JobsClient(configuration: configuration)
    do {
        let result = try await body(service, client)
        await client.shutdown()
        await service.stop()
        return result
    } catch {
        await client.shutdown()
        await service.stop()
        throw error
    }
}

public enum TestData {
    /// 1,000 generated jobs (seed 3).
    public static let jobs: [JSONValue] = JobGenerator(seed: 3).jobs(count: 1000)

    /// Service options on a free loopback port.
    public static func options(_ change: (inout LocalService.Options) -> Void = { _ in }) -> LocalService.Options {
        var options = LocalService.Options()
        options.port = 0
        change(&options)
        return options
    }

    /// The id of the newest job of the built-in demo data (`jobs limit 1` lists it first).
    public static let demoFirstID = "986213fb-f752-fdf0-2c6f-83eae670277f"

    /// A new empty temporary folder.
    public static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bnq-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension JSONValue {
    /// The job's id, for comparisons in tests.
    public var id: String { self["id"]?.stringValue ?? "" }
}

extension TestData {
    /// The bnq executable built beside the tests.
    public static var binary: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("bnq")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/bnq")
    }
}
