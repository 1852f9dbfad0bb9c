import Foundation

/// Reads a database's PRAGMA user_version without changing anything beside the file.
enum VersionProbe {
    /// The schema version of the file at `path`, or nil when there is no file yet.
    ///
    /// Without a -wal file the main file is the whole truth, so the header is read directly (a read-only
    /// SQLite connection would still create -wal and -shm files). With one, committed pages may live only
    /// in the WAL, so a read-only connection reads it.
    static func userVersion(path: String, busyTimeoutMilliseconds: Int32) throws -> Int? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) else { return nil }
        if !fm.fileExists(atPath: path + "-wal"), let version = try headerUserVersion(path: path) {
            return version
        }
        let probe = try Connection(path: path, readOnly: true, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        defer { probe.close() }
        return try probe.userVersion
    }

    /// user_version from the 100-byte header (big-endian Int32 at offset 60); 0 for an empty file;
    /// nil when the file is not an SQLite database (let SQLite report that).
    static func headerUserVersion(path: String) throws -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(code: -1, message: "cannot read \(path)")
        }
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 100) ?? Data()
        if header.isEmpty { return 0 }
        guard header.count == 100, header.prefix(16).elementsEqual(Array("SQLite format 3\u{0}".utf8)) else {
            return nil
        }
        let b = Array(header[60..<64])
        return Int(Int32(bitPattern: UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])))
    }
}
