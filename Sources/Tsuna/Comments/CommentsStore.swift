import Store

/// A comment with its parent's token and its number of replies.
struct CommentRecord: Sendable {
    let id: Int64
    let token: String
    let userId: Int64
    let parentId: Int64?
    let parentToken: String?
    let body: String
    let date: Int64
    let edited: Bool
    let pinned: Bool
    let repliesCount: Int

    /// Its position in an item's list.
    var sortKey: [Int64] { [pinned ? 1 : 0, date, id] }

    init(_ r: Row) {
        id = r.int64("id")
        token = r.string("token")
        userId = r.int64("user_id")
        parentId = r.optionalInt64("parent_id")
        parentToken = r.optionalString("parent_token")
        body = r.string("body")
        date = r.int64("date")
        edited = r.bool("edited")
        pinned = r.bool("pinned")
        repliesCount = r.int("replies_count")
    }
}

/// The comments feature's SQL, and nothing else's.
enum CommentsStore {
    static let columns = """
        cm.id, cm.token, cm.user_id, cm.parent_id, p.token AS parent_token, cm.body, cm.date, cm.edited, cm.pinned,
        cm.replies_count
        """
    static let from = "comments cm LEFT JOIN comments p ON p.id = cm.parent_id"
    static let select = "SELECT \(columns) FROM \(from)"
    /// Pinned first, then newest; the index `comments_by_pin` matches it.
    static let order = Keyset(columns: ["cm.pinned", "cm.date", "cm.id"], descending: true)
    static let topLevelScope = "cm.content_id = ? AND cm.parent_id IS NULL"
    /// Replies shown with a comment, at most (a page of replies is out of the SPEC's scope).
    static let maxReplies = 1000

    /// The comment named by `token` on the item, or nil.
    static func comment(token: String, contentId: Int64, _ c: Connection) throws -> CommentRecord? {
        try c.queryOne("\(select) WHERE cm.token = ? AND cm.content_id = ?", [token, contentId], CommentRecord.init)
    }

    /// Top-level comments of the item: pinned first, then newest.
    static func topLevel(contentId: Int64, page: Page, _ c: Connection) throws -> (count: Int, rows: [CommentRecord]) {
        try c.readTransaction {
            let count = try c.queryOne("SELECT top_level FROM comment_counts WHERE content_id = ?", [contentId]) {
                $0.int("top_level")
            } ?? 0
            return (count, try c.page(columns, from: from, where: topLevelScope, [contentId], order, page, total: count,
                                      CommentRecord.init))
        }
    }

    /// Replies to a comment, oldest first.
    static func replies(parentId: Int64, _ c: Connection) throws -> [CommentRecord] {
        try c.query("\(select) WHERE cm.parent_id = ? ORDER BY cm.date, cm.id LIMIT ?", [parentId, maxReplies],
                    CommentRecord.init)
    }

    static func insert(token: String, contentId: Int64, userId: Int64, parentId: Int64?, body: String, date: Int64,
                       _ c: Connection) throws {
        try c.run("""
            INSERT INTO comments (token, content_id, user_id, parent_id, body, date, edited, pinned)
            VALUES (?, ?, ?, ?, ?, ?, 0, 0)
            """, [token, contentId, userId, parentId, body, date])
    }

    static func edit(id: Int64, body: String, _ c: Connection) throws {
        try c.run("UPDATE comments SET body = ?, edited = 1 WHERE id = ?", [body, id])
    }

    static func pin(id: Int64, pinned: Bool, _ c: Connection) throws {
        try c.run("UPDATE comments SET pinned = ? WHERE id = ?", [pinned, id])
    }

    /// Deletes the comment; its replies go by cascade.
    static func delete(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM comments WHERE id = ?", [id])
    }
}
