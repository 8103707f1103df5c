import BNQCore
import BNQRender
import Foundation

enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("bnq: error: " + TerminalText.escape(message) + "\n").utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data(("bnq: " + TerminalText.escape(message) + "\n").utf8))
    }
}
