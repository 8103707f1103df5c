import BNQCore
import BNQLanguage
import BNQRender
import BNQRunner
import Foundation

/// The interactive shell on a terminal: libedit editing and completion, a continuation prompt while
/// a statement is incomplete, history kept across sessions, Ctrl-C to clear a line or cancel a
/// running statement, Ctrl-D on an empty line to leave.
public final class InteractiveShell {
    let session: Session
    let editor: LineEditor
    let history: HistoryStore?

    /// - Parameters:
    ///   - history: the kept history; nil when it cannot be opened (the shell still works).
    ///   - editingMode: `emacs` or `vi`.
    public init?(session: Session, history: HistoryStore?, editingMode: String = "emacs") {
        guard let editor = LineEditor(program: "bnq") else { return nil }
        self.session = session
        self.editor = editor
        self.history = history
        if editingMode == "vi" { editor.setMode("vi") }
        // Earlier sessions' statements, for Up and Ctrl-R.
        if let history {
            session.historySource = { try history.records() }
        }
        if let entries = try? history?.recent(limit: 5000) {
            for entry in entries { editor.addHistory(Self.oneLine(entry.text)) }
        }
    }

    var prompt: String { "bnq \(TerminalText.escape(session.promptName))> " }
    var continuationPrompt: String { String(repeating: " ", count: max(0, prompt.count - 5)) + "...> " }

    /// A multi-line statement as the one line history recalls.
    static func oneLine(_ text: String) -> String {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// Runs until `.quit` or Ctrl-D; returns the status of the last statement.
    public func run() async -> Int32 {
        Interrupts.install()
        var pending = ""
        var lastStatus = ExitStatus.success
        let box = CompletionContext()
        editor.setCompletion { [session] before in
            Completer(jobIDs: session.seenJobIDs).complete(before, context: box.pending)
        }
        while !session.quitRequested {
            editor.prompt = pending.isEmpty ? prompt : continuationPrompt
            box.pending = pending
            switch editor.read() {
            case .end:
                if pending.isEmpty {
                    FileHandle.standardOutput.write(Data("\n".utf8))
                    return lastStatus
                }
                pending = ""
                FileHandle.standardOutput.write(Data("\n".utf8))
            case .interrupted:
                pending = ""
                FileHandle.standardOutput.write(Data("\n".utf8))
            case .line(let line):
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if pending.isEmpty, trimmed.isEmpty { continue }
                if pending.isEmpty, trimmed.hasPrefix(".") || trimmed.hasPrefix("!") || trimmed == "\\q" {
                    lastStatus = await runCommandLine(line)
                    continue
                }
                pending += (pending.isEmpty ? "" : "\n") + line
                guard Parser.isComplete(pending) else { continue }
                let text = pending
                pending = ""
                lastStatus = await execute(text)
            }
        }
        return lastStatus
    }

    final class CompletionContext: @unchecked Sendable { var pending = "" }

    /// A dot-command, `.history [N]` or `!N`.
    func runCommandLine(_ line: String) async -> Int32 {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed == "\\q" { return await execute(".quit") }
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
            let text = String(repeating: " ", count: max(0, width - number.count)) + number + mark + " " + Self.oneLine(entry.text)
            session.output.line(TerminalText.escape(text))
        }
        session.output.flush()
    }

    func rerun(_ number: Int64) async -> Int32 {
        guard let entry = try? history?.entry(number: number) else {
            session.tell("error: no history entry \(number)")
            return ExitStatus.usage
        }
        FileHandle.standardOutput.write(Data((TerminalText.escape(Self.oneLine(entry.text)) + "\n").utf8))
        return await execute(entry.text)
    }

    /// Runs a statement or dot-command, cancellable with Ctrl-C, and keeps it in history.
    func execute(_ text: String) async -> Int32 {
        let keep = !text.hasPrefix(" ") && !Self.isSecret(text) && ![".quit", ".exit", ".q"].contains(text.trimmingCharacters(in: .whitespaces))
        if keep { editor.addHistory(Self.oneLine(text)) }
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
