/// A Swift value that binds to a `?` parameter, so call sites pass their values as they are:
/// `c.query(sql, [channel.id, title, allowComment, thumbnail])` (Int64, String, Bool, String?).
///
/// Conversions: integers → INTEGER, Bool → 1/0, Double → REAL, String → TEXT, [UInt8] → BLOB, nil → NULL.
/// Conform your own types (an enum stored as its raw value, say) by returning their `SQLValue`.
public protocol SQLBindable: Sendable {
    /// The value bound for this Swift value.
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable {
    @inlinable public var sqlValue: SQLValue { self }
}

extension Int: SQLBindable {
    @inlinable public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: SQLBindable {
    @inlinable public var sqlValue: SQLValue { .integer(self) }
}

extension Int32: SQLBindable {
    @inlinable public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Bool: SQLBindable {
    /// 1 for true, 0 for false (SQLite has no boolean type).
    @inlinable public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
}

extension Double: SQLBindable {
    @inlinable public var sqlValue: SQLValue { .real(self) }
}

extension String: SQLBindable {
    @inlinable public var sqlValue: SQLValue { .text(self) }
}

extension Array: SQLBindable where Element == UInt8 {
    /// A blob (an empty array stays an empty blob, not NULL).
    @inlinable public var sqlValue: SQLValue { .blob(self) }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    /// The wrapped value, or NULL.
    @inlinable public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
