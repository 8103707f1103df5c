import BNQCore
import BNQLanguage
import BNQRender
import ByteNiteClient
import Foundation

/// Runs scripts — statements and dot-commands — against one connection and writes their results.
///
/// Everything runs as a `Script`: `-c` text, files, standard input and each shell entry. A script
/// is checked whole before anything is sent (syntax, names, types, parameters), so a typo on line
/// 40 never leaves lines 1–39 half-run; then its units run in order. Errors go to the `Reporter`,
/// the one place that prints them and decides the exit status.
///
/// A session is used by one task at a time (the shell runs one statement, then reads the next
/// line), which is why it can be handed to the task that runs a statement.
public final class Session: @unchecked Sendable {
    /// The endpoint statements go to (`.endpoint` and `.demo` change it).
    public internal(set) var connection: Connection
    /// Makes the connection for `.endpoint URL`, or for `.demo` when given nil; the flag says the
    /// command came from a file (a script or rc file) rather than from a person. Set by the executable.
    public var connect: (@Sendable (String?, Bool) async throws -> Connection)?
    public var settings: SessionSettings
    /// Where results go now (`.output` changes it).
    public var output: OutputSink
    /// Standard output, whatever `.output` chose.
    public let standardOutput: OutputSink
    /// What the last statement in the shell showed, for `.last` (kept by the interactive shell).
    public var lastResult: [UInt8]?
    var onceOutput: OutputSink?
    /// Prints errors and notes, and decides exit statuses.
    public let reporter: Reporter
    /// Set by `.quit`.
    public internal(set) var quitRequested = false
    /// Ids of jobs seen in results, for completion in the shell.
    public private(set) var seenJobIDs: [String] = []
    /// The kept history as records, for `history` statements (set by the interactive shell).
    public var historySource: (@Sendable () throws -> [JSONValue])?
    /// The API connection `.sync` fills the archive from (the configured endpoint, or the demo).
    public var syncConnection: Connection?
    /// Rows written by all statements so far.
    public private(set) var rowsWritten = 0
    /// How many `.read` files are open inside each other.
    var includeDepth = 0

    public init(connection: Connection, settings: SessionSettings, output: OutputSink, messages: MessageSink = .standardError) {
        self.connection = connection
        self.settings = settings
        self.output = output
        self.standardOutput = output
        self.reporter = Reporter(messages: messages)
    }

    /// A session on the API through `client`.
    public convenience init(client: JobsClient, settings: SessionSettings, output: OutputSink, messages: MessageSink = .standardError) {
        let source = APIJobSource(client: client, pageSize: settings.pageSize, prefetch: settings.prefetch)
        let connection = Connection(source: source, description: client.configuration.endpoint.absoluteString, basePath: client.configuration.endpoint.path)
        self.init(connection: connection, settings: settings, output: output, messages: messages)
    }

    /// What the prompt calls the endpoint.
    public var promptName: String { connection.promptName }
    /// The endpoint, as `.show` and the history describe it.
    public var endpointDescription: String { connection.description }
    /// The first line of the last error reported.
    public var lastError: String? { reporter.lastError }

    /// The format in effect.
    public var format: OutputFormat {
        let base = settings.format ?? (output.isTerminal ? .table : .ndjson)
        if base == .table, settings.expanded == .on { return .expanded }
        return base
    }

    /// Writes a message for people on the message stream (standard error), escaped.
    public func tell(_ text: String) { reporter.note(text) }

    /// The source, opened on first use (its note, such as the demo service's address, shown then).
    func source() async throws -> any JobSource {
        let (source, note) = try await connection.source()
        if let note { reporter.note(note) }
        return source
    }

    /// Closes the connection.
    public func close() async { await connection.close() }

    // MARK: Scripts

    /// Runs a script: checks it whole, then runs its units in order. Returns the exit status.
    @discardableResult
    public func run(_ text: String, fileName: String? = nil) async -> Int32 {
        await run(Script(text, fileName: fileName))
    }

