import BNQCore
import Dispatch
import Foundation
import GRDB

/// Streams the jobs of an `ArchiveQuery`: a reader thread runs the SQL, parses each job and
/// applies the filters SQL could not, and hands over batches through a small buffer (at most
/// `bufferedBatches` ahead), so memory stays flat and parsing runs beside the consumer.
public final class ArchiveReader: @unchecked Sendable {
    let channel: Channel

    init(archive: Archive, query: ArchiveQuery) {
        channel = Channel(archive: archive, query: query)
    }

    /// The consumer is gone: the reader thread stops.
    deinit { channel.cancel() }

    /// The next job, or nil after the last.
    public func next() async throws -> JSONValue? { try await channel.next() }

    /// Stops the reader thread (the consumer wants no more).
    public func cancel() { channel.cancel() }
}

/// What the reader thread and the consumer share.
final class Channel: @unchecked Sendable {
    let archive: Archive
    let query: ArchiveQuery
    static let batchSize = 256
    static let bufferedBatches = 4

    private let lock = NSLock()
    private var buffer: [[JSONValue]] = []
    private var finished = false
    private var failure: ArchiveError?
    private var cancelled = false
    private var started = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// Free places in the buffer. Made with 0 and signalled up: libdispatch traps when a
    /// semaphore is released below the value it was made with.
    private let slots = DispatchSemaphore(value: 0)
    private var current: ArraySlice<JSONValue> = []

    init(archive: Archive, query: ArchiveQuery) {
        self.archive = archive
        self.query = query
        for _ in 0..<Self.bufferedBatches { slots.signal() }
    }

    func next() async throws -> JSONValue? {
        if let job = current.popFirst() { return job }
        startIfNeeded()
        while true {
            try Task.checkCancellation()
            switch take() {
            case .batch(let batch):
                slots.signal()
                current = batch[...]
                if let job = current.popFirst() { return job }
            case .finished(let failure):
                if let failure { throw failure }
                return nil
            case .empty:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    if !wait(continuation) { continuation.resume() }
                }
            }
        }
    }

    enum Taken { case batch([JSONValue]), finished(ArchiveError?), empty }

    private func take() -> Taken {
        lock.withLock {
            if !buffer.isEmpty { return .batch(buffer.removeFirst()) }
            if finished { return .finished(failure) }
            return .empty
        }
    }

    /// Parks the consumer until a batch or the end arrives; false when one already has.
    private func wait(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        lock.withLock {
            guard buffer.isEmpty, !finished else { return false }
            waiter = continuation
            return true
        }
    }

    func cancel() {
        lock.lock()
        let wasCancelled = cancelled
        cancelled = true
        lock.unlock()
        if !wasCancelled { slots.signal() }
    }

    private func startIfNeeded() {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        started = true
        let statement = ArchiveSQL.select(query)
        let local = query.split.local
        // An ordering SQL cannot say (a key of `stateTimestamps`): every match is read, sorted
        // with `JobOrdering` as the service sorts, then offset and limit are applied.
        let sortsLocally = ArchiveSQL.orderBy(query.ordering) == nil
        let query = query
        DispatchQueue.global().async { [self] in
            do {
                var batch: [JSONValue] = []
                batch.reserveCapacity(Self.batchSize)
                /// Adds a job to the batch, handing full batches over; false once the consumer cancelled.
                func emit(_ job: JSONValue) -> Bool {
                    batch.append(job)
                    guard batch.count == Self.batchSize else { return true }
                    defer { batch.removeAll(keepingCapacity: true) }
                    return deliver(batch)
                }
                if sortsLocally {
                    var matching: [JSONValue] = []
                    try eachMatch(statement, local) { matching.append($0); return true }
                    var sorted = query.ordering.sorted(matching)[...].dropFirst(Int(clamping: query.offset))
                    if let limit = query.limit { sorted = sorted.prefix(Int(clamping: limit)) }
                    for job in sorted where !emit(job) { return }
                } else {
                    // Offset and limit, when SQL could not apply them.
                    var skip = statement.exact ? 0 : query.offset
                    var remaining = statement.exact ? nil : query.limit
                    var cancelled = false
                    try eachMatch(statement, local) { job in
                        if remaining == 0 { return false }
                        if skip > 0 {
                            skip -= 1
                            return true
                        }
                        if let left = remaining { remaining = left - 1 }
                        cancelled = !emit(job)
                        return !cancelled && remaining != 0
                    }
                    if cancelled { return }
                }
                if !batch.isEmpty { _ = deliver(batch) }
                finish(nil)
            } catch {
                finish(ArchiveError.from(error, path: archive.path))
            }
        }
    }

    /// Runs the statement and hands each job that parses and passes the filters SQL could not
    /// apply to `body`, until it returns false.
    private func eachMatch(_ statement: (sql: String, arguments: [DatabaseValue], exact: Bool), _ local: [JobFilter], _ body: (JSONValue) -> Bool) throws {
        try archive.queue.read { db in
            let rows = try String.fetchCursor(db, sql: statement.sql, arguments: StatementArguments(statement.arguments))
            while let text = try rows.next() {
                guard let job = try? JSONParser.parse(Array(text.utf8)) else { continue }
                if !local.isEmpty, !local.allSatisfy({ $0.matches(job) }) { continue }
                if !body(job) { return }
            }
        }
    }

    /// Waits for room, hands a batch over; false once the consumer cancelled.
    private func deliver(_ batch: [JSONValue]) -> Bool {
        slots.wait()
        lock.lock()
        if cancelled {
            lock.unlock()
            return false
        }
        buffer.append(batch)
        let waiter = waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume()
        return true
    }

    private func finish(_ failure: ArchiveError?) {
        lock.lock()
        finished = true
        self.failure = failure
        let waiter = waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume()
    }
}
