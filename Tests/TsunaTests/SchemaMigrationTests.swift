import XCTest
import Foundation
import Store
import TestSupport
@testable import Tsuna

/// Migrations keep the data of a database made by an earlier version.
final class SchemaMigrationTests: XCTestCase {
    func testRebuildingTablesForAutoincrementKeepsRowsAndReferencesAndNeverReusesIds() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("tsuna.sqlite")
        // A database as version 3 left it, with rows that reference users, channels and contents.
        let old = try Store(path: path, migrations: Array(Schema.migrations.prefix(3)))
        try old.writeSync { c in
            try c.execute("""
                INSERT INTO users (id, token, email, password, first_name, date_joined, is_active) VALUES
                    (1, 'u1', 'a@x.io', 'p', 'A', 0, 1), (2, 'u2', 'b@x.io', 'p', 'B', 0, 1), (3, 'u3', 'c@x.io', 'p', 'C', 0, 1);
                INSERT INTO channels (id, token, owner_id, title, description, date_created) VALUES (7, 'c7', 1, 'T', 'D', 0);
                INSERT INTO contents (id, token, kind, channel_id, user_id, title, description, file, visibility, date)
                    VALUES (9, 'k9', 1, 7, 2, 'V', 'd', 'f', 'pu', 1);
                INSERT INTO votes (content_id, user_id, choice, date) VALUES (9, 3, 'u', 1);
                INSERT INTO channel_subscribers (channel_id, user_id, date) VALUES (7, 2, 1);
                INSERT INTO comments (id, token, content_id, user_id, body, date) VALUES (1, 'm1', 9, 3, 'hi', 1);
                DELETE FROM users WHERE id = 3;
                """)
        }
        old.close()

        let store = try Store(path: path, migrations: Schema.migrations)
        defer { store.close() }
        try store.read { c in
            XCTAssertEqual(try c.queryOne("SELECT count(*) AS n FROM users", [] as [SQLValue]) { $0.int("n") }, 2)
            XCTAssertEqual(try c.queryOne("SELECT user_id FROM contents WHERE id = 9", [] as [SQLValue]) { $0.int64("user_id") }, 2)
            XCTAssertEqual(try c.queryOne("SELECT count(*) AS n FROM channel_subscribers", [] as [SQLValue]) { $0.int("n") }, 1)
            XCTAssertEqual(try c.queryOne("SELECT published FROM content_counts WHERE channel_id = 7", [] as [SQLValue]) {
                $0.int("published")
            }, 1)
            XCTAssertNil(try c.queryOne("PRAGMA foreign_key_check", [] as [SQLValue]) { $0.string(0) })
        }
        try store.writeSync { c in
            // The highest ids go; new rows never get them again.
            try c.execute("DELETE FROM users WHERE id = 2; DELETE FROM contents WHERE id = 9; DELETE FROM channels WHERE id = 7;")
            try c.execute("""
                INSERT INTO users (token, email, password, first_name, date_joined) VALUES ('u4', 'd@x.io', 'p', 'D', 0);
                INSERT INTO channels (token, owner_id, title, description, date_created) VALUES ('c8', 1, 'T', 'D', 0);
                INSERT INTO contents (token, kind, channel_id, title, description, file, date)
                    SELECT 'k10', 1, id, 'V', 'd', 'f', 0 FROM channels WHERE token = 'c8';
                """)
        }
        try store.writeSync { c in
            // u4 took 3, freed before the upgrade (a restart, so no cache held it); freed now, 3 is never given again.
            try c.execute("""
                DELETE FROM users WHERE token = 'u4';
                INSERT INTO users (token, email, password, first_name, date_joined) VALUES ('u5', 'e@x.io', 'p', 'E', 0);
                """)
        }
        try store.read { c in
            XCTAssertEqual(try c.queryOne("SELECT id FROM users WHERE token = 'u5'", [] as [SQLValue]) { $0.int64("id") }, 4)
            XCTAssertEqual(try c.queryOne("SELECT id FROM channels WHERE token = 'c8'", [] as [SQLValue]) { $0.int64("id") }, 8)
            XCTAssertEqual(try c.queryOne("SELECT id FROM contents WHERE token = 'k10'", [] as [SQLValue]) { $0.int64("id") }, 10)
        }
    }
}
