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
    public var prefetch = 3
    /// `$name` parameters.
    public var parameters: [String: String] = [:]
    /// Pins `now` for every statement (`--now`); nil uses the clock, once per statement.
    public var pinnedNow: Timestamp?
    /// The cap on table rows shown; nil for none.
    public var maximumRows: Int?
    /// `.expanded`: on, off, or auto (expanded when a table is wider than the terminal).
    public var expanded: DotCommand.Switch = .off
    /// `.timing`: print time, requests, pages and rows after each statement.
    public var timing = false
    /// What to do when a statement of a script fails.
    public var onError: OnError = .stop
    public init() {}

    public enum OnError: String, Sendable, CaseIterable { case stop, `continue` }
}

/// Why a watched statement ended: the final states decide the exit status.
public enum WatchOutcome: Sendable { case allComplete, someFailed, stoppedOther }

/// Runs statements and dot-commands against one client and writes their results.
///
/// Everything runs as a script: `-c` text, files, standard input and each shell entry. A script is
/// checked whole before anything is sent (syntax, names, types, parameters), so a typo on line 40
/// never leaves lines 1–39 half-run; then its units run in order.
public final class Session: @unchecked Sendable {
    public private(set) var client: JobsClient
    /// What the prompt calls the endpoint (`demo`, `api.bytenite.com`).
    public var promptName = "bnq"
    /// Switches to another endpoint (`.endpoint URL`) or to the demo service (`.demo`, nil):
    /// gives the new client, the endpoint's description and its prompt name. Set by the executable.
    public var switchEndpoint: (@Sendable (String?) async -> Result<(JobsClient, String, String), DotCommandError>)?
    public var settings: SessionSettings
    /// Where results go now (`.output` changes it).
    public var output: OutputSink
    private let standardOutput: OutputSink
    private var onceOutput: OutputSink?
    public let messages: MessageSink
    /// Set by `.quit`.
    public private(set) var quitRequested = false
    /// Ids of jobs seen in results, for completion in the shell.
    public private(set) var seenJobIDs: [String] = []
    /// The kept history as records, for `history` statements (set by the interactive shell).
    public var historySource: (@Sendable () throws -> [JSONValue])?
    /// Rows written by all statements so far.
    public private(set) var rowsWritten = 0
    /// The first line of the last error reported.
    public private(set) var lastError: String?
    /// A description of the endpoint for `.show`.
    public var endpointDescription: String

    public init(client: JobsClient, settings: SessionSettings, output: OutputSink, messages: MessageSink = .standardError, endpointDescription: String? = nil) {
        self.client = client
        self.settings = settings
        self.output = output
        self.standardOutput = output
        self.messages = messages
        self.endpointDescription = endpointDescription ?? client.configuration.endpoint.absoluteString
    }

    /// The format in effect.
    public var format: OutputFormat {
        let base = settings.format ?? (output.isTerminal ? .table : .ndjson)
        if base == .table, settings.expanded == .on { return .expanded }
        return base
    }

    func report(_ text: String) {
        lastError = text.split(separator: "\n").first.map(String.init)
        messages.write(TerminalText.escapeLines(text) + "\n")
    }

    /// Writes a message for people on the message stream (standard error), escaped.
    public func tell(_ text: String) { note(text) }

    func note(_ text: String) {
        messages.write(TerminalText.escapeLines(text) + "\n")
    }

    // MARK: Scripts

    /// Checks a whole script without the network: every error, as `FILE:LINE:COL: error: …`
    /// with the line and a caret. Empty when the script is fine.
    public func check(_ source: String, fileName: String?) -> [String] {
        Self.check(source, fileName: fileName, settings: settings)
    }

