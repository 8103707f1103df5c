import BNQArchive
import BNQCore
import BNQLanguage
import BNQRender
import Foundation

/// The dot-commands, run against the session's settings, output and connection.
extension Session {
    /// `.read` files may include each other this deep (a file that reads itself stops here).
    static let maximumIncludeDepth = 16

    /// Runs one parsed dot-command; `place` is `FILE:LINE:COL: ` in a file. Returns the exit status.
    func run(_ command: DotCommand, place: String, fromFile: Bool) async -> Int32 {
        do {
            return try await perform(command, fromFile: fromFile)
        } catch {
            return reporter.report(error, place: place)
        }
    }

    func perform(_ command: DotCommand, fromFile: Bool) async throws -> Int32 {
        switch command {
        case .set(let name, let value): settings.parameters[name] = value
        case .param(let name, let value): if settings.parameters[name] == nil { settings.parameters[name] = value }
        case .unset(let name): settings.parameters[name] = nil
        case .format(let format): settings.format = format
        case .expanded(let value): settings.expanded = value
        case .timing(let on): settings.timing = on
        case .maxRows(let count): settings.maximumRows = count
        case .nullValue(let text): settings.nullValue = text
        case .quit: quitRequested = true
        case .show: showSettings()
        case .pager(let value): settings.pager = value
        case .timeZone(let name):
            guard let zone = TimeZoneRule.named(name) else {
                throw RunError.usage("unknown time zone '\(name)'; use local, UTC or a name such as Europe/Berlin")
            }
            settings.timeZone = zone
        case .last:
            guard let lastResult else { throw RunError("no result to show again yet") }
            output.write(bytes: lastResult)
        case .edit: throw RunError(".edit is available in the interactive shell")
        case .help(let topic):
            // Broken at spaces to fit a terminal (a pipe or a file gets the lines whole).
            let help = HelpText.text(topic: topic)
            let text = output.width.map { TerminalText.wrap(help, to: $0) } ?? help
            output.line(settings.colour ? Self.painted(help: text) : text)
        case .history: throw RunError(".history is available in the interactive shell")
        case .endpoint(let url): try await switchTo(url, fromFile: fromFile)
        case .demo: try await switchTo(nil, fromFile: fromFile)
        case .archive(let path): try await useArchive(path)
        case .sync(let full): try await syncArchive(full: full)
        case .output(let path):
            output.flush()
            guard let path else {
                output = standardOutput
                return ExitStatus.success
            }
            output = try Self.fileSink(path)
        case .once(let path):
            let sink = try Self.fileSink(path)
            onceOutput = sink
            output = sink
        case .read(let path):
            guard includeDepth < Self.maximumIncludeDepth else {
                throw RunError("'.read \(path)': files read each other more than \(Self.maximumIncludeDepth) deep", status: ExitStatus.usage)
            }
            let text = try Self.readScript(path)
            includeDepth += 1
            defer { includeDepth -= 1 }
            return await run(Script(text, fileName: Self.scriptName(path)))
        case .watch(let watch):
            return await Watch(session: self, command: watch).run()
        }
        return ExitStatus.success
    }

