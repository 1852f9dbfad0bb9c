import XCTest
import Foundation
import Store
import Mail
@testable import Tsuna

/// Every list of the panel walks an index in the order it shows: SQLite's plan for the real query text has no
/// sort of its own (no temporary B-tree) and uses the index named here, whatever the page.
final class AdminQueryPlanTests: XCTestCase {
    private func withStore(_ migrations: [Migration] = Schema.migrations, _ body: (Store) throws -> Void) throws {
        let dir = NSTemporaryDirectory() + "tsuna-plan-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: dir + "/tsuna.sqlite", migrations: migrations)
        defer { store.close() }
        try body(store)
    }

    private func assertPlan(_ query: SQLQuery, uses index: String, _ store: Store, file: StaticString = #filePath, line: UInt = #line) throws {
        let plan = try store.read { try query.plan($0) }
        let text = plan.joined(separator: " | ")
        XCTAssertFalse(text.contains("TEMP B-TREE"), "sorts: \(text)\n\(query.sql)", file: file, line: line)
        XCTAssertTrue(text.contains(index), "expected \(index): \(text)\n\(query.sql)", file: file, line: line)
    }

    func testEveryPanelListUsesAnIndexInItsOrder() throws {
        try withStore { store in
            let search = PrefixSearch(prefix: "ada"), next = PrefixSearch(prefix: "ada", afterText: "ada@x", afterId: 7)
            for cursor in [IdCursor.newest, .olderThan(100), .newerThan(100)] {
                let rowid = cursor == .newest ? "SCAN" : "INTEGER PRIMARY KEY"
                try assertPlan(AccountsStore.pageQuery(cursor, limit: 26), uses: rowid, store)
                try assertPlan(ChannelsStore.pageQuery(cursor, limit: 26), uses: rowid, store)
                try assertPlan(ContentsStore.pageQuery(kind: nil, cursor, limit: 26), uses: rowid, store)
                try assertPlan(ContentsStore.pageQuery(kind: .music, cursor, limit: 26), uses: "contents_kind", store)
                try assertPlan(CommentsStore.pageQuery(cursor, limit: 26), uses: rowid, store)
                try assertPlan(CommentsStore.searchQuery(words: ["spam", "x"], cursor, limit: 26), uses: "comments_search", store)
                try assertPlan(AuditLog.pageQuery(cursor, limit: 26), uses: rowid, store)
            }
            for s in [search, next] {
                try assertPlan(AccountsStore.emailSearchQuery(s, limit: 26), uses: "users_email", store)
                try assertPlan(AccountsStore.nameSearchQuery(s, limit: 26), uses: "users_name", store)
                try assertPlan(ChannelsStore.titleSearchQuery(s, limit: 26), uses: "channels_title_nocase", store)
                try assertPlan(ContentsStore.titleSearchQuery(kind: nil, s, limit: 26), uses: "contents_title", store)
                try assertPlan(ContentsStore.titleSearchQuery(kind: .video, s, limit: 26), uses: "contents_title", store)
            }
            for (filter, index) in [(Outbox.Filter.queued, "outbox_pending"), (.failed, "outbox_failed")] {
                for (before, after) in [(nil, nil), (Int64(50), nil), (nil, Int64(50))] as [(Int64?, Int64?)] {
                    let (sql, arguments) = Outbox.listQuery(filter, before: before, after: after, limit: 26)
                    try assertPlan(SQLQuery(sql: sql, arguments: arguments), uses: index, store)
                }
            }
            let (sql, arguments) = Outbox.listQuery(.all, before: 10, after: nil, limit: 26)
            try assertPlan(SQLQuery(sql: sql, arguments: arguments), uses: "INTEGER PRIMARY KEY", store)
        }
    }

    func testPrefixSearchesMatchAnyCaseAndStopAtThePrefix() throws {
        try withStore { store in
            try store.writeSync { c in
                for (i, email) in ["ada@example.com", "ADAM@example.com", "adb@example.com", "ad@example.com", "bob@example.com"].enumerated() {
                    try c.run("INSERT INTO users (token, email, password, first_name, last_name, date_joined) VALUES (?, ?, 'x', ?, 'L', 0)",
                              [.text(UUID().uuidString), .text(email), .text("N\(i)")])
                }
            }
            let emails = try store.read { c in
                try AccountsStore.emailSearchQuery(PrefixSearch(prefix: "Ada"), limit: 10).rows(c) { $0.string("email") }
            }
            XCTAssertEqual(emails, ["ada@example.com", "ADAM@example.com"])
            let afterFirst = try store.read { c in
                try AccountsStore.emailSearchQuery(PrefixSearch(prefix: "ada", afterText: "ada@example.com", afterId: 1), limit: 10)
                    .rows(c) { $0.string("email") }
            }
            XCTAssertEqual(afterFirst, ["ADAM@example.com"])
        }
    }

    func testThePanelMigrationIndexesTheCommentsThatAlreadyExist() throws {
        let dir = NSTemporaryDirectory() + "tsuna-v2-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/tsuna.sqlite"
        // The schema as it was before the panel's migration, with a comment in it.
        let before = Array(Schema.migrations.prefix { $0.name != "administration panel lists and searches" })
        XCTAssertLessThan(before.count, Schema.migrations.count)
        let older = try Store(path: path, migrations: before)
        try older.writeSync { c in
            try c.execute("""
                INSERT INTO users (id, token, email, password, first_name, date_joined) VALUES (1, 'u', 'a@x.y', 'x', 'A', 0);
                INSERT INTO channels (id, token, owner_id, title, description, date_created) VALUES (1, 'c', 1, 'T', 'D', 0);
                INSERT INTO contents (id, token, kind, channel_id, title, description, file, date) VALUES (1, 'i', 1, 1, 'T', 'D', 'f', 0);
                INSERT INTO comments (id, token, content_id, user_id, body, date) VALUES (1, 'm', 1, 1, 'an older remark', 0);
                """)
        }
        older.close()
        let latest = try Store(path: path, migrations: Schema.migrations)
        defer { latest.close() }
        let found = try latest.read { c in
            try CommentsStore.searchQuery(words: ["remark"], .newest, limit: 5).rows(c) { $0.string("token") }
        }
        XCTAssertEqual(found, ["m"])
    }
}
