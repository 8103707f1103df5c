import BNQCore

/// Writes a result's rows in one output format. Streaming formats write each row as it comes;
/// tables and markdown collect rows to size their columns. `finish()` closes the output; if a
/// statement fails before that, what was written is left unclosed (a JSON array without its `]`),
/// so partial output never passes for complete.
///
/// Escaping: the human-readable formats (table, expanded, markdown) show every control character
/// escaped wherever they are written — a pipe or a file is read later with `cat` or `less -R`.
/// json and ndjson carry the data exactly (JSON escapes controls); csv carries it exactly too,
/// quoting any field that holds a control character, and is escaped only on a terminal.
public final class RowWriter {
    public let format: OutputFormat
    let sink: OutputSink
    let headers: [String]
    let rightAligned: Set<Int>
    /// The interactive cap on table rows; nil for none.
    let maximumRows: Int?
    /// Show a table that is too wide for the terminal as expanded records instead.
    let autoExpand: Bool
    /// csv: a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
    /// leading `'` (OWASP's advice for CSV injection); plain numbers are left as they are.
    let formulaGuard: Bool
    /// `-t` / `--no-header`: tables and csv without their header (and a table without its footer).
    let showsHeader: Bool
    /// chart: bars of ASCII `#` rather than Unicode blocks (`TERM=dumb`, a locale not UTF-8).
    let asciiCharts: Bool
    private var collected: [[String]] = []
    /// chart: the value each row's bar stands for (its last column).
    private var measures: [Double?] = []
    private var count = 0
    private var omitted = 0

    public init(
        format: OutputFormat, sink: OutputSink, headers: [String], rightAligned: Set<Int> = [], maximumRows: Int? = nil, autoExpand: Bool = false,
        formulaGuard: Bool = false, showsHeader: Bool = true, asciiCharts: Bool = false
    ) {
        self.asciiCharts = asciiCharts
        self.showsHeader = showsHeader
        self.autoExpand = autoExpand
        self.formulaGuard = formulaGuard
        self.format = format
        self.sink = sink
        self.headers = headers
        self.rightAligned = rightAligned
        self.maximumRows = maximumRows
    }

    /// Whether rows are written from their cells (tables, csv, markdown) rather than their JSON:
    /// when not, callers can skip formatting cells.
    public var usesCells: Bool { format != .json && format != .ndjson }

    /// Text as the format writes it: always escaped in human-readable formats, and on a terminal.
    func safe(_ text: String) -> String { format.isHumanReadable || sink.isTerminal ? TerminalText.escape(text) : text }

    public func begin() {
        switch format {
        case .json: sink.write("[")
        case .csv: if showsHeader { sink.line(headers.map(Self.csvField).joined(separator: ",")) }
        default: break
        }
    }

    /// One row: its cells, and the JSON object json and ndjson write.
    public func row(cells: [String], json: JSONValue) {
        defer { count += 1 }
        switch format {
        case .json:
            sink.write(count == 0 ? "\n" : ",\n")
            sink.write(JSONWriter.compact(json))
        case .ndjson:
            sink.line(JSONWriter.compact(json))
        case .csv:
            sink.line(cells.map { Self.csvField(formulaGuard ? Self.guardedFormula(safe($0)) : safe($0)) }.joined(separator: ","))
        case .table, .expanded, .markdown, .chart:
            if let maximumRows, collected.count >= maximumRows {
                omitted += 1
                return
            }
            collected.append(cells.map(safe))
            if format == .chart {
                let last = headers.last.flatMap { json.value(atPath: $0) ?? json[$0] }
                measures.append(last?.numberValue ?? cells.last.flatMap { Double($0) })
            }
        }
    }

    /// Rows that were not even fetched because the table would not show them (`.maxrows`):
    /// counted in the "N more rows" footer like rows left out here.
    public func noteOmitted(_ count: Int) { omitted += max(0, count) }

    /// Closes the output; `note` (like "3 rows") is shown under tables.
    public func finish(note: String?) {
        switch format {
        case .json:
            sink.line(count == 0 ? "[]" : "\n]")
        case .ndjson, .csv:
            break
        case .table:
            if autoExpand, let width = sink.width,
                (TableRenderer(headers: headers.map(safe), rightAligned: rightAligned).render(collected).first.map(TerminalText.width) ?? 0) > width
            {
                writeExpanded()
            } else {
                let lines = TableRenderer(headers: headers.map(safe), rightAligned: rightAligned, maximumWidth: sink.width).render(collected)
                for line in lines.dropFirst(showsHeader ? 0 : 2) { sink.line(line) }
                if omitted > 0 { sink.line("… \(omitted) more row\(omitted == 1 ? "" : "s") (.maxrows to show more)") }
            }
            if let note, showsHeader { sink.line("(\(TerminalText.escape(note)))") }
        case .expanded:
            writeExpanded()
        case .chart:
            for line in ChartRenderer(headers: headers.map(safe), ascii: asciiCharts, width: sink.width ?? 80).render(collected, measures) { sink.line(line) }
            if omitted > 0 { sink.line("… \(omitted) more row\(omitted == 1 ? "" : "s") (.maxrows to show more)") }
            // Nothing to draw: say why rather than leave a chart without bars.
            if !collected.isEmpty, !measures.contains(where: { $0 != nil }), let last = headers.last {
                sink.line("(no bars: a chart draws the last column, and '\(safe(last))' holds no numbers; put a number last, such as count)")
            }
            if let note, showsHeader { sink.line("(\(TerminalText.escape(note)))") }
        case .markdown:
            sink.line("| " + headers.map { Self.markdownCell(safe($0)) }.joined(separator: " | ") + " |")
            sink.line("|" + headers.indices.map { rightAligned.contains($0) ? " ---: |" : " --- |" }.joined())
            for row in collected { sink.line("| " + row.map(Self.markdownCell).joined(separator: " | ") + " |") }
        }
    }

    private func writeExpanded() {
        let labels = headers.map(safe)
        let labelWidth = labels.map(TerminalText.width).max() ?? 0
        for (index, row) in collected.enumerated() {
            sink.line("-[ RECORD \(index + 1) ]" + String(repeating: "-", count: max(0, labelWidth - 6)))
            // On a terminal a long value goes on in its own column, under where it starts, rather
            // than wrapping back under the labels; a file or a pipe gets each value on one line.
            let room = sink.width.map { max(20, $0 - labelWidth - 3) }
            for (column, label) in labels.enumerated() {
                let value = column < row.count ? row[column] : ""
                let pieces = room.map { TerminalText.pieces(value, of: $0) } ?? [value]
                for (number, piece) in pieces.enumerated() {
                    sink.line(TerminalText.padded(number == 0 ? label : "", to: labelWidth) + " | " + piece)
                }
            }
        }
        if omitted > 0 { sink.line("… \(omitted) more record\(omitted == 1 ? "" : "s")") }
        if collected.isEmpty { sink.line("(no rows)") }
    }

    /// `text` with a leading `'` when a spreadsheet would read it as a formula.
    static func guardedFormula(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        if Double(text) != nil { return text }
        return "'" + text
    }

    static func csvField(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || UnsafeCharacters.contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
