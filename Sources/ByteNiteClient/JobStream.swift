import BNQCore

/// Every job of a listing, fetched page by page with offset pagination.
///
/// Up to `prefetch` pages are requested ahead while the consumer works through the current one.
/// The stream stops when the server says `hasNext == false`, when a page comes back empty, or when
/// the consumer stops iterating. A job delivered on the previous or the current page is not
/// delivered again (offsets shift by the number of jobs inserted while paging, which moves jobs
/// from the end of one page to the start of the next); remembering only those two pages keeps
/// memory flat however long the listing. `possiblyMissedJobs` tells when the total changed during
/// the listing, so jobs may have been missed.
public struct JobStream: AsyncSequence, Sendable {
    public typealias Element = JSONValue

    let client: JobsClient
    let listing: JobListing
    let offset: Int64
    let pageSize: Int64
    let prefetch: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self)
    }

    public final class Iterator: AsyncIteratorProtocol {
        private let stream: JobStream
        private var buffer: [JSONValue] = []
        private var bufferIndex = 0
        private var nextOffset: Int64
        private var inFlight: [Task<JobPage, any Error>] = []
        private var finished = false
        /// Ids delivered from the current page and the one before it.
        private var seenOnPage = Set<String>()
        private var seenOnPreviousPage = Set<String>()
        private var firstTotal: Int64?
        /// True once the total reported by the server changed while paging.
        public private(set) var possiblyMissedJobs = false

        init(stream: JobStream) {
            self.stream = stream
            self.nextOffset = stream.offset
        }

        deinit {
            for task in inFlight { task.cancel() }
        }

        public func next() async throws -> JSONValue? {
            while true {
                if bufferIndex < buffer.count {
                    let job = buffer[bufferIndex]
                    bufferIndex += 1
                    if let id = job["id"]?.stringValue, !id.isEmpty {
                        if seenOnPreviousPage.contains(id) || !seenOnPage.insert(id).inserted { continue }
                    }
                    return job
                }
                if finished { return nil }
                try await fill()
            }
        }

        private func launch() {
            let client = stream.client
            let listing = stream.listing
            let offset = nextOffset
            let limit = stream.pageSize
            nextOffset += limit
            inFlight.append(Task { try await client.page(of: listing, offset: offset, limit: limit) })
        }

        private func fill() async throws {
            if inFlight.isEmpty { launch() }
            let task = inFlight.removeFirst()
            let page: JobPage
            do {
                page = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            } catch {
                for task in inFlight { task.cancel() }
                inFlight.removeAll()
                finished = true
                throw error
            }
            if let total = page.total {
                if let firstTotal, firstTotal != total { possiblyMissedJobs = true }
                if firstTotal == nil { firstTotal = total }
            }
            buffer = page.jobs
            bufferIndex = 0
            seenOnPreviousPage = seenOnPage
            seenOnPage.removeAll(keepingCapacity: true)
            if !page.hasNext || page.jobs.isEmpty {
                finished = true
                for task in inFlight { task.cancel() }
                inFlight.removeAll()
                return
            }
            // Keep up to `prefetch` further pages in flight, but never past the known total.
            while inFlight.count < Swift.max(0, stream.prefetch) {
                if let total = page.total, nextOffset >= total { break }
                launch()
            }
            if inFlight.isEmpty, let total = page.total, nextOffset >= total {
                launch()  // the total may have grown; ask once more, hasNext will tell
            }
        }
    }
}
