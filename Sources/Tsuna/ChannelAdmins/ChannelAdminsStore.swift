import Store

/// A channel admin as SPEC section 6 renders it.
struct AdminRecord: Sendable {
    let id: Int64
    let token: String
    let channelId: Int64
    let userId: Int64
    let userToken: String
    let userName: String
    let promotedByToken: String?
    let promotedByName: String?
    let date: Int64
    let permissions: [ChannelPermission: Bool]
}

/// The channel admins feature's SQL, and nothing else's.
enum ChannelAdminsStore {
    static let select = """
        SELECT a.id, a.token, a.channel_id, a.user_id, u.token, u.first_name, u.last_name, p.token, p.first_name,
               p.last_name, a.date, a.can_add_object, a.can_edit_object, a.can_delete_object, a.can_publish_object,
               a.can_change_channel_info
        FROM channel_admins a JOIN users u ON u.id = a.user_id LEFT JOIN users p ON p.id = a.promoted_by_id
        """

    static func admin(_ r: Row) -> AdminRecord {
        var perms: [ChannelPermission: Bool] = [:]
        for (i, p) in ChannelPermission.allCases.enumerated() { perms[p] = r.bool(11 + i) }
        return AdminRecord(id: r.int64(0), token: r.string(1), channelId: r.int64(2), userId: r.int64(3),
                           userToken: r.string(4), userName: UserName.display(r.string(5), r.string(6)),
                           promotedByToken: r.optionalString(7),
                           promotedByName: r.isNull(7) ? nil : UserName.display(r.string(8), r.string(9)),
                           date: r.int64(10), permissions: perms)
    }

    static func admin(token: String, channelId: Int64, _ c: Connection) throws -> AdminRecord? {
        try c.queryOne(select + " WHERE a.token = ? AND a.channel_id = ?", [.text(token), .integer(channelId)], admin)
    }

    static func list(channelId: Int64, limit: Int, offset: Int, _ c: Connection) throws -> (Int, [AdminRecord]) {
        let count = try c.queryOne("SELECT count(*) FROM channel_admins WHERE channel_id = ?", [.integer(channelId)]) { $0.int(0) } ?? 0
        let rows = try c.query(select + " WHERE a.channel_id = ? ORDER BY a.date, a.id LIMIT ? OFFSET ?",
                               [.integer(channelId), .integer(Int64(limit)), .integer(Int64(offset))], admin)
        return (count, rows)
    }

    static func isAdmin(channelId: Int64, userId: Int64, _ c: Connection) throws -> Bool {
        try c.queryOne("SELECT 1 FROM channel_admins WHERE channel_id = ? AND user_id = ?",
                       [.integer(channelId), .integer(userId)]) { _ in true } ?? false
    }

    static func promote(token: String, channelId: Int64, userId: Int64, promotedBy: Int64, now: Int64, _ c: Connection) throws {
        try c.run("INSERT INTO channel_admins (token, channel_id, user_id, promoted_by_id, date) VALUES (?, ?, ?, ?, ?)",
                  [.text(token), .integer(channelId), .integer(userId), .integer(promotedBy), .integer(now)])
    }

    static func setPermissions(adminId: Int64, _ perms: [ChannelPermission: Bool], _ c: Connection) throws {
        for (p, value) in perms {
            // Column names come from the enum, never from input.
            try c.run("UPDATE channel_admins SET \(p.rawValue) = ? WHERE id = ?", [SQLValue(value), .integer(adminId)])
        }
    }

    static func delete(adminId: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM channel_admins WHERE id = ?", [.integer(adminId)])
    }

    /// A subscriber who leaves stops being an admin (never the owner: owners cannot unsubscribe).
    static func demote(channelId: Int64, userId: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM channel_admins WHERE channel_id = ? AND user_id = ?", [.integer(channelId), .integer(userId)])
    }
}
