// libFuzzer entry for bnq's query language: the lexer, the parser, scripts with their dot-commands,
// the compiler (both schemas), explain on what compiles, and Tab completion at cursor positions
// through the input. Built by scripts/fuzz, outside the package build:
//   swiftc -sanitize=fuzzer … Sources/BNQCore/*.swift → BNQCore, Sources/BNQLanguage → BNQLanguage,
//   this file with Sources/BNQShell/Completer.swift.
// A crash, a trap or a hang is a finding; so is a rejection whose diagnostic has no message or a
// range outside the input (checked below, and turned into a trap libFuzzer reports with the input).
import BNQCore
import BNQLanguage

let context = CompileContext(
    now: Timestamp(rfc3339: "2026-11-28T00:00:00Z")!,
    parameters: ["state": "FAILED", "since": "now - 7d", "id": "'5d0c2a3e'", "names": "('a', 'b')", "loop": "$loop", "shift": "now - $since"])
let completer = Completer(jobIDs: ["5d0c2a3e-1111-2222-3333-444455556666", "5d0c2a3e-9999", "bad\u{1B}[2Jid"])
let compilers = [Compiler(context: context), Compiler(context: context, schema: .history)]

func check(_ diagnostic: Diagnostic, in source: String) {
    let length = source.utf8.count
    precondition(!diagnostic.message.isEmpty && !diagnostic.id.isEmpty, "a diagnostic without a message")
    precondition(
        diagnostic.range.start >= 0 && diagnostic.range.start <= diagnostic.range.end && diagnostic.range.end <= length,
        "diagnostic '\(diagnostic.id)' has range \(diagnostic.range.start)..<\(diagnostic.range.end) outside 0..<\(length)")
    // Formatting it (line, column, caret) must work too.
    precondition(!DiagnosticFormatter(source: source).format(diagnostic).isEmpty)
}

/// The lexer's invariants: lexemes in order, inside the text, not overlapping, one `.end` last; a
/// word's keyword is what a plain comparison of its lower-cased text says; a symbol has one.
func checkLexemes(_ source: String) {
    let bytes = Array(source.utf8)
    let lexemes = Lexer.lexemes(source)
    precondition(lexemes.last?.kind == .end && lexemes.dropLast().allSatisfy { $0.kind != .end }, "the lexemes do not end with one .end")
    var previousEnd = 0
    for lexeme in lexemes {
        precondition(lexeme.range.start >= previousEnd && lexeme.range.end <= bytes.count, "lexeme range \(lexeme.range) out of order or bounds")
        previousEnd = lexeme.range.end
        let text = String(decoding: bytes[lexeme.range.start..<lexeme.range.end], as: UTF8.self)
        switch lexeme.kind {
        case .identifier:
            let expected = Keyword.allCases.first { !$0.isSymbol && text.utf8.allSatisfy { $0 < 0x80 } && $0.rawValue == text.lowercased() }
            precondition(lexeme.keyword == expected, "'\(text)' lexed as keyword \(String(describing: lexeme.keyword)), expected \(String(describing: expected))")
        case .symbol: precondition(lexeme.keyword?.isSymbol == true, "symbol '\(text)' without its keyword")
        default: precondition(lexeme.keyword == nil, "a \(lexeme.kind) with a keyword")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    checkLexemes(source)
    let parsed = Parser.parse(source)
    for diagnostic in parsed.diagnostics { check(diagnostic, in: source) }
    _ = Parser.isComplete(source)
    // The same text as a script: units, dot-commands, `.watch` inside, the whole-script check.
    let script = Script(source)
    for diagnostic in script.diagnostics + script.check(context) { check(diagnostic, in: script.source) }
    for compiler in compilers {
        switch compiler.compile(source: source) {
        case .success(let statement): _ = Explanation.text(statement, basePath: "/v1/customer")
        case .failure(let diagnostic): check(diagnostic, in: source)
        }
    }
    complete(source)
    return 0
}

/// Tab at up to 24 cursor positions spread over the input, with earlier lines as the statement's
/// context: no trap, a replacement that stays inside the text before the cursor and ends on a
/// character boundary, and no candidate that could act on a terminal.
func complete(_ source: String) {
    let characters = Array(source)
    let step = max(1, characters.count / 24)
    var cursor = 0
    while cursor <= characters.count {
        let before = String(characters[..<cursor])
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        let line = String(lines.last ?? "")
        let context = lines.dropLast().joined(separator: "\n")
        // Only the line's own text reaches the completer from libedit.
        let (replace, candidates) = completer.complete(line, context: context)
        let bytes = Array(line.utf8)
        precondition(replace >= 0 && replace <= bytes.count, "completion replaces \(replace) bytes of \(bytes.count)")
        let kept = bytes.dropLast(replace)
        precondition(String(decoding: kept, as: UTF8.self).utf8.count == kept.count, "completion cuts a character in two")
        for candidate in candidates {
            precondition(!candidate.isEmpty, "an empty candidate")
            precondition(!candidate.unicodeScalars.contains(where: UnsafeCharacters.contains), "a candidate with a control character")
        }
        cursor += step
    }
}