    /// Runs a parsed script. Returns the exit status.
    @discardableResult
    public func run(_ script: Script) async -> Int32 {
        let problems = script.check(settings.compileContext(now: Timestamp(seconds: 0)))
        if !problems.isEmpty { return reporter.report(problems, in: script, interactive: script.fileName == nil) }
        var status = ExitStatus.success
        var printedBefore = false
        for unit in script.units {
            if quitRequested { break }
            let unitStatus: Int32
            switch unit {
            case .command(let command, let range):
                unitStatus = await run(command, place: Reporter.place(of: range.start, in: script), fromFile: script.fileName != nil)
            case .statement(let statement, let range):
                if printedBefore { separate() }
                unitStatus = await run(statement, in: script, at: range)
                printedBefore = true
                output.flush()
            }
            if unitStatus != ExitStatus.success {
                if status == ExitStatus.success { status = unitStatus }
                // Output that cannot be written ends the script, whatever --on-error says.
                if settings.onError == .stop || output.failure != nil { return unitStatus }
            }
        }
        return status
    }

    /// Between results of several statements: a blank line in table-like output and csv;
    /// nothing in json (one array per statement, one per line) and ndjson.
    func separate() {
        switch format {
        case .table, .expanded, .markdown, .csv, .chart: output.line()
        case .json, .ndjson: break
        }
    }

    /// Compiles a statement with `now` fixed for it, or reports why it cannot be.
    func compile(_ statement: Statement, in script: Script) -> CompiledStatement? {
        switch Compiler(context: settings.compileContext(now: Timestamp(secondsSince1970: Date().timeIntervalSince1970))).compile(statement) {
        case .success(let value): return value
        case .failure(let diagnostic):
            reporter.report(diagnostic, in: script)
            return nil
        }
    }

    /// Runs one statement of `script`; returns its exit status.
    func run(_ statement: Statement, in script: Script, at range: SourceRange) async -> Int32 {
        guard let compiled = compile(statement, in: script) else { return ExitStatus.queryError }
        let started = ContinuousClock.now
        let before = connection.activity
        defer {
            if let once = onceOutput {
                once.flush()
                output = standardOutput
                onceOutput = nil
            }
        }
        let progress = ProgressLine.start(for: self)
        do {
            let rows = try await execute(compiled)
            progress?.stop()
            output.flush()
            try output.check()
            rowsWritten += rows
            if settings.timing {
                let after = connection.activity
                let requests = after.requests - before.requests
                let pages = after.pages - before.pages
                let milliseconds = (ContinuousClock.now - started).inSeconds * 1000
                output.flush()
                reporter.note("Time: \(CellText.number((milliseconds * 10).rounded() / 10)) ms, \(Self.counted(requests, "request")), \(Self.counted(pages, "page")), \(Self.counted(rows, "row"))")
            }
            return ExitStatus.success
        } catch {
            progress?.stop()
            output.flush()
            return reporter.report(error, place: Reporter.place(of: range.start, in: script))
        }
    }

    static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// Runs a compiled statement; returns the number of rows written.
    func execute(_ statement: CompiledStatement) async throws -> Int {
        switch statement {
        case .explain(let inner):
            // JSON when asked for (--json, .format json); the default into a pipe stays text.
            if settings.format == .json || settings.format == .ndjson {
                output.line(JSONWriter.compact(try await explanationJSON(inner)))
            } else {
                output.line(TerminalText.escapeLines(try await explanation(inner)))
            }
            return 0
        case .job(let id):
            let job: JSONValue
            do {
                job = try await source().job(id: id)
            } catch let error as ByteNiteError where error.kind == .notFound {
                // A short id: the full ids seen that start with it.
                let candidates = seenJobIDs.filter { $0.hasPrefix(id) && $0 != id }.suffix(5)
                guard !candidates.isEmpty else { throw error }
                throw RunError("no job has the id '\(id)'; did you mean \(candidates.map { "'\($0)'" }.joined(separator: " or "))?", status: ExitStatus.apiError)
            }
            remember([job])
            writeJobDetail(job)
            return 1
        case .results(let id):
            let results = try await source().results(id: id)
            let writer = makeWriter(headers: ["name", "link"])
            writer.begin()
            for result in results {
                writer.row(cells: [result.name, result.link], json: ["name": .string(result.name), "link": .string(result.link)])
            }
            writer.finish(note: Self.counted(results.count, "result"))
            return results.count
        case .jobs(let plan):
            let source = try await source()
            if plan.asOf != nil, !(source is ArchiveJobSource) { throw Self.needsArchive("'as of'") }
            return try await JobsExecution(session: self, source: source, plan: plan, defaultColumns: JobsExecution.jobColumns).run()
        case .syncs(let plan):
            let records = RecordsJobSource(records: try await archiveSource("syncs").archive.syncs().map(\.json))
            return try await JobsExecution(session: self, source: records, plan: plan, defaultColumns: JobsExecution.syncColumns).run()
        case .diff(let plan):
            return try await ArchiveDiffExecution(session: self, archive: try await archiveSource("diff").archive, plan: plan).run()
        case .history(let plan):
            guard let historySource else { throw RunError("history is kept by the interactive shell; there is none here") }
            let records = RecordsJobSource(records: try historySource())
            return try await JobsExecution(session: self, source: records, plan: plan, defaultColumns: JobsExecution.historyColumns).run()
        }
    }

