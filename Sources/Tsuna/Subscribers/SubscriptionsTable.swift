import Store
import WriteBehind

/// A channel subscription held by the write-behind cache: owner = channel id, user = user id.
struct Subscription: WriteBehindValue {
    /// When the user subscribed (µs).
    let date: Int64

    var category: Int { 0 }
    var sortKey: Int64 { date }
    func encode(into bytes: inout [UInt8]) { bytes.appendLittleEndian(date) }
    static func decode(_ reader: inout SnapshotReader) -> Subscription? { reader.readInt64().map(Subscription.init) }
}

/// `channel_subscribers` as the cache reads and writes it.
struct SubscriptionsTable: WriteBehindTable {
    var name: String { "subscriptions" }
    var categoryCount: Int { 1 }

    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Subscription? {
        try c.queryOne("SELECT date FROM channel_subscribers WHERE channel_id = ? AND user_id = ?",
                       [.integer(owner), .integer(user)]) { Subscription(date: $0.int64(0)) }
    }

    func counts(_ c: Connection, owner: Int64) throws -> [Int] {
        [try c.queryOne("SELECT count(*) FROM channel_subscribers WHERE channel_id = ?", [.integer(owner)]) { $0.int(0) } ?? 0]
    }

    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Subscription)] {
        try c.query("SELECT user_id, date FROM channel_subscribers WHERE channel_id = ? ORDER BY date, user_id LIMIT ? OFFSET ?",
                    [.integer(owner), .integer(Int64(limit)), .integer(Int64(offset))]) {
            (user: $0.int64(0), value: Subscription(date: $0.int64(1)))
        }
    }

    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Subscription) throws {
        try c.run("INSERT OR REPLACE INTO channel_subscribers (channel_id, user_id, date) VALUES (?, ?, ?)",
                  [.integer(owner), .integer(user), .integer(value.date)])
    }

    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try c.run("DELETE FROM channel_subscribers WHERE channel_id = ? AND user_id = ?", [.integer(owner), .integer(user)])
    }
}
