import Store

/// A content row with its channel's and uploader's public fields.
struct ContentRecord: Sendable {
    let id: Int64
    let token: String
    let kind: ContentKind
    let channelId: Int64
    let channelToken: String
    let channelTitle: String
    let channelOwnerId: Int64
    let userName: String?
    let userToken: String?
    let title: String
    let description: String
    let file: String
    let thumbnail: String?
    let isPublished: Bool
    let allowComment: Bool
    let isUpdated: Bool
    let date: Int64
}

/// The contents feature's SQL, and nothing else's.
enum ContentsStore {
    static let columns = """
        ct.id, ct.token, ct.kind, ch.id, ch.token, ch.title, ch.owner_id, u.first_name, u.last_name, u.token,
        ct.title, ct.description, ct.file, ct.thumbnail, ct.visibility, ct.allow_comment, ct.is_updated, ct.date
        """
    static let from = "FROM contents ct JOIN channels ch ON ch.id = ct.channel_id LEFT JOIN users u ON u.id = ct.user_id"

    static func record(_ r: Row) -> ContentRecord {
        let userToken = r.optionalString(9)
        return ContentRecord(
            id: r.int64(0), token: r.string(1), kind: ContentKind(rawValue: r.int64(2)) ?? .video, channelId: r.int64(3),
            channelToken: r.string(4), channelTitle: r.string(5), channelOwnerId: r.int64(6),
            userName: userToken == nil ? nil : UserName.display(r.string(7), r.string(8)), userToken: userToken,
            title: r.string(10), description: r.string(11), file: r.string(12), thumbnail: r.optionalString(13),
            isPublished: r.string(14) == "pu", allowComment: r.bool(15), isUpdated: r.bool(16), date: r.int64(17))
    }

    /// The item of `kind` named by `token`, in any channel.
    static func content(kind: ContentKind, token: String, _ c: Connection) throws -> ContentRecord? {
        try c.queryOne("SELECT \(columns) \(from) WHERE ct.token = ? AND ct.kind = ?", [.text(token), .integer(kind.rawValue)], record)
    }

    /// Whether the content file named by its token is published (nil: no such item).
    static func isPublished(token: String, _ c: Connection) throws -> Bool? {
        try c.queryOne("SELECT visibility FROM contents WHERE token = ?", [.text(token)]) { $0.string(0) == "pu" }
    }

    /// A channel's items of `kind`, newest first; published only unless `includePrivate`; optional exact title.
    static func list(channelId: Int64, kind: ContentKind, includePrivate: Bool, title: String?, limit: Int, offset: Int,
                     _ c: Connection) throws -> (count: Int, rows: [ContentRecord]) {
        var scope = "\(from) WHERE ct.channel_id = ? AND ct.kind = ?"
        var args: [SQLValue] = [.integer(channelId), .integer(kind.rawValue)]
        if !includePrivate { scope += " AND ct.visibility = 'pu'" }
        if let title { scope += " AND ct.title = ?"; args.append(.text(title)) }
        let count = try c.queryOne("SELECT count(*) \(scope)", args) { $0.int(0) } ?? 0
        let rows = try c.query("SELECT \(columns) \(scope) ORDER BY ct.date DESC, ct.id DESC LIMIT ? OFFSET ?",
                               args + [.integer(Int64(limit)), .integer(Int64(offset))], record)
        return (count, rows)
    }

    struct NewContent {
        let token: String
        let kind: ContentKind
        let channelId: Int64
        let userId: Int64
        let title: String
        let description: String
        let file: String
        let thumbnail: String?
        let published: Bool
        let allowComment: Bool
        let date: Int64
    }

    static func insert(_ n: NewContent, _ c: Connection) throws {
        try c.run("""
            INSERT INTO contents (token, kind, channel_id, user_id, title, description, file, thumbnail, visibility,
                                  allow_comment, is_updated, date)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
            """, [.text(n.token), .integer(n.kind.rawValue), .integer(n.channelId), .integer(n.userId), .text(n.title),
                  .text(n.description), .text(n.file), SQLValue(n.thumbnail), .text(n.published ? "pu" : "pr"),
                  .integer(n.allowComment ? 1 : 0), .integer(n.date)])
    }

    static func update(id: Int64, title: String, description: String, thumbnail: String?, published: Bool,
                       allowComment: Bool, _ c: Connection) throws {
        try c.run("""
            UPDATE contents SET title = ?, description = ?, thumbnail = ?, visibility = ?, allow_comment = ?, is_updated = 1
            WHERE id = ?
            """, [.text(title), .text(description), SQLValue(thumbnail), .text(published ? "pu" : "pr"),
                  .integer(allowComment ? 1 : 0), .integer(id)])
    }

    /// Deletes the item; foreign keys cascade to its votes, views and comments.
    static func delete(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM contents WHERE id = ?", [.integer(id)])
    }
}

extension ContentsStore {
    /// Email and display name of a user (for mail queued with a new item).
    static func contact(userId: Int64, _ c: Connection) throws -> (email: String, name: String)? {
        try c.queryOne("SELECT email, first_name, last_name FROM users WHERE id = ?", [.integer(userId)]) {
            (email: $0.string(0), name: UserName.display($0.string(1), $0.string(2)))
        }
    }
}
