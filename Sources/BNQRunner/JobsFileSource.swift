import BNQCore
import BNQLanguage
import Foundation

/// A JSON export as a source for `bnq sync --from`, read one job at a time: the file is mapped,
/// not loaded, and each job is parsed when it is read, so a million-job export costs the memory
/// of one job (plus the pages the system maps in). Listings return every job in file order.
public final class JobsFileSource: JobSource, @unchecked Sendable {
    let path: String
    let bytes: Data
    /// Where the array of jobs starts (just after its `[`).
    let start: Int

    /// Maps the file and finds its array of jobs: the top-level array, or the `data` member of a
    /// saved listing response.
    public init(path: String) throws(RunError) {
        self.path = path
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw RunError("cannot read \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"), status: ExitStatus.usage)
        }
        var scanner = Scanner(bytes: bytes, path: path)
        scanner.skipSpace()
        switch scanner.peek {
        case UInt8(ascii: "["):
            start = scanner.index + 1
        case UInt8(ascii: "{"):
            start = try scanner.findDataArray()
        default:
            throw RunError("\(path): " + JobsDocument.expected, status: ExitStatus.usage)
        }
    }

    public func jobs(for plan: JobsPlan, startingAt offset: Int64, limit: Int64?) -> any JobCursor {
        ElementCursor(scanner: Scanner(bytes: bytes, path: path, index: start))
    }

    public func firstJobs(for plan: JobsPlan, offset: Int64, limit: Int64) async throws -> [JSONValue] {
        let cursor = jobs(for: plan, startingAt: 0, limit: nil)
        var jobs: [JSONValue] = []
        while jobs.count < Int(clamping: offset + limit), let job = try await cursor.next() { jobs.append(job) }
        return Array(jobs.dropFirst(Int(clamping: offset)))
    }

    public func count(for plan: JobsPlan) async throws -> Int64? { nil }

    public func job(id: String) async throws -> JSONValue { throw RecordsJobSource.NotFound(id: id) }

    public func results(id: String) async throws -> [ResultFile] { [] }

    public var activity: SourceActivity { SourceActivity() }

    /// The elements of the array, one parsed job at a time.
    final class ElementCursor: JobCursor {
        var scanner: Scanner
        var finished = false

        init(scanner: Scanner) { self.scanner = scanner }

        func next() async throws -> JSONValue? {
            guard !finished else { return nil }
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: "]") {
                finished = true
                return nil
            }
            let elementStart = scanner.index
            try scanner.skipValue()
            let element: JSONValue
            do {
                element = try JSONParser.parse(scanner.bytes[elementStart..<scanner.index])
            } catch {
                throw scanner.failure("\(error.reason)", at: elementStart)
            }
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: ",") {
                scanner.index += 1
            } else if scanner.peek != UInt8(ascii: "]") {
                throw scanner.failure("expected ',' or ']' after a job", at: scanner.index)
            }
            return element
        }

        var warning: String? { nil }
        var total: Int64? { nil }
    }

    /// Walks the file's outer array (or the listing object around it) and finds where each job
    /// ends, through `JSONParser.endOfValue`, without building anything.
    struct Scanner {
        let bytes: Data
        let path: String
        var index: Int

        init(bytes: Data, path: String, index: Int? = nil) {
            self.bytes = bytes
            self.path = path
            self.index = index ?? bytes.startIndex
        }

        var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        /// Moves past one value (object, array, string or scalar), as `JSONParser` finds its end.
        mutating func skipValue() throws(RunError) {
            guard index < bytes.endIndex else { throw failure("unexpected end of the file", at: index) }
            let base = bytes.startIndex
            let start = index - base
            let end = bytes.withUnsafeBytes { raw in
                Result { () throws(JSONParseError) in try JSONParser.endOfValue(in: raw.bindMemory(to: UInt8.self), at: start) }
            }
            switch end {
            case .success(let end): index = base + end
            case .failure(let error): throw failure(error.reason, at: base + error.offset)
            }
        }

        /// In a top-level object, the position just inside its `data` array.
        mutating func findDataArray() throws(RunError) -> Int {
            index += 1
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { break }
                let keyStart = index
                try skipValue()
                let key = String(decoding: bytes[(keyStart + 1)..<(index - 1)], as: UTF8.self)
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw failure("expected ':' after a member name", at: index) }
                index += 1
                skipSpace()
                if key == "data", peek == UInt8(ascii: "[") { return index + 1 }
                try skipValue()
                skipSpace()
                if peek == UInt8(ascii: ",") { index += 1 } else { break }
            }
            throw RunError("\(path): " + JobsDocument.expected, status: ExitStatus.usage)
        }

        /// A malformed-file error naming the line and column of `offset`.
        func failure(_ reason: String, at offset: Int) -> RunError {
            var line = 1
            var column = 1
            for byte in bytes[bytes.startIndex..<min(offset, bytes.endIndex)] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
            return RunError("\(path):\(line):\(column): \(reason)", status: ExitStatus.usage)
        }
    }
}
