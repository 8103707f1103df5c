import BNQLanguage
import BNQRender
import Foundation

/// Results taller than the terminal go through a pager, as in psql: `$PAGER`, or `less -FRX` when
/// it is unset (`-F` quits at once when the result fits after all, `-R` keeps colours, `-X` leaves
/// the result on the screen). An empty `PAGER` means none. Only the interactive shell pages.
struct Pager {
    /// The shell command that pages, or nil for none.
    let command: String?

    init(environment: [String: String]) {
        switch environment["PAGER"] {
        case nil: command = "less -FRX"
        case let value?: command = value.trimmingCharacters(in: .whitespaces).isEmpty ? nil : value
        }
    }

    /// Whether `bytes` need a pager under `setting` on a terminal of `rows` × `columns`: `on`
    /// always, `auto` when they are taller than the screen (less the prompt's line) or a line is
    /// wider than it, `off` never.
    static func needed(for bytes: [UInt8], setting: DotCommand.Switch, rows: Int, columns: Int) -> Bool {
        switch setting {
        case .off: return false
        case .on: return !bytes.isEmpty
        case .auto:
            var lines = 0
            for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
                // Only a line with bytes outside ASCII needs its width measured.
                let width = line.allSatisfy({ $0 < 0x80 }) ? line.count : TerminalText.width(String(decoding: line, as: UTF8.self))
                if width > columns { return true }
                lines += 1
                if lines >= rows { return true }
            }
            return false
        }
    }

    /// Shows `bytes` through the pager and waits for it to end. False when the pager could not
    /// start (then nothing was shown).
    func show(_ bytes: [UInt8]) -> Bool {
        guard let command else { return false }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return false }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // less shows bnq's UTF-8 as it is, whatever the locale says.
        guard let process = AttachedProcess.start(shell: command, input: readEnd, closing: [writeEnd], environment: ["LESSCHARSET": "utf-8"]) else {
            close(readEnd)
            close(writeEnd)
            return false
        }
        close(readEnd)
        // A pager quit early (`q` in less) closes the pipe: the rest is not needed (EPIPE, ignored).
        _ = OutputSink.writeAll(bytes, to: writeEnd)
        close(writeEnd)
        // A pager that cannot run (`sh: 1: nosuch: not found`) ends with 126 or 127: nothing shown.
        let status = process.wait()
        return status != 126 && status != 127
    }
}
