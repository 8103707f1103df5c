/// Lays out rows as an aligned table, psql-style, fitted to a width: when the columns do not fit,
/// the widest are narrowed and their long values cut with `…`.
public struct TableRenderer: Sendable {
    public var headers: [String]
    /// Columns whose values are right-aligned (numbers).
    public var rightAligned: Set<Int>
    /// The width to fit; nil for no limit.
    public var maximumWidth: Int?

    public init(headers: [String], rightAligned: Set<Int> = [], maximumWidth: Int? = nil) {
        self.headers = headers
        self.rightAligned = rightAligned
        self.maximumWidth = maximumWidth
    }

    /// Whether a column holds ids (`id`, `templateId`, `templateInfo.id`): cut last.
    static func isIdentifier(_ header: String) -> Bool {
        let last = header.split(separator: ".").last.map(String.init) ?? header
        return last == "id" || last.hasSuffix("Id")
    }

    /// Whether a column's cells are all times, numbers or durations (`2026-11-30 14:50:26`,
    /// `3.21`, `1h 05m 38s`): digits with separators and duration units, and nothing else.
    static func isMeasured<Cells: Sequence<String>>(_ cells: Cells) -> Bool {
        var sawDigit = false
        for cell in cells {
            for byte in cell.utf8 {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
                case UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: " "), UInt8(ascii: "+"), UInt8(ascii: "T"), UInt8(ascii: "Z"),
                    UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "E"):
                    continue
                default: return false
                }
            }
        }
        return sawDigit
    }

    /// The table's lines. Cells must already be escaped for the terminal.
    public func render(_ rows: [[String]]) -> [String] {
        var widths = headers.map(TerminalText.width)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], TerminalText.width(cell))
            }
        }
        if let maximumWidth {
            // Separators take 3 columns between cells.
            let available = max(headers.count * 4, maximumWidth - 3 * (headers.count - 1) - 1)
            // Free text is cut first, then times and numbers (cut, they mean nothing), ids last, so
            // that ids stay whole and can be copied.
            let ids = Set(headers.indices.filter { Self.isIdentifier(headers[$0]) })
            let measured = Set(headers.indices.filter { column in !ids.contains(column) && Self.isMeasured(rows.lazy.map { column < $0.count ? $0[column] : "" }) })
            while widths.reduce(0, +) > available {
                let text = widths.indices.filter { !ids.contains($0) && !measured.contains($0) && widths[$0] > 4 }
                let figures = widths.indices.filter { measured.contains($0) && widths[$0] > 4 }
                let pool = !text.isEmpty ? text : !figures.isEmpty ? figures : widths.indices.filter { widths[$0] > 4 }
                guard let widest = pool.max(by: { widths[$0] < widths[$1] }) else { break }
                widths[widest] -= 1
            }
        }
        func line(_ cells: [String], header: Bool) -> String {
            var parts: [String] = []
            for (index, width) in widths.enumerated() {
                let cell = TerminalText.truncate(index < cells.count ? cells[index] : "", to: width)
                let padding = String(repeating: " ", count: max(0, width - TerminalText.width(cell)))
                if header {
                    let left = padding.count / 2
                    parts.append(String(repeating: " ", count: left) + cell + String(repeating: " ", count: padding.count - left))
                } else {
                    parts.append(rightAligned.contains(index) ? padding + cell : cell + padding)
                }
            }
            var text = " " + parts.joined(separator: " | ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = [line(headers, header: true)]
        // As wide as the lines: the last column has no trailing space.
        lines.append(widths.enumerated().map { String(repeating: "-", count: $1 + ($0 == widths.count - 1 ? 1 : 2)) }.joined(separator: "+"))
        lines.append(contentsOf: rows.map { line($0, header: false) })
        return lines
    }
}
