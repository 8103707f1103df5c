import BNQCore
import BNQLanguage
import BNQRender
import ByteNiteClient
import Foundation

/// Exit statuses, documented in the README.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// A statement failed to parse or type-check.
    public static let queryError: Int32 = 1
    /// The API or the network failed.
    public static let apiError: Int32 = 2
    /// Wrong command-line usage, or a file that cannot be read.
    public static let usage: Int32 = 64
}

/// Settings of a session that statements read.
public struct SessionSettings: Sendable {
    /// The format; nil picks a table on a terminal and ndjson otherwise.
    public var format: OutputFormat?
    /// Jobs per request when paging.
    public var pageSize: Int64 = 500
    /// Pages requested ahead.
    public var prefetch = 2
    /// `$name` parameters.
    public var parameters: [String: String] = [:]
    /// Pins `now` for every statement (`--now`); nil uses the clock, once per statement.
    public var pinnedNow: Timestamp?
    /// The cap on table rows shown; nil for none.
    public var maximumRows: Int?
    public init() {}
}

/// Runs statements against one client and writes their results.
public final class Session: @unchecked Sendable {
    public let client: JobsClient
    public var settings: SessionSettings
    public let output: OutputSink
    public let messages: MessageSink

    public init(client: JobsClient, settings: SessionSettings, output: OutputSink, messages: MessageSink = .standardError) {
        self.client = client
        self.settings = settings
        self.output = output
        self.messages = messages
    }

    /// The format in effect.
    public var format: OutputFormat { settings.format ?? (output.isTerminal ? .table : .ndjson) }

    /// Runs every statement of `source`; stops at the first failure. Returns the exit status.
    @discardableResult
    public func run(_ source: String, fileName: String? = nil) async -> Int32 {
        let parsed = Parser.parse(source)
        let formatter = DiagnosticFormatter(source: source, fileName: fileName)
        // Report a syntax error before anything runs, so a script never half-runs on a typo.
        if let first = parsed.diagnostics.first {
            report(formatter.format(first))
            return ExitStatus.queryError
        }
        for (index, entry) in parsed.statements.enumerated() {
            if index > 0, parsed.statements.count > 1 { separate() }
            let status = await run(entry.statement, formatter: formatter)
            output.flush()
            if status != ExitStatus.success { return status }
        }
        return ExitStatus.success
    }

    /// Between results of several statements: a blank line in table-like output; nothing in
    /// streaming formats, where each statement's output stays valid on its own.
    func separate() {
        switch format {
        case .table, .expanded, .markdown: output.line()
        default: break
        }
    }

    func report(_ text: String) {
        messages.write(TerminalText.escapeLines(text) + "\n")
    }

    /// Runs one parsed statement.
    public func run(_ statement: Statement, formatter: DiagnosticFormatter) async -> Int32 {
        let now = settings.pinnedNow ?? Timestamp(secondsSince1970: Date().timeIntervalSince1970)
        let compiler = Compiler(context: CompileContext(now: now, parameters: settings.parameters, pageSize: settings.pageSize))
        let compiled: CompiledStatement
        switch compiler.compile(statement) {
        case .success(let value): compiled = value
        case .failure(let diagnostic):
            report(formatter.format(diagnostic))
            return ExitStatus.queryError
        }
        do {
            try await execute(compiled)
            return ExitStatus.success
        } catch let error as ByteNiteError {
            output.flush()
            report("error: " + error.message)
            return ExitStatus.apiError
        } catch is CancellationError {
            output.flush()
            report("cancelled")
            return ExitStatus.apiError
        } catch {
            output.flush()
            report("error: \(error)")
            return ExitStatus.apiError
        }
    }

    func execute(_ statement: CompiledStatement) async throws {
        switch statement {
        case .explain(let inner):
            output.line(TerminalText.escapeLines(Explanation.text(inner, basePath: client.configuration.endpoint.path)))
        case .job(let id):
            let detail = try await client.job(id: id)
            try writeJobDetail(detail)
        case .results(let id):
            let results = try await client.results(id: id)
            let writer = RowWriter(format: format, sink: output, headers: ["name", "link"])
            writer.begin()
            for result in results {
                writer.row(cells: [result.name, result.link], json: ["name": .string(result.name), "link": .string(result.link)])
            }
            writer.finish(note: "\(results.count) result\(results.count == 1 ? "" : "s")")
        case .jobs(let plan):
            try await JobsExecution(session: self, plan: plan).run()
        }
    }

    func writeJobDetail(_ detail: JobDetail) throws {
        switch format {
        case .json, .ndjson:
            output.line(JSONWriter.compact(detail.job))
        default:
            var rows: [[String]] = []
            for field in JobSchema.fields where !field.path.contains(".") || field.type != .object {
                if field.type == .object { continue }
                guard let raw = detail.job.value(atPath: field.path) else { continue }
                rows.append([field.path, CellText.text(raw, type: field.type)])
            }
            let known = Set(JobSchema.fields.map { $0.path.split(separator: ".").first.map(String.init) ?? $0.path })
            for member in detail.job.objectValue ?? JSONObject() where !known.contains(member.key) {
                rows.append([member.key, CellText.plain(member.value)])
            }
            let writer = RowWriter(format: format == .table ? .expanded : format, sink: output, headers: rows.map { $0[0] })
            writer.begin()
            writer.row(cells: rows.map { $0[1] }, json: detail.job)
            writer.finish(note: nil)
        }
    }
}
