import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// An error reported by SQLite (or by the store itself, with code -1).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// SQLite extended result code, or -1 for errors that do not come from SQLite.
    public var code: Int32
    /// SQLite's message (sqlite3_errmsg) or the store's own explanation.
    public var message: String
    /// The SQL that failed, when there is one.
    public var sql: String?
    /// The errno of the system call behind the failure (sqlite3_system_errno), when there was one.
    public var systemErrno: Int32?

    /// Creates an error with the given code, message, SQL and errno.
    public init(code: Int32, message: String, sql: String? = nil, systemErrno: Int32? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.systemErrno = systemErrno
    }

    /// SQLite's primary result code (the low byte of the extended one); -1 for the store's own errors.
    public var primaryCode: Int32 { code >= 0 ? code & 0xff : -1 }

    /// True for the SQLITE_CONSTRAINT family (unique, foreign key, not null, check…).
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    /// True for the SQLITE_BUSY family: another connection held the lock past the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY }
    /// The disk (or the quota) is full: SQLITE_FULL, or an I/O error whose cause was ENOSPC/EDQUOT.
    public var isDiskFull: Bool {
        primaryCode == SQLITE_FULL || systemErrno == ENOSPC || systemErrno == EDQUOT
    }
    /// The database cannot be written: SQLITE_READONLY and its extended codes (read-only file or file
    /// system, a read-only connection, a database moved or recovered underneath).
    public var isReadOnly: Bool { primaryCode == SQLITE_READONLY }
    /// The SQLITE_IOERR family: a read, write, fsync, lock or truncate failed in the operating system.
    public var isIOError: Bool { primaryCode == SQLITE_IOERR }
    /// SQLITE_CANTOPEN: the database, its journal or its WAL could not be opened or created.
    public var isCannotOpen: Bool { primaryCode == SQLITE_CANTOPEN }
    /// The file is damaged or is not a database: SQLITE_CORRUPT (and extended codes) or SQLITE_NOTADB.
    /// Retrying does not help; restore from a backup.
    public var isCorrupt: Bool { primaryCode == SQLITE_CORRUPT || primaryCode == SQLITE_NOTADB }
    /// The storage under the database refuses work for a reason outside the program (full, read-only,
    /// failing, or unreachable), which may go away when an operator frees space or fixes the mount:
    /// writes cannot be kept now, retrying later may succeed.
    public var isStorageUnavailable: Bool { isDiskFull || isReadOnly || isIOError || isCannotOpen }

    /// "SQLite error <code>: <message> [errno N: <text>] (in: <sql>)".
    public var description: String {
        var s = code < 0 ? "store error: \(message)" : "SQLite error \(code): \(message)"
        if let e = systemErrno, e != 0 { s += " [errno \(e): \(String(cString: strerror(e)))]" }
        if let sql { s += " (in: \(sql))" }
        return s
    }

    /// The store was closed before the call.
    static let closed = StoreError(code: -1, message: "the store is closed")

    /// The connection's current error (extended code, message and errno).
    static func from(_ db: OpaquePointer?, sql: String? = nil) -> StoreError {
        guard let db else { return StoreError(code: SQLITE_MISUSE, message: "connection is closed", sql: sql) }
        let code = sqlite3_extended_errcode(db)
        return StoreError(code: code, message: String(cString: sqlite3_errmsg(db)), sql: sql,
                          systemErrno: systemErrno(db, code))
    }

    /// sqlite3_system_errno, only for the codes that come from a system call (it is left over otherwise).
    static func systemErrno(_ db: OpaquePointer, _ code: Int32) -> Int32? {
        switch code & 0xff {
        case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_FULL, SQLITE_READONLY:
            let e = sqlite3_system_errno(db)
            return e == 0 ? nil : e
        default:
            return nil
        }
    }
}
