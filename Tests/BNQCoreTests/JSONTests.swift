import BNQCore
import Testing

@Suite struct JSONTests {
    @Test func parsesAndWritesBackTheSameText() throws {
        let text = #"{"b":1,"a":[true,false,null,-2.5,"x\"y\\z\n"],"c":{"d":"é😀"},"e":9007199254740993}"#
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.compact(value) == text)
        #expect(value["e"] == .int(9_007_199_254_740_993))
        #expect(value["a"]?.arrayValue?.count == 5)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#"["\u00e9\ud83d\ude00\/\t", "\ud800"]"#)
        #expect(value.arrayValue?[0] == .string("é😀/\t"))
        #expect(value.arrayValue?[1] == .string("\u{FFFD}"))
    }

    @Test(arguments: [
        ("", "unexpected end of JSON", 1, 1),
        ("{\"a\":1,}", "expected a member name in quotes", 1, 8),
        ("[1,\n2", "unexpected end of JSON in an array", 2, 2),
        ("\"abc", "unterminated string", 1, 5),
        ("01", "unexpected text after the JSON value", 1, 2),
        ("{\"a\" 1}", "expected ':' after a member name", 1, 6),
        ("<html>", "unexpected character '<'", 1, 1),
    ])
    func rejectsMalformedInputWithAPosition(input: String, reason: String, line: Int, column: Int) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(input) }
        do {
            _ = try JSONParser.parse(input)
        } catch {
            #expect(error.reason == reason)
            #expect(error.line == line)
            #expect(error.column == column)
        }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func readsNumbersSentAsStrings() throws {
        let value = try JSONParser.parse(#"{"numChunks":"12","duration":"1.5","bad":"x"}"#)
        #expect(value["numChunks"]?.int64Value == 12)
        #expect(value["duration"]?.numberValue == 1.5)
        #expect(value["bad"]?.numberValue == nil)
    }

    @Test func escapesControlCharactersWhenWriting() {
        #expect(JSONWriter.compact(.string("a\u{1B}[2Jb\u{7F}")) == #""a\u001b[2Jb\u007f""#)
    }

    @Test func pathsReachNestedMembers() throws {
        let job = try JSONParser.parse(#"{"templateInfo":{"app":"ffmpeg"}}"#)
        #expect(job.value(atPath: "templateInfo.app") == .string("ffmpeg"))
        #expect(job.value(atPath: "templateInfo.nope") == nil)
    }

    @Test func aDeferredMemberIsSkippedAndParsesLaterToTheSameValue() throws {
        let text = #"{"data": [{"id": "a", "name": "x]}\"{", "n": [1, 2.5e3, -0, true, null]}, {}], "pagination": {"total": "2"}, "x": "data"}"#
        let bytes = Array(text.utf8)
        let (value, range) = try JSONParser.parse(bytes, deferring: "data")
        #expect(value == (try JSONParser.parse(#"{"pagination": {"total": "2"}, "x": "data"}"#)))
        let whole = try JSONParser.parse(text)
        #expect(try JSONParser.parse(bytes[try #require(range)]) == whole["data"])
        // Scalars and strings are skipped too; a missing member gives no range.
        for (json, expected) in [(#"{"data": 42}"#, "42"), (#"{"data": "a\"b"}"#, #""a\"b""#), (#"{"data":null,"y":1}"#, "null")] {
            let (_, scalar) = try JSONParser.parse(Array(json.utf8), deferring: "data")
            #expect(String(decoding: Array(json.utf8)[try #require(scalar)], as: UTF8.self) == expected)
        }
        #expect(try JSONParser.parse(Array(#"{"other": []}"#.utf8), deferring: "data").deferred == nil)
        // A cut-off deferred value is an error, not a short page.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(#"{"data": [{"id": "a"}"#.utf8), deferring: "data") }
    }
}
