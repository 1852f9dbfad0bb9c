import CSQLite

/// The current result row of a statement. Valid only inside the closure that received it.
///
/// Columns are read by position (`r.int64(0)`) or by name (`r.int64("id")`, see Row+Names.swift).
/// Column indexes out of range read as NULL (SQLite checks them), so hostile indexes cannot crash.
public struct Row {
    @usableFromInline let stmt: OpaquePointer
    /// The statement's name lookup; owned by the statement, which outlives every Row it hands out.
    @usableFromInline let columns: UnsafeMutablePointer<ColumnLookup>

    init(_ stmt: OpaquePointer, _ columns: UnsafeMutablePointer<ColumnLookup>) {
        self.stmt = stmt
        self.columns = columns
    }

    /// The C column index; an index beyond Int32 becomes -1 (out of range, reads as NULL) instead of wrapping.
    @usableFromInline func index(_ i: Int) -> Int32 { Int32(exactly: i) ?? -1 }

    /// The number of columns in the result.
    @inlinable public var columnCount: Int { Int(sqlite3_column_count(stmt)) }

    /// The column's name as written in the query (or its alias).
    public func columnName(_ i: Int) -> String {
        guard let p = sqlite3_column_name(stmt, index(i)) else { return "" }
        return String(cString: p)
    }

    /// The integer value; 0 for NULL.
    @inlinable public func int(_ i: Int) -> Int { Int(truncatingIfNeeded: sqlite3_column_int64(stmt, index(i))) }

    /// The 64-bit integer value; 0 for NULL.
    @inlinable public func int64(_ i: Int) -> Int64 { sqlite3_column_int64(stmt, index(i)) }

    /// The floating-point value; 0 for NULL.
    @inlinable public func double(_ i: Int) -> Double { sqlite3_column_double(stmt, index(i)) }

    /// True when the integer value is not 0; false for NULL.
    @inlinable public func bool(_ i: Int) -> Bool { int64(i) != 0 }

    /// The text value; "" for NULL. Invalid UTF-8 is repaired, never trapped on.
    @inlinable public func string(_ i: Int) -> String {
        let col = index(i)
        // column_text must come before column_bytes: the byte count is that of the converted text.
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The text value, or nil for NULL.
    @inlinable public func optionalString(_ i: Int) -> String? { isNull(i) ? nil : string(i) }

    /// The integer value, or nil for NULL.
    @inlinable public func optionalInt(_ i: Int) -> Int? { isNull(i) ? nil : int(i) }

    /// True when the integer value is not 0, or nil for NULL.
    @inlinable public func optionalBool(_ i: Int) -> Bool? { isNull(i) ? nil : bool(i) }

    /// The 64-bit integer value, or nil for NULL.
    @inlinable public func optionalInt64(_ i: Int) -> Int64? { isNull(i) ? nil : int64(i) }

    /// The floating-point value, or nil for NULL.
    @inlinable public func optionalDouble(_ i: Int) -> Double? { isNull(i) ? nil : double(i) }

    /// The blob's bytes; empty for NULL.
    @inlinable public func blob(_ i: Int) -> [UInt8] {
        let col = index(i)
        guard let p = sqlite3_column_blob(stmt, col) else { return [] }
        let n = Int(sqlite3_column_bytes(stmt, col))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// True when the value is NULL (or the index is out of range).
    @inlinable public func isNull(_ i: Int) -> Bool { sqlite3_column_type(stmt, index(i)) == SQLITE_NULL }

    /// The value with its storage class.
    public func value(_ i: Int) -> SQLValue {
        switch sqlite3_column_type(stmt, index(i)) {
        case SQLITE_INTEGER: return .integer(int64(i))
        case SQLITE_FLOAT: return .real(double(i))
        case SQLITE_TEXT: return .text(string(i))
        case SQLITE_BLOB: return .blob(blob(i))
        default: return .null
        }
    }
}
