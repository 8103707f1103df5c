import BNQCore

/// Splits a statement into tokens. It never throws: a bad character becomes an `.invalid` token
/// and an unclosed string an `.unterminatedString`, and the parser reports them where it meets them.
///
/// The lexer makes `Lexeme`s: kinds and byte ranges, with the keyword an identifier spells found
/// through a small hash table, and no text. Nothing is allocated but the lexemes' buffer, and
/// that only when they do not fit on the stack.
public struct Lexer {
    /// The UTF-8 of `source`, copied in one piece from its storage (where `Array(source.utf8)`
    /// would walk the view byte by byte).
    public static func utf8(_ source: String) -> [UInt8] {
        source.utf8.withContiguousStorageIfAvailable { Array($0) } ?? Array(source.utf8)
    }

    /// Calls `body` with the UTF-8 of `source` where it is stored (no copy for a native string;
    /// a string stored otherwise is made contiguous first).
    @inline(__always) public static func withUTF8<T>(_ source: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var source = source
        return source.withUTF8(body)
    }

    /// All tokens of `source` with their text, ending with `.end`. `--` comments are skipped.
    public static func tokenize(_ source: String) -> [Token] {
        withUTF8(source) { tokens(bytes: $0, in: SourceRange(0, $0.count)) }
    }

    /// The tokens of the part `range` of `source`, their ranges counted from the start of `source`.
    public static func tokenize(_ source: String, in range: SourceRange) -> [Token] {
        withUTF8(source) { tokens(bytes: $0, in: range) }
    }

    /// The lexemes of `source`, ending with `.end` (what the parser reads).
    public static func lexemes(_ source: String) -> [Lexeme] {
        withUTF8(source) { lexemes(bytes: $0, in: SourceRange(0, $0.count)) }
    }

    /// How many lexemes `source` has, `.end` included, read as the parser reads them (for the
    /// compiler benchmark's lexing stage).
    public static func lexemeCount(_ source: String) -> Int {
        withUTF8(source) { bytes in withLexemes(bytes: bytes, in: SourceRange(0, bytes.count)) { $0.count } }
    }

    static func tokens(bytes: UnsafeBufferPointer<UInt8>, in range: SourceRange) -> [Token] {
        lexemes(bytes: bytes, in: range).map { token(for: $0, in: bytes) }
    }

    /// The token, with its text, of a lexeme of `bytes`.
    static func token(for lexeme: Lexeme, in bytes: UnsafeBufferPointer<UInt8>) -> Token {
        Token(kind: lexeme.kind, text: text(of: lexeme, in: bytes), range: lexeme.range, number: lexeme.number, keyword: lexeme.keyword)
    }

    /// A lexeme's text: a word or number as written, a string's value (escapes resolved), a
    /// parameter's name without `$`, a symbol's canonical spelling (`==` for `=`).
    static func text(of lexeme: Lexeme, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch lexeme.kind {
        case .string, .unterminatedString: return stringValue(bytes, lexeme.range, closed: lexeme.kind == .string)
        case .parameter: return decoded(bytes, lexeme.range.start + 1, lexeme.range.end)
        case .symbol: if let keyword = lexeme.keyword { return keyword.rawValue }
        default: break
        }
        return decoded(bytes, lexeme.range.start, lexeme.range.end)
    }

