import Store

/// A value held by a write-behind cache for one (owner, user) key, e.g. a vote's choice and date.
public protocol WriteBehindValue: Sendable, Equatable {
    /// Per-value count bucket in 0..<categoryCount (votes: 0 up, 1 down; others 0).
    /// A value outside that range is counted in bucket 0 (a programming error must not crash).
    var category: Int { get }
    /// Ordering key for pages (e.g. date in microseconds); ties broken by user id.
    var sortKey: Int64 { get }
    /// Appends the value's bytes for a snapshot (at most 65 535 bytes).
    func encode(into bytes: inout [UInt8])
    /// Reads a value written by `encode`; nil when the bytes do not form one.
    static func decode(_ reader: inout SnapshotReader) -> Self?
}

/// How a feature's table is read and written; the cache knows nothing else about the domain.
///
/// Every write to the table must go through the cache (or be followed by `forgetOwner`/`forgetUser`),
/// or the cached counts drift. Give the table foreign keys to its owner and user: a flush that races
/// with the deletion of either then fails those rows (they are dropped) instead of re-inserting them.
public protocol WriteBehindTable: Sendable {
    associatedtype Value: WriteBehindValue
    /// Short name ("subscriptions"): snapshot file prefix and metrics label; letters, digits, '_' and '-'.
    var name: String { get }
    /// Number of count buckets (votes: 2, others: 1).
    var categoryCount: Int { get }
    /// The stored value of (owner, user), or nil.
    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Value?
    /// Stored rows of `owner` per category (an array of `categoryCount` numbers).
    func counts(_ c: Connection, owner: Int64) throws -> [Int]
    /// Stored rows of `owner` in (sortKey, user) order.
    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Value)]
    /// Stored rows of `owner` strictly after `key`, in (sortKey, user) order: `WHERE owner = ? AND
    /// (sortColumn, user) > (?, ?) ORDER BY sortColumn, user LIMIT ?`, on an index of (owner, sortColumn,
    /// user) so that it costs O(limit) at any depth. The default scans the offset pages from the start.
    func page(_ c: Connection, owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)]
    /// Stored rows of `owner` strictly before `key`, nearest first (descending (sortKey, user) order), as
    /// `page(after:)` backwards. The default scans the offset pages from the start.
    func page(_ c: Connection, owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)]
    /// The key of the stored row `distance` (≥ 1) rows after `key` (nil: before the first row, so distance
    /// 1 is the first row), or nil when there are not that many: `SELECT sortColumn, user … LIMIT 1
    /// OFFSET distance - 1`, reading only the index (SQLite then steps over the skipped rows without
    /// reading them). Offset pages locate their start with it. The default reads whole rows.
    func storedKey(_ c: Connection, owner: Int64, after key: PageKey?, distance: Int) throws -> PageKey?
    /// The key of the stored row `distance` (≥ 1) rows before `key` (nil: after the last row, so distance
    /// 1 is the last row), or nil when there are not that many: `storedKey(after:)` backwards (`ORDER BY
    /// sortColumn DESC, user DESC LIMIT 1 OFFSET distance - 1`, the index read from its end). Offset pages
    /// in the back half of a list locate their start with it. The default reads whole rows.
    func storedKey(_ c: Connection, owner: Int64, before key: PageKey?, distance: Int) throws -> PageKey?
    /// Inserts or replaces the row (INSERT OR REPLACE).
    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Value) throws
    /// Deletes the row if present.
    func delete(_ c: Connection, owner: Int64, user: Int64) throws
    /// Of `ids`, the owners the database has; nil when the table does not check (the default).
    ///
    /// At start, snapshot entries naming an owner the database no longer has (deleted, or lost with the
    /// database's -wal file after a crash) are dropped and reported once, with their count, instead of
    /// failing one by one at the first flush. Called with at most 500 ids at a time; one query each, e.g.
    /// `try ExistingRows.ids(c, table: "channels", among: ids)`.
    func existingOwners(_ c: Connection, ids: [Int64]) throws -> Set<Int64>?
    /// Of `ids`, the users the database has; nil when the table does not check (the default). As
    /// `existingOwners`.
    func existingUsers(_ c: Connection, ids: [Int64]) throws -> Set<Int64>?
}