    /// A file's text (`-`: standard input), or a usage error that says why it cannot be read
    /// (`cannot read nosuch.bnq: no such file or directory`).
    public static func readScript(_ path: String) throws(RunError) -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RunError.usage("cannot read \(path): \(Self.reason(errno))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        } catch {
            var info = stat()
            let reason = fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR ? "it is a folder" : "\(error.localizedDescription)"
            throw RunError.usage("cannot read \(path): \(reason)")
        }
    }

    /// How a script path is named in messages: `-` is `<stdin>`.
    public static func scriptName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// An errno in a few words, as people read them (`no such file or directory`).
    static func reason(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }

    static func fileSink(_ path: String) throws(RunError) -> OutputSink {
        guard let sink = OutputSink.file(path) else { throw RunError.usage("cannot write to \(path)") }
        return sink
    }

    func switchTo(_ url: String?, fromFile: Bool) async throws {
        guard let connect else { throw RunError.usage("the endpoint cannot be changed here") }
        let next = try await connect(url, fromFile)
        let old = connection
        connection = next
        await old.close()
        reporter.note("now talking to \(next.description)" + (next.hasCredentials ? "" : " (no credentials)"))
    }

    /// `.archive FILE` reads the archive from now on; `.archive` goes back to the API.
    func useArchive(_ path: String?) async throws {
        let next: Connection
        if let path {
            let expanded = UserConfiguration.expandTilde(path, environment: ProcessInfo.processInfo.environment)
            next = ArchiveConnection.open(path: expanded)
            // Opened now, so that a wrong file is said here rather than at the next statement.
            _ = try await next.source()
        } else {
            guard let api = syncConnection else { throw RunError("no API to go back to here") }
            next = api
        }
        let old = connection
        connection = next
        if old !== syncConnection { await old.close() }
        reporter.note("now asking \(next.description)" + (next.isArchive ? " (offline; .sync brings it up to date)" : ""))
    }

    /// `.sync`: the archive in use, brought up to date from the API it mirrors.
    func syncArchive(full: Bool) async throws {
        // The session reads the archive without a writer; the sync opens one of its own.
        let archive = try Archive(path: try await archiveSource(".sync").archive.path, create: false)
        guard let api = syncConnection else { throw RunError("no API to sync from here") }
        let opened = try await api.source()
        if let note = opened.note { reporter.note(note) }
        var syncer = ArchiveSyncer(source: opened.source, archive: archive, endpoint: api.identity)
        syncer.full = full
        syncer.pageSize = settings.pageSize
        let reporter = reporter
        syncer.warn = { reporter.note($0) }
        reporter.note(try await syncer.runShowingProgress().summary)
    }

    /// Help with colour: command names, and the keywords of statement lines.
    static func painted(help text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { piece in
            let line = String(piece)
            let trimmed = line.drop(while: { $0 == " " })
            // Entries start two columns in; a line broken to fit the terminal goes on further in.
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return TerminalText.escape(line) }
            if trimmed.hasPrefix(".") {
                let name = String(trimmed.prefix(while: { !$0.isWhitespace }))
                return "  " + TerminalStyle.paint(name, .command) + TerminalText.escape(String(trimmed.dropFirst(name.count)))
            }
            let word = trimmed.prefix(while: { $0.isLetter }).lowercased()
            guard Vocabulary.statementKeywords.contains(word) else { return TerminalText.escape(line) }
            return Self.highlighted(line)
        }.joined(separator: "\n")
    }

    /// A statement escaped, with its keywords and literal values in colour (`.help`, `.history`).
    public static func highlighted(_ statement: String) -> String {
        TerminalStyle.paint(statement, spans: Highlighting.spans(in: statement).map { span in
            (span.range.start, span.range.end, span.kind == .keyword ? TerminalStyle.Style.keyword : .literal)
        })
    }

    func showSettings() {
        var lines = [
            "endpoint:   \(endpointDescription)",
            "format:     \(settings.format?.rawValue ?? "auto (\(format.rawValue))")",
            "expanded:   \(settings.expanded.rawValue)",
            "timing:     \(settings.timing ? "on" : "off")",
            "pager:      \(settings.pager.rawValue)",
            "time zone:  \(settings.timeZone.name)",
            "maxrows:    \(settings.maximumRows.map(String.init) ?? "off")",
            "page size:  \(settings.pageSize)",
            "now:        \(settings.pinnedNow?.rfc3339 ?? "the clock, fixed per statement")",
            "on error:   \(settings.onError.rawValue)",
            "credentials: \(connection.hasCredentials ? "API key set (not shown)" : "none")",
        ]
        for name in settings.parameters.keys.sorted() {
            let value = SessionSettings.looksSecret(name) ? "•••••• (hidden)" : settings.parameters[name] ?? ""
            lines.append("$\(name) = \(value)")
        }
        output.line(TerminalText.escapeLines(lines.joined(separator: "\n")))
    }
}
