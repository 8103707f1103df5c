import BNQCore
import BNQLanguage
import Foundation
import Testing

/// Replays the fuzzing corpus (Fuzz/corpus, grown by scripts/fuzz) through the lexer, the parser,
/// the script reader and both compilers with the fuzzer's own checks, so a finding once fixed
/// stays fixed.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/corpus").standardized

    @Test func everyCorpusInputIsCompiledOrRejectedWithAValidDiagnostic() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
        #expect(files.count >= 16, "the corpus holds at least the seed statements")
        let context = CompileContext(now: Timestamp(rfc3339: "2026-11-28T00:00:00Z")!, parameters: ["state": "FAILED"])
        var compiled = 0
        var rejected = 0
        for file in files {
            let source = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            let length = source.utf8.count
            func valid(_ diagnostic: Diagnostic) -> Bool {
                !diagnostic.message.isEmpty && diagnostic.range.start >= 0 && diagnostic.range.start <= diagnostic.range.end
                    && diagnostic.range.end <= length && !DiagnosticFormatter(source: source).format(diagnostic).isEmpty
            }
            for diagnostic in Parser.parse(source).diagnostics {
                #expect(valid(diagnostic), "\(file.lastPathComponent): \(diagnostic)")
            }
            // The same text as a script, as the fuzzer reads it: its dot-commands too.
            let script = Script(source)
            for diagnostic in script.diagnostics + script.check(context) {
                let inScript = !diagnostic.message.isEmpty && diagnostic.range.start >= 0 && diagnostic.range.start <= diagnostic.range.end
                    && diagnostic.range.end <= script.source.utf8.count && !DiagnosticFormatter(source: script.source).format(diagnostic).isEmpty
                #expect(inScript, "\(file.lastPathComponent) as a script: \(diagnostic)")
            }
            for schema in [RecordSchema.jobs, .history] {
                switch Compiler(context: context, schema: schema).compile(source: source) {
                case .success(let statement):
                    compiled += 1
                    #expect(!Explanation.text(statement, basePath: "/v1/customer").isEmpty)
                case .failure(let diagnostic):
                    rejected += 1
                    #expect(valid(diagnostic), "\(file.lastPathComponent): \(diagnostic)")
                }
            }
        }
        // The corpus exercises both outcomes.
        #expect(compiled > 0 && rejected > 0)
    }
}
