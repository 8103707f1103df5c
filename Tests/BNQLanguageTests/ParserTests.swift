import BNQCore
import BNQLanguage
import Testing

@Suite struct ParserTests {
    @Test(arguments: [
        ("jobs", true), ("jobs where", false), ("jobs where state == FAILED and", false),
        ("jobs where (state == FAILED", false), ("jobs where name == 'abc", false), ("jobs order", false),
        ("jobs order by", false), ("jobs where state in (NEW,", false), ("jobs limit", false),
        ("jobs where state == FAILED -- a comment", true), ("", true), ("jobs; count", true),
        ("jobs where stat == NEW", true), ("explain", false), ("jobs where createdAt > now -", false),
    ])
    func knowsWhenAStatementNeedsMoreLines(input: String, complete: Bool) {
        #expect(Parser.isComplete(input) == complete, "\(input)")
    }

    @Test func keywordsAreCaseInsensitiveAndSemicolonsSeparate() {
        let result = Parser.parse("JOBS WHERE State == complete ORDER BY createdAt DESC LIMIT 3; count Jobs")
        #expect(result.diagnostics.isEmpty)
        #expect(result.statements.count == 2)
    }

    @Test func jobIdsKeepTheirDashes() {
        let result = Parser.parse("job bd66e025-0a8a-c87f-c4b0-530e23b1f3e2; results 'x y'")
        guard case .job(let id, _) = result.statements[0].statement, case .results(let other, _) = result.statements[1].statement else {
            Issue.record("not parsed as job and results")
            return
        }
        #expect(id == "bd66e025-0a8a-c87f-c4b0-530e23b1f3e2")
        #expect(other == "x y")
    }

    @Test func lexerNeverFailsOnArbitraryBytes() {
        var random = SeededRandom(seed: 42)
        let alphabet = Array("jobs where state == 'x\" ( ) , ; -- \n \t 2026-01-01T 7d $p . é 😀 \u{1B} # != <> not in like".unicodeScalars)
        for _ in 0..<5000 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) { text.unicodeScalars.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            let result = Parser.parse(text)
            for diagnostic in result.diagnostics {
                #expect(diagnostic.range.start <= text.utf8.count && diagnostic.range.end <= text.utf8.count)
            }
            // Formatting never traps either.
            for diagnostic in result.diagnostics { _ = DiagnosticFormatter(source: text).format(diagnostic) }
        }
    }
}
