import BNQCore
import Foundation

/// Where results go: standard output or a file, buffered, with flushing at statement ends.
public final class OutputSink: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Whether this sink is a terminal (then text is escaped and tables are the default).
    public let isTerminal: Bool
    /// The terminal's width, when it is one: asked each time, so tables and `.expanded auto`
    /// follow a terminal that was resized (SIGWINCH) between statements.
    public var width: Int? {
        guard isTerminal else { return nil }
        var size = winsize()
        if ioctl(handle.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    }

    /// The terminal's height in lines, when it is one (as `width`).
    public var height: Int? {
        guard isTerminal else { return nil }
        var size = winsize()
        if ioctl(handle.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 { return Int(size.ws_row) }
        return Int(ProcessInfo.processInfo.environment["LINES"] ?? "") ?? 24
    }

    /// Writes bytes as they are (a result held earlier, shown again).
    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// While set, what is flushed is held here instead of written (the shell's pager decides).
    public var transcript: Transcript?

    public init(handle: FileHandle, isTerminal: Bool? = nil) {
        self.handle = handle
        self.isTerminal = isTerminal ?? (isatty(handle.fileDescriptor) == 1)
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

    /// Writes what is buffered. A failure (a closed pipe, a full disk) is kept in `failure`,
    /// and what is written after it is dropped: the runner stops at the next check.
    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil else { return }
        if let transcript {
            transcript.append(output: buffer)
            return
        }
        if let code = Self.writeAll(buffer, to: handle.fileDescriptor) { failure = OutputFailure(errno: code) }
    }

    /// Writes every byte to `descriptor`, again after an interrupted write; the errno of a write
    /// that failed, or nil.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// Why writing failed, once it has.
    public private(set) var failure: OutputFailure?

    /// Throws the write failure, if there was one: paging stops at the first row that cannot be written.
    public func check() throws(OutputFailure) {
        if let failure { throw failure }
    }
}

/// Output that could not be written: the reader went away (`| head -1`) or the disk is full.
public struct OutputFailure: Error, Sendable, Equatable {
    public var errno: Int32

    /// The reader of a pipe went away: bnq stops quietly, as other Unix tools do.
    public var isClosedPipe: Bool { errno == EPIPE }

    public var message: String {
        "cannot write the output: " + String(cString: strerror(errno)).lowercased()
    }
}

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

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
