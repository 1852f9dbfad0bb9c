import Store

/// A channel row.
struct ChannelRecord: Sendable {
    let id: Int64
    let token: String
    let ownerId: Int64
    let title: String
    let description: String
    let avatar: String?
    let thumbnail: String?
    let isVerified: Bool
    let dateCreated: Int64

    init(_ r: Row) {
        id = r.int64("id")
        token = r.string("token")
        ownerId = r.int64("owner_id")
        title = r.string("title")
        description = r.string("description")
        avatar = r.optionalString("avatar")
        thumbnail = r.optionalString("thumbnail")
        isVerified = r.bool("is_verified")
        dateCreated = r.int64("date_created")
    }
}

/// The channels feature's SQL, and nothing else's.
enum ChannelsStore {
    static let columns = "id, token, owner_id, title, description, avatar, thumbnail, is_verified, date_created"

    static func channel(token: String, _ c: Connection) throws -> ChannelRecord? {
        try c.queryOne("SELECT \(columns) FROM channels WHERE token = ?", [token], ChannelRecord.init)
    }

    static func channel(id: Int64, _ c: Connection) throws -> ChannelRecord? {
        try c.queryOne("SELECT \(columns) FROM channels WHERE id = ?", [id], ChannelRecord.init)
    }

    /// The channels the user owns.
    static func owned(userId: Int64, _ c: Connection) throws -> [ChannelRecord] {
        try c.query("SELECT \(columns) FROM channels WHERE owner_id = ?", [userId], ChannelRecord.init)
    }

    static func ownedCount(userId: Int64, _ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM channels WHERE owner_id = ?", [userId]) { $0.int("n") } ?? 0
    }

    /// The channels among `ids`, newest first, optionally with an exact title, and how many there are.
    static func list(ids: [Int64], title: String?, limit: Int, offset: Int, _ c: Connection) throws
        -> (count: Int, rows: [ChannelRecord]) {
        let filter = title == nil ? "" : " AND title = ?"
        var args: [any SQLBindable] = [SQLList.json(ids)]
        if let title { args.append(title) }
        let scope = "FROM channels WHERE id IN (SELECT value FROM json_each(?))\(filter)"
        let count = try c.queryOne("SELECT count(*) AS n \(scope)", args) { $0.int("n") } ?? 0
        let rows = try c.query("SELECT \(columns) \(scope) ORDER BY date_created DESC, id DESC LIMIT ? OFFSET ?",
                               args + [limit, offset], ChannelRecord.init)
        return (count, rows)
    }

    /// Inserts the channel; returns its id.
    static func insert(ownerId: Int64, token: String, title: String, description: String, avatar: String?,
                       thumbnail: String?, now: Int64, _ c: Connection) throws -> Int64 {
        try c.run("""
            INSERT INTO channels (token, owner_id, title, description, avatar, thumbnail, is_verified, date_created)
            VALUES (?, ?, ?, ?, ?, ?, 0, ?)
            """, [token, ownerId, title, description, avatar, thumbnail, now])
        return c.lastInsertRowID
    }

    static func update(id: Int64, title: String, description: String, avatar: String?, thumbnail: String?,
                       _ c: Connection) throws {
        try c.run("UPDATE channels SET title = ?, description = ?, avatar = ?, thumbnail = ? WHERE id = ?",
                  [title, description, avatar, thumbnail, id])
    }

    /// Deletes the channel; foreign keys cascade to its contents, votes, comments, views, subscribers, admins.
    static func delete(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM channels WHERE id = ?", [id])
    }
}
