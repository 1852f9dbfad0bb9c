import Store

// TEMPORARY: the Store API being added on the store-layer branch (rows by name, bindable arguments),
// so feature code is written in its final shape now. Deleted when that branch is merged.

protocol SQLBindable { var sqlValue: SQLValue { get } }
extension Int: SQLBindable { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .integer(self) } }
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable { var sqlValue: SQLValue { self?.sqlValue ?? .null } }

extension Connection {
    @discardableResult
    func run(_ sql: String, _ args: [any SQLBindable]) throws -> Int { try run(sql, args.map(\.sqlValue)) }
    func query<T>(_ sql: String, _ args: [any SQLBindable], _ map: (Row) throws -> T) throws -> [T] {
        try query(sql, args.map(\.sqlValue), map)
    }
    func queryOne<T>(_ sql: String, _ args: [any SQLBindable], _ map: (Row) throws -> T) throws -> T? {
        try queryOne(sql, args.map(\.sqlValue), map)
    }
    func forEach(_ sql: String, _ args: [any SQLBindable], _ body: (Row) throws -> Void) throws {
        try forEach(sql, args.map(\.sqlValue), body)
    }
}

extension Row {
    private func at(_ name: String) -> Int {
        for i in 0..<columnCount where columnName(i) == name { return i }
        preconditionFailure("no column \(name)")
    }
    func int64(_ name: String) -> Int64 { int64(at(name)) }
    func int(_ name: String) -> Int { int(at(name)) }
    func bool(_ name: String) -> Bool { bool(at(name)) }
    func string(_ name: String) -> String { string(at(name)) }
    func optionalString(_ name: String) -> String? { optionalString(at(name)) }
    func optionalInt64(_ name: String) -> Int64? { optionalInt64(at(name)) }
}
