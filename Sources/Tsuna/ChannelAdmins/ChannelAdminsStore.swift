import Store

/// A channel admin as SPEC section 6 renders it.
struct AdminRecord: Sendable {
    let id: Int64
    let token: String
    let channelId: Int64
    let userId: Int64
    let promotedById: Int64?
    let date: Int64
    let permissions: Set<ChannelPermission>

    /// Its position in a channel's list.
    var sortKey: [Int64] { [date, id] }

    init(_ r: Row) {
        id = r.int64("id")
        token = r.string("token")
        channelId = r.int64("channel_id")
        userId = r.int64("user_id")
        promotedById = r.optionalInt64("promoted_by_id")
        date = r.int64("date")
        permissions = Set(ChannelPermission.allCases.filter { r.bool($0.rawValue) })
    }
}

/// The channel admins feature's SQL, and nothing else's.
enum ChannelAdminsStore {
    static let columns = """
        id, token, channel_id, user_id, promoted_by_id, date, can_add_object, can_edit_object, can_delete_object,
        can_publish_object, can_change_channel_info
        """

    static func admin(token: String, channelId: Int64, _ c: Connection) throws -> AdminRecord? {
        try c.queryOne("SELECT \(columns) FROM channel_admins WHERE token = ? AND channel_id = ?", [token, channelId],
                       AdminRecord.init)
    }

    /// The user's admin record in the channel as a role, nil when not an admin.
    static func role(channelId: Int64, ownerId: Int64, userId: Int64, _ c: Connection) throws -> ChannelRole? {
        try c.queryOne("SELECT \(columns) FROM channel_admins WHERE channel_id = ? AND user_id = ?", [channelId, userId]) { r in
            let admin = AdminRecord(r)
            return ChannelRole(adminId: admin.id, adminToken: admin.token, isOwner: userId == ownerId,
                               permissions: admin.permissions)
        }
    }

    /// Oldest promotion first; the index `channel_admins_by_date` matches it.
    static let order = Keyset(columns: ["date", "id"], descending: false)

    /// The channel's admins, oldest promotion first, and how many there are (a channel has few admins).
    static func list(channelId: Int64, page: Page, _ c: Connection) throws -> (count: Int, rows: [AdminRecord]) {
        try c.readTransaction {
            let count = try c.queryOne("SELECT count(*) AS n FROM channel_admins WHERE channel_id = ?", [channelId]) {
                $0.int("n")
            } ?? 0
            return (count, try c.page(columns, from: "channel_admins", where: "channel_id = ?", [channelId], order, page,
                                      total: count, AdminRecord.init))
        }
    }

    /// Newest channel first; the index `channel_admins_of_user` matches it.
    static let channelOrder = Keyset(columns: ["channel_id"], descending: true)

    /// A page of the channels the user owns or administers (the owner always has an admin record), newest
    /// first, and how many there are.
    static func channelIds(userId: Int64, page: Page, _ c: Connection) throws -> (count: Int, ids: [Int64]) {
        try c.readTransaction {
            let count = try c.queryOne("SELECT count(*) AS n FROM channel_admins WHERE user_id = ?", [userId]) {
                $0.int("n")
            } ?? 0
            let ids = try c.page("channel_id", from: "channel_admins", where: "user_id = ?", [userId], channelOrder, page,
                                 total: count) { $0.int64("channel_id") }
            return (count, ids)
        }
    }

    /// Every channel the user owns or administers.
    static func channelIds(userId: Int64, _ c: Connection) throws -> Set<Int64> {
        Set(try c.query("SELECT channel_id FROM channel_admins WHERE user_id = ?", [userId]) { $0.int64("channel_id") })
    }

    static func isAdmin(channelId: Int64, userId: Int64, _ c: Connection) throws -> Bool {
        try c.queryOne("SELECT 1 FROM channel_admins WHERE channel_id = ? AND user_id = ?", [channelId, userId]) { _ in
            true
        } ?? false
    }

    static func promote(token: String, channelId: Int64, userId: Int64, promotedBy: Int64, now: Int64, _ c: Connection) throws {
        try c.run("INSERT INTO channel_admins (token, channel_id, user_id, promoted_by_id, date) VALUES (?, ?, ?, ?, ?)",
                  [token, channelId, userId, promotedBy, now])
    }

    /// The owner's record, made with the channel: every permission, promoted by themselves.
    static func insertOwner(token: String, channelId: Int64, ownerId: Int64, now: Int64, _ c: Connection) throws {
        try c.run("""
            INSERT INTO channel_admins (token, channel_id, user_id, promoted_by_id, date, can_add_object, can_edit_object,
                                        can_delete_object, can_publish_object, can_change_channel_info)
            VALUES (?, ?, ?, ?, ?, 1, 1, 1, 1, 1)
            """, [token, channelId, ownerId, ownerId, now])
    }

    static func setPermissions(adminId: Int64, _ perms: [ChannelPermission: Bool], _ c: Connection) throws {
        for (p, value) in perms {
            // Column names come from the enum, never from input.
            try c.run("UPDATE channel_admins SET \(p.rawValue) = ? WHERE id = ?", [value, adminId])
        }
    }

    static func delete(adminId: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM channel_admins WHERE id = ?", [adminId])
    }

    /// A subscriber who leaves stops being an admin (never the owner: owners cannot unsubscribe).
    static func demote(channelId: Int64, userId: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM channel_admins WHERE channel_id = ? AND user_id = ?", [channelId, userId])
    }
}