    /// Checks a script with the given settings (parameters, pinned now); no client needed.
    public static func check(_ source: String, fileName: String?, settings: SessionSettings) -> [String] {
        var parameters = settings.parameters
        var problems: [String] = []
        let formatter = DiagnosticFormatter(source: source, fileName: fileName)
        for unit in ScriptSplitter.split(source) {
            switch unit.kind {
            case .dotCommand:
                switch DotCommand.parse(unit.text) {
                case .success(.set(let name, let value)): parameters[name] = value
                case .success(.unset(let name)): parameters[name] = nil
                case .success: break
                case .failure(let error):
                    let location = formatter.location(of: unit.offset)
                    problems.append("\(fileName.map { $0 + ":" } ?? "")\(location.line):\(location.column): error: \(error.message)")
                }
            case .statement:
                let parsed = Parser.parse(unit.text)
                for diagnostic in parsed.diagnostics {
                    problems.append(formatter.format(shifted(diagnostic, by: unit.offset), compact: true))
                }
                let compiler = Compiler(context: CompileContext(now: settings.pinnedNow ?? Timestamp(seconds: 0), parameters: parameters, pageSize: settings.pageSize))
                for (statement, _) in parsed.statements {
                    if case .failure(let diagnostic) = compiler.compile(statement) {
                        problems.append(formatter.format(shifted(diagnostic, by: unit.offset), compact: true))
                    }
                }
            }
        }
        return problems
    }

    static func shifted(_ diagnostic: Diagnostic, by offset: Int) -> Diagnostic {
        var copy = diagnostic
        copy.range = SourceRange(diagnostic.range.start + offset, diagnostic.range.end + offset)
        return copy
    }

    /// Runs a script: checks it whole, then runs its units in order. Returns the exit status.
    @discardableResult
    public func run(_ source: String, fileName: String? = nil) async -> Int32 {
        let problems = check(source, fileName: fileName)
        if let first = problems.first {
            // The first error in full; the count of the rest.
            report(fileName == nil ? Self.interactiveForm(first) : first)
            if problems.count > 1 { note("(\(problems.count - 1) more error\(problems.count == 2 ? "" : "s"); bnq --check lists them all)") }
            return ExitStatus.queryError
        }
        let formatter = DiagnosticFormatter(source: source, fileName: fileName)
        var status = ExitStatus.success
        var printedBefore = false
        for unit in ScriptSplitter.split(source) {
            if quitRequested { break }
            let unitStatus: Int32
            switch unit.kind {
            case .dotCommand:
                unitStatus = await runDotCommand(unit.text, location: fileName.map { "\($0):\(unit.line):\(formatter.location(of: unit.offset).column): " } ?? "")
            case .statement:
                var worst = ExitStatus.success
                for (statement, range) in Parser.parse(unit.text).statements {
                    if printedBefore { separate() }
                    let place = fileName.map { name -> String in
                        let location = formatter.location(of: unit.offset + range.start)
                        return "\(name):\(location.line):\(location.column): "
                    } ?? ""
                    let result = await run(statement, formatter: DiagnosticFormatter(source: unit.text), place: place)
                    printedBefore = true
                    output.flush()
                    if result != ExitStatus.success {
                        worst = result
                        if settings.onError == .stop { break }
                    }
                }
                unitStatus = worst
            }
            if unitStatus != ExitStatus.success {
                if status == ExitStatus.success { status = unitStatus }
                if settings.onError == .stop { return unitStatus }
            }
        }
        return status
    }

    /// In the shell, a compact `LINE:COL: error:` diagnostic reads better as the full form.
    static func interactiveForm(_ compact: String) -> String {
        guard let range = compact.range(of: ": error: ") else { return compact }
        let place = compact[..<range.lowerBound]
        let rest = compact[range.upperBound...]
        var lines = rest.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[0] = "error: " + lines[0] + "\n --> " + place
        return lines.joined(separator: "\n")
    }

    /// Between results of several statements: a blank line in table-like output and csv;
    /// nothing in json (one array per statement, one per line) and ndjson.
    func separate() {
        switch format {
        case .table, .expanded, .markdown, .csv: output.line()
        default: break
        }
    }

