import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// A SQLite file only its owner may read: the folder 0700, the database and its WAL files 0600,
/// no symbolic link followed. The shell's history and the archive are both kept this way.
public enum PrivateDatabaseFile {
    /// A database that cannot be kept safely.
    public struct UnsafeLocation: Error, CustomStringConvertible {
        public var description: String
    }

    /// Creates the folder if needed and makes it private (0700, also when it existed); refuses a
    /// symbolic link planted where the database or its WAL files go, and gives existing files
    /// mode 0600 before SQLite opens them: SQLite creates `-wal` and `-shm` with the database's mode.
    public static func secure(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            var folderInfo = stat()
            if lstat(folder, &folderInfo) == 0, folderInfo.st_uid == getuid(), folderInfo.st_mode & 0o077 != 0 {
                chmod(folder, 0o700)
            }
        }
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] {
            var info = stat()
            guard lstat(file, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK {
                throw UnsafeLocation(description: "\(file) is a symbolic link; bnq does not follow it")
            }
            if info.st_mode & 0o077 != 0 { chmod(file, 0o600) }
        }
    }

    /// Creates the file with mode 0600 if it does not exist (O_EXCL: a file or link that appears
    /// meanwhile is not used). Returns whether it was created.
    @discardableResult
    public static func create(path: String) throws -> Bool {
        guard !FileManager.default.fileExists(atPath: path) else { return false }
        let descriptor = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw UnsafeLocation(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        close(descriptor)
        return true
    }

    /// Whether the file starts as a SQLite database does (`SQLite format 3\0`).
    public static func looksLikeSQLite(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        return head == Data("SQLite format 3\0".utf8)
    }
}
