import BNQCore
import BNQLanguage
import BNQShell
import Foundation
import Testing

/// Tab completion: what it offers comes from the vocabulary, accepted candidates leave text the
/// parser takes, and server ids that could act on a terminal are never offered.
@Suite struct CompleterTests {
    static func accept(_ before: String, _ candidate: String, replacing count: Int) -> String {
        String(decoding: Array(before.utf8).dropLast(count), as: UTF8.self) + candidate
    }

    @Test func acceptedCandidatesLeaveTextThatParsesOrWaitsForMore() {
        let completer = Completer(jobIDs: ["5d0c2a3e-1111"])
        let prefixes = [
            "", "jobs ", "jobs where ", "jobs where state ", "jobs where state == ", "jobs where state in (",
            "jobs select ", "jobs where name == 'a' ", "count ", "jobs order by ", "jobs where createdAt > ", "job ",
            "explain ", "jobs where config.isTestJob == ", "jobs order by createdAt ", "history where ", "jobs select sum(",
            "jobs where stateTimestamps.", "jobs where numChunks ", "timeline ", "timeline where state == FAILED ", "jobs select templateId, ", "jobs select sparkline(", "jobs select count, bin(", "jobs select templateId, count group by templateId having ",
            "jobs group by ", "jobs select p95(",
        ]
        for before in prefixes {
            let (replace, candidates) = completer.complete(before)
            #expect(!candidates.isEmpty, "nothing offered after '\(before)'")
            for candidate in candidates {
                let text = Self.accept(before, candidate, replacing: replace)
                let parsed = Parser.parse(text)
                // Either a whole statement, or one the parser says needs more (an error at the end).
                let acceptable = parsed.diagnostics.isEmpty || !parsed.isComplete
                    || parsed.diagnostics.allSatisfy { $0.range.start >= text.utf8.count - 1 }
                #expect(acceptable, "'\(text)': \(parsed.diagnostics.map(\.message))")
            }
        }
    }

    @Test func listsAndFunctionsOfferWhatTheyTake() {
        let completer = Completer()
        #expect(completer.complete("jobs select templateId, perc").candidates == ["percentile("])
        #expect(completer.complete("jobs select templateId, spark").candidates == ["sparkline("])
        #expect(completer.complete("jobs select sparkline(").candidates == ["bin("])
        #expect(completer.complete("jobs select bin(").candidates.allSatisfy { JobSchema.field(named: $0)?.type == .timestamp })
        #expect(completer.complete("jobs group by templateId, bi").candidates == ["bin("])
        #expect(completer.complete("jobs select count(distinct state), spark").candidates == ["sparkline("])
        #expect(completer.complete("jobs select templateId, count group by templateId order by templateId, p9").candidates == ["p90(", "p95(", "p99("])
    }

    @Test func aTimelinePredicateEndsWithEvery() {
        #expect(Completer().complete("timeline where state == FAILED e").candidates == ["every"])
        #expect(!Completer().complete("timeline where state == FAILED ").candidates.contains("order by"))
    }

    @Test func dotCommandArgumentsComeFromTheCatalogue() {
        let completer = Completer()
        #expect(completer.complete(".format ").candidates == OutputFormat.allCases.map(\.rawValue))
        #expect(completer.complete(".expanded ").candidates == ["on", "off", "auto"])
        #expect(completer.complete(".fo").candidates == [".format"])
        #expect(completer.complete(".help f").candidates == ["fields", "formats"])
    }

    @Test func oneCharacterPathsComplete() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bnq-complete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "jobs".write(to: folder.appendingPathComponent("a.bnq"), atomically: true, encoding: .utf8)
        // (An absolute folder: tests run in parallel, so none may change the working directory.)
        let base = folder.path + "/"
        for command in [".read", ".output", ".once", ".i"] {
            let (replace, candidates) = Completer().complete("\(command) \(base)a")
            #expect(replace == (base + "a").utf8.count && candidates == [base + "a.bnq"], "\(command)")
        }
        #expect(Completer().complete(".read \(base)").candidates == [base + "a.bnq"])
    }

    @Test func idsThatCouldActOnATerminalAreNotOffered() {
        let hostile = ["a\u{1B}]0;title\u{07}", "b\u{1B}[2J", "c\u{202E}x", "d\ne"]
        let completer = Completer(jobIDs: hostile + ["5d0c-safe"])
        #expect(completer.complete("job ").candidates == ["5d0c-safe"])
    }

    @Test func completionFollowsTheGrammar() {
        let completer = Completer()
        #expect(completer.complete("jobs order by createdAt ").candidates.starts(with: ["asc", "desc"]))
        #expect(completer.complete("count ").candidates == ["where"])
        let history = completer.complete("history where ").candidates
        #expect(history.contains("ok") && history.contains("text") && !history.contains("state"))
        let stateOperators = completer.complete("jobs where state ").candidates
        #expect(stateOperators.contains("==") && stateOperators.contains("in") && !stateOperators.contains("<") && !stateOperators.contains("contains"))
        let summable = completer.complete("jobs select sum(").candidates
        #expect(summable.contains("duration") && !summable.contains("name") && !summable.contains("createdAt"))
        #expect(completer.complete("jobs where stateTimestamps.FA").candidates == ["stateTimestamps.FAILED"])
    }

    /// Paths: a folder ends in `/`; names with control characters are never offered; a word
    /// with NUL in it (Foundation's path functions trap on it) offers nothing. Found by the fuzzer.
    @Test func pathsOfferFoldersOpenAndNeverControlCharacters() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bnq-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try #require(FileManager.default.createFile(atPath: folder.appendingPathComponent("report.bnq").path, contents: Data()))
        try #require(FileManager.default.createFile(atPath: folder.appendingPathComponent("re\u{1B}[2Jport.bnq").path, contents: Data()))
        let completer = Completer()
        let (replace, candidates) = completer.complete(".read \(folder.path)/rep")
        #expect(candidates == ["\(folder.path)/report.bnq", "\(folder.path)/reports/"])
        #expect(replace == "\(folder.path)/rep".utf8.count)
        #expect(completer.complete(".read \(folder.path)/reports/").candidates.isEmpty)
        #expect(completer.complete(".o >- sc\u{0}\u{0}any").candidates.isEmpty)
        #expect(completer.complete(".read a\u{0}b/c").candidates.isEmpty)
    }
}
