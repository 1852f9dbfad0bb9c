import Store

/// A comment as the administration panel lists it: on which item, by whom, and how many replies go with it.
struct CommentListing: Sendable {
    let id: Int64
    let token: String
    let contentId: Int64
    let userId: Int64
    let isReply: Bool
    let body: String
    let date: Int64
    let repliesCount: Int

    init(_ r: Row) {
        id = r.int64("id")
        token = r.string("token")
        contentId = r.int64("content_id")
        userId = r.int64("user_id")
        isReply = r.optionalInt64("parent_id") != nil
        body = r.string("body")
        date = r.int64("date")
        repliesCount = r.int("replies_count")
    }
}

/// What the administration panel reads of comments (SPEC section 13). The text search uses `comments_search`,
/// an FTS5 index over `body` that triggers keep in step with the table (migration 5).
extension CommentsStore {
    static let listingColumns = "cm.id, cm.token, cm.content_id, cm.user_id, cm.parent_id, cm.body, cm.date, cm.replies_count"

    static func count(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM comments") { $0.int("n") } ?? 0
    }

    static func listing(token: String, _ c: Connection) throws -> CommentListing? {
        try c.queryOne("SELECT \(listingColumns) FROM comments cm WHERE cm.token = ?", [token], CommentListing.init)
    }

    /// Comments newest first (ids grow with time).
    static func pageQuery(_ cursor: IdCursor, limit: Int) -> SQLQuery {
        let (condition, order, args) = cursor.sql("cm.id")
        return SQLQuery(sql: "SELECT \(listingColumns) FROM comments cm WHERE 1\(condition) ORDER BY \(order) LIMIT ?",
                        arguments: args + [limit])
    }

    /// Comments whose text holds every word (each a word prefix), newest first, walking the full-text index from
    /// the cursor. `words` must be non-empty.
    static func searchQuery(words: [String], _ cursor: IdCursor, limit: Int) -> SQLQuery {
        let (condition, order, args) = cursor.sql("rowid")
        return SQLQuery(sql: """
            SELECT \(listingColumns) FROM comments cm WHERE cm.id IN (
                SELECT rowid FROM comments_search WHERE comments_search MATCH ?\(condition) ORDER BY \(order) LIMIT ?)
            ORDER BY \(cursor.sql("cm.id").order)
            """, arguments: [matchExpression(words)] + args + [limit])
    }

    /// An FTS5 query from typed words: each one quoted (so nothing typed is read as query syntax) and matched as a
    /// prefix; all must occur.
    static func matchExpression(_ words: [String]) -> String {
        words.map { "\"" + $0.replacing("\"", with: "\"\"") + "\"*" }.joined(separator: " ")
    }
}
