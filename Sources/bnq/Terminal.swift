import BNQCore
import Foundation

/// Exit statuses, documented in the README.
enum ExitStatus {
    static let success: Int32 = 0
    /// A statement failed to parse or type-check.
    static let queryError: Int32 = 1
    /// The API or the network failed.
    static let apiError: Int32 = 2
    /// Wrong command-line usage, or a file that cannot be read.
    static let usage: Int32 = 64
}

enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("bnq: error: " + message + "\n").utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data(("bnq: " + message + "\n").utf8))
    }
}
