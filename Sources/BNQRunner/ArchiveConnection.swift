import BNQArchive
import Foundation

/// A connection to a local archive: opened on first use, no network.
public enum ArchiveConnection {
    /// The archive at `path`, opened (and checked) by the first statement that reads it.
    public static func open(path: String) -> Connection {
        Connection(description: "the archive \(path)", promptName: "archive", basePath: "", hasCredentials: false, identity: path, isArchive: true) {
            .init(source: ArchiveJobSource(archive: try Archive(path: path, create: false, readOnly: true)), close: {})
        }
    }
}
