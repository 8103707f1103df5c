import BNQCore

/// The text of `.help` and its topics.
enum HelpText {
    static func text(topic: String?) -> String {
        switch topic {
        case nil:
            var lines = ["Statements (docs/language.md has the whole language):",
                         "  jobs [select …] [where …] [group by …] [order by …] [limit N] [offset N]",
                         "  count [jobs] [where …]      job ID      results ID      explain STATEMENT",
                         "", "Commands:"]
            let width = DotCommand.catalogue.map(\.usage.count).max() ?? 0
            for entry in DotCommand.catalogue {
                lines.append("  " + entry.usage + String(repeating: " ", count: width - entry.usage.count + 2) + entry.summary)
            }
            lines.append("")
            lines.append("Topics: .help fields, .help language, .help formats, .help watch")
            return lines.joined(separator: "\n")
        case "fields":
            let width = JobSchema.fields.map(\.path.count).max() ?? 0
            return (["Fields (case-insensitive; stateTimestamps.STATE is a time):"] + JobSchema.fields.map {
                "  " + $0.path + String(repeating: " ", count: width - $0.path.count + 2) + "\($0.type)" + ($0.summary.isEmpty ? "" : " — \($0.summary)")
            }).joined(separator: "\n")
        case "language", "where", "predicates":
            return """
                Predicates: ==  !=  <  <=  >  >=  in (…)  not in (…)  like 'pat%'  not like  contains  contains any (…)
                combined with and, or, not and parentheses.
                Values: 'text' "text" 42 1.5 true false COMPLETE 2026-01-31 2026-01-31T12:00:00Z now today
                        now - 7d (durations: 90s 15m 2h 7d 1w) $parameter
                Aggregates: count sum(f) avg(f) min(f) max(f), with group by.
                """
        case "formats", "format":
            return "Formats: table, expanded, json (one array), ndjson (one job per line), csv (RFC 4180), markdown. Default: table on a terminal, ndjson into a pipe."
        case "watch":
            return """
                .watch [EVERY] STATEMENT [until PREDICATE]
                  re-runs STATEMENT (a jobs statement or job ID) every EVERY (default 5s) and prints what changed:
                  new jobs and state transitions with their times. With 'until', stops once every watched job
                  satisfies PREDICATE; the exit status is 0 when all are COMPLETE and 4 when any FAILED.
                  Ctrl-C stops watching.
                """
        default:
            return "no help on '\(topic!)'; topics: fields, language, formats, watch"
        }
    }
}
