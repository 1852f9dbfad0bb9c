import Store

/// A channel row with its owner's public fields.
struct ChannelRecord: Sendable {
    let id: Int64
    let token: String
    let ownerId: Int64
    let ownerToken: String
    let ownerName: String
    let title: String
    let description: String
    let avatar: String?
    let thumbnail: String?
    let isVerified: Bool
    let dateCreated: Int64
}

/// The channels feature's SQL, and nothing else's.
enum ChannelsStore {
    static let columns = """
        c.id, c.token, c.owner_id, u.token, u.first_name, u.last_name, c.title, c.description, c.avatar,
        c.thumbnail, c.is_verified, c.date_created
        """

    static func channel(_ r: Row) -> ChannelRecord {
        ChannelRecord(id: r.int64(0), token: r.string(1), ownerId: r.int64(2), ownerToken: r.string(3),
                      ownerName: UserName.display(r.string(4), r.string(5)), title: r.string(6),
                      description: r.string(7), avatar: r.optionalString(8), thumbnail: r.optionalString(9),
                      isVerified: r.bool(10), dateCreated: r.int64(11))
    }

    static func channel(token: String, _ c: Connection) throws -> ChannelRecord? {
        try c.queryOne("SELECT \(columns) FROM channels c JOIN users u ON u.id = c.owner_id WHERE c.token = ?",
                       [.text(token)], channel)
    }

    static func ownedCount(userId: Int64, _ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) FROM channels WHERE owner_id = ?", [.integer(userId)]) { $0.int(0) } ?? 0
    }

    /// Channels the user owns or administers, newest first, optionally with an exact title.
    static func listForUser(userId: Int64, title: String?, limit: Int, offset: Int, _ c: Connection) throws
        -> (count: Int, rows: [ChannelRecord]) {
        let filter = title == nil ? "" : " AND c.title = ?"
        var args: [SQLValue] = [.integer(userId)]
        if let title { args.append(.text(title)) }
        let scope = "FROM channels c JOIN users u ON u.id = c.owner_id WHERE c.id IN (SELECT channel_id FROM channel_admins WHERE user_id = ?)\(filter)"
        let count = try c.queryOne("SELECT count(*) \(scope)", args) { $0.int(0) } ?? 0
        let rows = try c.query("SELECT \(columns) \(scope) ORDER BY c.date_created DESC, c.id DESC LIMIT ? OFFSET ?",
                               args + [.integer(Int64(limit)), .integer(Int64(offset))], channel)
        return (count, rows)
    }

    /// Creates the channel, makes the owner an admin with every permission and a subscriber; returns the id.
    static func create(ownerId: Int64, token: String, adminToken: String, title: String, description: String,
                       avatar: String?, thumbnail: String?, now: Int64, _ c: Connection) throws -> Int64 {
        try c.run("""
            INSERT INTO channels (token, owner_id, title, description, avatar, thumbnail, is_verified, date_created)
            VALUES (?, ?, ?, ?, ?, ?, 0, ?)
            """, [.text(token), .integer(ownerId), .text(title), .text(description), SQLValue(avatar),
                  SQLValue(thumbnail), .integer(now)])
        let id = c.lastInsertRowID
        try c.run("""
            INSERT INTO channel_admins (token, channel_id, user_id, promoted_by_id, date, can_add_object, can_edit_object,
                                        can_delete_object, can_publish_object, can_change_channel_info)
            VALUES (?, ?, ?, ?, ?, 1, 1, 1, 1, 1)
            """, [.text(adminToken), .integer(id), .integer(ownerId), .integer(ownerId), .integer(now)])
        try c.run("INSERT INTO channel_subscribers (channel_id, user_id, date) VALUES (?, ?, ?)",
                  [.integer(id), .integer(ownerId), .integer(now)])
        return id
    }

    static func update(id: Int64, title: String, description: String, avatar: String?, thumbnail: String?,
                       _ c: Connection) throws {
        try c.run("UPDATE channels SET title = ?, description = ?, avatar = ?, thumbnail = ? WHERE id = ?",
                  [.text(title), .text(description), SQLValue(avatar), SQLValue(thumbnail), .integer(id)])
    }

    /// Media files of the channel's contents (to remove after the rows are gone).
    static func contentFiles(channelId: Int64, _ c: Connection) throws -> [String] {
        try c.query("SELECT file, thumbnail FROM contents WHERE channel_id = ?", [.integer(channelId)]) { r in
            [r.optionalString(0), r.optionalString(1)].compactMap { $0 }
        }.flatMap { $0 }
    }

    static func contentIds(channelId: Int64, _ c: Connection) throws -> [Int64] {
        try c.query("SELECT id FROM contents WHERE channel_id = ?", [.integer(channelId)]) { $0.int64(0) }
    }

    /// Deletes the channel; foreign keys cascade to its contents, votes, comments, views, subscribers, admins.
    static func delete(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM channels WHERE id = ?", [.integer(id)])
    }
}