    /// Runs one parsed statement.
    public func run(_ statement: Statement, formatter: DiagnosticFormatter, place: String = "") async -> Int32 {
        let now = settings.pinnedNow ?? Timestamp(secondsSince1970: Date().timeIntervalSince1970)
        let compiler = Compiler(context: CompileContext(now: now, parameters: settings.parameters, pageSize: settings.pageSize))
        let compiled: CompiledStatement
        switch compiler.compile(statement) {
        case .success(let value): compiled = value
        case .failure(let diagnostic):
            report(formatter.format(diagnostic))
            return ExitStatus.queryError
        }
        let started = ContinuousClock.now
        let before = client.statistics.snapshot
        defer {
            if let once = onceOutput {
                once.flush()
                output = standardOutput
                onceOutput = nil
            }
        }
        do {
            let rows = try await execute(compiled)
            rowsWritten += rows
            if settings.timing {
                let after = client.statistics.snapshot
                let milliseconds = (ContinuousClock.now - started).inSeconds * 1000
                note("Time: \(CellText.number((milliseconds * 10).rounded() / 10)) ms, \(after.requests - before.requests) request\(after.requests - before.requests == 1 ? "" : "s"), \(after.pages - before.pages) page\(after.pages - before.pages == 1 ? "" : "s"), \(rows) row\(rows == 1 ? "" : "s")")
            }
            return ExitStatus.success
        } catch let error as ByteNiteError {
            output.flush()
            report(place + "error: " + error.message)
            return ExitStatus.apiError
        } catch is CancellationError {
            output.flush()
            report(place + "cancelled")
            return ExitStatus.apiError
        } catch let error as SessionError {
            output.flush()
            report(place + "error: " + error.message)
            return ExitStatus.queryError
        } catch {
            output.flush()
            report(place + "error: \(error)")
            return ExitStatus.apiError
        }
    }

    /// Runs a compiled statement; returns the number of rows written.
    func execute(_ statement: CompiledStatement) async throws -> Int {
        switch statement {
        case .explain(let inner):
            output.line(TerminalText.escapeLines(Explanation.text(inner, basePath: client.configuration.endpoint.path)))
            return 0
        case .job(let id):
            let detail = try await client.job(id: id)
            remember([detail.job])
            writeJobDetail(detail)
            return 1
        case .results(let id):
            let results = try await client.results(id: id)
            let writer = makeWriter(headers: ["name", "link"])
            writer.begin()
            for result in results {
                writer.row(cells: [result.name, result.link], json: ["name": .string(result.name), "link": .string(result.link)])
            }
            writer.finish(note: "\(results.count) result\(results.count == 1 ? "" : "s")")
            return results.count
        case .jobs(let plan):
            return try await JobsExecution(session: self, plan: plan).run()
        case .history(let plan):
            guard let historySource else { throw SessionError("history is kept by the interactive shell; there is none here") }
            return try await JobsExecution(session: self, plan: plan, localRecords: try historySource()).run()
        }
    }

    func makeWriter(headers: [String], rightAligned: Set<Int> = [], format: OutputFormat? = nil) -> RowWriter {
        RowWriter(
            format: format ?? self.format, sink: output, headers: headers, rightAligned: rightAligned,
            maximumRows: settings.maximumRows, autoExpand: settings.expanded == .auto)
    }

    /// Keeps job ids for completion (the most recent 500).
    func remember(_ jobs: [JSONValue]) {
        for job in jobs { if let id = job["id"]?.stringValue, !seenJobIDs.contains(id) { seenJobIDs.append(id) } }
        if seenJobIDs.count > 500 { seenJobIDs.removeFirst(seenJobIDs.count - 500) }
    }

