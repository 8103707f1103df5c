import BNQCore
import BNQLanguage
import BNQRender
import Foundation

/// `.watch [EVERY] STATEMENT [until PREDICATE]`: re-runs a statement and prints what changed since
/// the last run — new jobs and state transitions with their times — not the whole table again.
struct Watch {
    let session: Session
    let command: WatchCommand

    func run() async -> Int32 {
        let context = session.settings.compileContext(now: Timestamp(secondsSince1970: Date().timeIntervalSince1970))
        let compiler = Compiler(context: context)
        // The script's check compiled both already; here they are compiled with the real `now`.
        let compiled: CompiledStatement
        let stop: LocalPredicate?
        do throws(Diagnostic) {
            compiled = try compiler.compile(command.statement).get()
            stop = try command.until.map { (predicate) throws(Diagnostic) in try compiler.resolvePredicate(predicate) }
        } catch {
            return session.reporter.report(error)
        }
        var previous: [String: JSONValue]?
        while true {
            let jobs: [JSONValue]
            // A slow poll shows its progress on the terminal, as a slow statement does.
            let progress = ProgressLine.start(for: session)
            do {
                defer { progress?.stop() }
                jobs = try await fetch(compiled)
            } catch is CancellationError {
                session.reporter.note("stopped watching")
                return ExitStatus.success
            } catch {
                return session.reporter.report(error)
            }
            report(jobs, previous: previous)
            session.output.flush()
            previous = Dictionary(jobs.map { ($0.jobID, $0) }, uniquingKeysWith: { a, _ in a })
            if let stop, !jobs.isEmpty, jobs.allSatisfy(stop.matches) {
                let states = jobs.map { $0["state"]?.stringValue ?? "JOB_STATE_NEW" }
                session.reporter.note("every watched job matches; stopped")
                return states.contains("JOB_STATE_FAILED") ? ExitStatus.watchedJobFailed : ExitStatus.success
            }
            do {
                try await Task.sleep(for: .milliseconds(Int64(command.every * 1000)))
            } catch {
                session.reporter.note("stopped watching")
                return ExitStatus.success
            }
        }
    }

    /// The watched jobs now (the statement was checked to be a job or a listing).
    func fetch(_ compiled: CompiledStatement) async throws -> [JSONValue] {
        let source = try await session.source()
        switch compiled {
        case .job(let id): return [try await source.job(id: id)]
        case .jobs(let plan):
            return try await JobsExecution(session: session, source: source, plan: plan, defaultColumns: JobsExecution.jobColumns).collect()
        default: throw RunError("'.watch' takes a jobs listing or job ID")
        }
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
