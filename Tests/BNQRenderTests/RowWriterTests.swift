import BNQCore
import BNQRender
import Foundation
import Testing

/// The row writer in every format, into a file as into a pipe: what reaches the bytes.
@Suite struct RowWriterTests {
    static let hostile = "evil\u{1B}[2J\u{1B}]0;title\u{07}\u{202E}name"

    /// Writes one row of `cells` (and `json`) in `format` to a file that is not a terminal.
    static func written(_ format: OutputFormat, headers: [String] = ["name"], cells: [String], json: JSONValue) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bnq-render-\(UUID().uuidString)").path
        let sink = try #require(OutputSink.file(path))
        let writer = RowWriter(format: format, sink: sink, headers: headers)
        writer.begin()
        writer.row(cells: cells, json: json)
        writer.finish(note: "1 row")
        sink.flush()
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func hasRawControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 != "\n" && UnsafeCharacters.contains($0) }
    }

    @Test(arguments: [OutputFormat.table, .expanded, .markdown])
    func humanReadableFormatsEscapeControlsEvenInAFile(_ format: OutputFormat) throws {
        let text = try Self.written(format, cells: [Self.hostile], json: ["name": .string(Self.hostile)])
        #expect(!Self.hasRawControl(text), "raw control characters in \(format)")
        #expect(text.contains("evil\\e[2J"))
        #expect(text.contains("\\u{202e}"))
    }

    @Test func csvCarriesTheDataExactlyAndQuotesControls() throws {
        let text = try Self.written(.csv, headers: ["name", "note"], cells: [Self.hostile, "plain"], json: .null)
        #expect(text == "name,note\n\"\(Self.hostile)\",plain\n")
    }

    @Test func csvFormulaGuardDefusesFormulasButNotNumbers() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bnq-render-\(UUID().uuidString)").path
        let sink = try #require(OutputSink.file(path))
        let writer = RowWriter(format: .csv, sink: sink, headers: ["a", "b", "c", "d"], formulaGuard: true)
        writer.begin()
        writer.row(cells: ["=HYPERLINK(\"http://evil\")", "-12.5", "@SUM(A1)", "plain"], json: .null)
        writer.finish(note: nil)
        sink.flush()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a,b,c,d\n\"'=HYPERLINK(\"\"http://evil\"\")\",-12.5,'@SUM(A1),plain\n")
    }

    @Test func csvQuotesCommasQuotesAndLineBreaks() throws {
        let text = try Self.written(.csv, headers: ["a"], cells: ["x, \"y\"\nz"], json: .null)
        #expect(text == "a\n\"x, \"\"y\"\"\nz\"\n")
    }

    @Test(arguments: [OutputFormat.json, .ndjson])
    func jsonFormatsEscapeControlsAndKeepTheValue(_ format: OutputFormat) throws {
        let text = try Self.written(format, cells: [], json: ["name": .string(Self.hostile)])
        #expect(!Self.hasRawControl(text))
        #expect(text.contains("\\u001b[2J"))
        #expect(text.contains("\\u202e"))
        // Reading it back gives the very same string.
        let line = try #require(text.split(separator: "\n").first { $0.contains("name") })
        let object = try JSONParser.parse(Array(line.trimmingCharacters(in: CharacterSet(charactersIn: ",")).utf8))
        #expect(object["name"]?.stringValue == Self.hostile)
    }

    @Test func tableCellsAreFittedAndTheFooterCountsRowsLeftOut() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bnq-render-\(UUID().uuidString)").path
        let sink = try #require(OutputSink.file(path))
        let writer = RowWriter(format: .table, sink: sink, headers: ["id", "n"], rightAligned: [1], maximumRows: 2)
        writer.begin()
        for index in 0..<5 { writer.row(cells: ["job-\(index)", String(index * 100)], json: .null) }
        writer.finish(note: "5 rows")
        sink.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == ["  id   |  n", "-------+----", " job-0 |   0", " job-1 | 100", "… 3 more rows (.maxrows to show more)", "(5 rows)"])
    }
}

/// Cell text of values servers really send: int64 as strings, numbers beyond 10¹⁵, NaN, Infinity.
@Suite struct CellTextTests {
    @Test func numbersOfAnySizeRenderWithoutTrapping() {
        #expect(CellText.text(.string("9223372036854775807"), type: .int64String) == "9223372036854775807")
        #expect(CellText.text(.int(-42), type: .integer) == "-42")
        // A number sent as a string that is not a whole one reads as the number, for either type.
        #expect(CellText.text(.string("1.5e3"), type: .integer) == "1500")
        #expect(CellText.text(.string("1.5e3"), type: .int64String) == "1500")
        #expect(CellText.text(.string("12"), type: .integer) == "12")
        #expect(CellText.text(.string("NaN"), type: .double) == "NaN")
        #expect(CellText.text(.string("Infinity"), type: .double) == "Infinity")
        #expect(CellText.number(1e16) == "1e+16")
        #expect(CellText.number(-1e300) == "-1e+300")
        #expect(CellText.number(1121.2) == "1121.2")
        #expect(CellText.number(0.0005) == "0.001")
    }

    /// bnq's width table is the C library's widths under C.UTF-8, scalar for scalar.
    @Test func theWidthTableAgreesWithTheCLibrary() throws {
        guard setlocale(LC_CTYPE, "C.UTF-8") != nil else { return }
        var differ: [String] = []
        for value in UInt32(0x20)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected = test_wcwidth(Int32(value))
            if expected >= 0, Int(expected) != TerminalText.tableWidth(scalar) { differ.append(String(value, radix: 16)) }
        }
        #expect(differ.isEmpty, "\(differ.prefix(20))")
        // Under that locale the width is the C library's: an emoji and a wide character take two
        // columns, a combining mark none.
        #expect(TerminalText.width("🚀✅日本") == 8)
        #expect(TerminalText.width("e\u{0301}") == 1)
    }
}

@_silgen_name("wcwidth") func test_wcwidth(_ character: Int32) -> Int32
