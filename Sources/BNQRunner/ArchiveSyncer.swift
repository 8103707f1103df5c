import BNQArchive
import BNQCore
import BNQRender
import BNQLanguage
import ByteNiteClient
import Foundation

/// Pulls a source's jobs into an archive as one sync (one transaction).
///
/// The first sync, and `--full`, list every job: jobs held but no longer listed are marked gone.
/// Later syncs are incremental: the jobs created since the newest held (less `overlap`, for late
/// inserts), the jobs not yet in a final state, and, one by one, the held unfinished jobs neither
/// listing returned (finished meanwhile, or gone: a 404). A finished job deleted by the service
/// is found only by a full sync.
public struct ArchiveSyncer {
    public let source: any JobSource
    public let archive: Archive
    /// What the archive records as the endpoint it mirrors.
    public let endpoint: String
    public var full = false
    /// `import` for a file, else `full` or `incremental` as chosen.
    public var kind: String?
    /// How far before the newest held creation time an incremental sync looks again.
    public var overlap: Double = 3600
    public var pageSize: Int64 = 500
    /// Hears the jobs read so far and the listing's total when known (for a progress line).
    public var progress: (@Sendable (_ read: Int64, _ total: Int64?) -> Void)?
    /// Hears what may be missing (a listing that changed while it was read).
    public var warn: (@Sendable (String) -> Void)?

    public init(source: any JobSource, archive: Archive, endpoint: String) {
        self.source = source
        self.archive = archive
        self.endpoint = endpoint
    }

    /// What a finished sync did.
    public struct Outcome: Sendable {
        public var record: SyncRecord
        public var tally: ArchiveSync.Tally

        /// `synced 100,000 jobs: 1,204 new, 37 changed, 0 gone (14 requests, 1.9 s)`.
        public var summary: String {
            let seconds = record.seconds < 10 ? String(format: "%.1f", record.seconds) : String(Int(record.seconds.rounded()))
            return "synced \(Self.grouped(record.jobs)) job\(record.jobs == 1 ? "" : "s"): \(Self.grouped(record.new)) new, "
                + "\(Self.grouped(record.changed)) changed, \(Self.grouped(record.gone)) gone "
                + "(\(Self.grouped(record.requests)) request\(record.requests == 1 ? "" : "s"), \(seconds) s)"
        }

        static func grouped(_ value: Int64) -> String { CellText.grouped(value) }
    }

    /// Runs the sync. A failure or cancellation rolls it back: the archive stays at the previous sync.
    public func run() async throws -> Outcome {
        let started = ContinuousClock.now
        let requestsBefore = source.activity.requests
        let held = try archive.heldSummary()
        let incremental = !full && held.held > 0 && held.newestCreatedAt != nil
        let sync = try ArchiveSync(
            archive: archive, endpoint: endpoint, kind: kind ?? (incremental ? "incremental" : "full"),
            at: Self.nowToTheMillisecond())
        do {
            var read: Int64 = 0
            if incremental, let newest = held.newestCreatedAt {
                let cutoff = newest.adding(seconds: -overlap)
                let recent = try plan("jobs where createdAt >= '\(cutoff.rfc3339)' order by createdAt")
                let unfinishedStates = EnumType.jobState.values.filter { !EnumType.finalJobStates.contains($0) }.map(EnumType.jobState.shortName)
                let open = try plan("jobs where createdAt < '\(cutoff.rfc3339)' and state in (\(unfinishedStates.joined(separator: ", "))) order by createdAt")
                var listed = Set<String>()
                for plan in [recent, open] {
                    try await copy(plan, into: sync, read: &read) { listed.insert($0) }
                }
                // Held unfinished jobs neither listing returned: finished meanwhile, or gone.
                let missing = held.unfinished.filter { !listed.contains($0) }
                try sync.markGone(ids: try await lookUp(missing, into: sync, read: &read))
            } else {
                try await copy(try plan("jobs"), into: sync, read: &read) { _ in }
                try sync.markUnseenGone()
            }
            try Task.checkCancellation()
            let record = try sync.commit(requests: source.activity.requests - requestsBefore, seconds: (ContinuousClock.now - started).inSeconds)
            return Outcome(record: record, tally: sync.tally)
        } catch {
            sync.abandon()
            throw error
        }
    }

    static func nowToTheMillisecond() -> Timestamp {
        let milliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        return Timestamp(seconds: milliseconds / 1000, nanos: Int32(milliseconds % 1000) * 1_000_000)
    }

