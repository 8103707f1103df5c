import Foundation

/// Where the shell's lines come from: libedit on a terminal, or plain lines of standard input.
protocol LineInput: AnyObject {
    /// The next line, shown after `prompt` (empty: no prompt).
    func read(prompt: String) -> LineEditor.Input
    /// Keeps an entry for Up and Ctrl-R (plain input keeps none).
    func addHistory(_ entry: String)
    /// Tab completion (plain input has none).
    func setCompletion(_ complete: @escaping LineEditor.Completion)
    /// Whether more input is already waiting (a paste, lines typed ahead).
    var hasPendingInput: Bool { get }
    /// Puts the terminal back as bnq found it, for a pager or an editor; the next read takes it again.
    func yieldTerminal()
}

extension LineInput {
    /// Whether standard input has bytes waiting to be read, without waiting for any.
    var hasPendingInput: Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
    }
}

extension LineEditor: LineInput {
    func yieldTerminal() { suspend() }

    /// Typed ahead, or the rest of a bracketed paste still coming (what libedit has not read yet
    /// is held by the C reader, so the descriptor alone cannot tell).
    var hasPendingInput: Bool { pending() }

    func read(prompt: String) -> Input {
        self.prompt = prompt
        return read()
    }
}

/// Plain lines of standard input, with a plain prompt written before each when asked.
final class PlainLineInput: LineInput {
    let showsPrompt: Bool

    init(showsPrompt: Bool) { self.showsPrompt = showsPrompt }

    func read(prompt: String) -> LineEditor.Input {
        if showsPrompt, !prompt.isEmpty { FileHandle.standardOutput.write(Data(prompt.utf8)) }
        guard let line = readLine(strippingNewline: true) else { return .end }
        return .line(line.hasSuffix("\r") ? String(line.dropLast()) : line)
    }

    func addHistory(_ entry: String) {}

    func yieldTerminal() {}

    func setCompletion(_ complete: @escaping LineEditor.Completion) {}
}
