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

    /// The channels with these ids, in the order of `ids` (missing ones left out).
    static func channels(ids: [Int64], _ c: Connection) throws -> [ChannelRecord] {
        guard !ids.isEmpty else { return [] }
        var byId: [Int64: ChannelRecord] = [:]
        try c.forEach("SELECT \(columns) FROM channels WHERE id IN (SELECT value FROM json_each(?))", [SQLList.json(ids)]) {
            let ch = ChannelRecord($0)
            byId[ch.id] = ch
        }
        return ids.compactMap { byId[$0] }
    }

    /// Ids of the channels with this exact title (through `channels_title`).
    static func ids(title: String, _ c: Connection) throws -> [Int64] {
        try c.query("SELECT id FROM channels WHERE title = ?", [title]) { $0.int64("id") }
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

    /// Which of `ids` still name a row (snapshots replayed at start are checked against it).
    static func existingIds(_ ids: [Int64], _ c: Connection) throws -> Set<Int64> {
        Set(try c.query("SELECT id FROM channels WHERE id IN (SELECT value FROM json_each(?))", [SQLList.json(ids)]) {
            $0.int64("id")
        })
    }
}
