import BNQTestSupport
import Foundation
import Glibc

/// The real `bnq` binary on a pseudo-terminal, as a person would use it: keys go in, the screen's
/// text comes out. The child gets the terminal as its controlling terminal (via `setsid -c`), so
/// Ctrl-C raises SIGINT as on a real terminal.
final class PseudoTerminal: @unchecked Sendable {
    let process = Process()
    let master: Int32
    let slave: Int32
    private let lock = NSLock()
    private var buffer = Data()
    private var reader: Thread?
    let originalAttributes: termios

    static var binary: URL { TestData.binary }

    /// - Parameter command: what runs instead of bnq with `arguments` (a shell, to drive job control).
    /// - Parameter columns: the terminal's width.
    init(arguments: [String], home: URL, extraEnvironment: [String: String] = [:], unsetting: [String] = [], command: [String]? = nil, columns: UInt16 = 150) throws {
        var master: Int32 = 0
        var slave: Int32 = 0
        var size = winsize(ws_row: 40, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw POSIXError(.EIO) }
        self.master = master
        self.slave = slave
        var attributes = termios()
        tcgetattr(slave, &attributes)
        originalAttributes = attributes
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["-c"] + (command ?? [Self.binary.path] + arguments)
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        environment["XDG_CONFIG_HOME"] = home.appendingPathComponent("config").path
        environment["TERM"] = "xterm"
        environment["EDITRC"] = home.appendingPathComponent("editrc").path
        environment["BYTENITE_API_KEY"] = nil
        environment["BNQ_ENDPOINT"] = nil
        // No pager unless a test asks for one: a result taller than the terminal would wait in less.
        environment["PAGER"] = ""
        environment["NO_COLOR"] = nil
        for (key, value) in extraEnvironment { environment[key] = value }
        for key in unsetting { environment[key] = nil }
        process.environment = environment
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let readEnd = master
        let thread = Thread { [weak self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while let self {
                let count = read(readEnd, &chunk, chunk.count)
                if count <= 0 { break }
                self.lock.withLock { self.buffer.append(contentsOf: chunk[0..<count]) }
            }
        }
        reader = thread
        thread.start()
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
        close(slave)
    }

    /// Everything shown so far, with terminal control sequences removed.
    var screen: String {
        let raw = lock.withLock { String(decoding: buffer, as: UTF8.self) }
        return Self.plain(raw)
    }

    /// Everything shown so far, escape sequences included.
    var raw: String { lock.withLock { String(decoding: buffer, as: UTF8.self) } }

    /// The terminal's foreground process group (bnq's, once it runs), for job-control signals.
    var foregroundGroup: pid_t { tcgetpgrp(master) }

    static func plain(_ text: String) -> String {
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1B}" {
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next(), !(c.value >= 0x40 && c.value <= 0x7E) {}
                } else if next == "]" {
                    while let c = iterator.next(), c != "\u{07}" {}
                }
                continue
            }
            if scalar == "\r" || scalar == "\u{07}" || scalar == "\u{08}" { continue }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    /// Leaves the shell as a person does: a moment for the last output to settle, then Ctrl-D on
    /// an empty line. The exit status (nil if bnq did not exit).
    func quit() async throws -> Int32? {
        try await Task.sleep(for: .milliseconds(300))
        type("\u{04}")
        return await waitForExit()
    }

    /// Sends keys as typed.
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until the screen (after `since` characters) contains `text`; false on timeout.
    ///
    /// The default timeout is long (a minute): the suite runs its tests in parallel, servers and
    /// fuzz replays beside the terminal tests, and on a loaded machine a shell's answer has come
    /// after more than 20 seconds (two terminal tests failed so, their screens right but late).
    /// A passing test never waits for it; only a failing one does.
    @discardableResult
    func waitFor(_ text: String, after since: Int = 0, timeout: Double = 60) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let screen = self.screen
            if screen.count > since, screen.dropFirst(since).contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(30))
        }
        // Leave the screen for whoever investigates the failure.
        let raw = lock.withLock { buffer }
        try? raw.write(to: FileManager.default.temporaryDirectory.appendingPathComponent("bnq-pty-\(ProcessInfo.processInfo.processIdentifier).txt"))
        return false
    }

    /// Waits for the process to end; its exit status, or nil on timeout.
    func waitForExit(timeout: Double = 60) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(30)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Whether the terminal's modes are what they were before bnq ran.
    var terminalRestored: Bool {
        var now = termios()
        tcgetattr(slave, &now)
        return now.c_lflag == originalAttributes.c_lflag && now.c_iflag == originalAttributes.c_iflag && now.c_oflag == originalAttributes.c_oflag
    }
}
