import Foundation

/// What a statement wrote, in the order it wrote it: results (for standard output) and messages
/// (for standard error). The shell holds a statement's output in one while it runs, then decides
/// whether the results go through a pager — and keeps them for `.last`.
public final class Transcript: @unchecked Sendable {
    /// One piece of output, in order.
    public enum Piece: Sendable {
        case output([UInt8])
        case message(String)
    }

    private let lock = NSLock()
    private var held: [Piece] = []

    public init() {}

    /// Everything held so far.
    public var pieces: [Piece] { lock.withLock { held } }

    /// The results alone, as they would reach standard output.
    public var output: [UInt8] {
        lock.withLock {
            held.reduce(into: []) { bytes, piece in
                if case .output(let chunk) = piece { bytes += chunk }
            }
        }
    }

    func append(output bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        lock.withLock {
            if case .output(let previous)? = held.last {
                held[held.count - 1] = .output(previous + bytes)
            } else {
                held.append(.output(bytes))
            }
        }
    }

    /// Holds a message for standard error.
    public func append(message: String) {
        lock.withLock { held.append(.message(message)) }
    }
}
