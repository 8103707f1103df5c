import BNQRender
import Testing

/// Help text broken to fit a terminal: at spaces, under the column its line's text starts in.
@Suite struct TerminalTextTests {
    @Test func aTwoColumnLineGoesOnUnderItsSecondColumn() {
        let line = "  .format FORMAT   output format: table, expanded, json, ndjson, csv, markdown, chart"
        let wrapped = TerminalText.wrap(line, to: 50)
        #expect(wrapped == """
              .format FORMAT   output format: table, expanded,
                               json, ndjson, csv, markdown,
                               chart
            """)
        for piece in wrapped.split(separator: "\n") { #expect(piece.count <= 50) }
    }

    @Test func aSecondColumnPastTheMiddleGetsLinesOfItsOwn() {
        let line = "  .help [TOPIC]                               this list; topics: fields, language, formats, watch"
        #expect(TerminalText.wrap(line, to: 64) == """
              .help [TOPIC]
                  this list; topics: fields, language, formats, watch
            """)
    }

    @Test func aPlainLineGoesOnTwoColumnsIn() {
        let wrapped = TerminalText.wrap("  jobs [select …] [where …] [group by …] [having …] [order by …]", to: 30)
        #expect(wrapped == """
              jobs [select …] [where …]
                [group by …] [having …]
                [order by …]
            """)
    }

    @Test func shortLinesAndLineBreaksStayAsTheyAre() {
        let text = "Commands:\n\n  .help [TOPIC]   this list\n"
        #expect(TerminalText.wrap(text, to: 40) == text)
    }

    @Test func aWordLongerThanTheRoomStaysWhole() {
        let wrapped = TerminalText.wrap("see https://example.com/a/very/long/path/that/does/not/fit here", to: 20)
        #expect(wrapped == "see\n  https://example.com/a/very/long/path/that/does/not/fit\n  here")
    }

    @Test func aLongValueComesInPiecesOfTheWidth() {
        #expect(TerminalText.pieces("abcdefghij", of: 4) == ["abcd", "efgh", "ij"])
        #expect(TerminalText.pieces("short", of: 10) == ["short"])
        // A wide character is never split; it starts the next piece.
        #expect(TerminalText.pieces("ab日本", of: 3) == ["ab", "日", "本"])
    }
}
