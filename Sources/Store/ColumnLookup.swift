import CSQLite

/// Finds a statement's result columns by name. Built on the first read by name and kept with the
/// statement (so with the connection's statement cache): a statement read only by position never pays.
///
/// Rows of one query are read the same way every time, so besides the name → index map it remembers
/// what the k-th read by name of a row asked for and got (`trace`): the next row's k-th read compares
/// its name with that one (a literal of up to 15 bytes compares as two machine words) and only a
/// different name is hashed.
///
/// A name that is not a result column, or that several columns share (`a.id, b.id` without aliases),
/// resolves to `ColumnLookup.unknown` / `.ambiguous`; `Row` reports it.
@usableFromInline struct ColumnLookup {
    /// Resolution of a name that no column has.
    @usableFromInline static let unknown: Int32 = -1
    /// Resolution of a name that several columns have.
    static let ambiguous: Int32 = -2
    /// Longest trace kept: reads past it per row go through the map (a row read in a loop, say).
    static let traceLimit = 256

    /// A read by name and what it resolved to.
    @usableFromInline struct Read {
        @usableFromInline var name: String
        @usableFromInline var index: Int32
    }

    /// Reads by name since the current row began.
    @usableFromInline var cursor = 0
    /// trace[k]: the k-th read by name of the previous rows.
    @usableFromInline var trace: [Read] = []
    /// Column names as SQLite reports them (the alias when there is one); empty until first needed.
    private var names: [String] = []
    private var byName: [String: Int32] = [:]
    private var built = false
    /// SQLITE_STMTSTATUS_REPREPARE when the names were read: SQLite re-prepares a statement after a
    /// schema change, and `SELECT *` may then return other columns.
    private var preparedGeneration: Int32 = 0

    /// The column index of `name`, or `unknown` / `ambiguous`. Inlined into the callers' reads.
    @inlinable @inline(__always)
    mutating func index(of name: String, in stmt: OpaquePointer) -> Int32 {
        let k = cursor
        cursor = k &+ 1
        if k < trace.count && trace[k].name == name { return trace[k].index }
        return resolve(name, read: k, in: stmt)
    }

    /// The map lookup, recorded as the k-th read.
    @usableFromInline @inline(never)
    mutating func resolve(_ name: String, read k: Int, in stmt: OpaquePointer) -> Int32 {
        if !built { build(stmt) }
        let index = byName[name] ?? ColumnLookup.unknown
        if k < trace.count {
            trace[k] = Read(name: name, index: index)
        } else if k == trace.count && k < ColumnLookup.traceLimit {
            trace.append(Read(name: name, index: index))
        }
        return index
    }

    /// Forgets the names when SQLite re-prepared the statement since they were read (once per run).
    @inline(__always)
    mutating func revalidate(_ stmt: OpaquePointer) {
        guard built else { return }
        if sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0) != preparedGeneration {
            self = ColumnLookup()
        }
    }

    private mutating func build(_ stmt: OpaquePointer) {
        let count = sqlite3_column_count(stmt)
        names = (0..<count).map { i in sqlite3_column_name(stmt, i).map { String(cString: $0) } ?? "" }
        byName = [:]
        for (i, name) in names.enumerated() {
            byName[name] = byName[name] == nil ? Int32(i) : ColumnLookup.ambiguous
        }
        preparedGeneration = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0)
        built = true
    }

    /// The result's column names, for error messages.
    mutating func columnNames(_ stmt: OpaquePointer) -> [String] {
        if !built { build(stmt) }
        return names
    }
}
