import BNQRunner
import ArgumentParser
import BNQCore
import BNQService
import Foundation

/// `bnq serve`: the ByteNite-compatible local service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ByteNite jobs read API locally, on generated or loaded job data.",
        discussion: """
            Prints the base URL it serves (http://HOST:PORT/v1/customer) on one line, then serves until \
            interrupted. Routes: GET /jobs, POST /jobs/filter, GET /jobs/{jobId}, GET /jobs/{jobId}/results \
            under /v1/customer and /v1/computing, and POST /v1/auth/access_token. See docs/service.md.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free port.") var port = 8080
    @Option(help: "A JSON file (an array of jobs, or a saved GET /jobs response; protobuf JSON forms accepted), or an archive.") var data: String?
    @Option(help: "Generate this many jobs instead of loading a file.") var generate: Int?
    @Option(help: "Seed for generated jobs and injected faults.") var seed: UInt64 = 1
    @Option(help: "Only this API key gets tokens (default: any key, and requests without a token are served).") var apiKey: String?
    @Option(help: "Inject failures, e.g. 503=0.2,reset=0.05,delay=0.1:300ms.") var faults: String?
    @Option(help: "A fixed delay before every response, e.g. 200ms or 2s.") var latency: String?
    @Option(help: "Lifetime of access tokens, e.g. 3600s.") var tokenTtl = "3600s"
    @Option(help: "Insert this many generated jobs per second while serving (data changing under paging clients).") var churn: Double = 0
    @Flag(help: "Write every int64 as a string, as ByteNite's gRPC gateway does (default: JSON integers, as the seed contract types them).")
    var int64Strings = false

    func validate() throws {
        if data != nil, generate != nil { throw ValidationError("use either --data or --generate, not both") }
        if let generate, generate < 0 { throw ValidationError("--generate takes a count of 0 or more") }
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0 to 65535") }
        if !(0...1_000_000).contains(churn) { throw ValidationError("--churn takes jobs per second, 0 to 1000000") }
    }

    func run() async throws {
        var options = LocalService.Options()
        options.host = host
        options.port = port
        options.seed = seed
        options.apiKey = apiKey
        options.churn = churn
        options.int64Strings = int64Strings
        do {
            if let faults { options.faults = try FaultPlan.parse(faults) }
        } catch {
            throw ValidationError("--faults: \(error.message)")
        }
        if let latency {
            guard let duration = FaultPlan.parseDuration(latency) else { throw ValidationError("--latency takes a duration such as 300ms or 2s") }
            options.latency = duration
        }
        guard let ttl = FaultPlan.parseDuration(tokenTtl) else { throw ValidationError("--token-ttl takes a duration such as 3600s") }
        options.tokenLifetime = ttl

        var jobs: [JSONValue]
        if let generate {
            jobs = JobGenerator(seed: seed).jobs(count: generate)
        } else if let data {
            do {
                let loaded = try await ServedData.load(path: data)
                jobs = loaded.jobs
                if let first = loaded.dropped.first {
                    Terminal.note("\(loaded.dropped.count) number\(loaded.dropped.count == 1 ? "" : "s") the contract's JSON cannot carry (NaN, Infinity) left out, first: \(first)")
                }
            } catch {
                Terminal.error(error.message)
                throw ExitCode(BNQRunner.ExitStatus.usage)
            }
        } else {
            do {
                jobs = try DemoData.jobs(datedFor: Timestamp(secondsSince1970: Date().timeIntervalSince1970))
            } catch {
                Terminal.error(error.message)
                throw ExitCode(BNQRunner.ExitStatus.usage)
            }
        }
        let service: LocalService
        do {
            service = try await LocalService.start(store: JobStore(jobs: jobs), options: options)
        } catch {
            Terminal.error("cannot listen on \(host):\(port): \(error)")
            throw ExitCode(BNQRunner.ExitStatus.apiError)
        }
        FileHandle.standardOutput.write(Data((service.baseURL + "\n").utf8))
        if apiKey == nil {
            Terminal.note("serving \(jobs.count) jobs; no --api-key given, so any API key is accepted")
        } else {
            Terminal.note("serving \(jobs.count) jobs")
        }
        if churn > 0 { Terminal.note("inserting \(JSONWriter.formatDouble(churn)) generated jobs per second (--churn)") }
        try await withTaskCancellationHandler {
            try await service.wait()
        } onCancel: {
            Task { await service.stop() }
        }
    }
}

/// `bnq generate`: writes generated jobs as a JSON array (how examples/jobs.json is made).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write N generated jobs as a JSON array to standard output.")

    @Argument(help: "How many jobs.") var count: Int
    @Option(help: "Seed.") var seed: UInt64 = 1

    func run() throws {
        let jobs = JobGenerator(seed: seed).jobs(count: count)
        print(JSONWriter.pretty(.array(jobs)))
    }
}
