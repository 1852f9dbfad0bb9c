import Foundation
import XCTest
import TestSupport
@testable import Store

final class MigrationTests: XCTestCase {
    var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory() }
    override func tearDown() { dir?.remove() }

    static let three = [
        Migration(version: 1, name: "users", sql: "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT UNIQUE);"),
        Migration(version: 2, name: "seed", sql: "INSERT INTO users(email) VALUES ('first@example.com');"),
        Migration(version: 3, name: "posts", sql: """
            CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));
            CREATE INDEX posts_user ON posts(user_id);
            """),
    ]

    func testMigrationsApplyOnceAndRecordTheVersion() throws {
        let c = try Connection(path: dir.file("m.sqlite"))
        defer { c.close() }
        let first = try Migrator.migrate(c, Self.three)
        XCTAssertEqual(first.from, 0)
        XCTAssertEqual(first.to, 3)
        XCTAssertEqual(try c.userVersion, 3)
        let second = try Migrator.migrate(c, Self.three)
        XCTAssertEqual(second.from, 3)
        XCTAssertEqual(second.to, 3)
        XCTAssertEqual(try c.queryOne("SELECT count(*) FROM users") { $0.int(0) }, 1)   // seed ran once
        let fourth = Migration(version: 4, name: "bio", sql: "ALTER TABLE users ADD COLUMN bio TEXT;")
        let third = try Migrator.migrate(c, Self.three + [fourth])
        XCTAssertEqual(third.from, 3)
        XCTAssertEqual(third.to, 4)
        XCTAssertEqual(try c.userVersion, 4)
    }

    func testStoreReopenAppliesNothing() throws {
        let path = dir.file("s.sqlite")
        var store: Store? = try Store(path: path, migrations: Self.three)
        XCTAssertEqual(try store?.read { try $0.userVersion }, 3)
        store?.close()
        store = try Store(path: path, migrations: Self.three)
        XCTAssertEqual(try store?.read { try $0.queryOne("SELECT count(*) FROM users") { $0.int(0) } }, 1)
        XCTAssertEqual(try store?.read { try $0.userVersion }, 3)
        store?.close()
        store = nil
    }

    func testFailingMigrationRollsBackAndKeepsTheVersion() throws {
        let c = try Connection(path: dir.file("f.sqlite"))
        defer { c.close() }
        let broken = [
            Self.three[0],
            Migration(version: 2, name: "half", sql: "CREATE TABLE extra(id INTEGER); INSERT INTO nowhere VALUES (1);"),
        ]
        assertStoreError(try Migrator.migrate(c, broken)) {
            XCTAssertTrue($0.message.contains("migration 2 (half)"), $0.message)
        }
        XCTAssertEqual(try c.userVersion, 1)
        XCTAssertNil(try c.queryOne("SELECT name FROM sqlite_master WHERE name = 'extra'") { $0.string(0) })
        XCTAssertFalse(c.isInTransaction)
    }

    func testNewerDatabaseIsRefusedAndLeftByteForByteUnchanged() throws {
        for journal in ["WAL", "DELETE"] {
            let path = dir.file("newer-\(journal).sqlite")
            let c = try Connection(path: path)
            try c.execute("PRAGMA journal_mode=\(journal); CREATE TABLE x(a); INSERT INTO x VALUES (1);")
            try c.setUserVersion(7)
            c.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let listing = dir.listing()
            let fiveMigrations = (1...5).map { Migration(version: $0, name: "m\($0)", sql: "CREATE TABLE t\($0)(a);") }

            XCTAssertThrowsError(try Store(path: path, migrations: fiveMigrations)) { error in
                XCTAssertEqual(error as? MigrationError, .databaseNewer(database: 7, binary: 5))
                let text = String(describing: error)
                XCTAssertTrue(text.contains("7") && text.contains("(5)"), text)
            }
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, journal)
            XCTAssertEqual(dir.listing(), listing, journal)   // not even a -wal or -shm file appeared
            XCTAssertEqual(before[18], journal == "WAL" ? 2 : 1)   // header: journal mode kept
        }
    }

    func testNewerDatabaseInUseByAnotherProcessIsRefusedUnchanged() throws {
        // A running (newer) server keeps a -wal file: the version may live only there.
        let path = dir.file("busy-newer.sqlite")
        let server = try Connection(path: path)
        defer { server.close() }
        try server.execute("CREATE TABLE x(a); PRAGMA wal_autocheckpoint=0;")
        try server.setUserVersion(8)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Store(path: path, migrations: Self.three)) {
            XCTAssertEqual($0 as? MigrationError, .databaseNewer(database: 8, binary: 3))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        XCTAssertEqual(try server.userVersion, 8)
    }

    func testHeaderProbeReadsTheVersion() throws {
        let path = dir.file("header.sqlite")
        XCTAssertNil(try VersionProbe.userVersion(path: path, busyTimeoutMilliseconds: 10))
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        XCTAssertEqual(try VersionProbe.headerUserVersion(path: path), 0)
        let c = try Connection(path: path)
        try c.setUserVersion(123_456)
        c.close()
        XCTAssertEqual(try VersionProbe.headerUserVersion(path: path), 123_456)
        try Data("definitely not sqlite".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertNil(try VersionProbe.headerUserVersion(path: path))
        XCTAssertThrowsError(try Store(path: path, migrations: Self.three))   // SQLite: not a database
    }

    func testMigratorRefusesANewerDatabaseOnAConnection() throws {
        let c = try Connection(path: dir.file("n.sqlite"))
        defer { c.close() }
        try c.setUserVersion(9)
        XCTAssertThrowsError(try Migrator.migrate(c, Self.three)) {
            XCTAssertEqual($0 as? MigrationError, .databaseNewer(database: 9, binary: 3))
        }
        XCTAssertEqual(try c.userVersion, 9)
    }

    func testInvalidMigrationListsAreRejected() throws {
        func m(_ v: Int) -> Migration { Migration(version: v, name: "m\(v)", sql: "SELECT 1;") }
        for list in [[m(1), m(1)], [m(2)], [m(1), m(3)], [m(2), m(1)], [m(0)], [m(-1)]] {
            let path = dir.file("invalid.sqlite")
            XCTAssertThrowsError(try Store(path: path, migrations: list)) { error in
                guard case .invalidMigrations(let why)? = error as? MigrationError else {
                    return XCTFail("expected invalidMigrations, got \(error)")
                }
                XCTAssertFalse(why.isEmpty)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))   // nothing created
        }
        XCTAssertNoThrow(try Migrator.validate([]))
        XCTAssertNoThrow(try Migrator.validate([m(1), m(2)]))
    }
}
