import BNQCore
import BNQLanguage
import BNQRender
import ByteNiteClient
import Foundation

/// Exit statuses, documented in the README.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// A statement failed to parse or type-check.
    public static let queryError: Int32 = 1
    /// The API or the network failed.
    public static let apiError: Int32 = 2
    /// `.watch … until` ended with a failed job.
    public static let watchedJobFailed: Int32 = 4
    /// Wrong command-line usage, or a file that cannot be read.
    public static let usage: Int32 = 64
    /// The output could not be written (a full disk, an I/O error).
    public static let outputFailed: Int32 = 74
    /// The reader of the output went away (`| head -1`): as a process ended by SIGPIPE.
    public static let closedPipe: Int32 = 141
}

/// A statement or command that cannot run, with its message and exit status.
public struct RunError: Error, Sendable {
    public var message: String
    public var status: Int32

    public init(_ message: String, status: Int32 = ExitStatus.queryError) {
        self.message = message
        self.status = status
    }

    /// Wrong usage: a file that cannot be read or written, an endpoint that cannot be used.
    public static func usage(_ message: String) -> RunError { RunError(message, status: ExitStatus.usage) }
}

/// The one place that turns errors into what people read and the exit status bnq returns
/// (as swift-format's diagnostics engine does). Everything printed for people goes through it,
/// escaped for the terminal; the first line of the last error is kept for the history.
public final class Reporter: @unchecked Sendable {
    let messages: MessageSink
    /// The first line of the last error reported.
    public private(set) var lastError: String?
    /// Whether `error:` shows in red: decided once, by the executable, from whether standard
    /// error is a terminal, `TERM` and `NO_COLOR`.
    public var colour = false
    /// While set, messages are held here, in order with the results (the shell's pager decides
    /// when they show).
    public var transcript: Transcript?

    public init(messages: MessageSink) { self.messages = messages }

    /// The exit status an error means.
    public static func status(of error: any Error) -> Int32 {
        switch error {
        case is Diagnostic: return ExitStatus.queryError
        case let error as RunError: return error.status
        case let error as OutputFailure: return error.isClosedPipe ? ExitStatus.closedPipe : ExitStatus.outputFailed
        case is ByteNiteError, is CancellationError: return ExitStatus.apiError
        default: return ExitStatus.apiError
        }
    }

    /// The one-line message of an error that is not a diagnostic.
    public static func message(of error: any Error) -> String {
        switch error {
        case let error as RunError: return "error: " + error.message
        case let error as OutputFailure: return "error: " + error.message
        case let error as ByteNiteError: return "error: " + error.message
        case is CancellationError: return "cancelled"
        case let error as Diagnostic: return "error: " + error.message
        default: return "error: \(error)"
        }
    }

    /// Reports an error; `place` is `FILE:LINE:COL: ` when the statement came from a file.
    /// Returns its exit status.
    @discardableResult
    public func report(_ error: any Error, place: String = "") -> Int32 {
        // A reader that went away needs no message (as `yes | head -1`).
        if let failure = error as? OutputFailure, failure.isClosedPipe { return Self.status(of: error) }
        emit(place + Self.message(of: error))
        return Self.status(of: error)
    }

    /// Reports a diagnostic of `script`: `FILE:LINE:COL: error: …` with the line and a caret for
    /// a file; `error: …` then ` --> LINE:COL` in the shell.
    @discardableResult
    public func report(_ diagnostic: Diagnostic, in script: Script) -> Int32 {
        emit(script.formatter.format(diagnostic, compact: script.fileName != nil))
        return ExitStatus.queryError
    }

    /// Reports the diagnostics of a script that failed its check before anything ran.
    @discardableResult
    public func report(_ diagnostics: [Diagnostic], in script: Script, interactive: Bool) -> Int32 {
        guard let first = diagnostics.first else { return ExitStatus.success }
        report(first, in: script)
        if diagnostics.count > 1, !interactive {
            note("(\(diagnostics.count - 1) more error\(diagnostics.count == 2 ? "" : "s"); bnq --check lists them all)")
        }
        return ExitStatus.queryError
    }

    /// Where a statement at `offset` of `script` is, as `FILE:LINE:COL: `; empty without a file.
    public static func place(of offset: Int, in script: Script) -> String {
        guard let fileName = script.fileName else { return "" }
        let location = script.formatter.location(of: offset)
        return "\(fileName):\(location.line):\(location.column): "
    }

    /// A note for people (a warning, `now talking to …`, timing), not an error.
    public func note(_ text: String) {
        write(TerminalText.escapeLines(text) + "\n")
    }

    private func write(_ text: String) {
        if let transcript { transcript.append(message: text) } else { messages.write(text) }
    }

    private func emit(_ text: String) {
        lastError = text.split(separator: "\n").first.map(String.init)
        var shown = TerminalText.escapeLines(text)
        // The colour is added after escaping: it is bnq's own, never the server's.
        if colour, let range = shown.range(of: "error:") {
            shown.replaceSubrange(range, with: "\u{1B}[1;31merror:\u{1B}[0m")
        }
        write(shown + "\n")
    }

    /// Whether colour suits standard error: a terminal, not `TERM=dumb`, no `NO_COLOR`.
    public static func colourSuits(environment: [String: String]) -> Bool {
        isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb" && (environment["NO_COLOR"] ?? "").isEmpty
    }
}
