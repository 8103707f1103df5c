import BNQLanguage
import BNQRender
import BNQRunner
import Foundation

extension InteractiveShell {
    /// Runs `work` with its results and messages held, then shows them in the order they came —
    /// the results through the pager when they do not fit the terminal (`.pager`) — and keeps the
    /// results for `.last`. Without a pager (plain lines, not a terminal) `work` writes directly.
    func presenting(_ work: () async -> Int32) async -> Int32 {
        guard let pager else { return await work() }
        let transcript = Transcript()
        let terminal = session.standardOutput
        terminal.flush()
        terminal.transcript = transcript
        session.reporter.transcript = transcript
        let status = await work()
        terminal.flush()
        terminal.transcript = nil
        session.reporter.transcript = nil
        show(transcript, pager: pager)
        return status
    }

    func show(_ transcript: Transcript, pager: Pager) {
        let terminal = session.standardOutput
        let results = transcript.output
        if !results.isEmpty { session.lastResult = results }
        let paging = pager.command != nil && Pager.needed(
            for: results, setting: session.settings.pager, rows: terminal.height ?? 24, columns: terminal.width ?? 80)
        var paged = false
        for piece in transcript.pieces {
            switch piece {
            case .message(let text):
                MessageSink.standardError.write(text)
            case .output(let bytes):
                guard paging else {
                    terminal.write(bytes: bytes)
                    terminal.flush()
                    continue
                }
                // All the results at once, where the first of them came.
                guard !paged else { continue }
                paged = true
                input.yieldTerminal()
                if !pager.show(results) {
                    session.tell("warning: the pager '\(pager.command ?? "")' did not run; .pager off shows results directly")
                    terminal.write(bytes: results)
                    terminal.flush()
                }
                // Ctrl-C in the pager was the pager's.
                _ = Interrupts.take()
            }
        }
    }

    /// `.edit` / `\e`: the statement being typed — or else the last one run — in `$VISUAL` or
    /// `$EDITOR` (`vi` when neither is set); what is saved runs, and is kept in history.
    func edit(_ typed: String) async -> Int32 {
        var initial = typed
        if initial.isEmpty { initial = lastStatement ?? (try? history?.recent(limit: 1).last?.text) ?? "" }
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "vi"
        // A private folder: the statement may hold parameters' values.
        var template = Array((FileManager.default.temporaryDirectory.path + "/bnq-edit-XXXXXX").utf8CString)
        guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            session.tell("error: cannot make a temporary file to edit in")
            return ExitStatus.usage
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/statement.bnq"
        guard FileManager.default.createFile(atPath: path, contents: Data((initial.isEmpty ? "" : initial + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            session.tell("error: cannot write \(path)")
            return ExitStatus.usage
        }
        input.yieldTerminal()
        guard let process = AttachedProcess.start(shell: editor + " \"$1\"", arguments: ["bnq-edit", path]) else {
            session.tell("error: cannot start the editor '\(editor)'")
            return ExitStatus.usage
        }
        let status = process.wait()
        _ = Interrupts.take()
        guard status == 0 else {
            session.tell("error: the editor '\(editor)' ended with status \(status); nothing was run")
            return ExitStatus.usage
        }
        let saved = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let text = saved.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            session.tell("nothing to run")
            return ExitStatus.success
        }
        return await presenting {
            // What runs, as it would have been typed.
            self.session.output.line(TerminalText.escapeLines(text))
            return await self.execute(text)
        }
    }
}
