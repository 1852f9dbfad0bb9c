import CSQLite

/// Reading columns by name: `row.int64("id")`, `row.optionalString("thumbnail")`. A name is the column's
/// name as the SELECT gives it (the alias after AS, else the bare column name: `ct.title` is "title"),
/// matched exactly (case included).
///
/// Cost: the name → index map is built once per prepared statement and kept in the statement cache;
/// reading the same names in the same order on every row costs one string comparison per read on top
/// of the read by position (see `ColumnLookup`).
///
/// A name the result does not have, or that several of its columns share (`a.id, b.id` without
/// aliases), is a programming error: debug builds stop on it with a message naming the SQL and its
/// columns; release builds read it as NULL (0, "", nil, false), so a server keeps answering the
/// requests that do not touch it. `columnIndex(_:)` asks without either.
extension Row {
    /// The index of the column named `name`; nil when no column or several columns have that name.
    public func columnIndex(_ name: String) -> Int? {
        let i = columns.pointee.index(of: name, in: stmt)
        return i >= 0 ? Int(i) : nil
    }

    /// The integer value; 0 for NULL.
    @inlinable @inline(__always) public func int(_ name: String) -> Int {
        let i = index(name)
        return i >= 0 ? Int(truncatingIfNeeded: sqlite3_column_int64(stmt, i)) : 0
    }

    /// The 64-bit integer value; 0 for NULL.
    @inlinable @inline(__always) public func int64(_ name: String) -> Int64 {
        let i = index(name)
        return i >= 0 ? sqlite3_column_int64(stmt, i) : 0
    }

    /// The floating-point value; 0 for NULL.
    @inlinable @inline(__always) public func double(_ name: String) -> Double {
        let i = index(name)
        return i >= 0 ? sqlite3_column_double(stmt, i) : 0
    }

    /// True when the integer value is not 0; false for NULL.
    @inlinable @inline(__always) public func bool(_ name: String) -> Bool {
        let i = index(name)
        return i >= 0 ? sqlite3_column_int64(stmt, i) != 0 : false
    }

    /// The text value; "" for NULL. Invalid UTF-8 is repaired, never trapped on.
    @inlinable @inline(__always) public func string(_ name: String) -> String {
        let i = index(name)
        return i >= 0 ? string(Int(i)) : ""
    }

    /// The blob's bytes; empty for NULL.
    @inlinable @inline(__always) public func blob(_ name: String) -> [UInt8] {
        let i = index(name)
        return i >= 0 ? blob(Int(i)) : []
    }

    /// The text value, or nil for NULL.
    @inlinable @inline(__always) public func optionalString(_ name: String) -> String? {
        let i = index(name)
        return i >= 0 && !isNull(Int(i)) ? string(Int(i)) : nil
    }

    /// The integer value, or nil for NULL.
    @inlinable @inline(__always) public func optionalInt(_ name: String) -> Int? {
        let i = index(name)
        return i >= 0 && !isNull(Int(i)) ? Int(truncatingIfNeeded: sqlite3_column_int64(stmt, i)) : nil
    }

    /// The 64-bit integer value, or nil for NULL.
    @inlinable @inline(__always) public func optionalInt64(_ name: String) -> Int64? {
        let i = index(name)
        return i >= 0 && !isNull(Int(i)) ? sqlite3_column_int64(stmt, i) : nil
    }

    /// The floating-point value, or nil for NULL.
    @inlinable @inline(__always) public func optionalDouble(_ name: String) -> Double? {
        let i = index(name)
        return i >= 0 && !isNull(Int(i)) ? sqlite3_column_double(stmt, i) : nil
    }

    /// True when the integer value is not 0, or nil for NULL.
    @inlinable @inline(__always) public func optionalBool(_ name: String) -> Bool? {
        let i = index(name)
        return i >= 0 && !isNull(Int(i)) ? sqlite3_column_int64(stmt, i) != 0 : nil
    }

    /// True when the value is NULL (or the name is unknown, in release builds).
    @inlinable @inline(__always) public func isNull(_ name: String) -> Bool {
        let i = index(name)
        return i >= 0 ? isNull(Int(i)) : true
    }

    /// The value with its storage class.
    @inlinable @inline(__always) public func value(_ name: String) -> SQLValue {
        let i = index(name)
        return i >= 0 ? value(Int(i)) : .null
    }

    /// The column index of `name`, reporting an unknown or ambiguous name (negative result).
    @inlinable @inline(__always) func index(_ name: String) -> Int32 {
        let i = columns.pointee.index(of: name, in: stmt)
        if i < 0 { reportBadName(name, i) }
        return i
    }

    /// Stops a debug build on a name the result does not have (once per read: it is a bug to fix).
    @usableFromInline @inline(never) func reportBadName(_ name: String, _ resolution: Int32) {
        let sql = sqlite3_sql(stmt).map { String(cString: $0) } ?? "?"
        let names = columns.pointee.columnNames(stmt).joined(separator: ", ")
        let problem = resolution == ColumnLookup.ambiguous
            ? "several result columns are named \"\(name)\" (give them aliases)"
            : "no result column is named \"\(name)\""
        assertionFailure("\(problem) in: \(sql) (columns: \(names))")
    }
}
