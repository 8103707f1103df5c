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
        case .quit: quitRequested = true
        case .show: showSettings()
        case .help(let topic): output.line(HelpText.text(topic: topic))
        case .history: throw RunError(".history is available in the interactive shell")
        case .endpoint(let url): try await switchTo(url, fromFile: fromFile)
        case .demo: try await switchTo(nil, fromFile: fromFile)
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
            return await run(Script(text, fileName: path))
        case .watch(let watch):
            return await Watch(session: self, command: watch).run()
        }
        return ExitStatus.success
    }

    /// A file's text, or a usage error that says why it cannot be read.
    public static func readScript(_ path: String) throws(RunError) -> String {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw RunError.usage("cannot read \(path): \(Self.reason(error))")
        }
    }

    /// The reason of a file error in a few words (`no such file`, `permission denied`).
    static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let code = underlying?.code, underlying?.domain == NSPOSIXErrorDomain, let text = strerror(Int32(code)) {
            return String(cString: text).lowercased()
        }
        switch (error as NSError).code {
        case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        default: return (error as NSError).localizedDescription
        }
    }

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
            "credentials: \(connection.hasCredentials ? "API key set (not shown)" : "none")",
        ]
        for name in settings.parameters.keys.sorted() {
            let value = SessionSettings.looksSecret(name) ? "•••••• (hidden)" : settings.parameters[name] ?? ""
            lines.append("$\(name) = \(value)")
        }
        output.line(TerminalText.escapeLines(lines.joined(separator: "\n")))
    }
}
