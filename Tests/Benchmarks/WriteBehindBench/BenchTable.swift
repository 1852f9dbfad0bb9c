import Store
import WriteBehind

/// A vote: choice 0 (up) or 1 (down), and a date in microseconds.
struct Vote: WriteBehindValue {
    var choice: UInt8
    var date: Int64
    var category: Int { Int(choice) }
    var sortKey: Int64 { date }
    func encode(into bytes: inout [UInt8]) {
        bytes.append(choice)
        bytes.appendLittleEndian(date)
    }
    static func decode(_ reader: inout SnapshotReader) -> Vote? {
        guard let c = reader.readUInt8(), c <= 1, let d = reader.readInt64() else { return nil }
        return Vote(choice: c, date: d)
    }
}

/// votes(owner, user, choice, date), shaped like the application's table.
struct VotesTable: WriteBehindTable {
    var name: String { "votes" }
    var categoryCount: Int { 2 }

    static let migrations = [
        Migration(version: 1, name: "bench", sql: WriteBehindSchema.schemaSQL + """
            CREATE TABLE votes (owner INTEGER NOT NULL, user INTEGER NOT NULL,
                                choice INTEGER NOT NULL CHECK (choice IN (0, 1)), date INTEGER NOT NULL,
                                PRIMARY KEY (owner, user)) WITHOUT ROWID;
            CREATE INDEX votes_order ON votes(owner, date, user);
            """),
    ]

    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Vote? {
        try c.queryOne("SELECT choice, date FROM votes WHERE owner = ? AND user = ?", [.integer(owner), .integer(user)]) {
            Vote(choice: UInt8(truncatingIfNeeded: $0.int(0)), date: $0.int64(1))
        }
    }
    func counts(_ c: Connection, owner: Int64) throws -> [Int] {
        var out = [0, 0]
        try c.forEach("SELECT choice, count(*) FROM votes WHERE owner = ? GROUP BY choice", [.integer(owner)]) {
            let choice = $0.int(0)
            if choice == 0 || choice == 1 { out[choice] = $0.int(1) }
        }
        return out
    }
    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Vote)] {
        try c.query("SELECT user, choice, date FROM votes WHERE owner = ? ORDER BY date, user LIMIT ? OFFSET ?",
                    [.integer(owner), SQLValue(limit), SQLValue(offset)]) {
            ($0.int64(0), Vote(choice: UInt8(truncatingIfNeeded: $0.int(1)), date: $0.int64(2)))
        }
    }
    func page(_ c: Connection, owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Vote)] {
        try c.query("SELECT user, choice, date FROM votes WHERE owner = ? AND (date, user) > (?, ?) ORDER BY date, user LIMIT ?",
                    [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(limit)]) {
            ($0.int64(0), Vote(choice: UInt8(truncatingIfNeeded: $0.int(1)), date: $0.int64(2)))
        }
    }
    func page(_ c: Connection, owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Vote)] {
        try c.query("SELECT user, choice, date FROM votes WHERE owner = ? AND (date, user) < (?, ?) ORDER BY date DESC, user DESC LIMIT ?",
                    [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(limit)]) {
            ($0.int64(0), Vote(choice: UInt8(truncatingIfNeeded: $0.int(1)), date: $0.int64(2)))
        }
    }
    func storedKey(_ c: Connection, owner: Int64, after key: PageKey?, distance: Int) throws -> PageKey? {
        let map = { (r: Row) in PageKey(sortKey: r.int64(0), user: r.int64(1)) }
        if let key {
            return try c.queryOne("SELECT date, user FROM votes WHERE owner = ? AND (date, user) > (?, ?) ORDER BY date, user LIMIT 1 OFFSET ?",
                                  [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(distance - 1)], map)
        }
        return try c.queryOne("SELECT date, user FROM votes WHERE owner = ? ORDER BY date, user LIMIT 1 OFFSET ?",
                              [.integer(owner), SQLValue(distance - 1)], map)
    }
    func storedKey(_ c: Connection, owner: Int64, before key: PageKey?, distance: Int) throws -> PageKey? {
        let map = { (r: Row) in PageKey(sortKey: r.int64(0), user: r.int64(1)) }
        if let key {
            return try c.queryOne("SELECT date, user FROM votes WHERE owner = ? AND (date, user) < (?, ?) ORDER BY date DESC, user DESC LIMIT 1 OFFSET ?",
                                  [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(distance - 1)], map)
        }
        return try c.queryOne("SELECT date, user FROM votes WHERE owner = ? ORDER BY date DESC, user DESC LIMIT 1 OFFSET ?",
                              [.integer(owner), SQLValue(distance - 1)], map)
    }
    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Vote) throws {
        try c.run("INSERT OR REPLACE INTO votes (owner, user, choice, date) VALUES (?, ?, ?, ?)",
                  [.integer(owner), .integer(user), .integer(Int64(value.choice)), .integer(value.date)])
    }
    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try c.run("DELETE FROM votes WHERE owner = ? AND user = ?", [.integer(owner), .integer(user)])
    }
}
