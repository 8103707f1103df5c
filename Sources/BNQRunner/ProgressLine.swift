import BNQCore
import BNQRender
import Foundation

/// A line on the terminal while a statement takes long: after a second, `… 3 pages, 1,500 jobs
/// read (1,070 jobs/s), 1.4 s`, redrawn in place and cleared before the result prints. Only when both the
/// output and standard error are terminals: never in pipes or files.
final class ProgressLine: @unchecked Sendable {
    private let task: Task<Void, Never>

    /// Starts watching `activity` (requests and pages of the session's source so far).
    init(activity: @escaping @Sendable () -> SourceActivity) {
        let started = ContinuousClock.now
        let box = Box()
        task = Task {
            let before = activity()
            try? await Task.sleep(for: .seconds(1))
            while !Task.isCancelled {
                let now = activity()
                let pages = now.pages - before.pages
                let seconds = (ContinuousClock.now - started).inSeconds
                let jobs = now.jobs - before.jobs
                let rate = seconds > 0 ? Int((Double(jobs) / seconds).rounded()) : 0
                let text = "… \(CellText.grouped(pages)) page\(pages == 1 ? "" : "s"), \(CellText.grouped(jobs)) job\(jobs == 1 ? "" : "s") read"
                    + (jobs > 0 ? " (\(CellText.grouped(rate)) jobs/s)" : "") + ", \(String(format: "%.1f", seconds)) s; Ctrl-C stops"
                box.draw(text)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        self.box = box
    }

    private let box: Box

    /// Stops, and clears the line if it was drawn.
    func stop() {
        task.cancel()
        box.clear()
    }

    /// Draws on standard error, serialised with clearing.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var drawn = false
        private var stopped = false

        func draw(_ text: String) {
            lock.withLock {
                guard !stopped else { return }
                FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
                drawn = true
            }
        }

        func clear() {
            lock.withLock {
                stopped = true
                if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            }
        }
    }

    /// A progress line for the session's current statement, when one suits its output; nil otherwise.
    static func start(for session: Session) -> ProgressLine? {
        guard suits(output: session.output) else { return nil }
        let connection = session.connection
        return ProgressLine(activity: { connection.activity })
    }

    /// Whether progress may be drawn: the output and standard error are terminals, not `TERM=dumb`.
    static func suits(output: OutputSink) -> Bool {
        output.isTerminal && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }
}
