import BNQCore
import Testing

@Suite struct FilterSemanticsTests {
    let job: JSONValue = try! JSONParser.parse("""
        {"id":"j1","name":"Trailer-042","state":"JOB_STATE_FAILED","numChunks":"12","duration":90.5,
         "createdAt":"2026-01-31T12:00:00.5Z","regions":{"whitelist":["eu-west","us-east"]},
         "config":{"isTestJob":true},"templateInfo":{"app":"ffmpeg"}}
        """)

    func matches(_ field: String, _ condition: FilterCondition, _ operand: FilterOperand) throws -> Bool {
        try JobFilter.resolve(field: field, condition: condition, operand: operand).get().matches(job)
    }

    @Test func everyConditionOnItsTypes() throws {
        #expect(try matches("state", .eq, .string("JOB_STATE_FAILED")))
        #expect(try matches("state", .eq, .string("failed")))
        #expect(try !matches("state", .neq, .string("FAILED")))
        #expect(try matches("state", .in, .list([.string("COMPLETE"), .string("FAILED")])))
        #expect(try matches("state", .notIn, .list([.string("COMPLETE")])))
        #expect(try matches("numChunks", .gt, .int(11)))
        #expect(try matches("numChunks", .gte, .int(12)))
        #expect(try !matches("numChunks", .lt, .int(12)))
        #expect(try matches("duration", .lte, .double(90.5)))
        #expect(try matches("createdAt", .gt, .timestamp(Timestamp(rfc3339: "2026-01-31T12:00:00Z")!)))
        #expect(try matches("createdAt", .eq, .string("2026-01-31T13:00:00.5+01:00")))
        #expect(try matches("name", .like, .string("trailer-%")))
        #expect(try matches("name", .like, .string("_railer-04_")))
        #expect(try !matches("name", .like, .string("trailer")))
        #expect(try matches("regions.whitelist", .arrayContains, .string("eu-west")))
        #expect(try matches("regions.whitelist", .arrayContainsAny, .list([.string("ap-south"), .string("us-east")])))
        #expect(try !matches("regions.blacklist", .arrayContains, .string("eu-west")))
        #expect(try matches("config.isTestJob", .eq, .bool(true)))
        #expect(try matches("templateInfo.app", .eq, .string("ffmpeg")))
        #expect(try matches("TEMPLATEINFO.APP", .eq, .string("ffmpeg")))
    }

    @Test func missingFieldsHoldProtobufDefaults() throws {
        #expect(try matches("paymentAmount", .eq, .int(0)))
        #expect(try matches("errorMessage", .eq, .string("")))
        #expect(try matches("priority", .eq, .string("UNDEFINED")))
        // An unset timestamp is neither before nor after anything, and differs from every time.
        #expect(try !matches("endedAt", .lt, .string("2100-01-01")))
        #expect(try !matches("endedAt", .gt, .string("1970-01-01")))
        #expect(try matches("endedAt", .neq, .string("2026-01-01")))
    }

    @Test func rejectsWhatCannotApply() {
        func problem(_ field: String, _ condition: FilterCondition, _ operand: FilterOperand) -> String? {
            if case .failure(let error) = JobFilter.resolve(field: field, condition: condition, operand: operand) { return error.message }
            return nil
        }
        #expect(problem("stat", .eq, .string("x"))?.contains("did you mean 'state'") == true)
        #expect(problem("state", .eq, .string("DONE"))?.contains("unknown value 'DONE'") == true)
        #expect(problem("numChunks", .like, .string("1%"))?.contains("'like' needs a string field") == true)
        #expect(problem("name", .arrayContains, .string("x"))?.contains("needs an array field") == true)
        #expect(problem("numChunks", .eq, .string("many"))?.contains("is integer") == true)
        #expect(problem("state", .gt, .string("NEW"))?.contains("ordering") == true)
        #expect(problem("state", .in, .string("NEW"))?.contains("ListValue") == true)
        #expect(problem("config", .eq, .string("x")) != nil)
    }

    @Test func protobufAnyRoundTrips() throws {
        let operands: [FilterOperand] = [
            .string("JOB_STATE_FAILED"), .int(42), .double(1.5), .bool(true),
            .timestamp(Timestamp(rfc3339: "2026-01-31T12:00:00Z")!), .list([.string("a"), .string("b")]),
        ]
        for operand in operands {
            let decoded = try ProtobufAny.decode(ProtobufAny.encode(operand)).get()
            if case .timestamp = operand { #expect(decoded == operand) } else if case .list = operand { #expect(decoded == operand) } else { #expect(decoded == operand) }
        }
        #expect(JSONWriter.compact(ProtobufAny.encode(.string("x"))) == #"{"@type":"type.googleapis.com/google.protobuf.StringValue","value":"x"}"#)
        #expect(JSONWriter.compact(ProtobufAny.encode(.int(5))) == #"{"@type":"type.googleapis.com/google.protobuf.Int64Value","value":"5"}"#)
    }

    @Test func likeHandlesEscapesAndBacktracking() {
        #expect(LikePattern("a%b%c").matches("aXXbYYc"))
        #expect(!LikePattern("a%b%c").matches("aXXbYY"))
        #expect(LikePattern("100\\%").matches("100%"))
        #expect(!LikePattern("100\\%").matches("1000"))
        #expect(LikePattern("%").matches(""))
        #expect(LikePattern("ÉTÉ%").matches("été 2026"))
    }

    @Test func orderingsSortStablyByIdOnTies() throws {
        let jobs: [JSONValue] = [
            ["id": "b", "duration": 2], ["id": "a", "duration": 2], ["id": "c", "duration": 1], ["id": "d"],
        ]
        let ordering = try JobOrdering.parse("duration desc").get()
        #expect(ordering.sorted(jobs).map { $0["id"]!.stringValue! } == ["a", "b", "c", "d"])
        #expect(try JobOrdering.parse("Duration, id DESC").get().text == "duration, id desc")
        if case .failure(let error) = JobOrdering.parse("duraton") { #expect(error.message.contains("did you mean 'duration'")) } else { Issue.record("accepted an unknown field") }
        if case .success = JobOrdering.parse("duration sideways") { Issue.record("accepted a bad direction") }
    }

    @Test func typoSuggestsOnlyCloseWords() {
        #expect(Typo.closest(to: "stat", among: JobSchema.paths) == "state")
        #expect(Typo.closest(to: "craetedAt", among: JobSchema.paths) == "createdAt")
        #expect(Typo.closest(to: "zzzzzz", among: JobSchema.paths) == nil)
    }
}
