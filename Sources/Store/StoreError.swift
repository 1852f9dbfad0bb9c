import CSQLite

/// An error reported by SQLite (or by the store itself, with code -1).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// SQLite extended result code, or -1 for errors that do not come from SQLite.
    public var code: Int32
    /// SQLite's message (sqlite3_errmsg) or the store's own explanation.
    public var message: String
    /// The SQL that failed, when there is one.
    public var sql: String?

    /// Creates an error with the given code, message and SQL.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// True for the SQLITE_CONSTRAINT family (unique, foreign key, not null, check…).
    public var isConstraintViolation: Bool { code >= 0 && code & 0xff == SQLITE_CONSTRAINT }
    /// True for the SQLITE_BUSY family: another connection held the lock past the busy timeout.
    public var isBusy: Bool { code >= 0 && code & 0xff == SQLITE_BUSY }

    /// "SQLite error <code>: <message> (in: <sql>)".
    public var description: String {
        var s = code < 0 ? "store error: \(message)" : "SQLite error \(code): \(message)"
        if let sql { s += " (in: \(sql))" }
        return s
    }

    /// The store was closed before the call.
    static let closed = StoreError(code: -1, message: "the store is closed")

    /// The connection's current error (extended code and message).
    static func from(_ db: OpaquePointer?, sql: String? = nil) -> StoreError {
        guard let db else { return StoreError(code: SQLITE_MISUSE, message: "connection is closed", sql: sql) }
        return StoreError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)), sql: sql)
    }
}