    /// The text of `bytes[start..<end]`, decoded from a pointer (the fast path of `String(decoding:)`).
    @inline(__always) static func decoded(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The lexemes of `bytes[range]`, their ranges counted from the start of `bytes`.
    static func lexemes(bytes: UnsafeBufferPointer<UInt8>, in range: SourceRange) -> [Lexeme] {
        var lexemes: [Lexeme] = []
        lexemes.reserveCapacity((min(range.end, bytes.count) - min(range.start, range.end, bytes.count)) / 3 + 4)
        let end = min(range.end, bytes.count)
        var position = min(range.start, end)
        let table = KeywordTable.entries
        while true {
            let (lexeme, next) = scan(bytes, position, end, table)
            lexemes.append(lexeme)
            position = next
            if lexeme.kind == .end { break }
        }
        return lexemes
    }

    /// How many bytes Swift always places a temporary allocation on the stack for (beyond them,
    /// `withUnsafeTemporaryAllocation` checks the room left, or takes the heap): what the lexemes
    /// and the parser's nodes are sized to.
    static let stackBytes = 1024

    /// How many lexemes a statement may have to be read into a buffer on the stack: as many as
    /// fit in `stackBytes` (a longer statement takes the heap).
    static let stackCapacity = stackBytes / MemoryLayout<Lexeme>.stride

    /// Calls `body` with the lexemes of `bytes[range]` (ending with `.end`): held on the stack
    /// when they are few, as they are in a statement typed at the prompt; else in an array.
    static func withLexemes<T>(bytes: UnsafeBufferPointer<UInt8>, in range: SourceRange, _ body: (UnsafeBufferPointer<Lexeme>) -> T) -> T {
        let onStack: T? = withUnsafeTemporaryAllocation(of: Lexeme.self, capacity: stackCapacity) { buffer in
            guard let count = lex(bytes, range, into: buffer, KeywordTable.entries) else { return nil }
            defer { _ = buffer.baseAddress!.deinitialize(count: count) }
            return body(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
        if let onStack { return onStack }
        // A longer statement is read again from its start: carrying the lexer's state over from
        // the stack instead measured 60 to 340 more instructions on every statement (two ways tried).
        return lexemes(bytes: bytes, in: range).withUnsafeBufferPointer(body)
    }

    /// Reads the lexemes of `bytes[range]` into `buffer`; how many, or nil when they do not fit.
    private static func lex(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: SourceRange, into buffer: UnsafeMutableBufferPointer<Lexeme>, _ table: UnsafeBufferPointer<KeywordTable.Entry>
    ) -> Int? {
        let end = min(range.end, bytes.count)
        var position = min(range.start, end)
        var count = 0
        let base = buffer.baseAddress!
        while count < buffer.count {
            let (lexeme, next) = scan(bytes, position, end, table)
            (base + count).initialize(to: lexeme)
            count += 1
            position = next
            if lexeme.kind == .end { return count }
        }
        _ = base.deinitialize(count: count)
        return nil
    }

    /// The value of the string `range` covers (from its opening quote to its closing one, or to
    /// the end for an unterminated string): a doubled quote read as one, `\'`, `\"` and `\\` as
    /// the character, `\n` and `\t` as a line break and a tab; any other backslash is kept.
    static func stringValue(_ bytes: UnsafeBufferPointer<UInt8>, _ range: SourceRange, closed: Bool) -> String {
        guard range.end > range.start else { return "" }
        let quote = bytes[range.start]
        let end = closed ? range.end - 1 : range.end
        var position = range.start + 1
        guard position < end else { return "" }
        // Text with no escape is decoded in one piece.
        if !bytes[position..<end].contains(where: { $0 == quote || $0 == UInt8(ascii: "\\") }) {
            return decoded(bytes, position, end)
        }
        var value: [UInt8] = []
        value.reserveCapacity(end - position)
        while position < end {
            let byte = bytes[position]
            if byte == quote, position + 1 < end, bytes[position + 1] == quote {
                value.append(quote)
                position += 2
            } else if byte == UInt8(ascii: "\\"), position + 1 < end {
                switch bytes[position + 1] {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): value.append(bytes[position + 1])
                // Any other backslash stays, so that `like '%\_%'` reaches the pattern as an
                // escaped `_` (a literal underscore) and `'C:\data'` means what it shows.
                default: value.append(contentsOf: [byte, bytes[position + 1]])
                }
                position += 2
            } else {
                value.append(byte)
                position += 1
            }
        }
        return String(decoding: value, as: UTF8.self)
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) public static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26 || byte == 0x5F || byte >= 0x80
    }

    /// The lexeme at or after `position` in `bytes[..<end]` (white space and `--` comments
    /// skipped), and where the one after it starts. Each kind is read by a function of positions,
    /// not of a lexer's state, so that the loop keeps its position in a register.
    @inline(__always)
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ end: Int, _ keywords: UnsafeBufferPointer<KeywordTable.Entry>) -> (Lexeme, Int) {
        var start = position
        while start < end {
            let byte = bytes[start]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                start += 1
            } else if byte == UInt8(ascii: "-"), start + 1 < end, bytes[start + 1] == UInt8(ascii: "-") {
                while start < end, bytes[start] != 0x0A { start += 1 }
            } else {
                break
            }
        }
        guard start < end else { return (Lexeme(kind: .end, range: SourceRange(start, start)), start) }
        let byte = bytes[start]
        if isLetter(byte) { return identifier(bytes, start, end, keywords) }
        if isDigit(byte) { return numeric(bytes, start, end) }
        switch byte {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return string(bytes, start, end)
        case UInt8(ascii: "$"):
            var position = start + 1
            while position < end, isLetter(bytes[position]) || isDigit(bytes[position]) { position += 1 }
            return (Lexeme(kind: .parameter, range: SourceRange(start, position)), position)
        default: return symbol(bytes, start, end)
        }
    }

    /// Whether a byte continues a word: a letter, `_`, a digit, or a byte of a non-ASCII character.
    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26 || byte &- 0x30 < 10 || byte == 0x5F || byte >= 0x80
    }

    @inline(__always)
    static func identifier(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ keywords: UnsafeBufferPointer<KeywordTable.Entry>) -> (Lexeme, Int) {
        // The word's first 16 bytes, read at once; in the last 16 bytes of the text, what is left
        // of it copied into 16 zeroed ones (a zero ends a word, as the text's end does).
        var first: UInt64
        var second: UInt64
        if start &+ 16 <= bytes.count {
            let base = UnsafeRawPointer(bytes.baseAddress! + start)
            first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
            second = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        } else {
            var tail: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...]))) }
            first = UInt64(littleEndian: tail.0)
            second = UInt64(littleEndian: tail.1)
        }
        // Where the word ends and, folded, the keyword table's key come from the same words.
        var position: Int
        let firstEnds = ~wordBytes(first) & 0x8080_8080_8080_8080
        if firstEnds != 0 {
            position = start &+ firstEnds.trailingZeroBitCount / 8
        } else {
            let secondEnds = ~wordBytes(second) & 0x8080_8080_8080_8080
            position = secondEnds != 0 ? start &+ 8 &+ secondEnds.trailingZeroBitCount / 8 : skipWordBytes(bytes, start &+ 16, end)
        }
        // The bytes read may run past the end of the part being lexed: the word stops there.
        position = Swift.min(position, end)
        let length = position &- start
        // A word longer than every keyword is not looked up.
        let keyword = length <= KeywordTable.longest ? KeywordTable.keyword(folded: first, second, length: length, in: keywords) : nil
        // A dotted path continues only with a letter after the dot; no keyword has a dot.
        guard position &+ 1 < end, bytes[position] == UInt8(ascii: "."), isLetter(bytes[position &+ 1]) else {
            return (Lexeme(kind: .identifier, keyword: keyword, range: SourceRange(start, position)), position)
        }
        while position &+ 1 < end, bytes[position] == UInt8(ascii: "."), isLetter(bytes[position &+ 1]) {
            position = skipWordBytes(bytes, position &+ 1, end)
        }
        return (Lexeme(kind: .identifier, range: SourceRange(start, position)), position)
    }

    /// Where the bytes that continue a word (see `isWordByte`) from `position` on end, read eight
    /// at a time while eight can be read: `wordBytes` marks them, and the first byte left unmarked
    /// ends the word.
    @inline(__always) static func skipWordBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int, _ end: Int) -> Int {
        var position = position
        while position + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + position).loadUnaligned(as: UInt64.self))
            let others = ~wordBytes(word) & 0x8080_8080_8080_8080
            guard others != 0 else {
                position += 8
                if position >= end { return end }
                continue
            }
            return Swift.min(position + others.trailingZeroBitCount / 8, end)
        }
        while position < end, isWordByte(bytes[position]) { position += 1 }
        return position
    }

    /// For each byte of `word`, the byte's 0x80 bit set when it continues a word (a letter, `_`,
    /// a digit, or a byte of a non-ASCII character), clear when not: `isWordByte` eight at a time.
    /// Each range test adds to the byte's low seven bits, which cannot carry into the next byte.
    @inline(__always) static func wordBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let heptets = word & (0x7F &* ones)
        let digits = (heptets &+ 0x50 &* ones) & ~(heptets &+ 0x46 &* ones)
        let lower = heptets | (0x20 &* ones)
        let letters = (lower &+ 0x1F &* ones) & ~(lower &+ 0x05 &* ones)
        let underscores = ~((heptets ^ (0x5F &* ones)) &+ (0x7F &* ones))
        return (digits | letters | underscores | word) & (0x80 &* ones)
    }

    /// A number, a duration, a date or time, or (digits running into letters) an invalid token.
    static func numeric(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Lexeme, Int) {
        var position = start
        @inline(__always) func peek(_ offset: Int = 0) -> UInt8 { position + offset < end ? bytes[position + offset] : 0 }
        // A date: 4 digits, '-', 2 digits, '-', 2 digits, then an optional time.
        if position + 10 <= end, isDigit(bytes[position]), isDigit(bytes[position + 1]), isDigit(bytes[position + 2]),
            isDigit(bytes[position + 3]), bytes[position + 4] == UInt8(ascii: "-"), isDigit(bytes[position + 5]), isDigit(bytes[position + 6]),
            bytes[position + 7] == UInt8(ascii: "-"), isDigit(bytes[position + 8]), isDigit(bytes[position + 9])
        {
            position += 10
            if peek() == UInt8(ascii: "T") || peek() == UInt8(ascii: "t"), isDigit(peek(1)) {
                position += 1
                while isDigit(peek()) || peek() == UInt8(ascii: ":") || peek() == UInt8(ascii: ".") { position += 1 }
                if peek() == UInt8(ascii: "Z") || peek() == UInt8(ascii: "z") {
                    position += 1
                } else if peek() == UInt8(ascii: "+") || (peek() == UInt8(ascii: "-") && isDigit(peek(1))) {
                    position += 1
                    while isDigit(peek()) || peek() == UInt8(ascii: ":") { position += 1 }
                }
            }
            return (Lexeme(kind: .timestamp, range: SourceRange(start, position)), position)
        }
        // Whole numbers of up to 15 digits are exact in a Double: added up here, not parsed.
        var whole: Int64 = 0
        while position < end, isDigit(bytes[position]) {
            if position - start < 15 { whole = whole * 10 + Int64(bytes[position] &- 0x30) }
            position += 1
        }
        var exact = position - start <= 15
        if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
            exact = false
            position += 1
            while isDigit(peek()) { position += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E"),
            isDigit(peek(1)) || ((peek(1) == UInt8(ascii: "-") || peek(1) == UInt8(ascii: "+")) && isDigit(peek(2)))
        {
            exact = false
            position += 2
            while isDigit(peek()) { position += 1 }
        }
        let numberEnd = position
        // The value, worked out only for a number or a duration (not for `530e23b1`, which is invalid).
        @inline(__always) func value() -> Double {
            exact ? Double(whole) : (Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<numberEnd]), as: UTF8.self)) ?? 0)
        }
        // A duration: a number with a unit right after it.
        if isLetter(peek()) {
            let unitStart = position
            while isLetter(peek()) { position += 1 }
            guard let scale = DurationUnit.scale(UnsafeBufferPointer(rebasing: bytes[unitStart..<position])), !isDigit(peek()) else {
                while isLetter(peek()) || isDigit(peek()) { position += 1 }
                return (Lexeme(kind: .invalid, range: SourceRange(start, position)), position)
            }
            return (Lexeme(kind: .duration, range: SourceRange(start, position), number: value() * scale), position)
        }
        return (Lexeme(kind: .number, range: SourceRange(start, numberEnd), number: value()), numberEnd)
    }

    /// A string from its opening quote: to its closing one, or to the end (unterminated).
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Lexeme, Int) {
        let quote = bytes[start]
        var position = start + 1
        while position < end {
            let byte = bytes[position]
            if byte == quote {
                // A doubled quote stands for one quote, as in SQL.
                if position + 1 < end, bytes[position + 1] == quote {
                    position += 2
                    continue
                }
                position += 1
                return (Lexeme(kind: .string, range: SourceRange(start, position)), position)
            }
            if byte == UInt8(ascii: "\\"), position + 1 < end {
                position += 2
                continue
            }
            position += 1
        }
        return (Lexeme(kind: .unterminatedString, range: SourceRange(start, position)), position)
    }

    @inline(__always)
    static func symbol(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Lexeme, Int) {
        let one = bytes[start]
        let second = start + 1 < end ? bytes[start + 1] : 0
        let keyword: Keyword?
        var length = 1
        switch one {
        case UInt8(ascii: "="):
            keyword = .equal
            if second == UInt8(ascii: "=") { length = 2 }
        case UInt8(ascii: "!"):
            if second == UInt8(ascii: "=") { (keyword, length) = (.notEqual, 2) } else { keyword = nil }
        case UInt8(ascii: "<"):
            switch second {
            case UInt8(ascii: ">"): (keyword, length) = (.notEqual, 2)
            case UInt8(ascii: "="): (keyword, length) = (.lessOrEqual, 2)
            default: keyword = .less
            }
        case UInt8(ascii: ">"):
            if second == UInt8(ascii: "=") { (keyword, length) = (.greaterOrEqual, 2) } else { keyword = .greater }
        case UInt8(ascii: "("): keyword = .open
        case UInt8(ascii: ")"): keyword = .close
        case UInt8(ascii: ","): keyword = .comma
        case UInt8(ascii: ";"): keyword = .semicolon
        case UInt8(ascii: "+"): keyword = .plus
        case UInt8(ascii: "-"): keyword = .minus
        case UInt8(ascii: "*"): keyword = .star
        default: keyword = nil
        }
        if let keyword { return (Lexeme(kind: .symbol, keyword: keyword, range: SourceRange(start, start + length)), start + length) }
        // Take a whole UTF-8 character for the message.
        var position = start + 1
        while position < end, bytes[position] & 0xC0 == 0x80 { position += 1 }
        return (Lexeme(kind: .invalid, range: SourceRange(start, position)), position)
    }
}

