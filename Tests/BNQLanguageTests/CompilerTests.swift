import BNQCore
import BNQLanguage
import Testing

@Suite struct CompilerTests {
    static let now = Timestamp(rfc3339: "2026-11-29T12:00:00Z")!

    static func plan(_ source: String, parameters: [String: String] = [:]) throws -> JobsPlan {
        let compiled = try Compiler(context: CompileContext(now: now, parameters: parameters, pageSize: 500)).compile(source: source).get()
        switch compiled {
        case .jobs(let plan): return plan
        case .explain(.jobs(let plan)): return plan
        default: throw CompileTestError()
        }
    }

    struct CompileTestError: Error {}

    /// The parser holds up to 32 lexemes and 25 syntax nodes on the stack, and the rest on the
    /// heap: statements on either side of both lines, and one far beyond them, compile alike,
    /// every value kept in order, whether compiled from the text (the tree lent from the
    /// parser's buffers) or from a parsed statement (a tree that keeps its own copy).
    @Test(arguments: [1, 10, 11, 12, 13, 14, 18, 19, 20, 40, 500])
    func statementsOfEveryLengthCompileAlike(values: Int) throws {
        let names = (0..<values).map { "n\($0)" }
        let source = "jobs where name in (" + names.map { "'\($0)'" }.joined(separator: ", ") + ") limit 3"
        // 2 × values + 8 lexemes with the end: 12 values fill the 32 exactly, 13 take the array;
        // values + 6 nodes: 19 values fill the 25 exactly, 20 move to the heap.
        #expect(Lexer.lexemes(source).count == 2 * values + 8)
        let plan = try Self.plan(source)
        #expect(plan.pushed.count == 1)
        #expect(plan.pushed.first?.operand == .list(names.map(FilterOperand.string)))
        #expect(plan.limit == 3)
        let parsed = Parser.parse(source + "; " + source)
        #expect(parsed.statements.count == 2)
        let compiler = Compiler(context: CompileContext(now: Self.now, pageSize: 500))
        for statement in parsed.statements {
            guard case .jobs(let fromStatement) = try compiler.compile(statement.statement).get() else { throw CompileTestError() }
            #expect(fromStatement.request.json == plan.request.json)
        }
    }

