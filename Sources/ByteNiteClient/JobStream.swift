import BNQCore

/// Every job of a listing, fetched page by page with offset pagination.
///
/// Up to `prefetch` pages are requested ahead while the consumer works through the current one;
/// they wait as response bytes and are parsed when their turn comes.
/// The stream stops when the server says `hasNext == false`, when a page comes back empty, or when
/// the consumer stops iterating.
///
/// No job is delivered twice. Jobs inserted while paging push later jobs to higher offsets, so a
/// job already delivered can come back on a later page; a job can move at most as many places as
/// the listing grew. So the stream remembers the ids of the current page and of as many pages
/// before it as that growth spans: one page when nothing changes, which keeps memory flat however
/// long the listing. When the total reported by the server changes during the listing,
/// `possiblyMissedJobs` is set (jobs inserted before the current offset, or removed, were not seen).
public struct JobStream: AsyncSequence, Sendable {
    public typealias Element = JSONValue

    let client: JobsClient
    let listing: JobListing
    let offset: Int64
    let pageSize: Int64
    let prefetch: Int
    /// The most jobs wanted (a limit that was pushed down): pages are sized to what remains and
    /// nothing is requested past it.
    var maximumJobs: Int64?

    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self)
    }

    public final class Iterator: AsyncIteratorProtocol {
        private let stream: JobStream
        private var buffer: [JSONValue] = []
        private var bufferIndex = 0
        private var nextOffset: Int64
        private var inFlight: [Task<DeferredJobPage, any Error>] = []
        private var finished = false
        /// Ids delivered from the current page, then from earlier pages, newest first.
        private var seenOnPage = Set<String>()
        private var seenOnEarlierPages: [Set<String>] = []
        /// The total the server reported on the first page, and the latest one.
        public private(set) var firstTotal: Int64?
        public private(set) var lastTotal: Int64?
        /// The most the listing grew beyond its first total, so the farthest a job can have moved.
        private var largestGrowth: Int64 = 0
        /// Jobs delivered so far.
        public private(set) var delivered: Int64 = 0
        /// True once the consumer has read the listing to the end the server said it has: not when
        /// it stopped early, even inside the last page (then fewer jobs than the total were read,
        /// and that is no sign of a listing left incomplete).
        public private(set) var reachedEnd = false
        /// True once the server's last page has arrived (its jobs may not all be read yet).
        private var lastPageArrived = false
        /// Where the listing started.
        public var startOffset: Int64 { stream.offset }
        /// Pages in a row that brought no job not already delivered.
        private var stalePages = 0
        static let stalePageLimit = 3
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
                        // A job seen before is skipped, and remembered with this page: the memory of
                        // what was delivered moves on with the listing even when a page repeats it all.
                        if !seenOnPage.insert(id).inserted || seenOnEarlierPages.contains(where: { $0.contains(id) }) { continue }
                    }
                    delivered += 1
                    return job
                }
                if finished {
                    reachedEnd = lastPageArrived
                    return nil
                }
                try await fill()
            }
        }

        /// Jobs still to ask for: nil without a maximum.
        private var remainingToRequest: Int64? {
            stream.maximumJobs.map { Swift.max(0, $0 - (nextOffset - stream.offset)) }
        }

        private func launch() {
            let client = stream.client
            let listing = stream.listing
            let offset = nextOffset
            let limit = Swift.min(stream.pageSize, remainingToRequest ?? stream.pageSize)
            guard limit > 0 else { return }
            // Saturating: `offset 9223372036854775807` asks once and ends, it does not overflow.
            let (sum, overflow) = nextOffset.addingReportingOverflow(limit)
            nextOffset = overflow ? Int64.max : sum
            inFlight.append(Task { try await client.deferredPage(of: listing, offset: offset, limit: limit) })
        }

        private func fill() async throws {
            // Let go of the page just read before the next one becomes a tree: two at once would
            // double the peak memory of a listing.
            buffer = []
            bufferIndex = 0
            if inFlight.isEmpty { launch() }
            let task = inFlight.removeFirst()
            let page: JobPage
            do {
                // Pages wait as bytes; each becomes a JSON tree only when its turn comes.
                page = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }.parsed()
            } catch {
                for task in inFlight { task.cancel() }
                inFlight.removeAll()
                finished = true
                throw error
            }
            if let total = page.total {
                if let firstTotal, firstTotal != total { possiblyMissedJobs = true }
                if firstTotal == nil { firstTotal = total }
                lastTotal = total
                largestGrowth = Swift.max(largestGrowth, total - (firstTotal ?? total))
            }
            buffer = page.jobs
            bufferIndex = 0
            seenOnEarlierPages.insert(seenOnPage, at: 0)
            // A server that ignores the offset sends the same jobs again and again, saying there is
            // more: after a few pages with nothing new, stop with an error instead of paging forever.
            let earlier = seenOnEarlierPages
            let bringsNew = page.jobs.contains { job in
                guard let id = job["id"]?.stringValue, !id.isEmpty else { return true }
                return !earlier.contains { $0.contains(id) }
            }
            stalePages = page.jobs.isEmpty || bringsNew ? 0 : stalePages + 1
            if stalePages >= Self.stalePageLimit {
                finished = true
                for task in inFlight { task.cancel() }
                inFlight.removeAll()
                buffer = []
                throw ByteNiteError(
                    .badResponse,
                    "the API sent only jobs already listed on \(stalePages) pages in a row (up to offset \(page.offset)) while saying there are more; it seems to ignore the offset, so paging stopped")
            }
            seenOnPage = Set(minimumCapacity: page.jobs.count)
            // A delivered job can reappear at most `largestGrowth` places later: keep the pages that span.
            let pageSize = Swift.max(stream.pageSize, 1)
            let pagesToKeep = Int((largestGrowth + pageSize - 1) / pageSize) + 1
            if seenOnEarlierPages.count > pagesToKeep { seenOnEarlierPages.removeLast(seenOnEarlierPages.count - pagesToKeep) }
            if !page.hasNext || page.jobs.isEmpty {
                finished = true
                lastPageArrived = true
                for task in inFlight { task.cancel() }
                inFlight.removeAll()
                return
            }
            // Keep up to `prefetch` further pages in flight, but never past the known total.
            if remainingToRequest == 0 {
                // Everything wanted is requested: the pages in flight end the listing.
                if inFlight.isEmpty { finished = true; lastPageArrived = false }
                return
            }
            while inFlight.count < Swift.max(0, stream.prefetch), remainingToRequest.map({ $0 > 0 }) ?? true {
                if let total = page.total, nextOffset >= total { break }
                launch()
            }
            if inFlight.isEmpty, let total = page.total, nextOffset >= total {
                launch()  // the total may have grown; ask once more, hasNext will tell
            }
        }
    }
}
