import BNQCore
import BNQLanguage
import BNQRender
import ByteNiteClient
import Foundation

/// `.watch [EVERY] STATEMENT [until PREDICATE]`: re-runs a statement and prints what changed since
/// the last run — new jobs and state transitions with their times — not the whole table again.
struct Watch {
    let session: Session
    let every: Double
    let statementText: String
    let untilText: String?

    /// Exit status when a watched job failed.
    static let failedStatus: Int32 = 4

    func run() async -> Int32 {
        let now = session.settings.pinnedNow ?? Timestamp(secondsSince1970: Date().timeIntervalSince1970)
        let compiler = Compiler(context: CompileContext(now: now, parameters: session.settings.parameters, pageSize: session.settings.pageSize))
        let formatter = DiagnosticFormatter(source: statementText)
        let compiled: CompiledStatement
        switch compiler.compile(source: statementText) {
        case .success(let value): compiled = value
        case .failure(let diagnostic):
            session.report(formatter.format(diagnostic))
            return ExitStatus.queryError
        }
        var stop: LocalPredicate?
        if let untilText {
            let source = "jobs where " + untilText
            let parsed = Parser.parse(source)
            let shift = -"jobs where ".utf8.count
            if let diagnostic = parsed.diagnostics.first {
                session.report(DiagnosticFormatter(source: untilText).format(Session.shifted(diagnostic, by: shift)))
                return ExitStatus.queryError
            }
            guard case .jobs(let query)? = parsed.statements.first?.statement, let predicate = query.predicate else { return ExitStatus.queryError }
            do {
                stop = try compiler.resolvePredicate(predicate)
            } catch let diagnostic as Diagnostic {
                session.report(DiagnosticFormatter(source: untilText).format(Session.shifted(diagnostic, by: shift)))
                return ExitStatus.queryError
            } catch { return ExitStatus.queryError }
        }
        var previous: [String: JSONValue]?
        while true {
            let jobs: [JSONValue]
            do {
                jobs = try await fetch(compiled)
            } catch is CancellationError {
                session.note("stopped watching")
                return ExitStatus.success
            } catch let error as ByteNiteClient.ByteNiteError {
                session.report("error: " + error.message)
                return ExitStatus.apiError
            } catch {
                session.report("error: \(error)")
                return ExitStatus.apiError
            }
            report(jobs, previous: previous)
            session.output.flush()
            previous = Dictionary(jobs.map { ($0.jobID, $0) }, uniquingKeysWith: { a, _ in a })
            if let stop, !jobs.isEmpty, jobs.allSatisfy(stop.matches) {
                let states = jobs.map { $0["state"]?.stringValue ?? "JOB_STATE_NEW" }
                session.note("every watched job matches; stopped")
                if states.contains("JOB_STATE_FAILED") { return Self.failedStatus }
                return ExitStatus.success
            }
            do {
                try await Task.sleep(for: .milliseconds(Int64(every * 1000)))
            } catch {
                session.note("stopped watching")
                return ExitStatus.success
            }
        }
    }

    func fetch(_ compiled: CompiledStatement) async throws -> [JSONValue] {
        switch compiled {
        case .job(let id): return [try await session.client.job(id: id).job]
        case .jobs(let plan):
            guard case .rows = plan.output else { throw WatchError.unsupported }
            return try await JobsExecution(session: session, plan: plan).collect()
        default: throw WatchError.unsupported
        }
    }

    enum WatchError: Error, CustomStringConvertible {
        case unsupported
        var description: String { ".watch takes a jobs statement or job ID" }
    }

    func report(_ jobs: [JSONValue], previous: [String: JSONValue]?) {
        func line(_ text: String) { session.output.line(TerminalText.escape(text)) }
        func describe(_ job: JSONValue) -> String {
            let state = EnumType.jobState.shortName(job["state"]?.stringValue ?? "JOB_STATE_NEW")
            return "\(job.jobID) \(job["name"]?.stringValue ?? "") \(state)"
        }
        guard let previous else {
            line("watching \(jobs.count) job\(jobs.count == 1 ? "" : "s")")
            for job in jobs { line("  " + describe(job)) }
            return
        }
        for job in jobs {
            guard let before = previous[job.jobID] else {
                line("+ " + describe(job))
                continue
            }
            let old = before["state"]?.stringValue ?? "JOB_STATE_NEW"
            let new = job["state"]?.stringValue ?? "JOB_STATE_NEW"
            if old != new {
                let at = job["stateTimestamps"]?[new]?.stringValue.flatMap { Timestamp(rfc3339: $0)?.shortDescription } ?? ""
                line("~ \(job.jobID) \(job["name"]?.stringValue ?? ""): \(EnumType.jobState.shortName(old)) → \(EnumType.jobState.shortName(new))" + (at.isEmpty ? "" : " at \(at)"))
            }
        }
        let current = Set(jobs.map(\.jobID))
        for (id, job) in previous where !current.contains(id) { line("- " + describe(job) + " (no longer matches)") }
    }
}

extension JSONValue {
    var jobID: String { self["id"]?.stringValue ?? "" }
}
