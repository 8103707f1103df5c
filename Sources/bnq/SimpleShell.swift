import BNQLanguage
import BNQRunner
import Foundation

/// A plain prompt loop for terminals: reads lines until the statement is complete (the parser's
/// completeness answer), runs it, and shows a continuation prompt meanwhile.
struct SimpleShell {
    let session: Session
    let prompt: String

    func run() async -> Int32 {
        var pending = ""
        var lastStatus = ExitStatus.success
        while true {
            if !prompt.isEmpty {
                let shown = pending.isEmpty ? prompt : String(repeating: " ", count: max(0, prompt.count - 5)) + "...> "
                FileHandle.standardOutput.write(Data(shown.utf8))
            }
            guard let line = readLine(strippingNewline: true) else {
                if !prompt.isEmpty { FileHandle.standardOutput.write(Data("\n".utf8)) }
                return lastStatus
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if pending.isEmpty, trimmed.isEmpty { continue }
            if pending.isEmpty, trimmed.hasPrefix(".") || trimmed == "\\q" {
                lastStatus = await session.run(trimmed == "\\q" ? ".quit" : trimmed)
                session.output.flush()
                if session.quitRequested { return lastStatus }
                continue
            }
            pending += (pending.isEmpty ? "" : "\n") + line
            guard Parser.isComplete(pending) else { continue }
            lastStatus = await session.run(pending)
            session.output.flush()
            pending = ""
        }
    }
}
