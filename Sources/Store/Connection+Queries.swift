import CSQLite

// Running statements. Each call takes its arguments either as `[SQLValue]` or as any mix of bindable
// Swift values (`[channel.id, title, allowComment]`, see SQLBindable); both bind the same way.

extension Connection {
    /// Runs one statement to completion; returns the number of rows it changed (sqlite3_changes).
    @discardableResult
    public func run(_ sql: String, _ args: [SQLValue] = []) throws -> Int {
        try run(sql) { try $0.bind(args, db: $1) }
    }

    /// Runs one statement to completion; returns the number of rows it changed (sqlite3_changes).
    @discardableResult
    public func run(_ sql: String, _ args: [any SQLBindable]) throws -> Int {
        try run(sql) { try $0.bind(args, db: $1) }
    }

    /// Maps every result row.
    public func query<T>(_ sql: String, _ args: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEach(sql, bind: { try $0.bind(args, db: $1) }) { out.append(try map($0)) }
        return out
    }

    /// Maps every result row.
    public func query<T>(_ sql: String, _ args: [any SQLBindable], _ map: (Row) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEach(sql, bind: { try $0.bind(args, db: $1) }) { out.append(try map($0)) }
        return out
    }

    /// Maps the first result row, or returns nil when there is none.
    public func queryOne<T>(_ sql: String, _ args: [SQLValue] = [], _ map: (Row) throws -> T) throws -> T? {
        try queryOne(sql, bind: { try $0.bind(args, db: $1) }, map)
    }

    /// Maps the first result row, or returns nil when there is none.
    public func queryOne<T>(_ sql: String, _ args: [any SQLBindable], _ map: (Row) throws -> T) throws -> T? {
        try queryOne(sql, bind: { try $0.bind(args, db: $1) }, map)
    }

    /// Calls `body` for each result row, without collecting them.
    public func forEach(_ sql: String, _ args: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
        try forEach(sql, bind: { try $0.bind(args, db: $1) }, body)
    }

    /// Calls `body` for each result row, without collecting them.
    public func forEach(_ sql: String, _ args: [any SQLBindable], _ body: (Row) throws -> Void) throws {
        try forEach(sql, bind: { try $0.bind(args, db: $1) }, body)
    }

    // MARK: - Records

    /// Every result row as a `T`.
    public func query<T: RowDecodable>(_ sql: String, _ args: [SQLValue] = [], as type: T.Type) throws -> [T] {
        try query(sql, args) { try T(row: $0) }
    }

    /// Every result row as a `T`.
    public func query<T: RowDecodable>(_ sql: String, _ args: [any SQLBindable], as type: T.Type) throws -> [T] {
        try query(sql, args) { try T(row: $0) }
    }

    /// The first result row as a `T`, or nil when there is none.
    public func queryOne<T: RowDecodable>(_ sql: String, _ args: [SQLValue] = [], as type: T.Type) throws -> T? {
        try queryOne(sql, args) { try T(row: $0) }
    }

    /// The first result row as a `T`, or nil when there is none.
    public func queryOne<T: RowDecodable>(_ sql: String, _ args: [any SQLBindable], as type: T.Type) throws -> T? {
        try queryOne(sql, args) { try T(row: $0) }
    }

    // MARK: - Stepping

    @inline(__always)
    private func run(_ sql: String, bind: (Statement, OpaquePointer) throws -> Void) throws -> Int {
        let db = try handle()
        try withStatement(sql, db, bind: { try bind($0, db) }) { stmt in
            while true {
                let rc = sqlite3_step(stmt.handle)
                if rc == SQLITE_DONE { return }
                if rc != SQLITE_ROW { throw StoreError.from(db, sql: sql) }
            }
        }
        return Int(sqlite3_changes(db))
    }

    @inline(__always)
    private func queryOne<T>(_ sql: String, bind: (Statement, OpaquePointer) throws -> Void,
                             _ map: (Row) throws -> T) throws -> T? {
        let db = try handle()
        return try withStatement(sql, db, bind: { try bind($0, db) }) { stmt in
            let rc = sqlite3_step(stmt.handle)
            if rc == SQLITE_ROW {
                stmt.columns.pointee.revalidate(stmt.handle)
                return try map(stmt.row())
            }
            if rc == SQLITE_DONE { return nil }
            throw StoreError.from(db, sql: sql)
        }
    }

    @inline(__always)
    private func forEach(_ sql: String, bind: (Statement, OpaquePointer) throws -> Void,
                         _ body: (Row) throws -> Void) throws {
        let db = try handle()
        try withStatement(sql, db, bind: { try bind($0, db) }) { stmt in
            var rc = sqlite3_step(stmt.handle)
            // SQLite re-prepares a statement after a schema change during its first step: check once.
            if rc == SQLITE_ROW { stmt.columns.pointee.revalidate(stmt.handle) }
            while rc == SQLITE_ROW {
                try body(stmt.row())
                rc = sqlite3_step(stmt.handle)
            }
            if rc != SQLITE_DONE { throw StoreError.from(db, sql: sql) }
        }
    }
}

/// A record read from a result row by column names: `try c.query(sql, [id], as: Channel.self)`.
public protocol RowDecodable {
    /// Reads the record from the current row (read it by name: `row.string("title")`).
    init(row: Row) throws
}
