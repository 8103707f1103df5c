import ArgumentParser
import BNQCore
import BNQLanguage
import BNQRender
import BNQRunner
import BNQService
import BNQShell
import ByteNiteClient
import Foundation

/// Runs statements: one-shot (`-c`), from a file, from standard input, or interactively.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run statements (the default command).",
        discussion: """
            With no credentials (BYTENITE_API_KEY unset and no --endpoint), bnq starts the built-in demo \
            service on a free loopback port and talks to it over HTTP. Exit status: 0 success, 1 query \
            error, 2 API or network error, 64 usage error.
            """,
        version: BNQ.version)

    @Option(name: .customShort("c"), help: "Run this statement and exit (repeatable).") var command: [String] = []
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Answer from this archive (a file `bnq sync` made), offline; env BNQ_ARCHIVE, config 'archive'.") var archive: String?
    @Option(name: .customShort("f"), help: "Run the statements in this file.") var file: String?
    @Argument(help: "A .bnq script to run (with --check: the scripts to check).") var scripts: [String] = []
    @Flag(help: "Parse and type-check the scripts without the network; report every error as FILE:LINE:COL.") var check = false
    @Option(help: "When a statement of a script fails: stop (default) or continue.") var onError: SessionSettings.OnError = .stop
    @Option(help: "Output format: table, expanded, json, ndjson, csv, markdown or chart.") var format: String?
    @Flag(name: .customLong("csv"), help: "Output csv (short for --format csv).") var csvFormat = false
    @Flag(name: .customLong("json"), help: "Output json (short for --format json).") var jsonFormat = false
    @Flag(name: .customLong("ndjson"), help: "Output ndjson (short for --format ndjson).") var ndjsonFormat = false
    @Flag(name: [.customShort("t"), .customLong("no-header")], help: "Tables and csv without their header line (rows only).") var noHeader = false
    @Flag(name: .customLong("csv-safe"), help: "In csv, prefix with ' any cell a spreadsheet would run as a formula (=, +, -, @).") var csvSafe = false
    @Option(name: .customLong("param"), help: "Set parameter $NAME (repeatable), as NAME=VALUE.") var parameters: [String] = []
    @Option(help: "Pin 'now' for every statement, e.g. 2026-01-31T12:00:00Z.") var now: String?
    @Flag(name: .customShort("X"), help: "Do not run the rc file (bnqrc) at start.") var noRC = false

    /// The format asked for by `--format` or one of its shortcuts.
    var chosenFormat: String? {
        format ?? (csvFormat ? "csv" : jsonFormat ? "json" : ndjsonFormat ? "ndjson" : nil)
    }

    func validate() throws {
        if [format != nil, csvFormat, jsonFormat, ndjsonFormat].filter({ $0 }).count > 1 {
            throw ValidationError("give one output format: --format, --csv, --json or --ndjson")
        }
        if let format, OutputFormat(rawValue: format) == nil {
            throw ValidationError("unknown format '\(format)'; use one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let now, Timestamp(rfc3339: now) == nil { throw ValidationError("--now takes a time such as 2026-01-31T12:00:00Z") }
        for parameter in parameters where !parameter.contains("=") { throw ValidationError("--param takes NAME=VALUE, not '\(parameter)'") }
        if file != nil, !scripts.isEmpty { throw ValidationError("give either -f FILE or a script, not both") }
        if !check, scripts.count > 1 { throw ValidationError("give one script to run (several only with --check)") }
        if check, scripts.isEmpty, file == nil { throw ValidationError("--check needs the scripts to check") }
    }

    func run() async throws {
        // Character widths as the terminal counts them (wcwidth) when the locale is UTF-8.
        setlocale(LC_CTYPE, "")
        let environment = ProcessInfo.processInfo.environment
        var user = UserConfiguration.load(environment: environment, profile: connection.profile ?? environment["BNQ_PROFILE"])
        var settings = SessionSettings()
        settings.onError = onError
        settings.csvFormulaGuard = csvSafe
        settings.format = (chosenFormat ?? user.format).flatMap(OutputFormat.init(rawValue:))
        settings.showsHeader = !noHeader
        settings.pageSize = connection.pageSize ?? user.pageSize ?? 500
        settings.timeZone = user.timeZone.flatMap(TimeZoneRule.named) ?? .utc
        settings.asciiCharts = Session.chartsNeedASCII(environment: environment)
        settings.prefetch = connection.prefetch
        settings.pinnedNow = now.flatMap { Timestamp(rfc3339: $0) }
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            settings.parameters[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }

        if check {
            // Where the configured key belongs, so that a script moving away from it is flagged.
            let keyConfigured = environment["BYTENITE_API_KEY"].map { !$0.isEmpty } ?? false || user.apiKey != nil || user.keyFile != nil
            let configuredEndpoint = (connection.endpoint ?? environment["BNQ_ENDPOINT"] ?? user.endpoint).flatMap(URL.init(string:)) ?? ClientConfiguration.defaultEndpoint
            throw ExitCode(Self.checkScripts(scripts + (file.map { [$0] } ?? []), settings: settings, keyOrigin: keyConfigured ? configuredEndpoint : nil))
        }

        let (endpoints, apiConnection) = try connection.resolve(
            environment: environment, user: &user, pageSize: settings.pageSize,
            now: settings.pinnedNow ?? Timestamp(secondsSince1970: Date().timeIntervalSince1970))
        // Nothing starts here: the client, its event loop or the demo service start with the first
        // statement that needs them. With an archive, statements read it and `.sync` fills it from the API.
        let archivePath = (archive ?? environment["BNQ_ARCHIVE"].flatMap { $0.isEmpty ? nil : $0 } ?? user.archive).map { UserConfiguration.expandTilde($0, environment: environment) }
        let connection = archivePath.map { ArchiveConnection.open(path: $0) } ?? apiConnection
        let session = Session(connection: connection, settings: settings, output: .standardOutput())
        session.connect = { target, fromFile in try endpoints.connect(target, fromFile: fromFile) }
        session.syncConnection = apiConnection
        session.reporter.colour = Reporter.colourSuits(environment: environment)

        var status = ExitStatus.success
        if !command.isEmpty {
            for statement in command {
                status = await session.run(statement)
                if status != ExitStatus.success { break }
            }
        } else if let path = file ?? scripts.first {
            do {
                // `bnq -` and `-f -`: the script is standard input.
                status = await session.run(try Session.readScript(path), fileName: Session.scriptName(path))
            } catch {
                Terminal.error(error.message)
                status = error.status
            }
        } else if isatty(STDIN_FILENO) == 1, environment["TERM"] != "dumb", isatty(STDOUT_FILENO) == 1 {
            let history: HistoryStore?
            do {
                history = try HistoryStore(path: HistoryStore.defaultPath(), warn: { Terminal.note("warning: " + $0) })
            } catch {
                Terminal.note("warning: history is off: \(error)")
                history = nil
            }
            if !noRC {
                let rc = UserConfiguration.folder(environment: environment) + "/bnqrc"
                if let data = FileManager.default.contents(atPath: rc) {
                    await session.run(String(decoding: data, as: UTF8.self), fileName: rc)
                    session.output.flush()
                }
            }
            if session.settings.maximumRows == nil { session.settings.maximumRows = 200 }
            // The prompt, .help and .history in colour; results never.
            session.settings.colour = (environment["NO_COLOR"] ?? "").isEmpty
            if let shell = InteractiveShell(session: session, history: history, editingMode: user.editingMode ?? "emacs") {
                status = await shell.run()
            } else {
                status = await InteractiveShell(plainLinesFor: session, showingPrompt: true).run()
            }
        } else if isatty(STDIN_FILENO) == 1 {
            // TERM=dumb, or output not a terminal: no line editor and no escape codes; a plain
            // prompt when the output is a terminal too.
            if session.settings.maximumRows == nil, isatty(STDOUT_FILENO) == 1 { session.settings.maximumRows = 200 }
            status = await InteractiveShell(plainLinesFor: session, showingPrompt: isatty(STDOUT_FILENO) == 1).run()
        } else {
            status = await session.run((try? Session.readScript("-")) ?? "", fileName: Session.scriptName("-"))
        }
        session.output.flush()
        await session.close()
        await endpoints.stop()
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// `--check`: every error of every script, without the network. Exit 1 when any.
    static func checkScripts(_ paths: [String], settings: SessionSettings, keyOrigin: URL?) -> Int32 {
        var status = ExitStatus.success
        var total = 0
        for path in paths {
            let text: String
            do {
                text = try Session.readScript(path)
            } catch {
                Terminal.error(error.message)
                status = ExitStatus.usage
                continue
            }
            let script = Script(text, fileName: Session.scriptName(path))
            var problems = script.check(settings.compileContext(now: Timestamp(seconds: 0)))
            if let keyOrigin {
                for case .command(.endpoint(let target), let range) in script.units {
                    if let problem = Endpoints.leavesKeyOrigin(target, keyOrigin: keyOrigin) { problems.append(Diagnostic("endpoint-origin", problem, at: range)) }
                }
                problems.sort { $0.range.start < $1.range.start }
            }
            let formatter = script.formatter
            for problem in problems {
                FileHandle.standardError.write(Data((TerminalText.escapeLines(formatter.format(problem, compact: true)) + "\n").utf8))
            }
            total += problems.count
            if !problems.isEmpty, status == ExitStatus.success { status = ExitStatus.queryError }
        }
        if total > 0 { FileHandle.standardError.write(Data("\(total) error\(total == 1 ? "" : "s")\n".utf8)) }
        return status
    }
}

extension SessionSettings.OnError: ExpressibleByArgument {}
