import XCTest
import Foundation
import Store
import TestSupport
@testable import Tsuna

/// Every list reads its page in index order: no full scan and no temporary sort of an owner's rows, whether the
/// page is reached by offset or by position (SPEC 1, pagination; the scale issue).
final class ListQueryPlanTests: XCTestCase {
    var folder: TemporaryDirectory!
    var store: Store!

    override func setUpWithError() throws {
        folder = try TemporaryDirectory()
        store = try Store(path: folder.file("tsuna.sqlite"), migrations: Schema.migrations)
    }

    override func tearDownWithError() throws {
        store.close()
        folder.remove()
    }

    /// The plan's detail lines for `sql`.
    func plan(_ sql: String, _ args: [any SQLBindable]) throws -> [String] {
        try store.read { c in try c.query("EXPLAIN QUERY PLAN " + sql, args) { $0.string("detail") } }
    }

    func assertIndexed(_ sql: String, _ args: [any SQLBindable], _ label: String, file: StaticString = #filePath,
                       line: UInt = #line) throws {
        let lines = try plan(sql, args)
        XCTAssertFalse(lines.isEmpty, label, file: file, line: line)
        for l in lines {
            XCTAssertFalse(l.contains("TEMP B-TREE"), "\(label): \(l)", file: file, line: line)
            // A bare "SCAN <table>" reads the whole table; json_each is the caller's own small id list.
            if l.hasPrefix("SCAN") && !l.contains("json_each") {
                XCTFail("\(label): \(l)", file: file, line: line)
            }
        }
    }

    /// Pages and, for an offset in the back half, the list's count (the page is then read from the end).
    static let positions: [(String, Page, Int?)] = [
        ("page 1", Page(limit: 15, offset: 0), nil),
        ("deep offset", Page(limit: 15, offset: 150_000), nil),
        ("deep offset from the end", Page(limit: 15, offset: 150_000), 200_000),
        ("past the end", Page(limit: 15, offset: 250_000), 200_000),
        ("after", Page(limit: 15, offset: 150_000, position: .after([1_700_000_000_000_000, 42])), 200_000),
        ("before", Page(limit: 15, offset: 150_000, position: .before([1_700_000_000_000_000, 42])), 200_000),
    ]

    func testContentListsReadTheirIndexInOrder() throws {
        for (label, page, total) in Self.positions {
            for (includePrivate, title) in [(false, nil), (true, nil), (false, "Clip"), (true, "Clip")] as [(Bool, String?)] {
                let q = ContentsStore.listQuery(channelId: 1, kind: .video, includePrivate: includePrivate, title: title)
                let sql = Connection.pageQuery(ContentsStore.columns, from: "contents", where: q.scope, q.args,
                                               ContentsStore.order, page, total: total)
                try assertIndexed(sql.sql, sql.args, "contents \(label) private=\(includePrivate) title=\(title ?? "-")")
                // A back-half offset reads the same index from its end (ascending), then reverses the rows.
                XCTAssertEqual(sql.reversed, page.position != nil ? page.position != .after([1_700_000_000_000_000, 42])
                                                                 : total.map { page.offset > $0 / 2 } ?? false, label)
            }
        }
    }

    func testCommentAndAdminListsReadTheirIndexInOrder() throws {
        for (label, page, total) in Self.positions {
            let comments = Connection.pageQuery(CommentsStore.columns, from: CommentsStore.from,
                                                where: CommentsStore.topLevelScope, [1], CommentsStore.order,
                                                Page(limit: page.limit, offset: page.offset, position: page.position.map {
                                                    switch $0 {
                                                    case .after(let k): return .after([1] + k)
                                                    case .before(let k): return .before([0] + k)
                                                    }
                                                }), total: total)
            try assertIndexed(comments.sql, comments.args, "comments \(label)")
            let admins = Connection.pageQuery(ChannelAdminsStore.columns, from: "channel_admins", where: "channel_id = ?", [1],
                                              ChannelAdminsStore.order, page, total: total)
            try assertIndexed(admins.sql, admins.args, "channel admins \(label)")
            let mine = Connection.pageQuery("channel_id", from: "channel_admins", where: "user_id = ?", [1],
                                            ChannelAdminsStore.channelOrder, Page(limit: 15, offset: page.offset,
                                                                                  position: page.position == nil ? nil : .after([9])),
                                            total: total)
            try assertIndexed(mine.sql, mine.args, "channels of a user \(label)")
        }
        try assertIndexed("SELECT replies_count FROM comments WHERE parent_id = ? ORDER BY date, id", [1], "replies")
    }

    func testWriteBehindTablesPageAndCountThroughTheirIndexes() throws {
        for (name, sql) in [("subscribers", DatedTable.subscriptions.selectPage), ("viewers", DatedTable.viewers.selectPage),
                            ("votes", VotesTable.selectPage)] {
            try assertIndexed(sql, [1, 15, 150_000], name)
        }
    }

    func testCountsAreKeptNotCounted() throws {
        try store.writeSync { c in
            try c.execute("""
                INSERT INTO users (id, token, email, password, first_name, date_joined, is_active) VALUES (1, 'u', 'a@b.c', 'x', 'A', 0, 1);
                INSERT INTO channels (id, token, owner_id, title, description, date_created) VALUES (1, 'c', 1, 'T', 'D', 0);
                INSERT INTO contents (id, token, kind, channel_id, user_id, title, description, file, visibility, date)
                    VALUES (1, 'a', 1, 1, 1, 'A', 'd', 'f', 'pu', 1), (2, 'b', 1, 1, 1, 'B', 'd', 'f', 'pr', 2),
                           (3, 'm', 2, 1, 1, 'M', 'd', 'f', 'pu', 3);
                INSERT INTO comments (id, token, content_id, user_id, parent_id, body, date) VALUES
                    (1, 'x', 1, 1, NULL, 'top', 1), (2, 'y', 1, 1, 1, 'reply', 2), (3, 'z', 1, 1, 1, 'reply', 3),
                    (4, 'w', 1, 1, NULL, 'top', 4);
                UPDATE contents SET visibility = 'pu' WHERE id = 2;
                DELETE FROM comments WHERE id = 3;
                """)
        }
        let (videos, _) = try store.read { try ContentsStore.list(channelId: 1, kind: .video, includePrivate: false, title: nil,
                                                                  page: Page(limit: 15, offset: 0), $0) }
        XCTAssertEqual(videos, 2)
        let (comments, rows) = try store.read { try CommentsStore.topLevel(contentId: 1, page: Page(limit: 15, offset: 0), $0) }
        XCTAssertEqual(comments, 2)
        XCTAssertEqual(rows.first { $0.id == 1 }?.repliesCount, 1)
        try store.writeSync { c in try c.execute("DELETE FROM comments WHERE id = 1; DELETE FROM contents WHERE id = 1;") }
        let (after, _) = try store.read { try ContentsStore.list(channelId: 1, kind: .video, includePrivate: true, title: nil,
                                                                 page: Page(limit: 15, offset: 0), $0) }
        XCTAssertEqual(after, 1)
    }
}
