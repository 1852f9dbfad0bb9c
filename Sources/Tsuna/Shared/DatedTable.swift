import Store
import WriteBehind

/// A (owner, user) fact with the moment it happened: a subscription, a view.
struct Dated: WriteBehindValue {
    /// When it happened (µs).
    let date: Int64

    var category: Int { 0 }
    var sortKey: Int64 { date }
    func encode(into bytes: inout [UInt8]) { bytes.appendLittleEndian(date) }
    static func decode(_ reader: inout SnapshotReader) -> Dated? { reader.readInt64().map(Dated.init) }
}

/// A table of `(owner, user_id, date)` rows as a write-behind cache reads and writes it. The SQL is built
/// once from the table and owner column names (constants of the features, never input).
struct DatedTable: WriteBehindTable {
    let name: String
    var categoryCount: Int { 1 }
    /// Which of some owner ids still exist (their feature's store answers).
    let existingOwnerIds: @Sendable (Connection, [Int64]) throws -> Set<Int64>
    private let selectOne, countAll, upsertRow, deleteRow: String
    /// The page queries: by offset, after and before a key, and a key alone (visible to the query-plan test).
    let selectPage, selectAfter, selectBefore, selectKey, selectKeyAfter, selectKeyFromEnd, selectKeyBefore: String

    /// `name` labels the cache (snapshot files, metrics); `table` and `ownerColumn` name the SQL.
    init(name: String, table: String, ownerColumn: String,
         existingOwners: @escaping @Sendable (Connection, [Int64]) throws -> Set<Int64>) {
        self.name = name
        existingOwnerIds = existingOwners
        selectOne = "SELECT date FROM \(table) WHERE \(ownerColumn) = ? AND user_id = ?"
        countAll = "SELECT count(*) AS n FROM \(table) WHERE \(ownerColumn) = ?"
        selectPage = "SELECT user_id, date FROM \(table) WHERE \(ownerColumn) = ? ORDER BY date, user_id LIMIT ? OFFSET ?"
        selectAfter = "SELECT user_id, date FROM \(table) WHERE \(ownerColumn) = ? AND (date, user_id) > (?, ?) ORDER BY date, user_id LIMIT ?"
        selectBefore = "SELECT user_id, date FROM \(table) WHERE \(ownerColumn) = ? AND (date, user_id) < (?, ?) ORDER BY date DESC, user_id DESC LIMIT ?"
        selectKey = "SELECT date, user_id FROM \(table) WHERE \(ownerColumn) = ? ORDER BY date, user_id LIMIT 1 OFFSET ?"
        selectKeyAfter = "SELECT date, user_id FROM \(table) WHERE \(ownerColumn) = ? AND (date, user_id) > (?, ?) ORDER BY date, user_id LIMIT 1 OFFSET ?"
        selectKeyFromEnd = "SELECT date, user_id FROM \(table) WHERE \(ownerColumn) = ? ORDER BY date DESC, user_id DESC LIMIT 1 OFFSET ?"
        selectKeyBefore = "SELECT date, user_id FROM \(table) WHERE \(ownerColumn) = ? AND (date, user_id) < (?, ?) ORDER BY date DESC, user_id DESC LIMIT 1 OFFSET ?"
        upsertRow = "INSERT OR REPLACE INTO \(table) (\(ownerColumn), user_id, date) VALUES (?, ?, ?)"
        deleteRow = "DELETE FROM \(table) WHERE \(ownerColumn) = ? AND user_id = ?"
    }

    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Dated? {
        try c.queryOne(selectOne, [owner, user]) { Dated(date: $0.int64("date")) }
    }

    func counts(_ c: Connection, owner: Int64) throws -> [Int] {
        [try c.queryOne(countAll, [owner]) { $0.int("n") } ?? 0]
    }

    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Dated)] {
        try c.query(selectPage, [owner, limit, offset]) {
            (user: $0.int64("user_id"), value: Dated(date: $0.int64("date")))
        }
    }

    func page(_ c: Connection, owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Dated)] {
        try c.query(selectAfter, [owner, key.sortKey, key.user, Int64(limit)]) {
            (user: $0.int64("user_id"), value: Dated(date: $0.int64("date")))
        }
    }

    func page(_ c: Connection, owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Dated)] {
        try c.query(selectBefore, [owner, key.sortKey, key.user, Int64(limit)]) {
            (user: $0.int64("user_id"), value: Dated(date: $0.int64("date")))
        }
    }

    func storedKey(_ c: Connection, owner: Int64, after key: PageKey?, distance: Int) throws -> PageKey? {
        let map = { (r: Row) in PageKey(sortKey: r.int64("date"), user: r.int64("user_id")) }
        if let key { return try c.queryOne(selectKeyAfter, [owner, key.sortKey, key.user, Int64(distance - 1)], map) }
        return try c.queryOne(selectKey, [owner, Int64(distance - 1)], map)
    }

    func storedKey(_ c: Connection, owner: Int64, before key: PageKey?, distance: Int) throws -> PageKey? {
        let map = { (r: Row) in PageKey(sortKey: r.int64("date"), user: r.int64("user_id")) }
        if let key { return try c.queryOne(selectKeyBefore, [owner, key.sortKey, key.user, Int64(distance - 1)], map) }
        return try c.queryOne(selectKeyFromEnd, [owner, Int64(distance - 1)], map)
    }

    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Dated) throws {
        try c.run(upsertRow, [owner, user, value.date])
    }

    func existingOwners(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? { try existingOwnerIds(c, ids) }
    func existingUsers(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? { try AccountsStore.existingIds(ids, c) }

    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try c.run(deleteRow, [owner, user])
    }
}
