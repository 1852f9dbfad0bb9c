import Store

/// What the administration panel reads and changes of channels (SPEC section 13). Every list walks an index in
/// the order it shows.
extension ChannelsStore {
    static func count(_ c: Connection) throws -> Int {
        try c.queryOne("SELECT count(*) AS n FROM channels") { $0.int("n") } ?? 0
    }

    /// Channels newest first.
    static func pageQuery(_ cursor: IdCursor, limit: Int) -> SQLQuery {
        let (condition, order, args) = cursor.sql("id")
        return SQLQuery(sql: "SELECT \(columns) FROM channels WHERE 1\(condition) ORDER BY \(order) LIMIT ?",
                        arguments: args + [limit])
    }

    /// Channels whose title starts with the prefix (any case), in title order (`channels_title_nocase`).
    static func titleSearchQuery(_ search: PrefixSearch, limit: Int) -> SQLQuery {
        let (condition, order, args) = search.sql("title")
        return SQLQuery(sql: "SELECT \(columns) FROM channels WHERE \(condition) ORDER BY \(order) LIMIT ?",
                        arguments: args + [limit])
    }

    static func setVerified(id: Int64, _ verified: Bool, _ c: Connection) throws {
        try c.run("UPDATE channels SET is_verified = ? WHERE id = ?", [verified, id])
    }
}

/// Verifying a channel (`is_verified`, read-only in the API): the cached copy goes at once.
enum ChannelVerification {
    static func set(_ channel: ChannelRecord, verified: Bool, _ services: Services) async throws {
        try await services.store.write { try ChannelsStore.setVerified(id: channel.id, verified, $0) }
        services.channels.invalidate(channel)
    }
}
