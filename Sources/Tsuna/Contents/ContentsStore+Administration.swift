import Store

/// What the administration panel reads and changes of videos and musics (SPEC section 13). Every list walks an
/// index in the order it shows.
extension ContentsStore {
    /// Items of each kind.
    static func counts(_ c: Connection) throws -> [ContentKind: Int] {
        var counts: [ContentKind: Int] = [.video: 0, .music: 0]
        try c.forEach("SELECT kind, count(*) AS n FROM contents GROUP BY kind") { r in
            if let kind = ContentKind(rawValue: r.int64("kind")) { counts[kind] = r.int("n") }
        }
        return counts
    }

    /// A channel's items of each kind (kept by triggers in `content_counts`).
    static func counts(channelId: Int64, _ c: Connection) throws -> [ContentKind: Int] {
        var counts: [ContentKind: Int] = [.video: 0, .music: 0]
        try c.forEach("SELECT kind, total FROM content_counts WHERE channel_id = ?", [channelId]) { r in
            if let kind = ContentKind(rawValue: r.int64("kind")) { counts[kind] = r.int("total") }
        }
        return counts
    }

    /// The item named by `token`, whatever its kind.
    static func content(token: String, _ c: Connection) throws -> ContentRecord? {
        try c.queryOne("SELECT \(columns) FROM contents WHERE token = ?", [token], ContentRecord.init)
    }

    /// Items by id, in one query whatever the number of ids.
    static func contents(ids: [Int64], _ c: Connection) throws -> [Int64: ContentRecord] {
        var found: [Int64: ContentRecord] = [:]
        try c.forEach("SELECT \(columns) FROM contents WHERE id IN (SELECT value FROM json_each(?))", [SQLList.json(ids)]) {
            let item = ContentRecord($0)
            found[item.id] = item
        }
        return found
    }

    /// Items newest first (ids grow with upload time), of one kind (`contents_kind`) or both (the rowid).
    static func pageQuery(kind: ContentKind?, _ cursor: IdCursor, limit: Int) -> SQLQuery {
        let (condition, order, args) = cursor.sql("id")
        let filter = kind == nil ? "1" : "kind = ?"
        let kindArgs: [any SQLBindable] = kind.map { [$0.rawValue] } ?? []
        return SQLQuery(sql: "SELECT \(columns) FROM contents WHERE \(filter)\(condition) ORDER BY \(order) LIMIT ?",
                        arguments: kindArgs + args + [limit])
    }

    /// Items whose title starts with the prefix (any case), in title order. The index is named: with a kind
    /// given SQLite would otherwise prefer `contents_kind` and sort the matches.
    static func titleSearchQuery(kind: ContentKind?, _ search: PrefixSearch, limit: Int) -> SQLQuery {
        let (condition, order, args) = search.sql("title")
        let filter = kind == nil ? "" : " AND kind = ?"
        let kindArgs: [any SQLBindable] = kind.map { [$0.rawValue] } ?? []
        return SQLQuery(sql: """
            SELECT \(columns) FROM contents INDEXED BY contents_title WHERE \(condition)\(filter) ORDER BY \(order) LIMIT ?
            """, arguments: args + kindArgs + [limit])
    }
}

/// Unpublishing an item: it becomes private, through the API's own update.
enum ContentVisibility {
    static func unpublish(_ item: ContentRecord, _ services: Services) async throws {
        try await services.store.write { c in
            // The fields as they are now, not as the page showed them: an edit meanwhile is kept.
            guard let current = try ContentsStore.content(token: item.token, c) else { throw APIError.notFound }
            try ContentsStore.update(id: current.id, title: current.title, description: current.description,
                                     thumbnail: current.thumbnail, published: false, allowComment: current.allowComment, c)
        }
    }
}
