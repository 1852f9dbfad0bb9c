import Platform
import Foundation
import Store
import XCTest
import TestSupport
@testable import WriteBehind

/// A fresh directory under the system temp folder, removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tsuna-wb-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// File names in `sub`, sorted.
    func listing(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(sub))) ?? []).sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A subscription-like value: only a date.
struct Sub: WriteBehindValue, Hashable {
    var date: Int64
    var category: Int { 0 }
    var sortKey: Int64 { date }
    func encode(into bytes: inout [UInt8]) { bytes.appendLittleEndian(date) }
    static func decode(_ reader: inout SnapshotReader) -> Sub? { reader.readInt64().map(Sub.init) }
}

/// A vote: choice 0 (up) or 1 (down), and a date.
struct Vote: WriteBehindValue, Hashable {
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

/// Switches a test flips to make the table's writes fail or wait (shared with the writer thread).
final class TableHooks: Sendable {
    /// When set, upsert throws this non-constraint error (SQLITE_FULL) before touching the database.
    let failWrites = Locked(false)
    /// When set, writes of this user throw the same error.
    let failUser = Locked<Int64?>(nil)
    /// When set, the first upsert of this user blocks: `reached` is signalled, then it waits for `release`.
    let pauseOnUser = Locked<Int64?>(nil)
    let reached = DispatchSemaphore(value: 0)
    let release = DispatchSemaphore(value: 0)
    /// Rows written (upserts and deletes) since creation.
    let writes = Locked(0)
    /// `storedKey` calls since creation.
    let keyReads = Locked(0)
    /// The index entries those calls stepped over (their distances), since creation.
    let keySteps = Locked(0)
    /// Rows returned by the page queries since creation.
    let rowsRead = Locked(0)

    func read<T>(_ rows: [T]) -> [T] {
        rowsRead.withLock { $0 += rows.count }
        return rows
    }

    func beforeWrite(user: Int64) throws {
        writes.withLock { $0 += 1 }
        if failWrites.withLock({ $0 }) || failUser.withLock({ $0 == user }) {
            throw StoreError(code: 13, message: "injected: database or disk is full")
        }
        let pause = pauseOnUser.withLock { p -> Bool in
            if p == user { p = nil; return true }
            return false
        }
        if pause {
            reached.signal()
            release.wait()
        }
    }
}

/// subs(owner, user, date), owner referencing owners(id) so a flush can hit a foreign-key violation.
struct SubsTable: WriteBehindTable {
    var name = "subs"
    var categoryCount: Int { 1 }
    let hooks = TableHooks()
    /// Whether `existingOwners` answers (most tests add owners only after a restart).
    var checksOwners = false

    static let schema = """
        CREATE TABLE owners (id INTEGER PRIMARY KEY);
        CREATE TABLE subs (owner INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
                           user INTEGER NOT NULL, date INTEGER NOT NULL,
                           PRIMARY KEY (owner, user)) WITHOUT ROWID;
        CREATE INDEX subs_order ON subs(owner, date, user);
        """