/// The keywords by their spelling, in an open-addressed table keyed by the word's first 16
/// bytes folded to lower case: one multiplication and a probe or two per identifier.
enum KeywordTable {
    struct Entry {
        /// The spelling's first 8 bytes and next 8 (0 for an empty slot: no spelling packs to 0).
        var low: UInt64 = 0
        var high: UInt64 = 0
        var keyword: Keyword?
    }

    /// The length of the longest keyword (`percentile`); checked against the words by a test.
    static let longest = 10

    /// 256 slots, a power of two well above twice the number of words.
    ///
    /// Made once and never freed (it lives as long as the program), so that a statement reads
    /// it through a pointer without retaining anything.
    nonisolated(unsafe) static let entries: UnsafeBufferPointer<Entry> = {
        let entries = UnsafeMutableBufferPointer<Entry>.allocate(capacity: 256)
        entries.initialize(repeating: Entry())
        for keyword in Keyword.allCases where !keyword.isSymbol {
            var words: (UInt64, UInt64) = (0, 0)
            let spelling = Array(keyword.rawValue.utf8)
            precondition(spelling.count <= longest, "keyword '\(keyword.rawValue)' is longer than KeywordTable.longest")
            spelling.withUnsafeBytes { source in withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) } }
            let (low, high) = key(UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), length: spelling.count)
            var slot = KeywordTable.slot(low, high)
            while entries[slot].keyword != nil { slot = (slot + 1) & 255 }
            entries[slot] = Entry(low: low, high: high, keyword: keyword)
        }
        return UnsafeBufferPointer(entries)
    }()

    @inline(__always) static func slot(_ low: UInt64, _ high: UInt64) -> Int {
        Int(truncatingIfNeeded: ((low ^ (high &* 0x100000001B3)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
    }

    /// The keyword a word of `length` bytes (1 to 16) spells, given its first 16 bytes as read
    /// (`first`, then `second`; bytes past the word are masked off here).
    @inline(__always) static func keyword(folded first: UInt64, _ second: UInt64, length: Int, in table: UnsafeBufferPointer<Entry>) -> Keyword? {
        let (low, high) = key(first, second, length: length)
        return keyword(low, high, in: table)
    }

    /// The key of a word of `length` bytes (1 to 16) whose first 16 bytes are `first` and
    /// `second` (little-endian): the word's bytes with every byte's 0x20 bit set, and those past
    /// it cleared. Setting 0x20 folds ASCII letters to lower case and leaves digits alone; any
    /// other byte (`_`, non-ASCII) becomes one no keyword has, so a word matches exactly when it
    /// spells a keyword in some case.
    @inline(__always) static func key(_ first: UInt64, _ second: UInt64, length: Int) -> (low: UInt64, high: UInt64) {
        let lowMask: UInt64 = length >= 8 ? ~0 : (1 &<< (8 &* UInt64(truncatingIfNeeded: length))) &- 1
        let highMask: UInt64 = length <= 8 ? 0 : length >= 16 ? ~0 : (1 &<< (8 &* UInt64(truncatingIfNeeded: length &- 8))) &- 1
        return ((first | 0x2020_2020_2020_2020) & lowMask, (second | 0x2020_2020_2020_2020) & highMask)
    }

    /// The keyword whose key is `low`, `high` (see `key`).
    @inline(__always) static func keyword(_ low: UInt64, _ high: UInt64, in table: UnsafeBufferPointer<Entry>) -> Keyword? {
        var slot = self.slot(low, high)
        while true {
            let entry = table[slot]
            guard let keyword = entry.keyword else { return nil }
            if entry.low == low, entry.high == high { return keyword }
            slot = (slot + 1) & 255
        }
    }
}
