/// The `chart` format: one horizontal bar per row for the value of its last column, labelled by
/// the other columns, with the value written after the bar. Bars are drawn in eighths of a
/// column with Unicode block elements (`▏▎▍▌▋▊▉█`), or with `#` where those would not show
/// (`TERM=dumb`, a locale that is not UTF-8), and scaled so the longest fits the width. A value
/// that is missing, not a number or below zero gets no bar. Cells arrive escaped.
struct ChartRenderer {
    let headers: [String]
    let ascii: Bool
    let width: Int

    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    func render(_ rows: [[String]], _ values: [Double?]) -> [String] {
        let labels = rows.map { $0.dropLast().joined(separator: "  ") }
        let labelHeader = headers.dropLast().joined(separator: "  ")
        let labelWidth = (labels + [labelHeader]).map(TerminalText.width).max() ?? 0
        let texts = rows.map { $0.last ?? "" }
        let textWidth = texts.map(TerminalText.width).max() ?? 0
        // What the bars may take: the width less the labels, the value and the spaces between.
        let room = max(10, width - labelWidth - textWidth - 3)
        let largest = values.compactMap { $0 }.filter { $0.isFinite && $0 > 0 }.max() ?? 0
        var lines = [TerminalText.padded(labelHeader, to: labelWidth) + " " + (headers.last ?? "")]
        for (index, label) in labels.enumerated() {
            var bar = ""
            if let value = values[index], value.isFinite, value > 0, largest > 0 {
                let units = Int((value / largest * Double(room * 8)).rounded())
                bar = ascii ? String(repeating: "#", count: (units + 4) / 8) : String(repeating: "█", count: units / 8) + Self.eighths[units % 8]
                // Every positive value shows at least a sliver.
                if bar.isEmpty { bar = ascii ? "#" : "▏" }
            }
            lines.append(TerminalText.padded(label, to: labelWidth) + " " + bar + (bar.isEmpty ? "" : " ") + texts[index])
        }
        return lines
    }
}
