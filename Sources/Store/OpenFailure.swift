import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Turns a failure to open a database into a sentence naming the file and the cause an operator can fix:
/// `cannot open /data/tsuna.sqlite: the folder /data is not writable (read-only file system)`.
///
/// SQLite says only "unable to open database file" for most of these, so the cause is found by looking:
/// stat(2) for a missing folder or a directory in the file's place, access(2) for write permission.
/// access(2) answers for the real user, and for root it ignores permission bits but still reports a
/// read-only file system (EROFS), which is the case root meets in practice (a read-only mount).
enum OpenFailure {
    /// `error` with its message replaced by the explanation; code and errno are kept.
    static func explain(_ error: StoreError, path: String, readOnly: Bool) -> StoreError {
        var explained = error
        explained.message = "cannot open \(path)\(readOnly ? " for reading" : ""): "
            + cause(of: error, path: path, readOnly: readOnly)
        return explained
    }

    private static func cause(of error: StoreError, path: String, readOnly: Bool) -> String {
        let folder = parentFolder(of: path)
        var st = stat()
        if stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR {
            return "it is a directory, not a database file"
        }
        if stat(folder, &st) != 0 {
            let e = errno
            return e == ENOENT ? "the folder \(folder) does not exist"
                : "the folder \(folder) cannot be reached (\(reason(e)))"
        }
        if st.st_mode & S_IFMT != S_IFDIR { return "\(folder) is not a folder" }
        if error.primaryCode == SQLITE_NOTADB { return "the file is not an SQLite database (or it is encrypted)" }
        if error.isCorrupt { return "the database file is corrupt (\(error.message)); restore it from a backup" }
        if error.isDiskFull { return "the disk is full (\(error.message))" }
        let fileExists = access(path, F_OK) == 0
        if readOnly {
            if fileExists && access(path, R_OK) != 0 { return "the file is not readable (\(reason(errno)))" }
            if access(path + "-shm", F_OK) != 0 && access(folder, W_OK | X_OK) != 0 {
                return "the folder \(folder) is not writable (\(reason(errno))), and reading a WAL database "
                    + "needs to create \(path)-shm"
            }
        } else {
            if fileExists && access(path, W_OK) != 0 { return "the file is not writable (\(reason(errno)))" }
            // SQLite creates the -wal and -shm files beside the database.
            if access(folder, W_OK | X_OK) != 0 { return "the folder \(folder) is not writable (\(reason(errno)))" }
            for suffix in ["-wal", "-shm"] where access(path + suffix, F_OK) == 0 && access(path + suffix, W_OK) != 0 {
                return "\(path)\(suffix) is not writable (\(reason(errno)))"
            }
            if error.isReadOnly { return "SQLite could open it only for reading (\(error.message))" }
        }
        return error.message
    }

    /// "/a/b" for "/a/b/c.sqlite", "." for "c.sqlite".
    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The errno as an operator reads it.
    static func reason(_ e: Int32) -> String {
        switch e {
        case EROFS: return "read-only file system"
        case EACCES, EPERM: return "permission denied"
        default: return String(cString: strerror(e))
        }
    }
}
