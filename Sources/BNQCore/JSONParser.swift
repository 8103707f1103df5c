/// Why a JSON text could not be read, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var reason: String
    /// Byte offset into the input.
    public var offset: Int
    /// Line and column (from 1) of the offset.
    public var line: Int
    public var column: Int

    public var description: String { "\(reason) at line \(line), column \(column)" }
}

/// A strict, fast JSON reader (RFC 8259) over UTF-8 bytes. Nesting is bounded so that
/// hostile input cannot exhaust the stack.
public struct JSONParser {
    /// Parses one JSON text; trailing white space is allowed, anything else is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try parseWhole(Array(bytes), deferring: nil).value
    }

    /// Parses one JSON text, except that the value of the top-level object's member `member` is
    /// only skipped over (its brackets and strings followed, nothing built): its byte range is
    /// returned instead, to be parsed later with `parse(bytes[range])`. A list response keeps a
    /// page's jobs as bytes this way until they are needed, a third of their size as a tree.
    /// The member is left out of the returned object.
    public static func parse(_ bytes: [UInt8], deferring member: String) throws(JSONParseError) -> (value: JSONValue, deferred: Range<Int>?) {
        try parseWhole(bytes, deferring: member)
    }

    /// One JSON text and nothing after it but white space, optionally deferring a top-level member.
    private static func parseWhole(_ bytes: [UInt8], deferring member: String?) throws(JSONParseError) -> (value: JSONValue, deferred: Range<Int>?) {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var parser = JSONParser(buffer: buffer)
            parser.deferredMember = member
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.position != buffer.count { throw parser.error("unexpected text after the JSON value") }
            return (value, parser.deferredRange)
        }
    }

    /// Where the JSON value that starts at offset `start` of `bytes` ends (one past its last
    /// byte), found by following its strings and brackets without building anything: a reader of a
    /// large file finds each element this way and parses it alone. The value itself is checked
    /// only when it is parsed; an error's offset is counted from the start of `bytes`.
    public static func endOfValue(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONParseError) -> Int {
        var parser = JSONParser(buffer: bytes)
        parser.position = start
        try parser.skipValue()
        return parser.position
    }

    /// Parses a JSON text given as a string.
    public static func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(string.utf8))
    }

    static let maximumDepth = 512

    private let buffer: UnsafeBufferPointer<UInt8>
    private var position = 0
    /// A top-level member whose value is skipped, and where that value was.
    private var deferredMember: String?
    private var deferredRange: Range<Int>?

    private init(buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    private func error(_ reason: String) -> JSONParseError {
        var line = 1
        var column = 1
        for index in 0..<min(position, buffer.count) {
            if buffer[index] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return JSONParseError(reason: reason, offset: position, line: line, column: column)
    }

    private mutating func skipWhitespace() {
        while position < buffer.count {
            switch buffer[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("JSON nested too deeply") }
        guard position < buffer.count else { throw error("unexpected end of JSON") }
        switch buffer[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Self.printable(buffer[position]))'")
        }
    }

    /// Moves past one value without building it, following strings and brackets (the value is
    /// checked when it is parsed for real).
    private mutating func skipValue() throws(JSONParseError) {
        guard position < buffer.count else { throw error("unexpected end of JSON") }
        switch buffer[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var level = 0
            while position < buffer.count {
                switch buffer[position] {
                case UInt8(ascii: "\""):
                    try skipString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    level += 1
                    guard level < Self.maximumDepth else { throw error("JSON nested too deeply") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    level -= 1
                    if level == 0 {
                        position += 1
                        return
                    }
                default: break
                }
                position += 1
            }
            throw error("unexpected end of JSON")
        case UInt8(ascii: "\""):
            try skipString()
        default:
            let start = position
            scan: while position < buffer.count {
                switch buffer[position] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: break scan
                default: position += 1
                }
            }
            if position == start { throw error("unexpected character '\(Self.printable(buffer[position]))'") }
        }
    }

    private mutating func skipString() throws(JSONParseError) {
        let opening = position
        position += 1
        while position < buffer.count {
            switch buffer[position] {
            case UInt8(ascii: "\\"): position += 2
            case UInt8(ascii: "\""):
                position += 1
                return
            default: position += 1
            }
        }
        position = opening
        throw error("a string that does not end")
    }

    private static func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= buffer.count else { throw error("unexpected end of JSON") }
        let start = literal.utf8Start
        for index in 0..<count where buffer[position + index] != start[index] {
            throw error("invalid literal")
        }
        position += count
    }

    /// Members with every repeated name reduced to one, holding the last value given, in the
    /// place of the first: one rule for the table, filters, paging and what ndjson writes back.
    static func lastWins(_ members: [(key: String, value: JSONValue)]) -> [(key: String, value: JSONValue)] {
        guard members.count > 1 else { return members }
        var hasRepeat = false
        if members.count <= 40 {
            outer: for index in 1..<members.count {
                let key = members[index].key
                let length = key.utf8.count
                for earlier in 0..<index where members[earlier].key.utf8.count == length && members[earlier].key == key {
                    hasRepeat = true
                    break outer
                }
            }
        } else {
            var names = Set<String>(minimumCapacity: members.count)
            hasRepeat = members.contains { !names.insert($0.key).inserted }
        }
        guard hasRepeat else { return members }
        var place: [String: Int] = [:]
        var result: [(key: String, value: JSONValue)] = []
        for member in members {
            if let index = place[member.key] {
                result[index].value = member.value
            } else {
                place[member.key] = result.count
                result.append(member)
            }
        }
        return result
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if position < buffer.count, buffer[position] == UInt8(ascii: "}") {
            position += 1
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of JSON in an object") }
            guard buffer[position] == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try parseString()
            skipWhitespace()
            guard position < buffer.count, buffer[position] == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
            position += 1
            skipWhitespace()
            if depth == 0, let deferredMember, key == deferredMember {
                // A repeated member: the last one wins, as everywhere else.
                let start = position
                try skipValue()
                deferredRange = start..<position
            } else {
                let value = try parseValue(depth: depth + 1)
                members.append((key, value))
            }
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of JSON in an object") }
            if buffer[position] == UInt8(ascii: ",") { position += 1; continue }
            if buffer[position] == UInt8(ascii: "}") { position += 1; return .object(JSONObject(Self.lastWins(members))) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < buffer.count, buffer[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of JSON in an array") }
            if buffer[position] == UInt8(ascii: ",") { position += 1; continue }
            if buffer[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes.
        while position < buffer.count {
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                let string = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
                position += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            position += 1
        }
        var bytes = Array(buffer[start..<position])
        while position < buffer.count {
            let byte = buffer[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < buffer.count else { throw error("unexpected end of JSON in a string") }
                let escape = buffer[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A surrogate pair; a lone surrogate becomes U+FFFD.
                        if position + 1 < buffer.count, buffer[position] == UInt8(ascii: "\\"), buffer[position + 1] == UInt8(ascii: "u") {
                            position += 2
                            let low = try parseHex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    bytes.append(contentsOf: String(Character(UnicodeScalar(scalar) ?? "\u{FFFD}")).utf8)
                default:
                    position -= 1
                    throw error("invalid escape in a string")
                }
            default:
                if byte < 0x20 { throw error("control character in a string") }
                bytes.append(byte)
                position += 1
            }
        }
        throw error("unterminated string")
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard position + 4 <= buffer.count else { throw error("unexpected end of JSON in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = buffer[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if buffer[position] == UInt8(ascii: "-") { position += 1 }
        guard position < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[position]) else {
            throw error("invalid number")
        }
        if buffer[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[position]) { position += 1 }
        }
        if position < buffer.count, buffer[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let digits = position
            while position < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[position]) { position += 1 }
            if digits == position { throw error("invalid number") }
        }
        if position < buffer.count, buffer[position] == UInt8(ascii: "e") || buffer[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < buffer.count, buffer[position] == UInt8(ascii: "+") || buffer[position] == UInt8(ascii: "-") { position += 1 }
            let digits = position
            while position < buffer.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buffer[position]) { position += 1 }
            if digits == position { throw error("invalid number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
        if isInteger, let int = Int64(text) { return .int(int) }
        guard let double = Double(text) else { throw error("invalid number") }
        return .double(double)
    }
}