    /// A parsed statement keeps what it needs of its text: compiled after the text and every
    /// other reference to it are gone, it reads the same values (and a statement parsed from a
    /// part of a text keeps only that part, at the same positions).
    @Test func aStatementOutlivesTheTextItWasParsedFrom() throws {
        var statements: [Statement] = []
        do {
            let padding = String(repeating: "-- a comment long enough to put the text on the heap\n", count: 3)
            let text = padding + "jobs where name == 'nightly-render' and state == FAILED; job 'abc-123'"
            let start = padding.utf8.count
            statements = Parser.parse(text, in: SourceRange(start, text.utf8.count)).statements.map(\.statement)
            #expect(statements.count == 2)
        }
        let compiler = Compiler(context: CompileContext(now: Self.now, pageSize: 500))
        guard case .jobs(let plan) = try compiler.compile(try #require(statements.first)).get() else { throw CompileTestError() }
        #expect(plan.pushed.map(\.operand) == [.string("nightly-render"), .string("JOB_STATE_FAILED")])
        #expect(statements.last?.jobID == "abc-123")
        // The same statement parsed again compares equal; a different one does not.
        let again = Parser.parse("jobs where name == 'nightly-render' and state == FAILED").statements.map(\.statement)
        #expect(again.first != statements.first)  // written at another place in its text
        #expect(statements.first == statements.first)
    }

    @Test func theIssueExampleCompilesToTwoFiltersOrderAndPagination() throws {
        let plan = try Self.plan("explain jobs where state == FAILED and createdAt > now - 7d order by createdAt desc limit 20")
        let expected: JSONValue = [
            "pagination": ["limit": 20, "offset": 0],
            "filters": [
                ["field": "state", "condition": "FILTER_CONDITION_EQ",
                 "value": ["@type": "type.googleapis.com/google.protobuf.StringValue", "value": "JOB_STATE_FAILED"]],
                ["field": "createdAt", "condition": "FILTER_CONDITION_GT",
                 "value": ["@type": "type.googleapis.com/google.protobuf.Timestamp", "value": "2026-11-22T12:00:00Z"]],
            ],
            "orderBy": "createdAt desc",
        ]
        #expect(plan.request.json == expected)
        #expect(plan.residual == nil)
        #expect(plan.usesFilterEndpoint)
    }

    @Test func explainSaysHowGroupsAreOrderedAndCut() throws {
        let compiler = Compiler(context: CompileContext(now: Self.now, pageSize: 500))
        func lastLines(_ source: String) throws -> [String] {
            let text = Explanation.text(try compiler.compile(source: source).get(), basePath: "/v1/customer")
            return text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("paging:") || $0.hasPrefix("then:") }
        }
        #expect(try lastLines("explain jobs select templateId, p95(endedAt - startedAt) as p95run, count group by templateId having count > 10 order by p95run desc limit 3") == [
            "paging: every page of 500, grouped locally by templateId, then kept by 'having'",
            "then:   groups ordered by p95run desc, at most 3",
        ])
        // The orders bnq picks when none is written: a bin in time order, other groups largest first.
        #expect(try lastLines("jobs select bin(createdAt, 1d) as day, count where createdAt > now - 7d group by day").last == "then:   groups ordered by day")
        #expect(try lastLines("jobs select state, count group by state").last == "then:   groups ordered by count desc")
        #expect(try lastLines("jobs select state, count group by state order by count desc, state limit 5 offset 2").last
            == "then:   groups ordered by count desc, state, skipping 2, at most 5")
        // One group of all jobs: nothing to order.
        #expect(try lastLines("jobs select count, avg(duration)") == ["paging: every page of 500, grouped locally"])
        // The buckets a window shows, by their starts: a start alone runs to the bucket of the
        // last instant before now (12:00 here), an end is where the window says.
        #expect(try lastLines("jobs select bin(createdAt, 1d) as day, count where createdAt > now - 7d group by day").first
            == "paging: every page of 500, grouped locally by day, every 1d bucket shown from 2026-11-22T00:00:00Z to 2026-11-29T00:00:00Z")
        #expect(try lastLines("timeline where createdAt > now - 1d every 1h")
            == ["paging: every page of 500; per 1h bucket from 2026-11-28T12:00:00Z to 2026-11-29T11:00:00Z: started, ended, failed, running (locally)"])
        #expect(try lastLines("timeline where createdAt >= 2026-11-01 and createdAt < 2026-11-08 every 1d")
            == ["paging: every page of 500; per 1d bucket from 2026-11-01T00:00:00Z to 2026-11-07T00:00:00Z: started, ended, failed, running (locally)"])
        #expect(try lastLines("timeline where state == FAILED every 1w")
            == ["paging: every page of 500; per 1w bucket: started, ended, failed, running (locally)"])
    }

    @Test func orAndNotLikeStayLocalWhileNegationsOfEqualityArePushed() throws {
        let plan = try Self.plan("jobs where (state == FAILED or numChunks > 10) and not (state == NEW) and not (templateId in ('a', 'b')) and name not like 'x%' limit 5 offset 2")
        #expect(plan.pushed.map(\.condition) == [.neq, .notIn])
        #expect(plan.residual?.description == "(state == 'JOB_STATE_FAILED' or numChunks > 10) and not (name like 'x%')")
        #expect(!plan.paginationPushed)
        #expect(plan.request.pagination?.limit == 500)
        #expect(plan.limit == 5 && plan.offset == 2)
    }

    @Test func withoutFiltersItUsesGetJobs() throws {
        let plan = try Self.plan("jobs order by duration desc limit 3")
        #expect(!plan.usesFilterEndpoint)
        #expect(plan.request.orderBy == "duration desc")
        #expect(plan.request.pagination?.limit == 3)
    }

    @Test func valuesOfEveryKind() throws {
        let plan = try Self.plan(
            "jobs where state in (complete, JOB_STATE_FAILED) and duration > 15m and createdAt >= today - 1d and endedAt < '2026-11-01T10:00:00+01:00' and config.isTestJob == false and name == \"it's\" and priority == FAST and submittedAt > $since",
            parameters: ["since": "2026-01-31"])
        let operands = plan.pushed.map(\.operand)
        #expect(operands[0] == .list([.string("JOB_STATE_COMPLETE"), .string("JOB_STATE_FAILED")]))
        #expect(operands[1] == .double(900))
        #expect(operands[2] == .timestamp(Timestamp(rfc3339: "2026-11-28T00:00:00Z")!))
        #expect(operands[3] == .timestamp(Timestamp(rfc3339: "2026-11-01T09:00:00Z")!))
        #expect(operands[4] == .bool(false))
        #expect(operands[5] == .string("it's"))
        #expect(operands[6] == .string("EXECUTION_PRIORITY_FAST"))
        #expect(operands[7] == .timestamp(Timestamp(rfc3339: "2026-01-31T00:00:00Z")!))
    }

    /// Parameter values are parsed as values of their own, reported where `$name` is written;
    /// one that names another parameter is an error, never a loop.
    @Test func parametersAreValuesReportedWhereTheyAreUsed() throws {
        let parameters = ["states": "(NEW, failed)", "one": "complete", "week": "7d", "loop": "$loop", "shift": "now - $week", "bad": "now -"]
        let plan = try Self.plan("jobs where state in $states and state not in $one and createdAt > now - $week", parameters: parameters)
        #expect(plan.pushed.map(\.operand) == [
            .list([.string("JOB_STATE_NEW"), .string("JOB_STATE_FAILED")]), .list([.string("JOB_STATE_COMPLETE")]),
            .timestamp(Timestamp(rfc3339: "2026-11-22T12:00:00Z")!),
        ])
        let compiler = Compiler(context: CompileContext(now: Self.now, parameters: parameters))
        for (source, message) in [
            ("jobs where createdAt > $loop", "parameter $loop holds another parameter: $loop"),
            ("jobs where createdAt > $shift", "parameter $shift holds another parameter: now - $week"),
            ("jobs where state in $loop", "parameter $loop holds another parameter: $loop"),
            ("jobs where createdAt > $bad", "parameter $bad is not a value: expected a value, found end of input"),
            ("jobs where createdAt > $missing", "parameter $missing is not set"),
        ] {
            guard case .failure(let diagnostic) = compiler.compile(source: source) else {
                Issue.record("\(source) compiled")
                continue
            }
            #expect(diagnostic.message == message)
            let at = source.utf8.count - source.split(separator: "$").last!.utf8.count - 1
            #expect(diagnostic.range == SourceRange(at, source.utf8.count), "\(source)")
        }
    }

    @Test func countWithoutResidualAsksForOneJob() throws {
        let plan = try Self.plan("count where state == FAILED")
        #expect(plan.paginationPushed && plan.request.pagination?.limit == 1)
    }

    @Test func fieldsAreCaseInsensitiveAndCanonicalOnOutput() throws {
        let plan = try Self.plan("jobs select TEMPLATEINFO.APP where CREATEDAT > now")
        #expect(plan.projection.map(\.path) == ["templateInfo.app"])
        #expect(plan.pushed[0].field.path == "createdAt")
    }

    @Test func wholeNumbersForIntegerFieldsGoAsInt64AndCompareExactly() throws {
        let plan = try Self.plan("jobs where numUnitsEstimation == 12345678901234567 and duration > 3 and numChunks in (1, 2)")
        let filters = plan.request.json["filters"]?.arrayValue ?? []
        #expect(filters[0]["value"] == ["@type": "type.googleapis.com/google.protobuf.Int64Value", "value": "12345678901234567"])
        #expect(filters[1]["value"]?["@type"]?.stringValue == "type.googleapis.com/google.protobuf.DoubleValue")
        // Evaluated locally, the neighbour of a 17-digit number is a different number.
        let exact: JSONValue = ["id": "a", "numUnitsEstimation": "12345678901234567"]
        let neighbour: JSONValue = ["id": "b", "numUnitsEstimation": "12345678901234568"]
        #expect(plan.pushed[0].matches(exact))
        #expect(!plan.pushed[0].matches(neighbour))
        let ordered = try Self.plan("jobs where numUnitsEstimation > 12345678901234567")
        #expect(ordered.pushed[0].matches(neighbour) && !ordered.pushed[0].matches(exact))
    }
}