    func fetch(_ c: Connection, owner: Int64, user: Int64) throws -> Sub? {
        try c.queryOne("SELECT date FROM subs WHERE owner = ? AND user = ?", [.integer(owner), .integer(user)]) {
            Sub(date: $0.int64(0))
        }
    }
    func counts(_ c: Connection, owner: Int64) throws -> [Int] {
        [try c.queryOne("SELECT count(*) FROM subs WHERE owner = ?", [.integer(owner)]) { $0.int(0) } ?? 0]
    }
    func page(_ c: Connection, owner: Int64, limit: Int, offset: Int) throws -> [(user: Int64, value: Sub)] {
        try hooks.read(c.query("SELECT user, date FROM subs WHERE owner = ? ORDER BY date, user LIMIT ? OFFSET ?",
                    [.integer(owner), SQLValue(limit), SQLValue(offset)]) { ($0.int64(0), Sub(date: $0.int64(1))) })
    }
    func page(_ c: Connection, owner: Int64, after key: PageKey, limit: Int) throws -> [(user: Int64, value: Sub)] {
        try hooks.read(c.query("SELECT user, date FROM subs WHERE owner = ? AND (date, user) > (?, ?) ORDER BY date, user LIMIT ?",
                               [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(limit)]) {
            ($0.int64(0), Sub(date: $0.int64(1)))
        })
    }
    func page(_ c: Connection, owner: Int64, before key: PageKey, limit: Int) throws -> [(user: Int64, value: Sub)] {
        try hooks.read(c.query("SELECT user, date FROM subs WHERE owner = ? AND (date, user) < (?, ?) ORDER BY date DESC, user DESC LIMIT ?",
                               [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(limit)]) {
            ($0.int64(0), Sub(date: $0.int64(1)))
        })
    }
    /// Counts its calls, so tests can bound how many keys a page reads.
    func storedKey(_ c: Connection, owner: Int64, after key: PageKey?, distance: Int) throws -> PageKey? {
        hooks.keyReads.withLock { $0 += 1 }
        hooks.keySteps.withLock { $0 += distance }
        let map = { (r: Row) in PageKey(sortKey: r.int64(0), user: r.int64(1)) }
        if let key {
            return try c.queryOne("SELECT date, user FROM subs WHERE owner = ? AND (date, user) > (?, ?) ORDER BY date, user LIMIT 1 OFFSET ?",
                                  [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(distance - 1)], map)
        }
        return try c.queryOne("SELECT date, user FROM subs WHERE owner = ? ORDER BY date, user LIMIT 1 OFFSET ?",
                              [.integer(owner), SQLValue(distance - 1)], map)
    }
    func storedKey(_ c: Connection, owner: Int64, before key: PageKey?, distance: Int) throws -> PageKey? {
        hooks.keyReads.withLock { $0 += 1 }
        hooks.keySteps.withLock { $0 += distance }
        let map = { (r: Row) in PageKey(sortKey: r.int64(0), user: r.int64(1)) }
        if let key {
            return try c.queryOne("SELECT date, user FROM subs WHERE owner = ? AND (date, user) < (?, ?) ORDER BY date DESC, user DESC LIMIT 1 OFFSET ?",
                                  [.integer(owner), .integer(key.sortKey), .integer(key.user), SQLValue(distance - 1)], map)
        }
        return try c.queryOne("SELECT date, user FROM subs WHERE owner = ? ORDER BY date DESC, user DESC LIMIT 1 OFFSET ?",
                              [.integer(owner), SQLValue(distance - 1)], map)
    }
    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Sub) throws {
        try hooks.beforeWrite(user: user)
        try c.run("INSERT OR REPLACE INTO subs (owner, user, date) VALUES (?, ?, ?)",
                  [.integer(owner), .integer(user), .integer(value.date)])
    }
    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try hooks.beforeWrite(user: user)
        try c.run("DELETE FROM subs WHERE owner = ? AND user = ?", [.integer(owner), .integer(user)])
    }
    func existingOwners(_ c: Connection, ids: [Int64]) throws -> Set<Int64>? {
        checksOwners ? try ExistingRows.ids(c, table: "owners", among: ids) : nil
    }
}

/// votes(owner, user, choice, date): two categories.
struct VotesTable: WriteBehindTable {
    var name = "votes"
    var categoryCount: Int { 2 }

    static let schema = """
        CREATE TABLE votes (owner INTEGER NOT NULL, user INTEGER NOT NULL,
                            choice INTEGER NOT NULL CHECK (choice IN (0, 1)), date INTEGER NOT NULL,
                            PRIMARY KEY (owner, user)) WITHOUT ROWID;
        CREATE INDEX votes_order ON votes(owner, date, user);
        """

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
    func upsert(_ c: Connection, owner: Int64, user: Int64, value: Vote) throws {
        try c.run("INSERT OR REPLACE INTO votes (owner, user, choice, date) VALUES (?, ?, ?, ?)",
                  [.integer(owner), .integer(user), .integer(Int64(value.choice)), .integer(value.date)])
    }
    func delete(_ c: Connection, owner: Int64, user: Int64) throws {
        try c.run("DELETE FROM votes WHERE owner = ? AND user = ?", [.integer(owner), .integer(user)])
    }
}

/// The schema every test database gets.
let testMigrations = [
    Migration(version: 1, name: "write-behind test tables",
              sql: WriteBehindSchema.schemaSQL + SubsTable.schema + VotesTable.schema),
]

/// A temp directory with a store; caches are opened on it with `subs`/`votes`.
final class Fixture {
    let dir: TempDirectory
    private(set) var store: Store
    /// Where the database and the snapshots live: the temp directory, or a tmpfs mounted in it.
    let dataFolder: String
    /// The tmpfs, when asked for.
    let disk: ScratchMount?
    var snapshots: String { dataFolder + "/snapshots" }
    var databasePath: String { dataFolder + "/db.sqlite" }

