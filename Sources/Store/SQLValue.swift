/// A value bound to, or read from, an SQLite statement.
public enum SQLValue: Sendable, Equatable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE double.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])

    /// An integer value.
    @inlinable public init(_ v: Int) { self = .integer(Int64(v)) }
    /// A 64-bit integer value.
    @inlinable public init(_ v: Int64) { self = .integer(v) }
    /// A text value, or NULL for `nil`.
    @inlinable public init(_ v: String?) { self = v.map { .text($0) } ?? .null }
    /// An integer value, or NULL for `nil`.
    @inlinable public init(_ v: Int?) { self = v.map { .integer(Int64($0)) } ?? .null }
    /// 1 for true, 0 for false (SQLite has no boolean type).
    @inlinable public init(_ v: Bool) { self = .integer(v ? 1 : 0) }
    /// A floating-point value.
    @inlinable public init(_ v: Double) { self = .real(v) }
    /// A blob value.
    @inlinable public init(_ v: [UInt8]) { self = .blob(v) }
}

extension SQLValue: ExpressibleByIntegerLiteral {
    /// An integer literal becomes `.integer`.
    @inlinable public init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLValue: ExpressibleByStringLiteral {
    /// A string literal becomes `.text`.
    @inlinable public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue: ExpressibleByNilLiteral {
    /// `nil` becomes `.null`.
    @inlinable public init(nilLiteral: ()) { self = .null }
}

extension SQLValue: ExpressibleByFloatLiteral {
    /// A float literal becomes `.real`.
    @inlinable public init(floatLiteral value: Double) { self = .real(value) }
}

extension SQLValue: ExpressibleByBooleanLiteral {
    /// `true`/`false` become 1/0.
    @inlinable public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}