    /// Reads the jobs with these ids into the sync: a filtered listing (`id in (…)`) per 200 ids,
    /// or, where the API refuses a filter on `id`, one `GET /jobs/{id}` each. Returns the ids the
    /// API no longer has.
    func lookUp(_ ids: [String], into sync: ArchiveSync, read: inout Int64) async throws -> [String] {
        var found = Set<String>()
        var gone: [String] = []
        for start in stride(from: 0, to: ids.count, by: 200) {
            let chunk = Array(ids[start..<min(start + 200, ids.count)])
            var plan = try plan("jobs where id in ('') order by createdAt")
            let operand = FilterOperand.list(chunk.map(FilterOperand.string))
            plan.pushed = [JobFilter(checked: JobSchema.field(named: "id")!, condition: .in, operand: operand)]
            do {
                try await copy(plan, into: sync, read: &read) { found.insert($0) }
                gone += chunk.filter { !found.contains($0) }
            } catch let error as ByteNiteError where error.kind == .badRequest {
                for id in chunk {
                    try Task.checkCancellation()
                    do {
                        try sync.record([try await source.job(id: id)])
                    } catch let error where Self.isNotFound(error) {
                        gone.append(id)
                    }
                }
            }
        }
        return gone
    }

    /// Copies a listing into the sync in batches; `seen` hears every id listed.
    func copy(_ plan: JobsPlan, into sync: ArchiveSync, read: inout Int64, seen: (String) -> Void) async throws {
        let cursor = source.jobs(for: plan, startingAt: 0, limit: nil)
        var batch: [JSONValue] = []
        batch.reserveCapacity(500)
        while let job = try await cursor.next() {
            if let id = job["id"]?.stringValue { seen(id) }
            batch.append(job)
            read += 1
            // The progress line follows every 50 jobs (it redraws at most five times a second).
            if read % 50 == 0 { progress?(read, cursor.total) }
            if batch.count == 500 {
                try sync.record(batch)
                batch.removeAll(keepingCapacity: true)
                progress?(read, cursor.total)
            }
        }
        try sync.record(batch)
        progress?(read, cursor.total)
        if let warning = cursor.warning { warn?(warning) }
    }

    /// A listing's plan, compiled from the language like any statement.
    func plan(_ text: String) throws -> JobsPlan {
        let context = CompileContext(now: Timestamp(secondsSince1970: Date().timeIntervalSince1970), pageSize: pageSize)
        switch Compiler(context: context).compile(source: text) {
        case .success(.jobs(let plan)): return plan
        case .success: throw RunError("internal: '\(text)' is not a listing")
        case .failure(let diagnostic): throw RunError("internal: '\(text)': \(diagnostic.message)")
        }
    }

    /// Whether an error says the job does not exist (an HTTP 404).
    static func isNotFound(_ error: any Error) -> Bool {
        (error as? ByteNiteError)?.kind == .notFound || error is RecordsJobSource.NotFound
    }
}

extension ArchiveSyncer {
    /// Runs the sync with a progress line on standard error when it is a terminal (jobs so far /
    /// total, rate, time left), cleared before the summary.
    public func runShowingProgress() async throws -> Outcome {
        var syncer = self
        let drawsProgress = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        let box = ProgressLine.Box()
        if drawsProgress {
            let started = ContinuousClock.now
            let last = LastDrawn()
            syncer.progress = { read, total in
                let seconds = (ContinuousClock.now - started).inSeconds
                guard last.due(seconds) else { return }
                let rate = seconds > 0 ? Double(read) / seconds : 0
                var text = "syncing: \(Outcome.grouped(read))"
                if let total, total >= read {
                    text += " / \(Outcome.grouped(total)) jobs"
                    if rate > 0 { text += ", \(Outcome.grouped(Int64(rate)))/s, \(Int(((Double(total - read)) / rate).rounded())) s left" }
                } else {
                    text += " jobs" + (rate > 0 ? ", \(Outcome.grouped(Int64(rate)))/s" : "")
                }
                box.draw(text + " (Ctrl-C stops; the archive stays as it was)")
            }
        }
        defer { box.clear() }
        return try await syncer.run()
    }

    /// Draws at most five times a second.
    final class LastDrawn: @unchecked Sendable {
        private let lock = NSLock()
        private var last = -1.0
        func due(_ seconds: Double) -> Bool {
            lock.withLock {
                guard seconds - last >= 0.2 else { return false }
                last = seconds
                return true
            }
        }
    }
}
