import CSQLite

/// A prepared statement, owned by one connection's cache (or used once when the cache is full or the
/// cached copy is already running, e.g. the same query nested inside a `forEach`).
final class Statement {
    let handle: OpaquePointer
    let sql: String
    /// Whether the statement is between `bind` and `reset`; a busy statement cannot be reused.
    var inUse = false
    /// Number of `?` parameters, read once at prepare time.
    let parameterCount: Int
    /// Columns by name (see `ColumnLookup`). Behind a pointer that `Row` carries, so a read by name pays
    /// neither reference counting nor a dynamic exclusivity check.
    let columns: UnsafeMutablePointer<ColumnLookup>

    /// Prepares exactly one statement. `persistent` hints SQLite that it will be reused many times.
    init(db: OpaquePointer, sql: String, persistent: Bool) throws {
        var stmt: OpaquePointer?
        var tailOffset = 0
        let flags = UInt32(persistent ? SQLITE_PREPARE_PERSISTENT : 0)
        let rc: Int32 = sql.utf8.withContiguousStorageIfAvailable { buf in
            Statement.prepare(db, buf, flags, &stmt, &tailOffset)
        } ?? {
            var copy = sql
            return copy.withUTF8 { Statement.prepare(db, $0, flags, &stmt, &tailOffset) }
        }()
        guard rc == SQLITE_OK else {
            sqlite3_finalize(stmt)
            throw StoreError.from(db, sql: sql)
        }
        guard let stmt else {
            throw StoreError(code: SQLITE_MISUSE, message: "no SQL statement", sql: sql)
        }
        if Statement.hasAnotherStatement(db, sql, after: tailOffset) {
            sqlite3_finalize(stmt)
            throw StoreError(code: SQLITE_MISUSE,
                             message: "more than one statement: use execute() for scripts", sql: sql)
        }
        self.handle = stmt
        self.sql = sql
        self.parameterCount = Int(sqlite3_bind_parameter_count(stmt))
        columns = .allocate(capacity: 1)
        columns.initialize(to: ColumnLookup())
    }

    deinit {
        columns.deinitialize(count: 1)
        columns.deallocate()
        sqlite3_finalize(handle)
    }

    /// The current result row (starts the row's reads by name afresh).
    @inline(__always) func row() -> Row {
        columns.pointee.cursor = 0
        return Row(handle, columns)
    }

    private static func prepare(_ db: OpaquePointer, _ buf: UnsafeBufferPointer<UInt8>, _ flags: UInt32,
                                _ stmt: inout OpaquePointer?, _ tailOffset: inout Int) -> Int32 {
        guard let base = buf.baseAddress, buf.count > 0 else { return SQLITE_OK }   // empty SQL: no statement
        guard buf.count < Int(Int32.max) else { return SQLITE_TOOBIG }
        return base.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, p, Int32(buf.count), flags, &stmt, &tail)
            if let tail { tailOffset = tail - p } else { tailOffset = buf.count }
            return rc
        }
    }

    /// True when the text after the first statement holds another statement (not just spaces/comments).
    private static func hasAnotherStatement(_ db: OpaquePointer, _ sql: String, after offset: Int) -> Bool {
        let rest = sql.utf8.dropFirst(offset)
        if rest.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0x3B }) { return false }
        // Only comments can remain legitimately; let SQLite decide (this happens once per cached SQL).
        var copy = String(decoding: Array(rest), as: UTF8.self)
        var stmt: OpaquePointer?
        var tailOffset = 0
        let rc = copy.withUTF8 { prepare(db, $0, 0, &stmt, &tailOffset) }
        defer { sqlite3_finalize(stmt) }
        return rc != SQLITE_OK || stmt != nil
    }

    /// Binds `args` to parameters 1…n; the count must match the statement's parameters.
    func bind(_ args: [SQLValue], db: OpaquePointer) throws {
        try checkCount(args.count)
        var i: Int32 = 1
        for arg in args {
            guard bind(arg, at: i) == SQLITE_OK else { throw StoreError.from(db, sql: sql) }
            i += 1
        }
    }

    /// The same for Swift values (each converted to its SQLValue: no allocation, a string is retained).
    func bind(_ args: [any SQLBindable], db: OpaquePointer) throws {
        try checkCount(args.count)
        var i: Int32 = 1
        for arg in args {
            guard bind(arg.sqlValue, at: i) == SQLITE_OK else { throw StoreError.from(db, sql: sql) }
            i += 1
        }
    }

    @inline(__always) private func checkCount(_ n: Int) throws {
        guard n == parameterCount else {
            throw StoreError(code: SQLITE_RANGE,
                             message: "statement expects \(parameterCount) arguments, got \(n)", sql: sql)
        }
    }

    @inline(__always) private func bind(_ value: SQLValue, at i: Int32) -> Int32 {
        switch value {
        case .null: return sqlite3_bind_null(handle, i)
        case .integer(let v): return sqlite3_bind_int64(handle, i, v)
        case .real(let v): return sqlite3_bind_double(handle, i, v)
        case .text(let s): return Statement.bindText(handle, i, s)
        case .blob(let b): return Statement.bindBlob(handle, i, b)
        }
    }

    private static let emptyText: StaticString = ""

    /// Binds text; SQLite copies it (SQLITE_TRANSIENT) from the string's own UTF-8 storage.
    private static func bindText(_ stmt: OpaquePointer, _ i: Int32, _ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { buf in
            // A nil pointer would bind NULL: the empty string needs a real pointer.
            let base = buf.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(emptyText.utf8Start)
            return sqlite3_bind_text64(stmt, i, base.assumingMemoryBound(to: CChar.self), UInt64(buf.count),
                                       tsuna_sqlite_transient(), UInt8(SQLITE_UTF8))
        }
    }

    /// Binds a blob (copied by SQLite); an empty blob stays a blob, not NULL.
    private static func bindBlob(_ stmt: OpaquePointer, _ i: Int32, _ b: [UInt8]) -> Int32 {
        if b.isEmpty { return sqlite3_bind_zeroblob(stmt, i, 0) }
        return b.withUnsafeBytes { buf in
            sqlite3_bind_blob64(stmt, i, buf.baseAddress, UInt64(buf.count), tsuna_sqlite_transient())
        }
    }

    /// Ends the current run: the statement no longer holds a read transaction open and drops its bindings.
    @inline(__always) func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        inUse = false
    }
}
