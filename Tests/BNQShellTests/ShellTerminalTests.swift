import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import Testing

/// The shell driven through a real pseudo-terminal.
@Suite(.serialized) struct ShellTerminalTests {
    @Test func typingContinuationCompletionAndCtrlD() async throws {
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: [], home: home)
        #expect(await terminal.waitFor("bnq demo> "))
        // A statement over two lines: the continuation prompt, then the result.
        terminal.type("count where state ==\r")
        #expect(await terminal.waitFor("...> "))
        terminal.type("FAILED\r")
        #expect(await terminal.waitFor("count\n------\n    61"))
        // Completion of a field, then of an enum value.
        var mark = terminal.screen.count
        terminal.type("count where templateInfo.ap\t")
        #expect(await terminal.waitFor("templateInfo.app ", after: mark))
        terminal.type("== 'imagemagick' and state == COMPL\t")
        #expect(await terminal.waitFor("COMPLETE ", after: mark))
        terminal.type("\r")
        #expect(await terminal.waitFor("count\n------", after: mark), "\(terminal.screen.dropFirst(mark))")
        // An ambiguous prefix lists the candidates.
        mark = terminal.screen.count
        terminal.type("jobs where sta\t")
        #expect(await terminal.waitFor("stateTimestamps", after: mark))
        #expect(terminal.screen.dropFirst(mark).contains("startedAt"))
        // Ctrl-C clears the line; editing keys work (Ctrl-A, Ctrl-K).
        try await Task.sleep(for: .milliseconds(200))
        terminal.type("\u{03}")
        try await Task.sleep(for: .milliseconds(200))
        mark = terminal.screen.count
        terminal.type("xyz count\u{01}\u{04}\u{04}\u{04}\u{04}\r")
        #expect(await terminal.waitFor("   300", after: mark), "\(terminal.screen.dropFirst(mark))")
        // Job ids seen in this session complete after `job`.
        mark = terminal.screen.count
        terminal.type("jobs select id where state == FAILED order by createdAt desc limit 1\r")
        #expect(await terminal.waitFor("(1 row)", after: mark))
        mark = terminal.screen.count
        terminal.type("job \t")
        #expect(await terminal.waitFor("014fc7a7-d3f0-388f-1d27-92ad815f8517", after: mark))
        terminal.type("\r")
        #expect(await terminal.waitFor("errorMessage", after: mark))
        #expect(await terminal.waitFor("bnq demo> ", after: terminal.screen.count - 12))
        // Ctrl-D on an empty line leaves, with status 0 and the terminal as it was.
        terminal.type("\u{04}")
        #expect(await terminal.waitForExit() == 0)
        #expect(terminal.terminalRestored)
    }

    @Test func keysTypedTheMomentThePromptShowsAreKept() async throws {
        // The terminal is in edit mode before the prompt is drawn, so nothing typed right after it
        // goes to the line discipline (which would echo it twice, and swallow a Ctrl-D).
        let terminal = try PseudoTerminal(arguments: ["-X"], home: TestData.temporaryDirectory())
        #expect(await terminal.waitFor("bnq demo> "))
        var mark = terminal.screen.count
        terminal.type(".maxrows 5\r")
        #expect(await terminal.waitFor("bnq demo> ", after: mark))
        mark = terminal.screen.count
        terminal.type("count\r")
        #expect(await terminal.waitFor("   300", after: mark))
        #expect(!terminal.screen.dropFirst(mark).contains("count\ncount"), "echoed twice: \(terminal.screen.dropFirst(mark))")
        terminal.type("\u{04}")
        #expect(await terminal.waitForExit(timeout: 10) == 0)
        #expect(terminal.terminalRestored)
    }

    @Test func keysTypedWhileAStatementRunsWaitForTheNextPrompt() async throws {
        let service = try await LocalService.start(store: JobStore(jobs: TestData.jobs), options: TestData.options { $0.latency = .milliseconds(600) })
        let terminal = try PseudoTerminal(arguments: ["-X", "--endpoint", service.baseURL], home: TestData.temporaryDirectory())
        #expect(await terminal.waitFor("bnq 127.0.0.1> "))
        let mark = terminal.screen.count
        terminal.type("count\r")
        try await Task.sleep(for: .milliseconds(200))
        // Typed while the first statement waits for the service: a statement, then Ctrl-D.
        terminal.type("count where state == FAILED\r\u{04}")
        #expect(await terminal.waitFor("  1000", after: mark))
        #expect(await terminal.waitFor("count where state == FAILED", after: mark))
        #expect(await terminal.waitForExit(timeout: 10) == 0, "\(terminal.screen.dropFirst(mark))")
        #expect(terminal.terminalRestored)
        await service.stop()
    }

    @Test func historyIsRecalledInASecondSessionWithUpAndCtrlR() async throws {
        let home = TestData.temporaryDirectory()
        do {
            let first = try PseudoTerminal(arguments: [], home: home)
            #expect(await first.waitFor("bnq demo> "))
            first.type("count where state == NEW\r")
            #expect(await first.waitFor("    13"))
            first.type("jobs select id where numChunks > 62 and\r  state == COMPLETE\r")
            #expect(await first.waitFor(" rows)"))
            first.type(" count where state == FAILED\r")
            #expect(await first.waitFor("    61"))
            first.type(".quit\r")
            #expect(await first.waitForExit() == 0)
        }
        let second = try PseudoTerminal(arguments: [], home: home)
        #expect(await second.waitFor("bnq demo> "))
        // Up: the newest kept statement — the multi-line one, as one entry; the one typed with a
        // leading space was not kept.
        var mark = second.screen.count
        second.type("\u{1B}[A")
        #expect(await second.waitFor("jobs select id where numChunks > 62 and state == COMPLETE", after: mark))
        second.type("\u{15}")  // Ctrl-U
        // Ctrl-R finds the older one.
        mark = second.screen.count
        second.type("\u{12}NEW")
        #expect(await second.waitFor("count where state == NEW", after: mark))
        second.type("\r")
        #expect(await second.waitFor("    13", after: mark))
        second.type(".history\r")
        #expect(await second.waitFor("count where state == NEW", after: mark))
        // History is queryable in the language.
        let queryMark = second.screen.count
        second.type("history select text where text like 'jobs%' order by at desc limit 1\r")
        #expect(await second.waitFor("jobs select id where numChunks > 62 and", after: queryMark))
        #expect(await second.waitFor("(1 row)", after: queryMark))
        #expect(try await second.quit() == 0)
    }

    @Test func ctrlCCancelsASlowStatementAndTheShellStays() async throws {
        let options = TestData.options { $0.latency = .seconds(5) }
        let service = try await LocalService.start(store: JobStore(jobs: TestData.jobs), options: options)
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: ["--endpoint", service.baseURL], home: home)
        #expect(await terminal.waitFor("bnq 127.0.0.1> "))
        let started = Date()
        terminal.type("count\r")
        try await Task.sleep(for: .milliseconds(500))
        terminal.type("\u{03}")
        #expect(await terminal.waitFor("cancelled", timeout: 4))
        #expect(Date().timeIntervalSince(started) < 4)
        let mark = terminal.screen.count
        terminal.type("explain count\r")
        #expect(await terminal.waitFor("GET /v1/customer/jobs", after: mark))
        #expect(await terminal.waitFor("now:", after: mark))
        #expect(try await terminal.quit() == 0)
        #expect(terminal.terminalRestored)
        await service.stop()
    }

    @Test func aPastedStatementRunsWholeAndTypedOnesRunAtTheirEnd() async throws {
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: [], home: home)
        #expect(await terminal.waitFor("bnq demo> "))
        // Pasted in the layout of the example scripts: one write, four lines, one result.
        var mark = terminal.screen.count
        terminal.type("jobs select id, name\r  where state == FAILED\r  order by createdAt desc\r  limit 2\r")
        #expect(await terminal.waitFor("(2 rows)", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(!terminal.screen.dropFirst(mark).contains("error"), "\(terminal.screen.dropFirst(mark))")
        // Two statements pasted at once run one after the other.
        mark = terminal.screen.count
        terminal.type("count where state == FAILED\rcount\r")
        #expect(await terminal.waitFor("300", after: mark))
        #expect(terminal.screen.dropFirst(mark).contains("61"))
        // Typed by hand, a line that completes a statement runs it at once.
        try await Task.sleep(for: .milliseconds(300))
        mark = terminal.screen.count
        terminal.type("count\r")
        #expect(await terminal.waitFor("300", after: mark))
        #expect(try await terminal.quit() == 0)
    }

    @Test func tabAfterAOneCharacterPathAndTextWithoutAUTF8Locale() async throws {
        let home = TestData.temporaryDirectory()
        try "count\n".write(to: home.appendingPathComponent("a.bnq"), atomically: true, encoding: .utf8)
        let terminal = try PseudoTerminal(arguments: [], home: home, extraEnvironment: ["LANG": "C", "LC_ALL": "C", "LC_CTYPE": "C"])
        #expect(await terminal.waitFor("bnq demo> "))
        // `.read a` then Tab: completes (or beeps), never traps.
        terminal.type(".read \(home.path)/a\t")
        #expect(await terminal.waitFor("a.bnq"))
        terminal.type("\r")
        #expect(await terminal.waitFor("300"))
        // Non-ASCII typed under the C locale is kept.
        try await Task.sleep(for: .milliseconds(300))
        let mark = terminal.screen.count
        terminal.type("explain jobs where name == '日本語'\r")
        #expect(await terminal.waitFor("\"value\": \"日本語\"", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(try await terminal.quit() == 0)
    }

    @Test func habitsFromOtherShellsDoWhatTheyMean() async throws {
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: [], home: home)
        #expect(await terminal.waitFor("bnq demo> "))
        terminal.type("help\r")
        #expect(await terminal.waitFor("Statements (docs/language.md"))
        terminal.type("\\x\r")
        #expect(await terminal.waitFor("expanded display is on"))
        terminal.type("\\dt\r")
        #expect(await terminal.waitFor(".help fields"))
        terminal.type("select * from jobs\r")
        #expect(await terminal.waitFor("jobs select"))
        terminal.type("exit\r")
        #expect(await terminal.waitForExit() != nil)
    }

    @Test func aSlowStatementShowsProgressThenTheResult() async throws {
        let service = try await LocalService.start(store: JobStore(jobs: TestData.jobs), options: TestData.options { $0.latency = .milliseconds(400) })
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: ["--endpoint", service.baseURL, "--page-size", "100", "--prefetch", "0"], home: home)
        #expect(await terminal.waitFor("bnq 127.0.0.1> "))
        let mark = terminal.screen.count
        terminal.type("count where name like '%1%' or state == FAILED\r")
        #expect(await terminal.waitFor("jobs read (", after: mark), "\(terminal.screen.dropFirst(mark))")
        #expect(await terminal.waitFor("count\n------", after: mark))
        #expect(try await terminal.quit() == 0)
        await service.stop()
    }

    @Test func aSyncOnATerminalShowsProgressThenItsSummary() async throws {
        let service = try await LocalService.start(store: JobStore(jobs: TestData.jobs), options: TestData.options { $0.latency = .milliseconds(150) })
        let home = TestData.temporaryDirectory()
        let archive = home.appendingPathComponent("archive.sqlite").path
        let terminal = try PseudoTerminal(arguments: ["sync", "--endpoint", service.baseURL, "--archive", archive, "--page-size", "50", "--prefetch", "0"], home: home)
        // Jobs so far / total, the rate and the time left, redrawn in place; then the one line.
        #expect(TestData.jobs.count == 1000)
        #expect(await terminal.waitFor("syncing: 50 / 1,000 jobs, "), "\(terminal.screen)")
        #expect(await terminal.waitFor(" s left (Ctrl-C stops; the archive stays as it was)"))
        #expect(await terminal.waitFor("synced 1,000 jobs: 1,000 new, 0 changed, 0 gone ("))
        #expect(await terminal.waitForExit() == 0)
        await service.stop()
    }

    @Test func tablesFollowATerminalThatWasResized() async throws {
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: [], home: home)
        #expect(await terminal.waitFor("bnq demo> "))
        func widest(after mark: Int) -> Int {
            terminal.screen.dropFirst(mark).split(separator: "\n").filter { $0.contains("|") }.map { $0.replacingOccurrences(of: "\r", with: "").count }.max() ?? 0
        }
        var mark = terminal.screen.count
        terminal.type("jobs select id, name, errorMessage where state == FAILED limit 3\r")
        #expect(await terminal.waitFor("(3 rows)", after: mark))
        #expect(widest(after: mark) > 80)
        // The window shrinks to 60 columns: the next table fits it.
        var size = winsize(ws_row: 40, ws_col: 60, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(terminal.master, UInt(TIOCSWINSZ), &size)
        try await Task.sleep(for: .milliseconds(300))
        mark = terminal.screen.count
        terminal.type("jobs select id, name, errorMessage where state == FAILED limit 3\r")
        #expect(await terminal.waitFor("(3 rows)", after: mark))
        #expect(widest(after: mark) <= 60, "\(terminal.screen.dropFirst(mark))")
        // Ids stay whole when the table is cut.
        #expect(terminal.screen.dropFirst(mark).contains("014fc7a7-d3f0-388f-1d27-92ad815f8517"))
        #expect(try await terminal.quit() == 0)
    }
}
