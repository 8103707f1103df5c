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
            while widths.reduce(0, +) > available {
                guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 4 else { break }
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
        lines.append(widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+"))
        lines.append(contentsOf: rows.map { line($0, header: false) })
        return lines
    }
}
