import Store
import WriteBehind

/// A vote held by the write-behind cache: owner = content id, user = user id; category 0 = up, 1 = down.
struct Vote: WriteBehindValue {
    let up: Bool
    /// When the vote was cast (µs).
    let date: Int64

    var choice: String { up ? "u" : "d" }
    var category: Int { up ? 0 : 1 }
    var sortKey: Int64 { date }
    func encode(into bytes: inout [UInt8]) {
        bytes.append(up ? 0 : 1)
        bytes.appendLittleEndian(date)
    }
    static func decode(_ reader: inout SnapshotReader) -> Vote? {
        guard let c = reader.readUInt8(), c <= 1, let date = reader.readInt64() else { return nil }
        return Vote(up: c == 0, date: date)
    }
}

/// `votes` as the cache reads and writes it.
struct VotesTable: WriteBehindTable {
    var name: String { "votes" }
    static let selectPage = "SELECT user_id, choice, date FROM votes WHERE content_id = ? ORDER BY date, user_id LIMIT ? OFFSET ?"
    static let selectAfter = "SELECT user_id, choice, date FROM votes WHERE content_id = ? AND (date, user_id) > (?, ?) ORDER BY date, user_id LIMIT ?"
    static let selectBefore = "SELECT user_id, choice, date FROM votes WHERE content_id = ? AND (date, user_id) < (?, ?) ORDER BY date DESC, user_id DESC LIMIT ?"
    /// Keys alone: SQLite steps over the skipped entries of votes_by_date without reading their rows.
    static let selectKey = "SELECT date, user_id FROM votes WHERE content_id = ? ORDER BY date, user_id LIMIT 1 OFFSET ?"
    static let selectKeyAfter = "SELECT date, user_id FROM votes WHERE content_id = ? AND (date, user_id) > (?, ?) ORDER BY date, user_id LIMIT 1 OFFSET ?"
    static let selectKeyFromEnd = "SELECT date, user_id FROM votes WHERE content_id = ? ORDER BY date DESC, user_id DESC LIMIT 1 OFFSET ?"
    static let selectKeyBefore = "SELECT date, user_id FROM votes WHERE content_id = ? AND (date, user_id) < (?, ?) ORDER BY date DESC, user_id DESC LIMIT 1 OFFSET ?"
    var categoryCount: Int { 2 }

    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Vote? {
        try c.queryOne("SELECT choice, date FROM votes WHERE content_id = ? AND user_id = ?",
                       [owner, user]) { Vote(up: $0.string("choice") == "u", date: $0.int64("date")) }
    }

    func counts(_ c: Connection, owner: Int64) throws -> [Int] {
        var up = 0, down = 0
        try c.forEach("SELECT choice, count(*) AS n FROM votes WHERE content_id = ? GROUP BY choice", [owner]) { r in
            if r.string("choice") == "u" { up = r.int("n") } else { down = r.int("n") }
        }
        return [up, down]
    }

    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Vote)] {
        try c.query(VotesTable.selectPage,
                    [owner, limit, offset]) {
            (user: $0.int64("user_id"), value: Vote(up: $0.string("choice") == "u", date: $0.int64("date")))
        }
    }

    func page(_ c: Connection, owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Vote)] {
        try c.query(VotesTable.selectAfter, [owner, key.sortKey, key.user, Int64(limit)]) { VotesTable.row($0) }
    }

    func page(_ c: Connection, owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Vote)] {
        try c.query(VotesTable.selectBefore, [owner, key.sortKey, key.user, Int64(limit)]) { VotesTable.row($0) }
    }

    func storedKey(_ c: Connection, owner: Int64, after key: PageKey?, distance: Int) throws -> PageKey? {
        let map = { (r: Row) in PageKey(sortKey: r.int64("date"), user: r.int64("user_id")) }
        if let key { return try c.queryOne(VotesTable.selectKeyAfter, [owner, key.sortKey, key.user, Int64(distance - 1)], map) }
        return try c.queryOne(VotesTable.selectKey, [owner, Int64(distance - 1)], map)
    }

    func storedKey(_ c: Connection, owner: Int64, before key: PageKey?, distance: Int) throws -> PageKey? {
        let map = { (r: Row) in PageKey(sortKey: r.int64("date"), user: r.int64("user_id")) }
        if let key { return try c.queryOne(VotesTable.selectKeyBefore, [owner, key.sortKey, key.user, Int64(distance - 1)], map) }
        return try c.queryOne(VotesTable.selectKeyFromEnd, [owner, Int64(distance - 1)], map)
    }

    private static func row(_ r: Row) -> (user: Int64, value: Vote) {
        (user: r.int64("user_id"), value: Vote(up: r.string("choice") == "u", date: r.int64("date")))
    }

    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Vote) throws {
        try c.run("INSERT OR REPLACE INTO votes (content_id, user_id, choice, date) VALUES (?, ?, ?, ?)",
                  [owner, user, value.choice, value.date])
    }

    func existingOwners(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? { try ContentsStore.existingIds(ids, c) }
    func existingUsers(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? { try AccountsStore.existingIds(ids, c) }

    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try c.run("DELETE FROM votes WHERE content_id = ? AND user_id = ?", [owner, user])
    }
}