    func writeJobDetail(_ detail: JobDetail) {
        switch format {
        case .json, .ndjson:
            output.line(JSONWriter.compact(detail.job))
        default:
            var rows: [[String]] = []
            for field in JobSchema.fields where field.type != .object {
                guard let raw = detail.job.value(atPath: field.path) else { continue }
                rows.append([field.path, CellText.text(raw, type: field.type)])
            }
            let known = Set(JobSchema.fields.map { $0.path.split(separator: ".").first.map(String.init) ?? $0.path })
            for member in detail.job.objectValue ?? JSONObject() where !known.contains(member.key) {
                rows.append([member.key, CellText.plain(member.value)])
            }
            let writer = makeWriter(headers: rows.map { $0[0] }, format: format == .table ? .expanded : format)
            writer.begin()
            writer.row(cells: rows.map { $0[1] }, json: detail.job)
            writer.finish(note: nil)
        }
    }

    // MARK: Dot-commands

    /// Runs one dot-command line.
    public func runDotCommand(_ line: String, location: String = "") async -> Int32 {
        let command: DotCommand
        switch DotCommand.parse(line) {
        case .success(let parsed): command = parsed
        case .failure(let error):
            report(location + "error: " + error.message)
            return ExitStatus.queryError
        }
        switch command {
        case .set(let name, let value): settings.parameters[name] = value
        case .unset(let name): settings.parameters[name] = nil
        case .format(let format): settings.format = format
        case .expanded(let value): settings.expanded = value
        case .timing(let on): settings.timing = on
        case .maxRows(let count): settings.maximumRows = count
        case .quit: quitRequested = true
        case .show: showSettings()
        case .endpoint(let url): return await switchTo(url, location: location)
        case .demo: return await switchTo(nil, location: location)
        case .help(let topic): output.line(HelpText.text(topic: topic))
        case .output(let path):
            guard let path else {
                output.flush()
                output = standardOutput
                return ExitStatus.success
            }
            guard let sink = OutputSink.file(path) else {
                report(location + "error: cannot write to \(path)")
                return ExitStatus.usage
            }
            output.flush()
            output = sink
        case .once(let path):
            guard let sink = OutputSink.file(path) else {
                report(location + "error: cannot write to \(path)")
                return ExitStatus.usage
            }
            onceOutput = sink
            output = sink
        case .read(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                report(location + "error: cannot read \(path)")
                return ExitStatus.usage
            }
            return await run(String(decoding: data, as: UTF8.self), fileName: path)
        case .watch(let every, let statement, let until):
            return await Watch(session: self, every: every, statementText: statement, untilText: until).run()
        }
        return ExitStatus.success
    }

    func switchTo(_ url: String?, location: String) async -> Int32 {
        guard let switchEndpoint else {
            report(location + "error: the endpoint cannot be changed here")
            return ExitStatus.usage
        }
        switch await switchEndpoint(url) {
        case .success(let (newClient, description, name)):
            let old = client
            client = newClient
            endpointDescription = description
            promptName = name
            await old.shutdown()
            note("now talking to \(description)")
            return ExitStatus.success
        case .failure(let error):
            report(location + "error: " + error.message)
            return ExitStatus.usage
        }
    }

    func showSettings() {
        var lines = [
            "endpoint:   \(endpointDescription)",
            "format:     \(settings.format?.rawValue ?? "auto (\(format.rawValue))")",
            "expanded:   \(settings.expanded.rawValue)",
            "timing:     \(settings.timing ? "on" : "off")",
            "maxrows:    \(settings.maximumRows.map(String.init) ?? "off")",
            "page size:  \(settings.pageSize)",
            "now:        \(settings.pinnedNow?.rfc3339 ?? "the clock, fixed per statement")",
            "on error:   \(settings.onError.rawValue)",
            "credentials: \(client.configuration.apiKey == nil ? "none" : "API key set (not shown)")",
        ]
        for name in settings.parameters.keys.sorted() { lines.append("$\(name) = \(settings.parameters[name]!)") }
        output.line(TerminalText.escapeLines(lines.joined(separator: "\n")))
    }
}

/// A statement that cannot run here, with a message for people.
struct SessionError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