extension WriteBehindTable {
    /// Scans the offset pages (O(rows before the key)): override with the keyset query.
    public func page(_ c: Connection, owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)] {
        var out: [(user: Int64, value: Value)] = []
        guard limit > 0 else { return out }
        try scan(c, owner: owner) { row in
            if key < PageKey(sortKey: row.value.sortKey, user: row.user) { out.append(row) }
            return out.count < limit
        }
        return out
    }

    /// Scans the offset pages (O(rows before the key)): override with the keyset query.
    public func page(_ c: Connection, owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Value)] {
        var out: [(user: Int64, value: Value)] = []
        guard limit > 0 else { return out }
        try scan(c, owner: owner) { row in
            guard PageKey(sortKey: row.value.sortKey, user: row.user) < key else { return false }
            out.append(row)
            if out.count > limit && out.count - limit >= 4096 { out.removeFirst(out.count - limit) }
            return true
        }
        return Array(out.suffix(limit).reversed())
    }

    /// Reads whole rows through the offset and keyset pages: override with a query of the index alone.
    public func storedKey(_ c: Connection, owner: Int64, after key: PageKey?, distance: Int) throws -> PageKey? {
        guard distance > 0 else { return key }
        let row: (user: Int64, value: Value)?
        if let key {
            let rows = try page(c, owner: owner, after: key, limit: distance)
            row = rows.count == distance ? rows.last : nil
        } else {
            row = try page(c, owner: owner, limit: 1, offset: distance - 1).first
        }
        return row.map { PageKey(sortKey: $0.value.sortKey, user: $0.user) }
    }

    /// Reads whole rows through the keyset pages, or from the start by offset (after counting the rows):
    /// override with a query of the index alone.
    public func storedKey(_ c: Connection, owner: Int64, before key: PageKey?, distance: Int) throws -> PageKey? {
        guard distance > 0 else { return key }
        let row: (user: Int64, value: Value)?
        if let key {
            let rows = try page(c, owner: owner, before: key, limit: distance)
            row = rows.count == distance ? rows.last : nil
        } else {
            let at = try counts(c, owner: owner).reduce(0, +) - distance
            row = at < 0 ? nil : try page(c, owner: owner, limit: 1, offset: at).first
        }
        return row.map { PageKey(sortKey: $0.value.sortKey, user: $0.user) }
    }

    /// Every stored row of `owner` in order, 500 at a time, while `body` returns true.
    private func scan(_ c: Connection, owner: Int64, _ body: ((user: Int64, value: Value)) -> Bool) throws {
        var offset = 0
        while true {
            let rows = try page(c, owner: owner, limit: 500, offset: offset)
            for row in rows where !body(row) { return }
            if rows.count < 500 { return }
            offset += rows.count
        }
    }

    /// Not checked: snapshot entries are replayed whatever they name.
    public func existingOwners(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? { nil }
    /// Not checked: snapshot entries are replayed whatever they name.
    public func existingUsers(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? { nil }
}

/// Which ids a table has, in one query however many there are (the ids travel as one JSON array, so the
/// statement is prepared once and cached).
public enum ExistingRows {
    /// The values of `column` in `table` among `ids`. `table` and `column` are the caller's constants
    /// (identifiers, never input).
    public static func ids(_ c: Connection, table: String, column: String = "id", among ids: [Int64]) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        var json = "["
        for (i, id) in ids.enumerated() {
            if i > 0 { json += "," }
            json += String(id)
        }
        json += "]"
        var found = Set<Int64>()
        try c.forEach("SELECT \(column) FROM \(table) WHERE \(column) IN (SELECT value FROM json_each(?))", [.text(json)]) {
            found.insert($0.int64(0))
        }
        return found
    }
}
