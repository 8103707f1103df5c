import CLibEdit
import Foundation

/// One libedit line editor on the terminal: prompt, emacs or vi keys, `~/.editrc`, Ctrl-R search,
/// Tab completion, and an in-memory history the shell fills from the kept one.
final class LineEditor {
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C while typing: the line was dropped.
        case interrupted
        /// Ctrl-D on an empty line, or the end of input.
        case end
    }

    /// Completion: the text before the cursor → how many bytes to replace, and the candidates.
    typealias Completion = (String) -> (replace: Int, candidates: [String])

    private let editor: OpaquePointer
    private var completionBox: Unmanaged<CompletionBox>?

    final class CompletionBox {
        let complete: Completion
        init(_ complete: @escaping Completion) { self.complete = complete }
    }

    init?(program: String) {
        guard let editor = bnq_editor_create(program, nil, nil, nil) else { return nil }
        self.editor = editor
    }

    deinit {
        completionBox?.release()
        bnq_editor_destroy(editor)
    }

    var prompt: String = "" {
        didSet { bnq_editor_set_prompt(editor, prompt) }
    }

    func setMode(_ mode: String) { bnq_editor_set_mode(editor, mode) }

    func setCompletion(_ complete: @escaping Completion) {
        completionBox?.release()
        let box = Unmanaged.passRetained(CompletionBox(complete))
        completionBox = box
        bnq_editor_set_completion(editor, { context, before, candidates in
            guard let context, let before, let candidates else { return 0 }
            let box = Unmanaged<CompletionBox>.fromOpaque(context).takeUnretainedValue()
            let (replace, list) = box.complete(String(cString: before))
            candidates.pointee = list.isEmpty ? nil : strdup(list.joined(separator: "\n"))
            return Int32(replace)
        }, box.toOpaque())
    }

    func read() -> Input {
        var line: UnsafePointer<CChar>?
        switch bnq_editor_read(editor, &line) {
        case 1: return .line(line.map { String(cString: $0) } ?? "")
        case -1: return .interrupted
        default: return .end
        }
    }

    func addHistory(_ entry: String) { bnq_editor_history_add(editor, entry) }

    /// Whether more input is waiting (read ahead, or a paste not yet ended).
    func pending() -> Bool { bnq_editor_pending(editor) == 1 }

    /// Bracketed paste: a paste arrives marked, so it is known as one.
    func setBracketedPaste(_ on: Bool) { bnq_editor_set_bracketed_paste(editor, on ? 1 : 0) }

    /// The terminal as it was before bnq, until the next read.
    func suspend() { bnq_editor_suspend(editor) }
}

/// Ctrl-C, recorded by a signal handler instead of ending the process.
enum Interrupts {
    static func install() {
        bnq_sigint_install()
        bnq_job_control_install()
    }
    /// True once per Ctrl-C.
    static func take() -> Bool { bnq_sigint_take() == 1 }
}
