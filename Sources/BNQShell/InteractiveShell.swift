import BNQCore
import BNQLanguage
import BNQRender
import BNQRunner
import Foundation

/// The shell: one loop for a terminal with libedit (editing, completion, history kept across
/// sessions, Ctrl-C to clear a line or cancel a running statement) and for plain lines (`TERM=dumb`,
/// or output that is not a terminal). Lines gather until a statement is complete — the
/// continuation prompt shows meanwhile — and Ctrl-D on an empty line leaves.
public final class InteractiveShell {
    let session: Session
    let input: any LineInput
    let history: HistoryStore?
    /// Whether prompts are shown (not when nothing is a terminal).
    let showsPrompt: Bool
    /// Where tall results go (only with the line editor, on a terminal).
    let pager: Pager?
    /// The last statement run, for `.edit` with nothing typed.
    var lastStatement: String?

    /// The shell on libedit; nil when libedit cannot start on this terminal.
    /// - Parameters:
    ///   - history: the kept history; nil when it cannot be opened (the shell still works).
    ///   - editingMode: `emacs` or `vi`.
    public init?(session: Session, history: HistoryStore?, editingMode: String = "emacs") {
        guard let editor = LineEditor(program: "bnq") else { return nil }
        self.session = session
        self.input = editor
        self.history = history
        self.showsPrompt = true
        self.pager = session.standardOutput.isTerminal ? Pager(environment: ProcessInfo.processInfo.environment) : nil
        if editingMode == "vi" { editor.setMode("vi") }
        editor.setBracketedPaste(true)
        // Earlier sessions' statements, for Up and Ctrl-R.
        if let history {
            session.historySource = { try history.records() }
        }
        if let entries = try? history?.recent(limit: 5000) {
            for entry in entries { editor.addHistory(Self.oneLine(entry.text)) }
        }
    }

    /// The shell on plain lines of standard input, with a plain prompt or none.
    public init(plainLinesFor session: Session, showingPrompt: Bool) {
        self.session = session
        self.input = PlainLineInput(showsPrompt: showingPrompt)
        self.history = nil
        self.showsPrompt = showingPrompt
        self.pager = nil
    }

    /// The prompt as it reads: `bnq demo> `.
    var plainPrompt: String { "bnq \(TerminalText.escape(session.promptName))> " }
    /// The prompt as shown: in colour when colour suits (libedit does not count what lies between
    /// the \u{1} marks).
    var prompt: String { Self.painted(plainPrompt, colour: session.settings.colour && input is LineEditor) }
    var continuationPrompt: String {
        Self.painted(String(repeating: " ", count: max(0, plainPrompt.count - 5)) + "...> ", colour: session.settings.colour && input is LineEditor)
    }

    static func painted(_ prompt: String, colour: Bool) -> String {
        guard colour else { return prompt }
        let text = prompt.trimmingCharacters(in: .whitespaces)
        let leading = prompt.prefix(while: { $0 == " " })
        return leading + "\u{1}\u{1B}[1;32m\u{1}" + text + "\u{1}\u{1B}[0m\u{1} "
    }

    /// A multi-line statement as the one line history recalls: `--` comments are left out, so
    /// that joined lines mean what they meant.
    static func oneLine(_ text: String) -> String { Script.oneLine(text) }

