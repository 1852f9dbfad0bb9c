import Store
import WriteBehind

/// A view of an item held by the write-behind cache: owner = content id, user = user id.
struct View: WriteBehindValue {
    /// When the user first viewed the item (µs).
    let date: Int64

    var category: Int { 0 }
    var sortKey: Int64 { date }
    func encode(into bytes: inout [UInt8]) { bytes.appendLittleEndian(date) }
    static func decode(_ reader: inout SnapshotReader) -> View? { reader.readInt64().map(View.init) }
}

/// `viewers` as the cache reads and writes it.
struct ViewersTable: WriteBehindTable {
    var name: String { "viewers" }
    var categoryCount: Int { 1 }

    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> View? {
        try c.queryOne("SELECT date FROM viewers WHERE content_id = ? AND user_id = ?",
                       [.integer(owner), .integer(user)]) { View(date: $0.int64(0)) }
    }

    func counts(_ c: Connection, owner: Int64) throws -> [Int] {
        [try c.queryOne("SELECT count(*) FROM viewers WHERE content_id = ?", [.integer(owner)]) { $0.int(0) } ?? 0]
    }

    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: View)] {
        try c.query("SELECT user_id, date FROM viewers WHERE content_id = ? ORDER BY date, user_id LIMIT ? OFFSET ?",
                    [.integer(owner), .integer(Int64(limit)), .integer(Int64(offset))]) {
            (user: $0.int64(0), value: View(date: $0.int64(1)))
        }
    }

    func upsert(_ c: Connection, owner: Int64, user: Int64, value: View) throws {
        try c.run("INSERT OR REPLACE INTO viewers (content_id, user_id, date) VALUES (?, ?, ?)",
                  [.integer(owner), .integer(user), .integer(value.date)])
    }

    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try c.run("DELETE FROM viewers WHERE content_id = ? AND user_id = ?", [.integer(owner), .integer(user)])
    }
}
