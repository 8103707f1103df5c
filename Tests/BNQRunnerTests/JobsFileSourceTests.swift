import BNQCore
import BNQLanguage
import BNQTestSupport
import Foundation
import Testing

@testable import BNQRunner

/// `bnq sync --from` reads an export one job at a time: the same jobs as parsing it whole, in
/// both forms, and malformed files named with their line and column.
@Suite struct JobsFileSourceTests {
    static func read(_ text: String) async throws -> [JSONValue] {
        let file = TestData.temporaryDirectory().appendingPathComponent("export.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let source = try JobsFileSource(path: file.path)
        let plan = try #require({ if case .success(.jobs(let plan)) = Compiler(context: CompileContext(now: Timestamp(seconds: 0))).compile(source: "jobs") { return plan } else { return nil } }())
        let cursor = source.jobs(for: plan, startingAt: 0, limit: nil)
        var jobs: [JSONValue] = []
        while let job = try await cursor.next() { jobs.append(job) }
        return jobs
    }

    @Test func bothFormsGiveTheJobsParsingWholeGives() async throws {
        let jobs = TestData.jobs.prefix(50).map { $0 }
        // Strings holding brackets, braces, quotes and escapes do not confuse the scanner.
        var tricky = jobs
        tricky[3].setValue(.string("a]b}c\"d\\\\e[{"), at: ["name"])
        for text in [
            JSONWriter.pretty(.array(tricky)),
            JSONWriter.compact(.array(tricky)),
            JSONWriter.compact(.object(JSONObject([("pagination", ["total": "50"]), ("data", .array(tricky))]))),
            JSONWriter.pretty(.object(JSONObject([("meta", ["data": [1, 2]]), ("data", .array(tricky))]))),
        ] {
            let read = try await Self.read(text)
            #expect(read == tricky)
        }
        #expect(try await Self.read("[ ]").isEmpty)
    }

    @Test func malformedFilesSayWhere() async throws {
        await #expect { try await Self.read("[{\"id\": \"a\"},\n {\"id\": }]") } throws: { ($0 as? RunError)?.message.contains(":2:2: ") == true }
        await #expect { try await Self.read("[{\"id\": \"a\"}\n {\"id\": \"b\"}]") } throws: { ($0 as? RunError)?.message.contains("expected ',' or ']'") == true }
        await #expect { try await Self.read("[{\"id\": \"a") } throws: { ($0 as? RunError)?.message.contains("does not end") == true }
        await #expect { try await Self.read("{\"x\": 1}") } throws: { ($0 as? RunError)?.message.contains(JobsDocument.expected) == true }
    }
}
