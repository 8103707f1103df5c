import BNQCore
import BNQLanguage
import Testing

@Suite struct ParserTests {
    @Test(arguments: [
        ("jobs", true), ("jobs where", false), ("jobs where state == FAILED and", false),
        ("jobs where (state == FAILED", false), ("jobs where name == 'abc", false), ("jobs order", false),
        ("jobs order by", false), ("jobs where state in (NEW,", false), ("jobs limit", false),
        ("jobs where state == FAILED -- a comment", true), ("", true), ("jobs; count", true),
        ("jobs where stat == NEW", true), ("explain", false), ("jobs where createdAt > now -", false),
    ])
    func knowsWhenAStatementNeedsMoreLines(input: String, complete: Bool) {
        #expect(Parser.isComplete(input) == complete, "\(input)")
    }

    @Test func keywordsAreCaseInsensitiveAndSemicolonsSeparate() {
        let result = Parser.parse("JOBS WHERE State == complete ORDER BY createdAt DESC LIMIT 3; count Jobs")
        #expect(result.diagnostics.isEmpty)
        #expect(result.statements.count == 2)
    }

    /// The lexer finds every word of the grammar, in lower, upper and mixed case (its table is
    /// keyed by folded bytes and skips words longer than the longest keyword), and no longer word.
    @Test func everyKeywordIsFoundInAnyCase() {
        for keyword in Keyword.allCases where !keyword.isSymbol {
            let word = keyword.rawValue
            let mixed = String(word.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element })
            for spelling in [word, word.uppercased(), mixed] {
                #expect(Lexer.lexemes(spelling)[0].keyword == keyword, "\(spelling)")
            }
            #expect(Lexer.lexemes(word + "x")[0].keyword == nil)
            #expect(Lexer.lexemes(word + "_")[0].keyword == nil)
        }
    }

    @Test func jobIdsKeepTheirDashes() {
        let result = Parser.parse("job bd66e025-0a8a-c87f-c4b0-530e23b1f3e2; results 'x y'")
        guard result.statements.count == 2, let id = result.statements[0].statement.jobID, let other = result.statements[1].statement.jobID else {
            Issue.record("not parsed as job and results")
            return
        }
        #expect(id == "bd66e025-0a8a-c87f-c4b0-530e23b1f3e2")
        #expect(!result.statements[0].statement.isResults)
        #expect(result.statements[1].statement.isResults)
        #expect(other == "x y")
    }

    /// The keyword of each word, as a reference the lexer's packed hash table must agree with.
    static func referenceKeyword(_ word: String) -> Keyword? {
        Keyword.allCases.first { !$0.isSymbol && $0.rawValue == word.lowercased() && word.utf8.allSatisfy { $0 < 0x80 } }
    }

    @Test func everyKeywordIsFoundInAnyCaseAndNothingElseIs() {
        var random = SeededRandom(seed: 7)
        func mixedCase(_ word: String) -> String {
            String(word.map { random.next() % 2 == 0 ? Character($0.uppercased()) : $0 })
        }
        var words: [String] = []
        for keyword in Keyword.allCases where !keyword.isSymbol {
            let word = keyword.rawValue
            words += [word, word.uppercased(), mixedCase(word)]
            // Near misses: one letter short or long, an underscore, a dot path, a non-ASCII look-alike.
            words += [String(word.dropLast()), word + "s", word + "_", "_" + word, word + "1", word + ".x", word + "é", "x" + word]
        }
        words += ["abcdefghijklmnop", "abcdefghijklmnopq", "percentilepercentile", "wherе" /* Cyrillic e */, "COUNT", "Count"]
        for word in words {
            // At the very end of the text (the key is read byte by byte there) and with text after
            // it (the key is read eight bytes at a time).
            for text in [word, word + " == 1 and more text after it"] {
                let first = Lexer.lexemes(text)[0]
                let expected = word.contains(".") ? nil : Self.referenceKeyword(word)
                #expect(first.keyword == expected, "\(text)")
                #expect(first.kind == .identifier, "\(text)")
                #expect(first.range == SourceRange(0, word.contains(".") ? word.utf8.count : word.utf8.count), "\(text)")
            }
        }
    }

    /// Lexing a part of a text reads the bytes after the part (words are read 16 bytes at a time)
    /// but never takes them in: the part's lexemes are those of the part alone, keywords cut short
    /// by its end included (`wher|e` is no keyword, `where|ver` is one).
    @Test func aPartOfATextLexesAsThatPartAlone() {
        var random = SeededRandom(seed: 11)
        let words = Keyword.allCases.filter { !$0.isSymbol }.map(\.rawValue) + ["createdAt", "templateInfo.app", "x", "_y", "é", "7d", "'s'", "=="]
        for _ in 0..<5000 {
            var text = ""
            for _ in 0..<Int(1 + random.next() % 6) {
                let word = words[Int(random.next() % UInt64(words.count))]
                text += (random.next() % 2 == 0 ? word.uppercased() : word) + (random.next() % 3 == 0 ? "" : " ")
            }
            let bytes = Array(text.utf8)
            let start = Int(random.next() % UInt64(bytes.count))
            let end = start + Int(random.next() % UInt64(bytes.count - start + 1))
            guard let part = String(bytes: bytes[start..<end], encoding: .utf8) else { continue }
            let alone = Lexer.tokenize(part).map { Token(kind: $0.kind, text: $0.text, range: SourceRange($0.range.start + start, $0.range.end + start), number: $0.number, keyword: $0.keyword) }
            let inPlace = Lexer.tokenize(text, in: SourceRange(start, end))
            #expect(inPlace.map(\.kind) == alone.map(\.kind), "\(text.debugDescription) \(start)..<\(end)")
            #expect(inPlace.map(\.keyword) == alone.map(\.keyword), "\(text.debugDescription) \(start)..<\(end)")
            #expect(inPlace.map(\.range) == alone.map(\.range), "\(text.debugDescription) \(start)..<\(end)")
        }
    }

    @Test func symbolsAndLiteralsKeepTheirMeaning() {
        let tokens = Lexer.tokenize("a = 1 <> 2 <= 3 >= 4 != 5 == 'it''s' \"q\\\"x\" 'tab\\tend' 15m 1.5e3 2026-01-31T12:00:00Z $p 'open\\")
        #expect(tokens.map(\.text) == [
            "a", "==", "1", "!=", "2", "<=", "3", ">=", "4", "!=", "5", "==", "it's", "q\"x", "tab\tend", "15m", "1.5e3",
            "2026-01-31T12:00:00Z", "p", "open\\", "",
        ])
        #expect(tokens.map(\.kind) == [
            .identifier, .symbol, .number, .symbol, .number, .symbol, .number, .symbol, .number, .symbol, .number, .symbol,
            .string, .string, .string, .duration, .number, .timestamp, .parameter, .unterminatedString, .end,
        ])
        #expect(tokens[15].number == 900)
        #expect(tokens[16].number == 1500)
        #expect(tokens[1].keyword == .equal && tokens[3].keyword == .notEqual && tokens[9].keyword == .notEqual)
    }

    /// In a string `\\`, `\'`, `\"`, `\n` and `\t` are escapes; any other backslash is kept, so a
    /// `like` pattern gets its own escapes (`'%\_%'`: a literal underscore) and a path its backslashes.
    @Test func aBackslashBeforeAnyOtherCharacterIsKept() {
        let tokens = Lexer.tokenize(#"'%\_%' 'C:\data' 'a\\b' 'it\'s' "q\"x" 'x\ny'"#)
        #expect(tokens.map(\.text).dropLast() == [#"%\_%"#, #"C:\data"#, #"a\b"#, "it's", "q\"x", "x\ny"])
    }

    /// Words are scanned eight bytes at a time: every word ends exactly where a byte-by-byte scan
    /// ends it, whatever bytes border the range tests (`/0 9:`, `@A Z[`, `^_``, `az{`, DEL, non-ASCII).
    @Test func wordsEndWhereAByteByByteScanEndsThem() {
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte >= 0x80
        }
        var random = SeededRandom(seed: 7)
        let alphabet = Array("/09:@AZ[^_`az{\u{7F}é😀 xyQ5-.".unicodeScalars)
        for _ in 0..<20000 {
            var text = "w"
            for _ in 0..<Int(random.next() % 30) { text.unicodeScalars.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            let bytes = Array(text.utf8)
            var end = 1
            while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
            let first = Lexer.lexemes(text)[0]
            #expect(first.kind == .identifier)
            // A dot followed by a letter continues a dotted path; without one the word ends at `end`.
            if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "."), Lexer.isLetter(bytes[end + 1]) {
                #expect(first.range.end > end + 1, "\(text.debugDescription)")
            } else {
                #expect(first.range == SourceRange(0, end), "\(text.debugDescription)")
            }
        }
    }

    @Test func lexerNeverFailsOnArbitraryBytes() {
        var random = SeededRandom(seed: 42)
        let alphabet = Array("jobs where state == 'x\" ( ) , ; -- \n \t 2026-01-01T 7d $p . é 😀 \u{1B} # != <> not in like".unicodeScalars)
        for _ in 0..<5000 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) { text.unicodeScalars.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            let result = Parser.parse(text)
            for diagnostic in result.diagnostics {
                #expect(diagnostic.range.start <= text.utf8.count && diagnostic.range.end <= text.utf8.count)
            }
            // Formatting never traps either.
            for diagnostic in result.diagnostics { _ = DiagnosticFormatter(source: text).format(diagnostic) }
        }
    }
}
