import CSQLite
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Reads a database's PRAGMA user_version without changing anything beside the file.
enum VersionProbe {
    /// The schema version of the file at `path`, or nil when there is no database file there yet (or
    /// something else is in its place: opening it then reports what).
    ///
    /// Without a -wal file the main file is the whole truth, so the header is read directly (a read-only
    /// SQLite connection would still create -wal and -shm files). With one, committed pages may live only
    /// in the WAL, so a read-only connection reads it.
    static func userVersion(path: String, busyTimeoutMilliseconds: Int32) throws -> Int? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        if access(path + "-wal", F_OK) != 0 { return try headerUserVersion(path: path) }
        let probe = try Connection(path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        defer { probe.close() }
        return try probe.userVersion
    }

    /// user_version from the 100-byte header (big-endian Int32 at offset 60); 0 for an empty file;
    /// nil when the file is not an SQLite database (let SQLite report that).
    static func headerUserVersion(path: String) throws -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw OpenFailure.explain(StoreError(code: SQLITE_CANTOPEN, message: String(cString: strerror(e)), systemErrno: e),
                                      path: path, readOnly: true)
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        var got = 0
        while got < header.count {
            let n = header.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, 100 - got) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                let e = errno   // SQLITE_IOERR_READ (a macro Swift does not import)
                throw OpenFailure.explain(StoreError(code: SQLITE_IOERR | (1 << 8), message: String(cString: strerror(e)), systemErrno: e),
                                          path: path, readOnly: true)
            }
            if n == 0 { break }
            got += n
        }
        if got == 0 { return 0 }
        guard got == 100, header.prefix(16).elementsEqual(Array("SQLite format 3\u{0}".utf8)) else { return nil }
        let b = header[60..<64].map(UInt32.init)
        return Int(Int32(bitPattern: b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]))
    }
}
