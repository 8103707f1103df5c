import BNQCore
import BNQLanguage
import Foundation
import Testing

/// Golden cases: each input in Golden/diagnostics.golden with the exact message a user sees.
/// Run with BNQ_UPDATE_GOLDEN=1 to rewrite the file from the current output (then review the diff).
@Suite struct DiagnosticGoldenTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/diagnostics.golden").path

    static func cases() throws -> [(input: String, expected: String)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var cases: [(String, String)] = []
        for block in text.components(separatedBy: "=== ").dropFirst() {
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let errorStart = lines.firstIndex { $0.hasPrefix("error:") } ?? lines.count
            let input = lines[..<errorStart].joined(separator: "\n")
            var expected = Array(lines[errorStart...])
            while expected.last == "" { expected.removeLast() }
            cases.append((input, expected.joined(separator: "\n")))
        }
        return cases
    }

    static func diagnose(_ input: String) -> String {
        let compiler = Compiler(context: CompileContext(now: Timestamp(rfc3339: "2026-11-29T00:00:00Z")!))
        switch compiler.compile(source: input) {
        case .success: return "(no error)"
        case .failure(let diagnostic): return DiagnosticFormatter(source: input).format(diagnostic)
        }
    }

    @Test func everyGoldenCaseGivesItsExactMessage() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 20)
        if ProcessInfo.processInfo.environment["BNQ_UPDATE_GOLDEN"] == "1" {
            let text = cases.map { "=== \($0.input)\n\(Self.diagnose($0.input))\n" }.joined()
            try text.write(toFile: Self.path, atomically: true, encoding: .utf8)
            return
        }
        for (input, expected) in cases {
            #expect(Self.diagnose(input) == expected, "input: \(input)")
        }
    }

    @Test func compactFormIsFileLineColumn() throws {
        let source = "jobs\n  where stat == NEW"
        let diagnostic = try #require(Parser.parse(source).statements.first.map { statement -> Diagnostic? in
            if case .failure(let diagnostic) = Compiler(context: CompileContext(now: Timestamp(seconds: 0))).compile(statement.statement) { return diagnostic }
            return nil
        } ?? nil)
        let text = DiagnosticFormatter(source: source, fileName: "report.bnq").format(diagnostic, compact: true)
        #expect(text.hasPrefix("report.bnq:2:9: error: unknown field 'stat'"))
    }
}