    /// Runs until `.quit` or Ctrl-D; returns the status of the last statement.
    /// Where a statement ends. Typed by hand, a line that completes a statement runs it (as in
    /// pgcli). When more input is already waiting — a paste, or lines typed ahead — the script
    /// reader's rule applies instead: the next line continues the statement unless it starts a new
    /// one (a statement keyword or a dot-command), so a statement pasted in the layout of the
    /// example scripts runs whole, once.
    public func run() async -> Int32 {
        if input is LineEditor {
            Interrupts.install()
            // A pager quit before it read everything must not end bnq (EPIPE is handled instead).
            signal(SIGPIPE, SIG_IGN)
        }
        var pending = ""
        var lastStatus = ExitStatus.success
        let box = CompletionContext()
        input.setCompletion { [session] before in
            Completer(jobIDs: session.seenJobIDs).complete(before, context: box.pending)
        }
        while !session.quitRequested {
            box.pending = pending
            let read = input.read(prompt: showsPrompt ? (pending.isEmpty ? prompt : continuationPrompt) : "")
            // A complete statement held back while more input was waiting: it runs now, unless
            // this line carries it on.
            if !pending.isEmpty, Parser.isComplete(pending) {
                if case .line(let line) = read, !Self.startsNewUnit(line) {
                    pending += "\n" + line
                    if Parser.isComplete(pending), !input.hasPendingInput {
                        let text = pending
                        pending = ""
                        lastStatus = await presenting { await self.execute(text) }
                    }
                    continue
                }
                if case .interrupted = read {} else {
                    let text = pending
                    pending = ""
                    lastStatus = await presenting { await self.execute(text) }
                }
            }
            switch read {
            case .end:
                if showsPrompt { FileHandle.standardOutput.write(Data("\n".utf8)) }
                if pending.isEmpty { return lastStatus }
                let text = pending
                pending = ""
                // Ctrl-D at the continuation prompt drops the unfinished statement; at the end of
                // plain input it runs, and says what is missing.
                if input is LineEditor { continue }
                return await presenting { await self.execute(text) }
            case .interrupted:
                pending = ""
                FileHandle.standardOutput.write(Data("\n".utf8))
            case .line(let line):
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if pending.isEmpty, trimmed.isEmpty { continue }
                // `.edit` and `\e` take the statement being typed, if any, with them.
                if Self.isEditCommand(trimmed) {
                    let text = pending
                    pending = ""
                    lastStatus = await edit(text)
                    continue
                }
                if pending.isEmpty, let habit = Self.habit(trimmed) {
                    lastStatus = await presenting { await self.runHabit(habit) }
                    continue
                }
                if pending.isEmpty, trimmed.hasPrefix(".") || trimmed.hasPrefix("!") {
                    // `.watch` streams its changes as they come: never held for the pager.
                    if Self.streams(trimmed) {
                        lastStatus = await runCommandLine(line)
                    } else {
                        lastStatus = await presenting { await self.runCommandLine(line) }
                    }
                    continue
                }
                pending += (pending.isEmpty ? "" : "\n") + line
                guard Parser.isComplete(pending), !input.hasPendingInput else { continue }
                let text = pending
                pending = ""
                lastStatus = await presenting { await self.execute(text) }
            }
        }
        return lastStatus
    }

    /// What people used to psql, sqlite3 or a shell type on a line of its own.
    enum Habit { case quit, help, toggleExpanded, toggleTiming, point(String) }

    static func habit(_ line: String) -> Habit? {
        var word = line.lowercased()
        if word.hasSuffix(";") { word.removeLast() }
        switch word {
        case "exit", "quit", "\\q", "\\quit", ":q": return .quit
        case "help", "\\?", "\\h", "?": return .help
        case "\\x": return .toggleExpanded
        case "\\timing": return .toggleTiming
        case "\\d", "\\dt", "\\d+": return .point("the fields of a job: .help fields")
        default:
            return word.hasPrefix("\\") ? .point("psql's backslash commands are dot-commands in bnq: .help lists them") : nil
        }
    }

    func runHabit(_ habit: Habit) async -> Int32 {
        switch habit {
        case .quit: return await execute(".quit")
        case .help: return await execute(".help")
        case .toggleExpanded:
            session.settings.expanded = session.settings.expanded == .on ? .off : .on
            session.tell("expanded display is \(session.settings.expanded.rawValue) (.expanded on|off|auto)")
            return ExitStatus.success
        case .toggleTiming:
            session.settings.timing.toggle()
            session.tell("timing is \(session.settings.timing ? "on" : "off") (.timing on|off)")
            return ExitStatus.success
        case .point(let text):
            session.tell(text)
            return ExitStatus.success
        }
    }

    /// Whether a line starts a new statement or command (or is blank), by the script reader's rule.
    static func startsNewUnit(_ line: String) -> Bool {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.isEmpty || trimmed.hasPrefix(".") || trimmed.hasPrefix("!") || trimmed.hasPrefix("\\") { return true }
        let word = trimmed.prefix(while: { $0.isLetter }).lowercased()
        return Vocabulary.statementKeywords.contains(word)
    }