    /// `diskBytes`: the database and the snapshots on a tmpfs of that size (skips the test where
    /// mounting is not allowed).
    init(busyTimeoutMilliseconds: Int32 = 5000, diskBytes: Int? = nil) throws {
        dir = try TempDirectory()
        if let bytes = diskBytes {
            let disk = try ScratchMount(at: dir.file("disk"), bytes: bytes)
            self.disk = disk
            dataFolder = disk.path
        } else {
            disk = nil
            dataFolder = dir.path
        }
        store = try Store(path: dataFolder + "/db.sqlite", migrations: testMigrations, maxReaders: 4,
                          busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    /// Closes the store and opens a fresh one on the same file (a restart).
    func reopenStore() throws {
        store.close()
        store = try Store(path: databasePath, migrations: testMigrations, maxReaders: 4)
    }

    /// A subs cache; no reserve file unless asked (most tests list the snapshot folder).
    func subs(shards: Int = 4, table: SubsTable = SubsTable(), limit: Int = 200_000,
              batch: Int = 10_000, reserve: Int = 0, log: (@Sendable (String) -> Void)? = nil) throws -> WriteBehindCache<SubsTable> {
        try WriteBehindCache(table: table, store: store, shardCount: shards, snapshotDirectory: snapshots,
                             countedOwnerLimit: limit, flushBatchSize: batch, reserveBytes: reserve, log: log)
    }

    func votes(shards: Int = 4, reserve: Int = 0) throws -> WriteBehindCache<VotesTable> {
        try WriteBehindCache(table: VotesTable(), store: store, shardCount: shards, snapshotDirectory: snapshots,
                             reserveBytes: reserve)
    }

    /// Creates owner rows (the subs foreign key needs them).
    func addOwners(_ ids: some Sequence<Int64>) throws {
        try store.writeSync { c in
            for id in ids { try c.run("INSERT OR IGNORE INTO owners (id) VALUES (?)", [.integer(id)]) }
        }
    }

    /// Stores rows directly, as if flushed long ago.
    func storeSubs(_ rows: [(owner: Int64, user: Int64, date: Int64)]) throws {
        try addOwners(rows.map(\.owner))
        try store.writeSync { c in
            for r in rows {
                try c.run("INSERT OR REPLACE INTO subs VALUES (?, ?, ?)", [.integer(r.owner), .integer(r.user), .integer(r.date)])
            }
        }
    }

    /// All subs rows, owner → user → date.
    func storedSubs() throws -> [Int64: [Int64: Int64]] {
        var out: [Int64: [Int64: Int64]] = [:]
        try store.read { c in
            try c.forEach("SELECT owner, user, date FROM subs") { out[$0.int64(0), default: [:]][$0.int64(1)] = $0.int64(2) }
        }
        return out
    }

    /// All votes rows as (owner, user) → vote.
    func storedVotes() throws -> [Pair: Vote] {
        var out: [Pair: Vote] = [:]
        try store.read { c in
            try c.forEach("SELECT owner, user, choice, date FROM votes") {
                out[Pair($0.int64(0), $0.int64(1))] = Vote(choice: UInt8(truncatingIfNeeded: $0.int(2)), date: $0.int64(3))
            }
        }
        return out
    }

    func flushedSeq(_ cache: String) throws -> [Int: Int64] {
        var out: [Int: Int64] = [:]
        try store.read { c in
            try c.forEach("SELECT shard, flushed_seq FROM write_behind_state WHERE cache = ?", [.text(cache)]) {
                out[$0.int(0)] = $0.int64(1)
            }
        }
        return out
    }

    deinit {
        store.close()
        disk?.unmount()
        dir.remove()
    }
}

/// An (owner, user) key for test models.
struct Pair: Hashable {
    var owner: Int64
    var user: Int64
    init(_ owner: Int64, _ user: Int64) {
        self.owner = owner
        self.user = user
    }
}

/// Asserts that `body` throws a WriteBehindError whose description contains every fragment.
func assertThrowsMessage<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                            file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        let text = String(describing: error)
        for f in fragments where !text.contains(f) {
            XCTFail("\"\(text)\" does not contain \"\(f)\"", file: file, line: line)
        }
    }
}
