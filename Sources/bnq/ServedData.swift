import BNQArchive
import BNQCore
import BNQService
import Foundation

/// What `bnq serve --data FILE` serves: a JSON file of jobs, or an archive (its jobs held now).
enum ServedData {
    struct Failure: Error {
        var message: String
    }

    static func load(path: String) async throws(Failure) -> (jobs: [JSONValue], dropped: [String]) {
        if PrivateDatabaseFile.looksLikeSQLite(path: path) {
            do {
                let archive = try Archive(path: path, create: false)
                let reader = archive.jobs(ArchiveQuery(filters: [], ordering: nil))
                var jobs: [JSONValue] = []
                while let job = try await reader.next() { jobs.append(job) }
                return try JobData.literalJobs(jobs, source: path)
            } catch let error as ArchiveError {
                throw Failure(message: error.message)
            } catch let error as JobData.LoadError {
                throw Failure(message: error.message)
            } catch {
                throw Failure(message: "\(path): \(error)")
            }
        }
        do {
            return try JobData.load(path: path)
        } catch {
            throw Failure(message: error.message)
        }
    }
}
