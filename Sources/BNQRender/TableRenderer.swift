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
            // Free text is cut before ids, so that ids stay whole and can be copied.
            let ids = Set(headers.indices.filter { Self.isIdentifier(headers[$0]) })
            while widths.reduce(0, +) > available {
                let candidates = widths.indices.filter { !ids.contains($0) && widths[$0] > 4 }
                let pool = candidates.isEmpty ? widths.indices.filter { widths[$0] > 4 } : candidates
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
