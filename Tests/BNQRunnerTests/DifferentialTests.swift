import BNQCore
import BNQLanguage
import BNQService
import BNQTestSupport
import ByteNiteClient
import Foundation
import Testing

@testable import BNQRunner

/// For random predicates, what bnq returns through the server (pushed filters plus a local
/// residual, with paging, ordering, limit and offset) equals evaluating the whole predicate
/// locally over every job.
@Suite struct DifferentialTests {
    static let now = Timestamp(rfc3339: "2026-11-28T00:00:00Z")!
    static let jobs = JobGenerator(seed: 5).jobs(count: 400)

    struct Generator {
        var random: SeededRandom

        mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }

        mutating func comparison() -> String {
            switch random.next() % 14 {
            case 12: return "\(pick(["endedAt", "startedAt", "errorMessage", "duration", "stateTimestamps.FAILED"])) is \(pick(["missing", "present", "null", "not null"]))"
            case 13: return pick(["duration between 5m and 20m", "createdAt between now - 30d and now - 10d", "numChunks between 4 and 16", "name between 'm' and 't'"])
            case 0: return "state \(pick(["==", "!="])) \(pick(["COMPLETE", "FAILED", "NEW", "MERGING"]))"
            case 1: return "state \(pick(["in", "not in"])) (\(pick(["COMPLETE, FAILED", "NEW", "STARTED, UPLOADING, DOWNLOADING"])))"
            case 2: return "numChunks \(pick(["<", "<=", ">", ">=", "==", "!="])) \(random.next() % 64)"
            case 3: return "duration \(pick(["<", ">", ">="])) \(pick(["5m", "15m", "1h", "300", "0"]))"
            case 4: return "paymentAmount \(pick(["<", ">", "=="])) \(pick(["0", "0.5", "1", "10"]))"
            case 5: return "createdAt \(pick(["<", ">", ">=", "<="])) now - \(1 + random.next() % 90)d"
            case 6: return "endedAt \(pick(["<", ">", "!="])) \(pick(["2026-10-01", "2026-11-15T12:00:00Z", "today - 20d"]))"
            case 7: return "name \(pick(["like", "not like"])) '\(pick(["trailer%", "%-0%", "_a%", "%scan%"]))'"
            case 8: return "regions.whitelist \(pick(["contains 'eu-west'", "contains any ('us-east', 'ap-south')", "contains 'sa-east'"]))"
            case 9: return "config.isTestJob == \(pick(["true", "false"]))"
            case 10: return "templateInfo.app \(pick(["in", "not in"])) ('imagemagick', 'llama-runner', 'bwa-aligner')"
            default: return "errorMessage \(pick(["==", "!=", "like"])) '\(pick(["", "%timeout%", "job timeout exceeded"]))'"
            }
        }

        mutating func predicate(depth: Int) -> String {
            if depth == 0 || random.next() % 3 == 0 { return comparison() }
            switch random.next() % 4 {
            case 0: return "\(predicate(depth: depth - 1)) and \(predicate(depth: depth - 1))"
            case 1: return "(\(predicate(depth: depth - 1)) or \(predicate(depth: depth - 1)))"
            case 2: return "not (\(predicate(depth: depth - 1)))"
            default: return "\(predicate(depth: depth - 1)) and (\(predicate(depth: depth - 1)) or \(predicate(depth: depth - 1)))"
            }
        }

        /// A statement, and its parts as the oracle reads them (not through the compiler's query handling).
        struct Case {
            var source: String
            var predicate: String
            var ordering: [(field: String, descending: Bool)] = []
            var limit: Int?
            var offset = 0
        }

        mutating func statement() -> Case {
            let predicate = predicate(depth: 3)
            var statement = Case(source: "jobs where " + predicate, predicate: predicate)
            if random.next() % 2 == 0 {
                let keys = pick([[("createdAt", false)], [("duration", true)], [("numChunks", false), ("name", true)], [("state", false)], [("endedAt", true)]])
                statement.ordering = keys.map { (field: $0.0, descending: $0.1) }
                statement.source += " order by " + keys.map { $0.0 + ($0.1 ? " desc" : "") }.joined(separator: ", ")
            }
            if random.next() % 2 == 0 {
                statement.limit = Int(1 + random.next() % 40)
                statement.source += " limit \(statement.limit!)"
            }
            if random.next() % 3 == 0 {
                statement.offset = Int(random.next() % 30)
                statement.source += " offset \(statement.offset)"
            }
            return statement
        }
    }

    /// The oracle: the whole predicate evaluated locally, ordered, offset and limited.
    static func expected(_ statement: Generator.Case) throws -> [String] {
        let parsed = try Parser.parsePredicate(statement.predicate, in: SourceRange(0, statement.predicate.utf8.count)).get()
        let predicate = try Compiler(context: CompileContext(now: now)).resolvePredicate(parsed)
        var ordering = JobOrdering.defaultOrdering
        if !statement.ordering.isEmpty {
            ordering = JobOrdering(keys: statement.ordering.map { .init(field: JobSchema.field(named: $0.field)!, descending: $0.descending) })
        }
        var matching = ordering.sorted(jobs.filter(predicate.matches)).map(\.id)
        matching = Array(matching.dropFirst(statement.offset))
        if let limit = statement.limit { matching = Array(matching.prefix(limit)) }
        return matching
    }

    @Test func pushedDownResultsEqualLocalEvaluationForRandomPredicates() async throws {
        var generator = Generator(random: SeededRandom(seed: 2026))
        let statements = (0..<1000).map { _ in generator.statement() }
        var residuals = 0
        try await withService(jobs: Self.jobs) { _, client in
            for statement in statements {
                let source = statement.source
                let result = try await LanguageAgainstServiceTests.run(source, client: client, pageSize: 70)
                #expect(result.status == 0, "\(source): \(result.messages)")
                let ids = result.output.split(separator: "\n").map { try! JSONParser.parse(String($0)).id }
                let expected = try Self.expected(statement)
                #expect(ids == expected, "\(source)")
                if case .success(.jobs(let plan)) = Compiler(context: CompileContext(now: Self.now)).compile(source: source), plan.residual != nil {
                    residuals += 1
                }
            }
        }
        // Both paths were exercised: statements fully pushed down and statements with a residual.
        #expect(residuals > 200 && residuals < 900)
    }
}