    /// `.edit`, `.e` or psql's `\\e`.
    static func isEditCommand(_ line: String) -> Bool {
        var word = line.lowercased()
        if word.hasSuffix(";") { word.removeLast() }
        return [".edit", ".e", "\\e", "\\edit"].contains(word)
    }

    /// Whether a command line shows its output as it comes (`.watch`), so it cannot be held.
    static func streams(_ line: String) -> Bool {
        let name = line.prefix(while: { !$0.isWhitespace }).lowercased()
        return name == ".watch"
    }

    final class CompletionContext: @unchecked Sendable { var pending = "" }

    /// A dot-command, `.history [N]` or `!N`.
    func runCommandLine(_ line: String) async -> Int32 {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("!") {
            guard let number = Int64(trimmed.dropFirst()) else {
                session.tell("error: '!N' re-runs history entry N; '.history' lists them")
                return ExitStatus.usage
            }
            return await rerun(number)
        }
        if trimmed == ".history" || trimmed.hasPrefix(".history ") {
            let argument = trimmed.dropFirst(".history".count).trimmingCharacters(in: .whitespaces)
            if let number = Int64(argument) { return await rerun(number) }
            listHistory(limit: Int(argument) ?? 20)
            return ExitStatus.success
        }
        return await execute(line)
    }

    func listHistory(limit: Int) {
        guard let history else {
            session.tell("history is not available")
            return
        }
        let entries = (try? history.recent(limit: limit)) ?? []
        let width = String(entries.last?.id ?? 0).count
        for entry in entries {
            let number = String(entry.id ?? 0)
            let mark = entry.ok ? " " : "!"
            let head = String(repeating: " ", count: max(0, width - number.count)) + number + mark + " "
            let statement = Self.oneLine(entry.text)
            guard session.settings.colour else {
                session.output.line(TerminalText.escape(head + statement))
                continue
            }
            session.output.line(TerminalText.escape(head) + Session.highlighted(statement))
        }
        session.output.flush()
    }

    func rerun(_ number: Int64) async -> Int32 {
        guard let entry = try? history?.entry(number: number) else {
            session.tell("error: no history entry \(number)")
            return ExitStatus.usage
        }
        session.output.line(TerminalText.escape(Self.oneLine(entry.text)))
        return await execute(entry.text)
    }

    /// Runs a statement or dot-command, cancellable with Ctrl-C, and keeps it in history.
    func execute(_ text: String) async -> Int32 {
        let keep = !text.hasPrefix(" ") && !Self.isSecret(text) && ![".quit", ".exit", ".q"].contains(text.trimmingCharacters(in: .whitespaces))
        if keep { input.addHistory(Self.oneLine(text)) }
        if !text.trimmingCharacters(in: .whitespaces).hasPrefix(".") { lastStatement = text }
        _ = Interrupts.take()
        let started = Date()
        let rowsBefore = session.rowsWritten
        let task = Task { [session] in
            await session.run(text)
        }
        let watcher = Task {
            while !Task.isCancelled {
                if Interrupts.take() {
                    task.cancel()
                    return
                }
                try? await Task.sleep(for: .milliseconds(40))
            }
        }
        let status = await task.value
        watcher.cancel()
        session.output.flush()
        if keep, let history {
            let rows = session.rowsWritten - rowsBefore
            let entry = HistoryStore.Entry(
                text: text, at: started.timeIntervalSince1970, durationMs: Date().timeIntervalSince(started) * 1000,
                endpoint: session.endpointDescription, rows: rows, ok: status == ExitStatus.success,
                error: status == ExitStatus.success ? nil : session.lastError)
            do { try history.record(entry) } catch { session.tell("warning: could not save history: \(error)") }
        }
        return status
    }

    /// Statements that would keep a secret: `.set` of a key, token, password or secret.
    static func isSecret(_ text: String) -> Bool {
        let words = text.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)
        guard words.count >= 2, words[0].lowercased() == ".set" else { return false }
        return SessionSettings.looksSecret(String(words[1]))
    }
}
