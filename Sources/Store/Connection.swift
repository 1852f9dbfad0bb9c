import CSQLite

/// One SQLite connection with a prepared-statement cache. Not thread-safe: used by one thread at a time.
///
/// Every statement is reset (and its bindings cleared) right after use, so no read transaction stays
/// open between calls and commits by other connections or processes are visible to the next call.
public final class Connection {
    /// The open handle; nil once closed.
    private(set) var db: OpaquePointer?
    /// The database file path as given.
    public let path: String
    /// Whether the connection was opened with SQLITE_OPEN_READONLY.
    public let isReadOnly: Bool
    private var cache: [String: Statement] = [:]
    /// In front of `cache`: slots chosen by the address of the SQL text's bytes. Call sites pass literals,
    /// whose bytes never move, so a hit costs one comparison that sees the same storage (not a hash of a
    /// few hundred bytes, which the dictionary pays on every call). A slot is only a hint: a hit is
    /// confirmed by `==`, and a miss takes the dictionary path.
    private var recent = [Statement?](repeating: nil, count: Connection.recentSlots)
    private static let recentSlots = 128
    /// Depth of `transaction` nesting: 0 outside, 1 in BEGIN…COMMIT, more inside savepoints.
    var transactionDepth = 0
    /// The busy handler, when one replaces the busy timeout (kept alive here while SQLite calls it).
    private var lockWait: LockWait?

    /// Statements beyond this many distinct SQL texts are prepared per call instead of cached, so a
    /// caller that builds SQL dynamically cannot grow the cache without bound.
    static let cacheLimit = 512

    /// Opens (read-write: creating) the database and applies busy_timeout, foreign_keys=ON,
    /// synchronous=NORMAL and, for a writer, journal_mode=WAL.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5000) throws {
        self.path = path
        self.isReadOnly = readOnly
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let code = handle.map { sqlite3_extended_errcode($0) } ?? rc
            let error = StoreError(code: code, message: handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory",
                                   systemErrno: handle.flatMap { StoreError.systemErrno($0, code) })
            sqlite3_close_v2(handle)
            throw OpenFailure.explain(error, path: path, readOnly: readOnly)
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        do {
            // Asked to write, SQLite falls back to reading a file it cannot write: say so now, not at
            // the first write.
            if !readOnly && sqlite3_db_readonly(handle, "main") == 1 {
                throw StoreError(code: SQLITE_READONLY, message: "the file was opened read-only")
            }
            try execute("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;")
            if !readOnly { try execute("PRAGMA journal_mode=WAL;") }
        } catch let error as StoreError {
            close()
            throw OpenFailure.explain(error, path: path, readOnly: readOnly)
        }
    }

    deinit { close() }

    /// Waits for other connections' locks through `wait` instead of the plain busy timeout.
    func install(_ wait: LockWait) throws {
        wait.install(on: try handle())
        lockWait = wait
    }

    /// Finalizes every cached statement and closes the handle. Idempotent.
    public func close() {
        recent = [Statement?](repeating: nil, count: Connection.recentSlots)
        cache.removeAll()   // Statement.deinit finalizes
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    /// Runs one or more statements without bindings (schema scripts, pragmas).
    public func execute(_ sql: String) throws {
        let db = try handle()
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &err)
        guard rc == SQLITE_OK else {
            let message = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(err)
            let code = sqlite3_extended_errcode(db)
            throw StoreError(code: code, message: message, sql: sql, systemErrno: StoreError.systemErrno(db, code))
        }
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { db.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Rows changed by the last INSERT/UPDATE/DELETE on this connection.
    public var changes: Int { db.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// PRAGMA user_version: the schema version the migrations set.
    public var userVersion: Int {
        get throws { try queryOne("PRAGMA user_version") { $0.int(0) } ?? 0 }
    }

    /// Sets PRAGMA user_version (a signed 32-bit number in the file header).
    public func setUserVersion(_ v: Int) throws {
        guard let v32 = Int32(exactly: v) else {
            throw StoreError(code: -1, message: "user_version \(v) does not fit in 32 bits")
        }
        try execute("PRAGMA user_version = \(v32)")
    }

    /// Whether SQLite has a transaction open on this connection (autocommit off).
    public var isInTransaction: Bool { db.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Number of statements currently held by the cache (for tests and diagnostics).
    public var cachedStatementCount: Int { cache.count }

    // MARK: - Internals

    /// The open handle, or a "closed" error.
    @inline(__always) func handle() throws -> OpaquePointer {
        guard let db else { throw StoreError(code: SQLITE_MISUSE, message: "connection is closed") }
        return db
    }

    /// Checks out the cached statement for `sql` (preparing it on first use), binds the arguments with
    /// `bind`, runs `body` and always resets it afterwards.
    @inline(__always)
    func withStatement<R>(_ sql: String, _ db: OpaquePointer, bind: (Statement) throws -> Void,
                          _ body: (Statement) throws -> R) throws -> R {
        let stmt: Statement
        let slot = Connection.recentSlot(sql)
        if let hinted = recent[slot], !hinted.inUse, hinted.sql == sql {
            stmt = hinted
        } else if let cached = cache[sql], !cached.inUse {
            stmt = cached
            recent[slot] = cached
        } else if cache[sql] == nil, cache.count < Connection.cacheLimit {
            stmt = try Statement(db: db, sql: sql, persistent: true)
            cache[sql] = stmt
            recent[slot] = stmt
        } else {
            // Cache full, or the cached copy is running (re-entrant use): a one-off statement.
            stmt = try Statement(db: db, sql: sql, persistent: false)
        }
        stmt.inUse = true
        defer { stmt.reset() }
        try bind(stmt)
        return try body(stmt)
    }

    /// The `recent` slot for `sql`: from the address of its contiguous bytes (a literal's is fixed).
    @inline(__always)
    private static func recentSlot(_ sql: String) -> Int {
        let address = sql.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } ?? 0
        return Int(truncatingIfNeeded: (address >> 3) ^ (address >> 11)) & (recentSlots - 1)
    }
}
