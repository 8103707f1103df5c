import BNQCore
import BNQLanguage
import Testing

/// Scripts parsed whole: where statements begin, dot-commands, `.watch` inside, diagnostics
/// pointing into the file.
@Suite struct ScriptTests {
    static let context = CompileContext(now: Timestamp(rfc3339: "2026-11-28T00:00:00Z")!)

    static func kinds(_ script: Script) -> [String] {
        script.units.map { unit in
            switch unit {
            case .statement: return "statement"
            case .command(let command, _): return "\(command)".split(separator: "(").first.map(String.init) ?? ""
            }
        }
    }

    @Test func statementsRunOverLinesAndStartOnAKeywordOrACommand() {
        let script = Script("""
            #!/usr/bin/env bnq
            -- failures
            jobs select id, name
              where state == FAILED
              order by createdAt desc
              limit 2
            .format csv
            count where state == COMPLETE; job 'abc'
            results where state == FAILED
            """, fileName: "report.bnq")
        #expect(script.diagnostics.isEmpty)
        #expect(Self.kinds(script) == ["statement", "format", "statement", "statement", "statement"])
        #expect(script.check(Self.context).isEmpty)
        // The first statement spans its four lines.
        let first = script.units[0].range
        let text = String(decoding: Array(script.source.utf8)[first.start..<first.end], as: UTF8.self)
        #expect(text.hasPrefix("jobs select id, name") && text.hasSuffix("limit 2"))
    }

    @Test func crlfAndAByteOrderMarkReadLikeAnyScript() {
        let script = Script("\u{FEFF}jobs where state == FAILED\r\n  limit 2\r\n.timing on\r\ncount\r\n")
        #expect(script.diagnostics.isEmpty)
        #expect(Self.kinds(script) == ["statement", "timing", "statement"])
    }

    @Test func anErrorInsideWatchIsPositionedInTheFile() {
        let script = Script("jobs limit 1\n.watch 10s jobs where stat == RUNNING until state == COMPLETE\n", fileName: "w.bnq")
        let problems = script.check(Self.context)
        #expect(problems.map(\.id) == ["unknown-field"])
        let location = script.formatter.location(of: problems[0].range.start)
        #expect((location.line, location.column) == (2, 23))
        #expect(script.formatter.format(problems[0], compact: true).hasPrefix("w.bnq:2:23: error: unknown field 'stat'"))
    }

    @Test func anErrorInTheUntilPredicateIsFound() {
        let script = Script(".watch job abc until state == DONE\n")
        #expect(script.check(Self.context).map(\.id) == ["unknown-enum-value"])
    }

    @Test func watchTakesOnlyListingsAndJobs() {
        let script = Script(".watch count where state == RUNNING\n")
        #expect(script.diagnostics.map(\.id) == ["watch-statement"])
        #expect(Script(".watch 0s jobs\n").diagnostics.map(\.id) == ["watch-interval"])
    }

    @Test func parametersFollowSetAndUnsetInOrder() {
        let script = Script(".set since now - 1d\njobs where createdAt > $since\n.unset since\ncount where createdAt > $since\n")
        let problems = script.check(Self.context)
        #expect(problems.map(\.id) == ["missing-parameter"])
        #expect(script.formatter.location(of: problems[0].range.start).line == 4)
    }

    @Test func dotCommandsAreParsedWithSuggestions() throws {
        #expect(try DotCommand.parse(".format csv").get() == .format(.csv))
        #expect(try DotCommand.parse(".x auto").get() == .expanded(.auto))
        #expect(try DotCommand.parse(".maxrows off").get() == .maxRows(nil))
        #expect(try DotCommand.parse(".set since now - 1d  -- a day").get() == .set(name: "since", value: "now - 1d"))
        #expect(try DotCommand.parse(".output").get() == .output(path: nil))
        if case .failure(let diagnostic) = DotCommand.parse(".fromat csv") {
            #expect(diagnostic.message == "unknown command '.fromat'" && diagnostic.help == "did you mean '.format'?")
        } else {
            Issue.record("'.fromat' parsed")
        }
        if case .failure(let diagnostic) = DotCommand.parse(".format yaml") {
            #expect(diagnostic.id == "unknown-format" && diagnostic.range == SourceRange(8, 12))
        } else {
            Issue.record("'.format yaml' parsed")
        }
    }

    @Test func theVocabularyIsWhatTheParserAccepts() {
        // Every operator the vocabulary lists parses, with a value of the right kind.
        for op in Comparison.Operator.allCases {
            let value = op.takesList ? "('a')" : "'a'"
            let parsed = Parser.parse("jobs where name \(op.rawValue) \(value)")
            #expect(parsed.diagnostics.isEmpty, "\(op.rawValue)")
        }
        // Every clause, in order.
        #expect(Parser.parse("jobs select name where name == 'a' group by name having count > 1 order by count desc limit 1 offset 1 as of 2").diagnostics.isEmpty)
        #expect(Parser.parse("jobs as of '2026-11-01' where name == 'a'").diagnostics.isEmpty)
        #expect(Vocabulary.clauseSpellings == ["select", "where", "group by", "having", "order by", "limit", "offset", "as of"])
        // Every statement keyword starts a statement in a script.
        for keyword in Vocabulary.statementKeywords where keyword != "explain" {
            let argument = keyword == "job" || keyword == "results" ? "abc" : keyword == "timeline" ? "every 1h" : ""
            let script = Script("jobs\n\(keyword) \(argument)\n")
            #expect(script.units.count == 2, "\(keyword)")
        }
    }

    @Test func deeplyNestedPredicatesGetADiagnosticNotACrash() {
        let deep = "jobs where " + String(repeating: "(", count: 20_000) + "name == 'a'" + String(repeating: ")", count: 20_000)
        #expect(Parser.parse(deep).diagnostics.map(\.id) == ["too-deep"])
        let long = "jobs where createdAt > now" + String(repeating: " - 1d", count: 30_000)
        #expect(Parser.parse(long).diagnostics.map(\.id) == ["too-many-terms"])
    }

    @Test func aRecalledMultiLineStatementKeepsItsMeaning() {
        let text = "jobs select id -- the ids\n  where name == 'a--b' -- quoted dashes stay\n  limit 2"
        let line = Script.oneLine(text)
        #expect(line == "jobs select id where name == 'a--b' limit 2")
        #expect(Parser.parse(line).statements.count == 1)
        // An escaped quote does not end the string: the dashes after it are text, not a comment.
        #expect(Script.oneLine("jobs where name == 'it\\'s -- fine' -- note\n  limit 1") == "jobs where name == 'it\\'s -- fine' limit 1")
    }
}
