import CSQLite
import FoundationEssentials
import Platform
#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// Copies this database to `destination` in one backup step (one consistent snapshot; in WAL mode
    /// writers on other connections carry on meanwhile). The copy goes to a temporary file that is
    /// renamed over `destination` once complete.
    public func backup(to destination: String) throws {
        let source = try handle()
        let temporary = destination + ".partial-\(UInt32.random(in: 0 ... .max))"
        var dest: OpaquePointer?
        defer {
            if let dest { sqlite3_close_v2(dest) }
            unlink(temporary)
            unlink(temporary + "-journal")
        }
        guard sqlite3_open_v2(temporary, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK,
              let destDB = dest else {
            throw StoreError(code: dest.map { sqlite3_extended_errcode($0) } ?? SQLITE_CANTOPEN,
                             message: "cannot create backup file \(temporary)")
        }
        guard let backup = sqlite3_backup_init(destDB, "main", source, "main") else {
            throw StoreError.from(destDB)
        }
        var rc: Int32
        var retries = 0
        repeat {
            rc = sqlite3_backup_step(backup, -1)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED {
                // Bounded: about the busy timeout in total.
                retries += 1
                if retries > 500 { break }
                sqlite3_sleep(10)
            }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE, finish == SQLITE_OK else {
            let code = rc == SQLITE_DONE ? finish : rc
            throw StoreError(code: code, message: "backup failed: \(String(cString: sqlite3_errstr(code)))")
        }
        guard sqlite3_close_v2(destDB) == SQLITE_OK else { throw StoreError.from(destDB) }
        dest = nil
        guard rename(temporary, destination) == 0 else {
            throw StoreError(code: -1, message: "cannot rename backup to \(destination): errno \(errno)")
        }
        syncDirectory(of: destination)
    }

    /// fsync the directory so the rename itself survives a crash.
    private func syncDirectory(of file: String) {
        let dir = Paths.deletingLastComponent(file)
        let fd = open(dir.isEmpty ? "." : dir, O_RDONLY)
        if fd >= 0 { fsync(fd); _ = Glibc.close(fd) }
    }
}
