import BNQCore

/// The text of `.help` and its topics, made from the vocabulary and the schema.
public enum HelpText {
    /// The topics `.help TOPIC` knows.
    public static let topics = ["fields", "language", "formats", "watch"]

    /// The help for `topic`, or the overview for nil.
    public static func text(topic: String?) -> String {
        switch topic {
        case nil: return overview
        case "fields": return fields
        case "language", "where", "predicates": return language
        case "formats", "format": return formats
        case "watch": return watch
        default: return "no help on '\(topic!)'; topics: " + topics.joined(separator: ", ")
        }
    }

    static var overview: String {
        var lines = ["Statements (docs/language.md has the whole language):"]
        for statement in Vocabulary.statements { lines.append("  " + statement.usage) }
        lines += ["", "Commands:"]
        let width = DotCommand.catalogue.map(\.usage.count).max() ?? 0
        for entry in DotCommand.catalogue {
            lines.append("  " + entry.usage + String(repeating: " ", count: width - entry.usage.count + 2) + entry.summary)
        }
        lines.append("")
        lines.append("Topics: " + topics.map { ".help " + $0 }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    static var fields: String {
        let width = JobSchema.fields.map(\.path.count).max() ?? 0
        return (["Fields (case-insensitive; stateTimestamps.STATE is a time):"] + JobSchema.fields.map {
            "  " + $0.path + String(repeating: " ", count: width - $0.path.count + 2) + "\($0.type)" + ($0.summary.isEmpty ? "" : " — \($0.summary)")
        }).joined(separator: "\n")
    }

    static var language: String {
        let operators = Comparison.Operator.allCases.map { $0.takesList ? "\($0.rawValue) (…)" : $0.rawValue }.joined(separator: "  ")
        let aggregates = Vocabulary.aggregates.map(\.usage).joined(separator: " ")
        return """
            Clauses, in order: \(Vocabulary.clauseSpellings.joined(separator: ", "))
            Predicates: \(operators)  \(Vocabulary.rangeForm) A and B  \(Vocabulary.presenceForms.joined(separator: "  "))
            combined with \(Vocabulary.connectives.joined(separator: ", ")) and parentheses.
            Values: 'text' "text" 42 1.5 \(Vocabulary.booleanWords.joined(separator: " ")) COMPLETE 2026-01-31 2026-01-31T12:00:00Z \(Vocabulary.timeWords.joined(separator: " "))
                    now - 7d (durations: \(Vocabulary.durationUnits.map { "1" + $0 }.joined(separator: " "))) $parameter
            Aggregates: \(aggregates) \(Aggregate.countDistinct.usage), with group by; 'having' filters the groups (having count > 10).
            Computed columns: endedAt - startedAt, now - createdAt (durations), bin(createdAt, 1d)
                    (widths s m h d, 1w: ISO weeks, 1mo: months); 'select EXPR as NAME' names a column
                    for where, group by, having and order by.
            Timeline: timeline [where …] every 1h: jobs started, ended, failed and running per bucket.
            """
    }

    static var formats: String {
        let width = OutputFormat.allCases.map(\.rawValue.count).max() ?? 0
        return (["Formats (default: table on a terminal, ndjson into a pipe):"] + OutputFormat.allCases.map {
            "  " + $0.rawValue + String(repeating: " ", count: width - $0.rawValue.count + 2) + $0.summary
        }).joined(separator: "\n")
    }

    static let watch = """
        .watch [EVERY] STATEMENT [until PREDICATE]
          re-runs STATEMENT (a jobs statement or job ID) every EVERY (default 5s) and prints what changed:
          new jobs and state transitions with their times. With 'until', stops once every watched job
          satisfies PREDICATE; the exit status is 0 when all are COMPLETE and 4 when any FAILED.
          Ctrl-C stops watching.
        """
}
