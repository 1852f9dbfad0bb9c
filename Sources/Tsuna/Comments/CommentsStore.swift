import Store

/// A comment with its author's public fields, its parent's token and its number of replies.
struct CommentRecord: Sendable {
    let id: Int64
    let token: String
    let userId: Int64
    let userName: String
    let userToken: String
    let parentId: Int64?
    let parentToken: String?
    let body: String
    let date: Int64
    let edited: Bool
    let pinned: Bool
    let repliesCount: Int
}

/// The comments feature's SQL, and nothing else's.
enum CommentsStore {
    static let select = """
        SELECT cm.id, cm.token, cm.user_id, u.first_name, u.last_name, u.token, cm.parent_id, p.token, cm.body, cm.date,
               cm.edited, cm.pinned, (SELECT count(*) FROM comments r WHERE r.parent_id = cm.id)
        FROM comments cm JOIN users u ON u.id = cm.user_id LEFT JOIN comments p ON p.id = cm.parent_id
        """
    /// Replies shown with a comment, at most (a page of replies is out of the SPEC's scope).
    static let maxReplies = 1000

    static func record(_ r: Row) -> CommentRecord {
        CommentRecord(id: r.int64(0), token: r.string(1), userId: r.int64(2), userName: UserName.display(r.string(3), r.string(4)),
                      userToken: r.string(5), parentId: r.isNull(6) ? nil : r.int64(6), parentToken: r.optionalString(7),
                      body: r.string(8), date: r.int64(9), edited: r.bool(10), pinned: r.bool(11), repliesCount: r.int(12))
    }

    /// The comment named by `token` on the item, or nil.
    static func comment(token: String, contentId: Int64, _ c: Connection) throws -> CommentRecord? {
        try c.queryOne("\(select) WHERE cm.token = ? AND cm.content_id = ?", [.text(token), .integer(contentId)], record)
    }

    /// Top-level comments of the item: pinned first, then newest.
    static func topLevel(contentId: Int64, limit: Int, offset: Int, _ c: Connection) throws -> (count: Int, rows: [CommentRecord]) {
        let count = try c.queryOne("SELECT count(*) FROM comments WHERE content_id = ? AND parent_id IS NULL",
                                   [.integer(contentId)]) { $0.int(0) } ?? 0
        let rows = try c.query("""
            \(select) WHERE cm.content_id = ? AND cm.parent_id IS NULL
            ORDER BY cm.pinned DESC, cm.date DESC, cm.id DESC LIMIT ? OFFSET ?
            """, [.integer(contentId), .integer(Int64(limit)), .integer(Int64(offset))], record)
        return (count, rows)
    }

    /// Replies to a comment, oldest first.
    static func replies(parentId: Int64, _ c: Connection) throws -> [CommentRecord] {
        try c.query("\(select) WHERE cm.parent_id = ? ORDER BY cm.date, cm.id LIMIT ?",
                    [.integer(parentId), .integer(Int64(maxReplies))], record)
    }

    static func insert(token: String, contentId: Int64, userId: Int64, parentId: Int64?, body: String, date: Int64,
                       _ c: Connection) throws {
        try c.run("""
            INSERT INTO comments (token, content_id, user_id, parent_id, body, date, edited, pinned)
            VALUES (?, ?, ?, ?, ?, ?, 0, 0)
            """, [.text(token), .integer(contentId), .integer(userId), parentId.map { .integer($0) } ?? .null, .text(body),
                  .integer(date)])
    }

    static func edit(id: Int64, body: String, _ c: Connection) throws {
        try c.run("UPDATE comments SET body = ?, edited = 1 WHERE id = ?", [.text(body), .integer(id)])
    }

    static func pin(id: Int64, pinned: Bool, _ c: Connection) throws {
        try c.run("UPDATE comments SET pinned = ? WHERE id = ?", [.integer(pinned ? 1 : 0), .integer(id)])
    }

    /// Deletes the comment; its replies go by cascade.
    static func delete(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM comments WHERE id = ?", [.integer(id)])
    }
}