    /// What `explain` prints: the archive's SQL when the source is an archive, else the requests.
    func explanation(_ statement: CompiledStatement) async throws -> String {
        if case .jobs(let plan) = statement, connection.isArchive, let text = try await source().explain(plan) { return text }
        return Explanation.text(statement, basePath: connection.basePath)
    }

    /// `explain` as JSON: the requests for the API; for an archive, the SQL it runs (`sql`).
    func explanationJSON(_ statement: CompiledStatement) async throws -> JSONValue {
        if case .jobs(let plan) = statement, connection.isArchive, let archive = try await source() as? ArchiveJobSource, let json = archive.explainJSON(plan) {
            return json
        }
        return Explanation.json(statement, basePath: connection.basePath)
    }

    /// The archive this session reads, or why a statement needs one.
    func archiveSource(_ statement: String) async throws -> ArchiveJobSource {
        guard connection.isArchive, let source = try await source() as? ArchiveJobSource else { throw Self.needsArchive("'\(statement)'") }
        return source
    }

    static func needsArchive(_ what: String) -> RunError {
        RunError("\(what) asks an archive: run with --archive FILE (or '.archive FILE' in the shell); `bnq sync` makes one")
    }

    func makeWriter(headers: [String], rightAligned: Set<Int> = [], format: OutputFormat? = nil) -> RowWriter {
        RowWriter(
            format: format ?? self.format, sink: output, headers: headers, rightAligned: rightAligned,
            maximumRows: settings.maximumRows, autoExpand: settings.expanded == .auto, formulaGuard: settings.csvFormulaGuard,
            showsHeader: settings.showsHeader, asciiCharts: settings.asciiCharts)
    }

    /// Whether charts must draw with `#`: `TERM=dumb`, or a locale that is not UTF-8 (from
    /// `LC_ALL`, `LC_CTYPE` or `LANG`, the first set).
    public static func chartsNeedASCII(environment: [String: String]) -> Bool {
        if environment["TERM"] == "dumb" { return true }
        let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]].compactMap { $0 }.first { !$0.isEmpty } ?? "C"
        let lower = locale.lowercased()
        return !(lower.contains("utf-8") || lower.contains("utf8"))
    }

    /// Keeps job ids for completion (the most recent 500).
    func remember(_ jobs: [JSONValue]) {
        for job in jobs { if let id = job["id"]?.stringValue, !seenJobIDs.contains(id) { seenJobIDs.append(id) } }
        if seenJobIDs.count > 500 { seenJobIDs.removeFirst(seenJobIDs.count - 500) }
    }

    /// `job ID`: the whole job, one field a line (json and ndjson: the job object).
    func writeJobDetail(_ job: JSONValue) {
        if format == .json || format == .ndjson {
            output.line(JSONWriter.compact(job))
            return
        }
        let rows = CellText.detailRows(of: job, zone: settings.timeZone)
        let writer = makeWriter(headers: rows.map(\.field), format: format == .table ? .expanded : format)
        writer.begin()
        writer.row(cells: rows.map(\.text), json: job)
        writer.finish(note: nil)
    }
}
