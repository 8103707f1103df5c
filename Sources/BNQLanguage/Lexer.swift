import BNQCore

/// Splits a statement into tokens. It never throws: a bad character becomes an `.invalid` token
/// and an unclosed string an `.unterminatedString`, and the parser reports them where it meets them.
public struct Lexer {
    /// All tokens of `source`, ending with `.end`. `--` comments are skipped.
    public static func tokenize(_ source: String) -> [Token] {
        let bytes = Array(source.utf8)
        return tokenize(bytes: bytes, in: SourceRange(0, bytes.count))
    }

    /// The tokens of the part `range` of `source`, their ranges counted from the start of `source`.
    public static func tokenize(_ source: String, in range: SourceRange) -> [Token] {
        tokenize(bytes: Array(source.utf8), in: range)
    }

    /// The tokens of `bytes[range]`, their ranges counted from the start of `bytes`.
    static func tokenize(bytes: [UInt8], in range: SourceRange) -> [Token] {
        var lexer = Lexer(bytes: bytes, end: min(range.end, bytes.count))
        lexer.position = min(range.start, lexer.end)
        var tokens: [Token] = []
        tokens.reserveCapacity((lexer.end - lexer.position) / 4 + 2)
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    let bytes: [UInt8]
    /// Where the text to read ends (bytes beyond belong to other statements).
    let end: Int
    var position = 0

    init(bytes: [UInt8], end: Int) {
        self.bytes = bytes
        self.end = end
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < end ? bytes[position + offset] : nil
    }

    static func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
    static func isLetter(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    mutating func next() -> Token {
        skipTrivia()
        let start = position
        guard let byte = peek() else { return Token(kind: .end, text: "", range: SourceRange(start, start)) }
        if Self.isLetter(byte) { return identifier(start) }
        if Self.isDigit(byte) { return numeric(start) }
        switch byte {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return string(start, quote: byte)
        case UInt8(ascii: "$"):
            position += 1
            while Self.isLetter(peek()) || Self.isDigit(peek()) { position += 1 }
            return Token(kind: .parameter, text: text(start + 1, position), range: SourceRange(start, position))
        default: return symbol(start)
        }
    }

    mutating func skipTrivia() {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                position += 1
            } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                while let next = peek(), next != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    mutating func identifier(_ start: Int) -> Token {
        while true {
            while Self.isLetter(peek()) || Self.isDigit(peek()) { position += 1 }
            // A dotted path continues only with a letter after the dot.
            if peek() == UInt8(ascii: "."), Self.isLetter(peek(1)) { position += 1 } else { break }
        }
        return Token(kind: .identifier, text: text(start, position), range: SourceRange(start, position))
    }

    mutating func numeric(_ start: Int) -> Token {
        // A date: 4 digits, '-', 2 digits, '-', 2 digits, then an optional time.
        if position + 10 <= end, (0..<4).allSatisfy({ Self.isDigit(bytes[position + $0]) }),
            bytes[position + 4] == UInt8(ascii: "-"), Self.isDigit(bytes[position + 5]), Self.isDigit(bytes[position + 6]),
            bytes[position + 7] == UInt8(ascii: "-"), Self.isDigit(bytes[position + 8]), Self.isDigit(bytes[position + 9])
        {
            position += 10
            if peek() == UInt8(ascii: "T") || peek() == UInt8(ascii: "t"), Self.isDigit(peek(1)) {
                position += 1
                while let byte = peek(), Self.isDigit(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") { position += 1 }
                if peek() == UInt8(ascii: "Z") || peek() == UInt8(ascii: "z") {
                    position += 1
                } else if peek() == UInt8(ascii: "+") || (peek() == UInt8(ascii: "-") && Self.isDigit(peek(1))) {
                    position += 1
                    while let byte = peek(), Self.isDigit(byte) || byte == UInt8(ascii: ":") { position += 1 }
                }
            }
            return Token(kind: .timestamp, text: text(start, position), range: SourceRange(start, position))
        }
        while Self.isDigit(peek()) { position += 1 }
        if peek() == UInt8(ascii: "."), Self.isDigit(peek(1)) {
            position += 1
            while Self.isDigit(peek()) { position += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E"),
            Self.isDigit(peek(1)) || ((peek(1) == UInt8(ascii: "-") || peek(1) == UInt8(ascii: "+")) && Self.isDigit(peek(2)))
        {
            position += 2
            while Self.isDigit(peek()) { position += 1 }
        }
        let numberText = text(start, position)
        let value = Double(numberText) ?? 0
        // A duration: a number with a unit right after it.
        if Self.isLetter(peek()) {
            let unitStart = position
            while Self.isLetter(peek()) { position += 1 }
            guard let scale = DurationUnit.scale(bytes[unitStart..<position]), !Self.isDigit(peek()) else {
                while Self.isLetter(peek()) || Self.isDigit(peek()) { position += 1 }
                return Token(kind: .invalid, text: text(start, position), range: SourceRange(start, position))
            }
            return Token(kind: .duration, text: text(start, position), range: SourceRange(start, position), number: value * scale)
        }
        return Token(kind: .number, text: numberText, range: SourceRange(start, position), number: value)
    }

    mutating func string(_ start: Int, quote: UInt8) -> Token {
        position += 1
        var value: [UInt8] = []
        while let byte = peek() {
            if byte == quote {
                // A doubled quote stands for one quote, as in SQL.
                if peek(1) == quote {
                    value.append(quote)
                    position += 2
                    continue
                }
                position += 1
                return Token(kind: .string, text: String(decoding: value, as: UTF8.self), range: SourceRange(start, position))
            }
            if byte == UInt8(ascii: "\\"), let escaped = peek(1) {
                switch escaped {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                default: value.append(escaped)
                }
                position += 2
                continue
            }
            value.append(byte)
            position += 1
        }
        return Token(kind: .unterminatedString, text: String(decoding: value, as: UTF8.self), range: SourceRange(start, position))
    }

    mutating func symbol(_ start: Int) -> Token {
        let one = bytes[position]
        if let second = peek(1) {
            let two: String? =
                switch (one, second) {
                case (UInt8(ascii: "="), UInt8(ascii: "=")): "=="
                case (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "<"), UInt8(ascii: ">")): "!="
                case (UInt8(ascii: "<"), UInt8(ascii: "=")): "<="
                case (UInt8(ascii: ">"), UInt8(ascii: "=")): ">="
                default: nil
                }
            if let two {
                position += 2
                return Token(kind: .symbol, text: two, range: SourceRange(start, position))
            }
        }
        position += 1
        if "=<>(),;+-*".utf8.contains(one) {
            return Token(kind: .symbol, text: one == UInt8(ascii: "=") ? "==" : text(start, position), range: SourceRange(start, position))
        }
        // Take a whole UTF-8 character for the message.
        while let next = peek(), next & 0xC0 == 0x80 { position += 1 }
        return Token(kind: .invalid, text: text(start, position), range: SourceRange(start, position))
    }
}
