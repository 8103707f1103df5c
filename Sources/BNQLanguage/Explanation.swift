import BNQCore

/// What `explain` shows: the requests a statement would send and where each part of it runs.
public enum Explanation {
    /// The explanation of a compiled statement; `basePath` is the endpoint's path (`/v1/customer`).
    public static func text(_ statement: CompiledStatement, basePath: String) -> String {
        switch statement {
        case .explain(let inner): return text(inner, basePath: basePath)
        case .job(let id): return "\(APIRoute.job.method) \(basePath)\(APIRoute.job.path(jobID: id))"
        case .results(let id): return "\(APIRoute.results.method) \(basePath)\(APIRoute.results.path(jobID: id))"
        case .jobs(let plan): return jobsText(plan, basePath: basePath)
        case .history(let plan):
            let predicate = (plan.pushed.map { LocalPredicate.filter($0) } + (plan.residual.map { [$0] } ?? [])).map(\.description).joined(separator: " and ")
            return "no request: history is kept locally\nlocal:  " + (predicate.isEmpty ? "(everything)" : predicate)
        case .syncs(let plan):
            let predicate = (plan.pushed.map { LocalPredicate.filter($0) } + (plan.residual.map { [$0] } ?? [])).map(\.description).joined(separator: " and ")
            return "no request: the syncs of the archive (--archive)\nlocal:  " + (predicate.isEmpty ? "(everything)" : predicate)
        case .diff(let plan):
            let between = plan.from.map { "between \($0) and \(plan.to.map(\.description) ?? "")" } ?? "between the last two syncs"
            return "no request: the archive's job versions \(between)\nlocal:  " + (plan.predicate?.description ?? "(every change)")
        }
    }

    /// The explanation as one JSON object (`explain … --format json`): `request` (method, path,
    /// body or query), `server` and `local` (what runs where), `text` (what the table shows).
    public static func json(_ statement: CompiledStatement, basePath: String) -> JSONValue {
        var object = JSONObject()
        if case .explain(let inner) = statement { return json(inner, basePath: basePath) }
        if case .jobs(let plan) = statement {
            var request = JSONObject()
            if plan.usesFilterEndpoint {
                request["method"] = .string(APIRoute.filter.method)
                request["path"] = .string(basePath + APIRoute.filter.path())
                request["body"] = plan.request.json
            } else {
                request["method"] = .string(APIRoute.jobs.method)
                request["path"] = .string(basePath + APIRoute.jobs.path())
            }
            object["request"] = .object(request)
            object["server"] = .string(plan.pushed.map(LocalPredicate.describe).joined(separator: " and "))
            object["local"] = .string(plan.residual?.description ?? "")
            object["now"] = .string(plan.now.rfc3339)
        }
        object["text"] = .string(text(statement, basePath: basePath))
        return .object(object)
    }

    /// How groups are shown: `groups ordered by p95run desc, from the 3rd, at most 10`; nil when
    /// they come in no particular order and all of them.
    static func groupOrder(_ groups: GroupPlan, limit: Int64?, offset: Int64) -> String? {
        var parts: [String] = []
        if !groups.ordering.isEmpty {
            parts.append("ordered by " + groups.ordering.map { groups.header($0.column) + ($0.descending ? " desc" : "") }.joined(separator: ", "))
        }
        if offset > 0 { parts.append("skipping \(offset)") }
        if let limit { parts.append("at most \(limit)") }
        return parts.isEmpty ? nil : "groups " + parts.joined(separator: ", ")
    }

    static func jobsText(_ plan: JobsPlan, basePath: String) -> String {
        var lines: [String] = []
        if plan.usesFilterEndpoint {
            lines.append("\(APIRoute.filter.method) \(basePath)\(APIRoute.filter.path())")
            lines.append(JSONWriter.pretty(plan.request.json))
        } else {
            var query: [String] = []
            if let limit = plan.request.pagination?.limit { query.append("pagination.limit=\(limit)") }
            if let offset = plan.request.pagination?.offset { query.append("pagination.offset=\(offset)") }
            if let orderBy = plan.request.orderBy { query.append("orderBy=" + APIRoute.percentEncoded(orderBy)) }
            lines.append("\(APIRoute.jobs.method) \(basePath)\(APIRoute.jobs.path())" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        }
        let server = plan.pushed.map(LocalPredicate.describe).joined(separator: " and ")
        lines.append("server: " + (server.isEmpty ? "(no filter)" : server))
        lines.append("local:  " + (plan.residual?.description ?? "(nothing)"))
        var paging: String
        switch plan.output {
        case .results where plan.paginationPushed, .rows where plan.paginationPushed:
            if let limit = plan.limit, limit <= plan.request.pagination?.limit ?? 0 {
                paging = "one page"
            } else {
                paging = "pages of \(plan.request.pagination?.limit ?? 0) from offset \(plan.offset)" + (plan.limit.map { " until \($0) rows" } ?? " until the last")
            }
        case .rows, .results:
            paging = "pages of \(plan.request.pagination?.limit ?? 0), filtered locally, skipping \(plan.offset) matches" + (plan.limit.map { ", until \($0) rows match" } ?? ", to the last page")
        case .count where plan.paginationPushed:
            paging = "one page of 1 job; the count is the page's 'total'"
        case .count:
            paging = "every page of \(plan.request.pagination?.limit ?? 0), counted locally"
        case .groups(let groups):
            paging = "every page of \(plan.request.pagination?.limit ?? 0), grouped locally"
            if !groups.keys.isEmpty { paging += " by " + groups.keys.map(\.path).joined(separator: ", ") }
            if groups.having != nil { paging += ", then kept by 'having'" }
            if let fill = groups.fill { paging += ", every \(fill.step) bucket shown" + Self.window(fill.from, fill.to) }
        case .timeline(let timeline):
            paging = "every page of \(plan.request.pagination?.limit ?? 0); per \(timeline.step) bucket"
                + Self.window(timeline.from, timeline.to) + ": started, ended, failed, running (locally)"
        }
        lines.append("paging: " + paging)
        if plan.sortsLocally, let ordering = plan.ordering { lines.append("then:   sorted locally by " + ordering.text) }
        if case .groups(let groups) = plan.output, let order = groupOrder(groups, limit: plan.limit, offset: plan.offset) { lines.append("then:   " + order) }
        if case .results = plan.output { lines.append("then:   \(APIRoute.results.method) \(basePath)\(APIRoute.results.template) for each matching job") }
        lines.append("now:    " + plan.now.rfc3339)
        return lines.joined(separator: "\n")
    }

    /// The buckets a `where` clause bounds, by their starts: ` from A to B`, ` from A`, ` to B`,
    /// or nothing (then they run from the first job's to the last's).
    static func window(_ from: Timestamp?, _ to: Timestamp?) -> String {
        (from.map { " from \($0.rfc3339)" } ?? "") + (to.map { " to \($0.rfc3339)" } ?? "")
    }
}
