import Store

/// A content row (a video or a music).
struct ContentRecord: Sendable {
    let id: Int64
    let token: String
    let kind: ContentKind
    let channelId: Int64
    /// The uploader; nil once their account is gone.
    let userId: Int64?
    let title: String
    let description: String
    let file: String
    let thumbnail: String?
    let isPublished: Bool
    let allowComment: Bool
    let isUpdated: Bool
    let date: Int64

    /// Its position in a channel's list.
    var sortKey: [Int64] { [date, id] }

    init(_ r: Row) {
        id = r.int64("id")
        token = r.string("token")
        kind = ContentKind(rawValue: r.int64("kind")) ?? .video
        channelId = r.int64("channel_id")
        userId = r.optionalInt64("user_id")
        title = r.string("title")
        description = r.string("description")
        file = r.string("file")
        thumbnail = r.optionalString("thumbnail")
        isPublished = r.string("visibility") == "pu"
        allowComment = r.bool("allow_comment")
        isUpdated = r.bool("is_updated")
        date = r.int64("date")
    }
}

/// The contents feature's SQL, and nothing else's.
enum ContentsStore {
    static let columns = """
        id, token, kind, channel_id, user_id, title, description, file, thumbnail, visibility, allow_comment, is_updated, date
        """

    /// The item of `kind` named by `token`, in any channel.
    static func content(kind: ContentKind, token: String, _ c: Connection) throws -> ContentRecord? {
        try c.queryOne("SELECT \(columns) FROM contents WHERE token = ? AND kind = ?", [token, kind.rawValue], ContentRecord.init)
    }

    /// Whether the content file named by its token is published (nil: no such item).
    static func isPublished(token: String, _ c: Connection) throws -> Bool? {
        try c.queryOne("SELECT visibility FROM contents WHERE token = ?", [token]) { $0.string("visibility") == "pu" }
    }

    /// Newest first; the indexes `contents_by_visibility`, `contents_by_date` and `contents_by_title` match it.
    static let order = Keyset(columns: ["date", "id"], descending: true)

    /// A channel's items of `kind`, newest first; published only unless `includePrivate`; optional exact title.
    static func list(channelId: Int64, kind: ContentKind, includePrivate: Bool, title: String?, page: Page,
                     _ c: Connection) throws -> (count: Int, rows: [ContentRecord]) {
        let q = listQuery(channelId: channelId, kind: kind, includePrivate: includePrivate, title: title)
        return try c.readTransaction {
            let count: Int
            if title != nil {
                // Exact titles are few: counted through `contents_by_title`.
                count = try c.queryOne("SELECT count(*) AS n FROM contents WHERE \(q.scope)", q.args) { $0.int("n") } ?? 0
            } else {
                count = try c.queryOne("SELECT total, published FROM content_counts WHERE channel_id = ? AND kind = ?",
                                       [channelId, kind.rawValue]) { includePrivate ? $0.int("total") : $0.int("published") } ?? 0
            }
            // The count lets a deep offset be read from the end.
            return (count, try c.page(columns, from: "contents", where: q.scope, q.args, order, page, total: count,
                                      ContentRecord.init))
        }
    }

    /// The WHERE clause of a channel's list (exposed so a test can check its query plan).
    static func listQuery(channelId: Int64, kind: ContentKind, includePrivate: Bool, title: String?)
        -> (scope: String, args: [any SQLBindable]) {
        var scope = "channel_id = ? AND kind = ?"
        var args: [any SQLBindable] = [channelId, kind.rawValue]
        if let title { scope += " AND title = ?"; args.append(title) }
        if !includePrivate { scope += " AND visibility = 'pu'" }
        return (scope, args)
    }

    /// The media files and ids of a channel's items (to clean up after the channel's rows are gone).
    static func filesAndIds(channelId: Int64, _ c: Connection) throws -> (files: [String], ids: [Int64]) {
        var files: [String] = [], ids: [Int64] = []
        try c.forEach("SELECT id, file, thumbnail FROM contents WHERE channel_id = ?", [channelId]) { r in
            ids.append(r.int64("id"))
            files.append(r.string("file"))
            if let t = r.optionalString("thumbnail") { files.append(t) }
        }
        return (files, ids)
    }

    struct NewContent: Sendable {
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
            """, [n.token, n.kind.rawValue, n.channelId, n.userId, n.title, n.description, n.file, n.thumbnail,
                  n.published ? "pu" : "pr", n.allowComment, n.date])
    }

    static func update(id: Int64, title: String, description: String, thumbnail: String?, published: Bool,
                       allowComment: Bool, _ c: Connection) throws {
        try c.run("""
            UPDATE contents SET title = ?, description = ?, thumbnail = ?, visibility = ?, allow_comment = ?, is_updated = 1
            WHERE id = ?
            """, [title, description, thumbnail, published ? "pu" : "pr", allowComment, id])
    }

    /// Deletes the item; foreign keys cascade to its votes, views and comments.
    static func delete(id: Int64, _ c: Connection) throws {
        try c.run("DELETE FROM contents WHERE id = ?", [id])
    }

    /// Which of `ids` still name a row (snapshots replayed at start are checked against it).
    static func existingIds(_ ids: [Int64], _ c: Connection) throws -> Set<Int64> {
        Set(try c.query("SELECT id FROM contents WHERE id IN (SELECT value FROM json_each(?))", [SQLList.json(ids)]) {
            $0.int64("id")
        })
    }
}
