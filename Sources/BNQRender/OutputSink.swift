import BNQCore
import Foundation

/// Where results go: standard output or a file, buffered, with flushing at statement ends.
public final class OutputSink: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Whether this sink is a terminal (then text is escaped and tables are the default).
    public let isTerminal: Bool
    /// The terminal's width, when it is one.
    public let width: Int?

    public init(handle: FileHandle, isTerminal: Bool? = nil) {
        self.handle = handle
        let terminal = isTerminal ?? (isatty(handle.fileDescriptor) == 1)
        self.isTerminal = terminal
        var size = winsize()
        if terminal, ioctl(handle.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            width = Int(size.ws_col)
        } else if terminal {
            width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
        } else {
            width = nil
        }
    }

    /// Standard output.
    public static func standardOutput() -> OutputSink { OutputSink(handle: .standardOutput) }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func line(_ text: String = "") {
        write(text)
        write("\n")
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        let data = Data(buffer)
        buffer.removeAll(keepingCapacity: true)
        try? handle.write(contentsOf: data)
    }
}

/// Messages for people: errors and notes on standard error, always escaped.
public struct MessageSink: Sendable {
    public let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void) { self.write = write }

    public static let standardError = MessageSink { text in
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension OutputSink {
    /// A sink writing to a new or truncated file; nil when it cannot be opened.
    public static func file(_ path: String) -> OutputSink? {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { return nil }
        return OutputSink(handle: handle, isTerminal: false)
    }
}
