import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import Testing

/// The shell as people use it, through a real pseudo-terminal: the pager and `.last`, `.edit`,
/// bracketed paste, Ctrl-Z and `fg`, completion of paths, colour, progress while watching.
@Suite(.serialized) struct ShellComfortTests {
    /// An executable shell script in `folder`.
    static func script(_ name: String, in folder: URL, _ body: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try ("#!/bin/sh\n" + body).write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url
    }

    static func read(_ url: URL) -> String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }

    @Test func tallResultsGoThroughThePagerAndLastShowsThemAgain() async throws {
        let home = TestData.temporaryDirectory()
        let paged = home.appendingPathComponent("paged.txt")
        // The pager keeps what it was given, then says it ran.
        let pager = try Self.script("pager", in: home, "{ cat; echo '<<end>>'; } >> '\(paged.path)'\necho PAGER-RAN\n")
        let terminal = try PseudoTerminal(arguments: ["-X"], home: home, extraEnvironment: ["PAGER": pager.path])
        #expect(await terminal.waitFor("bnq demo> "))
        func pages() -> [String] { Self.read(paged).components(separatedBy: "<<end>>\n").dropLast() }

        // 60 rows on a 40-line terminal: through the pager, not onto the screen.
        var mark = terminal.screen.count
        terminal.type("jobs select id limit 60\r")
        #expect(await terminal.waitFor("PAGER-RAN", after: mark))
        #expect(pages().count == 1)
        #expect(pages().first?.contains("(60 rows)") == true)
        #expect(pages().first?.split(separator: "\n").count == 63, "header, rule, 60 rows, footer")
        #expect(!terminal.screen.dropFirst(mark).contains("(60 rows)"))

        // A result that fits is shown directly (auto).
        mark = terminal.screen.count
        terminal.type("count\r")
        #expect(await terminal.waitFor("   300", after: mark))
        #expect(pages().count == 1)

        // .last: the previous result again, as it was — the count's, in the pager only when it must.
        mark = terminal.screen.count
        terminal.type(".pager on\r.last\r")
        #expect(await terminal.waitFor("PAGER-RAN", after: mark))
        #expect(pages().count == 2)
        #expect(pages().last?.contains("   300") == true)

        // .pager off: straight to the screen, whatever the height.
        mark = terminal.screen.count
        terminal.type(".pager off\rjobs select id limit 60\r")
        #expect(await terminal.waitFor("(60 rows)", after: mark))
        #expect(pages().count == 2)

        // An error is shown on the screen, and no pager starts for it.
        mark = terminal.screen.count
        terminal.type(".pager auto\rjobs where nosuch == 1\r")
        #expect(await terminal.waitFor("unknown field", after: mark))
        #expect(pages().count == 2)
        #expect(try await terminal.quit() == 0)
        #expect(terminal.terminalRestored)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/less")))
    func theDefaultPagerIsLessAndQuittingItGivesThePromptBack() async throws {
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: ["-X"], home: home, unsetting: ["PAGER", "LESS"])
        #expect(await terminal.waitFor("bnq demo> "))
        let mark = terminal.screen.count
        terminal.type("jobs select id limit 60\r")
        // less shows a screenful and waits; Space shows the rest, q leaves.
        #expect(await terminal.waitFor("-------", after: mark))
        try await Task.sleep(for: .seconds(1))
        #expect(!terminal.screen.dropFirst(mark).contains("(60 rows)"), "less showed everything at once")
        terminal.type(" ")
        #expect(await terminal.waitFor("(60 rows)", after: mark))
        terminal.type("q")
        #expect(await terminal.waitFor("bnq demo> ", after: mark))
        let after = terminal.screen.count
        terminal.type("count\r")
        #expect(await terminal.waitFor("   300", after: after))
        #expect(try await terminal.quit() == 0)
        #expect(terminal.terminalRestored)
    }

    @Test func noPagerWhenTheOutputIsNotATerminal() throws {
        let home = TestData.temporaryDirectory()
        let ran = home.appendingPathComponent("ran")
        let pager = try Self.script("pager", in: home, "touch '\(ran.path)'\ncat\n")
        let process = Process()
        process.executableURL = TestData.binary
        process.arguments = ["-c", "jobs select id limit 60", "--format", "table"]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        environment["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        environment["BYTENITE_API_KEY"] = nil
        environment["PAGER"] = pager.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.contains("(60 rows)"))
        #expect(!FileManager.default.fileExists(atPath: ran.path))
    }

    @Test func editOpensTheEditorOnTheStatementAndRunsWhatIsSaved() async throws {
        let home = TestData.temporaryDirectory()
        let before = home.appendingPathComponent("before.txt")
        // The editor keeps what it was given and saves another statement over it.
        let editor = try Self.script("editor", in: home, "cp \"$1\" '\(before.path)'\nprintf 'count\\n  where state == FAILED\\n' > \"$1\"\n")
        let terminal = try PseudoTerminal(arguments: ["-X"], home: home, extraEnvironment: ["EDITOR": editor.path, "VISUAL": ""])
        #expect(await terminal.waitFor("bnq demo> "))
        var mark = terminal.screen.count
        terminal.type("count where state == NEW\r")
        #expect(await terminal.waitFor("    13", after: mark))
        // \e with nothing typed: the last statement.
        mark = terminal.screen.count
        terminal.type("\\e\r")
        #expect(await terminal.waitFor("    61", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(Self.read(before) == "count where state == NEW\n")
        #expect(terminal.screen.dropFirst(mark).contains("  where state == FAILED"), "what runs is shown")
        // .edit in the middle of a statement: the lines typed so far.
        try await Task.sleep(for: .milliseconds(300))
        mark = terminal.screen.count
        terminal.type("count where\r")
        try await Task.sleep(for: .milliseconds(100))
        terminal.type("  state ==\r")
        #expect(await terminal.waitFor("...> ", after: mark))
        terminal.type(".edit\r")
        #expect(await terminal.waitFor("    61", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(Self.read(before) == "count where\n  state ==\n")
        // What ran is in history, as one line.
        try await Task.sleep(for: .milliseconds(300))
        mark = terminal.screen.count
        terminal.type("\u{1B}[A")
        #expect(await terminal.waitFor("count where state == FAILED", after: mark))
        terminal.type("\u{15}")
        try await Task.sleep(for: .milliseconds(200))
        terminal.type("\u{04}")
        #expect(await terminal.waitForExit() == 0)
        #expect(terminal.terminalRestored)
    }

    @Test func aBracketedPasteRunsWholeEvenWhenItArrivesInPieces() async throws {
        let terminal = try PseudoTerminal(arguments: ["-X"], home: TestData.temporaryDirectory())
        #expect(await terminal.waitFor("bnq demo> "))
        // The terminal is asked for bracketed paste while a line is read.
        #expect(terminal.raw.contains("\u{1B}[?2004h"))
        // The first line is a whole statement on its own; the paste goes on after a pause.
        var mark = terminal.screen.count
        terminal.type("\u{1B}[200~jobs select id, name\r")
        try await Task.sleep(for: .milliseconds(600))
        terminal.type("  where state == FAILED\r  limit 2\r\u{1B}[201~")
        #expect(await terminal.waitFor("(2 rows)", after: mark), "\(terminal.screen.dropFirst(mark))")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!terminal.screen.dropFirst(mark).contains("more rows"), "the first line ran alone")
        #expect(!terminal.screen.dropFirst(mark).contains("error"))
        // A Tab inside a paste is white space, not completion.
        mark = terminal.screen.count
        terminal.type("\u{1B}[200~count where\tstate == FAILED\r\u{1B}[201~")
        #expect(await terminal.waitFor("    61", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(!terminal.screen.dropFirst(mark).contains("stateTimestamps"))
        // A paste without a line break waits for Enter.
        try await Task.sleep(for: .milliseconds(300))
        mark = terminal.screen.count
        terminal.type("\u{1B}[200~count\u{1B}[201~")
        try await Task.sleep(for: .milliseconds(700))
        #expect(!terminal.screen.dropFirst(mark).contains("300"))
        terminal.type("\r")
        #expect(await terminal.waitFor("   300", after: mark))
        #expect(try await terminal.quit() == 0)
        #expect(terminal.terminalRestored)
    }

    @Test func ctrlZGivesTheTerminalBackAndFgDrawsTheLineAgain() async throws {
        let home = TestData.temporaryDirectory()
        // Job control needs a shell that has it: bash, interactive, on the terminal.
        let terminal = try PseudoTerminal(
            arguments: [], home: home, extraEnvironment: ["PS1": "sh$ "], command: ["/bin/bash", "--norc", "--noprofile", "-i"])
        #expect(await terminal.waitFor("sh$ "))
        terminal.type("\(TestData.binary.path) -X\r")
        #expect(await terminal.waitFor("bnq demo> "))
        try await Task.sleep(for: .milliseconds(300))
        terminal.type("count wh")
        try await Task.sleep(for: .milliseconds(300))
        var mark = terminal.screen.count
        terminal.type("\u{1A}")
        #expect(await terminal.waitFor("Stopped", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(await terminal.waitFor("sh$ ", after: mark))
        // The terminal is back in the mode bnq found it in (canonical, echoing).
        mark = terminal.screen.count
        terminal.type("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ' '; echo\r")
        #expect(await terminal.waitFor("echo icanon", after: mark), "\(terminal.screen.dropFirst(mark))")
        mark = terminal.screen.count
        terminal.type("fg\r")
        #expect(await terminal.waitFor("bnq demo> count wh", after: mark), "\(terminal.screen.dropFirst(mark))")
        terminal.type("ere state == FAILED\r")
        #expect(await terminal.waitFor("    61", after: mark))
        try await Task.sleep(for: .milliseconds(300))
        terminal.type("\u{04}")
        #expect(await terminal.waitFor("sh$ ", after: mark))
        terminal.type("exit\r")
        #expect(await terminal.waitForExit() != nil)
    }

    @Test func completionKeepsFoldersOpenAndCountsCharacters() async throws {
        let home = TestData.temporaryDirectory()
        let reports = home.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try "count\n".write(to: reports.appendingPathComponent("a.bnq"), atomically: true, encoding: .utf8)
        try "count\n".write(to: reports.appendingPathComponent("b.bnq"), atomically: true, encoding: .utf8)
        try "count where state == FAILED\n".write(to: home.appendingPathComponent("日本語.bnq"), atomically: true, encoding: .utf8)
        let terminal = try PseudoTerminal(arguments: ["-X"], home: home)
        #expect(await terminal.waitFor("bnq demo> "))
        // A folder completes with its slash and no space, so the next Tab lists what is in it.
        var mark = terminal.screen.count
        terminal.type(".read \(home.path)/rep\t")
        #expect(await terminal.waitFor("\(home.path)/reports/", after: mark))
        terminal.type("\t")
        #expect(await terminal.waitFor("/reports/a.bnq", after: mark))
        #expect(await terminal.waitFor("/reports/b.bnq", after: mark))
        terminal.type("\u{15}")
        try await Task.sleep(for: .milliseconds(200))
        // A word with characters of several bytes is replaced by characters, not bytes.
        mark = terminal.screen.count
        terminal.type(".read \(home.path)/日本\t")
        #expect(await terminal.waitFor(".read \(home.path)/日本語.bnq", after: mark), "\(terminal.screen.dropFirst(mark))")
        terminal.type("\r")
        #expect(await terminal.waitFor("    61", after: mark), "\(terminal.screen.dropFirst(mark))")
        // A function completes to its parenthesis with no space, ready for its argument.
        try await Task.sleep(for: .milliseconds(300))
        mark = terminal.screen.count
        terminal.type("jobs select count, spark\t")
        #expect(await terminal.waitFor("jobs select count, sparkline(", after: mark))
        terminal.type("\t")
        #expect(await terminal.waitFor("jobs select count, sparkline(bin(", after: mark), "\(terminal.screen.dropFirst(mark))")
        terminal.type("createdAt, 1w))\r")
        #expect(await terminal.waitFor("(1 group)", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(try await terminal.quit() == 0)
    }

    @Test func colourOnATerminalAndNoneWithNoColor() async throws {
        let home = TestData.temporaryDirectory()
        do {
            let terminal = try PseudoTerminal(arguments: ["-X"], home: home)
            #expect(await terminal.waitFor("bnq demo> "))
            #expect(terminal.raw.contains("\u{1B}[1;32mbnq demo>"))
            terminal.type("count where state == 'FAILED'\r")
            #expect(await terminal.waitFor("    61"))
            terminal.type(".help\r")
            #expect(await terminal.waitFor("Topics:"))
            #expect(terminal.raw.contains("\u{1B}[1m.format\u{1B}[0m"))
            #expect(terminal.raw.contains("\u{1B}[1;34mjobs\u{1B}[0m"))
            terminal.type(".history\r")
            #expect(await terminal.waitFor("count where state == 'FAILED'", after: terminal.screen.count - 200))
            #expect(terminal.raw.contains("\u{1B}[1;34mcount\u{1B}[0m \u{1B}[1;34mwhere\u{1B}[0m state == \u{1B}[32m'FAILED'\u{1B}[0m"))
            // Results never carry colour.
            #expect(!terminal.raw.contains("\u{1B}[32m61"))
            #expect(try await terminal.quit() == 0)
        }
        let plain = try PseudoTerminal(arguments: ["-X"], home: home, extraEnvironment: ["NO_COLOR": "1"])
        #expect(await plain.waitFor("bnq demo> "))
        plain.type(".help\r.history\r")
        #expect(await plain.waitFor("count where state == 'FAILED'"))
        #expect(!plain.raw.contains("\u{1B}[1;32m"))
        #expect(!plain.raw.contains("\u{1B}[1m.format"))
        #expect(!plain.raw.contains("\u{1B}[1;34m"))
        #expect(try await plain.quit() == 0)
    }

    /// On a narrow terminal `.help` is broken at spaces, each line within the width, instead of
    /// being cut mid-word by the terminal (`… json, ndjson, csv, mar` / `kdown, chart`).
    @Test func helpFitsANarrowTerminal() async throws {
        let terminal = try PseudoTerminal(arguments: ["-X"], home: TestData.temporaryDirectory(), columns: 64)
        #expect(await terminal.waitFor("bnq demo> "))
        let mark = terminal.screen.count
        terminal.type(".help\r")
        #expect(await terminal.waitFor("Topics:", after: mark))
        let shown = String(terminal.screen.dropFirst(mark))
        let lines = shown.split(separator: "\n").filter { !$0.contains("bnq demo>") }
        #expect(lines.count > 20)
        for line in lines { #expect(line.count <= 64, "\(line)") }
        #expect(shown.contains("markdown,"))
        #expect(!shown.contains("mar\nkdown"))
        #expect(try await terminal.quit() == 0)
    }

    /// In expanded display a value longer than the terminal goes on under its own column, every
    /// line within the width, instead of wrapping back under the labels.
    @Test func expandedValuesStayInTheirColumn() async throws {
        let terminal = try PseudoTerminal(arguments: ["-X"], home: TestData.temporaryDirectory(), columns: 80)
        #expect(await terminal.waitFor("bnq demo> "))
        let mark = terminal.screen.count
        terminal.type(".expanded on\rjobs select id, stateTimestamps, name limit 1\r")
        #expect(await terminal.waitFor("name            | ", after: mark))
        let lines = String(terminal.screen.dropFirst(mark)).split(separator: "\n").filter { !$0.contains("bnq demo>") && !$0.contains("no credentials") && !$0.contains("v1/customer") }
        for line in lines { #expect(line.count <= 80, "\(line)") }
        let label = try #require(lines.firstIndex { $0.hasPrefix("stateTimestamps | {") })
        // The value goes on in its column: a blank label, the bar, the rest of the JSON.
        #expect(lines[label + 1].hasPrefix(String(repeating: " ", count: 15) + " | "), "\(lines[label + 1])")
        #expect(lines.contains { $0.hasPrefix("name            | ") })
        #expect(try await terminal.quit() == 0)
    }

    @Test func aSlowWatchPollShowsProgress() async throws {
        let service = try await LocalService.start(store: JobStore(jobs: TestData.jobs), options: TestData.options { $0.latency = .milliseconds(1500) })
        let terminal = try PseudoTerminal(arguments: ["-X", "--endpoint", service.baseURL], home: TestData.temporaryDirectory())
        #expect(await terminal.waitFor("bnq 127.0.0.1> "))
        let mark = terminal.screen.count
        terminal.type(".watch 30s jobs where state == FAILED limit 3\r")
        #expect(await terminal.waitFor("s; Ctrl-C stops", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(await terminal.waitFor("watching 3 jobs", after: mark))
        try await Task.sleep(for: .milliseconds(300))
        terminal.type("\u{03}")
        #expect(await terminal.waitFor("stopped watching", after: mark))
        #expect(try await terminal.quit() == 0)
        await service.stop()
    }
}
