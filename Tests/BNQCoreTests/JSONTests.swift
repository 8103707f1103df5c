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

    @Test func findsWhereEachValueEndsWithoutBuildingIt() throws {
        let text = #"[{"a":"}]\"{[","b":[1,{"c":2}]}, "x\\" ,-12.5e3 , true,[]]"#
        let bytes = Array(text.utf8)
        func end(_ start: Int) throws(JSONParseError) -> Int {
            try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.endOfValue(in: buffer, at: start) }
        }
        // Each element found by its end is exactly what the full parse sees as that element.
        var starts: [Int] = []
        var ends: [Int] = []
        var index = 1
        while index < bytes.count - 1 {
            while bytes[index] == 0x20 || bytes[index] == UInt8(ascii: ",") { index += 1 }
            starts.append(index)
            index = try end(index)
            ends.append(index)
            while index < bytes.count - 1, bytes[index] == 0x20 { index += 1 }
        }
        let elements = try zip(starts, ends).map { try JSONParser.parse(bytes[$0..<$1]) }
        #expect(elements == (try JSONParser.parse(text)).arrayValue)
        #expect(try end(0) == bytes.count)
        // An unclosed string is reported where it opens.
        let open = Array(#"{"a": "bc"#.utf8)
        #expect(throws: JSONParseError.self) {
            try open.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.endOfValue(in: buffer, at: 0) }
        }
        do {
            _ = try open.withUnsafeBufferPointer { buffer throws(JSONParseError) in try JSONParser.endOfValue(in: buffer, at: 0) }
        } catch {
            #expect(error.reason == "a string that does not end" && error.offset == 6)
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
