import BNQArchive
import BNQRunner
import Foundation

/// A connection to a local archive: opened on first use, no network.
enum ArchiveConnection {
    static func open(path: String) -> Connection {
        Connection(description: "the archive \(path)", promptName: "archive", basePath: "", hasCredentials: false, identity: path, isArchive: true) {
            .init(source: ArchiveJobSource(archive: try Archive(path: path, create: false)), close: {})
        }
    }
}
