import Foundation
import XCTest
import TestSupport
@testable import Store

/// Rows read by column name, values bound as plain Swift values, records decoded by name.
final class RowByNameTests: XCTestCase {
    var dir: TemporaryDirectory!
    var db: Connection!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory()
        db = try Connection(path: dir.file("test.sqlite"))
        try db.execute("""
            CREATE TABLE items(id INTEGER PRIMARY KEY, title TEXT NOT NULL, thumbnail TEXT, allow_comment INTEGER NOT NULL,
                               score REAL, data BLOB, parent INTEGER);
            """)
    }

    override func tearDown() {
        db?.close()
        dir?.remove()
    }

    func testEveryAccessorReadsByName() throws {
        try db.run("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)", [1, "first", "t.jpg", true, 2.5, [UInt8]([1, 2]), Int64(7)])
        try db.run("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)", [2, "second", String?.none, false, Double?.none, [UInt8]?.none, Int?.none])
        let rows = try db.query("SELECT * FROM items ORDER BY id") { r in
            (r.int64("id"), r.int("id"), r.string("title"), r.optionalString("thumbnail"), r.bool("allow_comment"),
             r.optionalBool("allow_comment"), r.double("score"), r.optionalDouble("score"), r.blob("data"),
             r.optionalInt64("parent"), r.optionalInt("parent"), r.isNull("parent"), r.value("title"))
        }
        XCTAssertEqual(rows.count, 2)
        let a = rows[0], b = rows[1]
        XCTAssertEqual(a.0, 1); XCTAssertEqual(a.1, 1); XCTAssertEqual(a.2, "first"); XCTAssertEqual(a.3, "t.jpg")
        XCTAssertEqual(a.4, true); XCTAssertEqual(a.5, true); XCTAssertEqual(a.6, 2.5); XCTAssertEqual(a.7, 2.5)
        XCTAssertEqual(a.8, [1, 2]); XCTAssertEqual(a.9, 7); XCTAssertEqual(a.10, 7); XCTAssertEqual(a.11, false)
        XCTAssertEqual(a.12, .text("first"))
        XCTAssertEqual(b.3, nil); XCTAssertEqual(b.4, false); XCTAssertEqual(b.5, false); XCTAssertEqual(b.6, 0)
        XCTAssertEqual(b.7, nil); XCTAssertEqual(b.8, []); XCTAssertEqual(b.9, nil); XCTAssertEqual(b.10, nil)
        XCTAssertEqual(b.11, true)
    }

    func testNamesAreAliasesOrBareColumnNamesAndMatchExactly() throws {
        try db.run("INSERT INTO items (id, title, allow_comment) VALUES (1, 'x', 1)")
        let (alias, bare, upper) = try XCTUnwrap(db.queryOne("SELECT i.title AS heading, i.id FROM items i") { r in
            (r.string("heading"), r.int64("id"), r.columnIndex("ID"))
        })
        XCTAssertEqual(alias, "x")
        XCTAssertEqual(bare, 1)
        XCTAssertNil(upper, "names match exactly, case included")
    }

    func testUnknownAndAmbiguousNamesHaveNoIndex() throws {
        try db.run("INSERT INTO items (id, title, allow_comment, parent) VALUES (1, 'x', 1, 1)")
        let found = try db.queryOne("SELECT a.id, b.id, a.title FROM items a JOIN items b ON b.id = a.parent") { r in
            (r.columnIndex("id"), r.columnIndex("title"), r.columnIndex("nope"))
        }
        XCTAssertEqual(found?.0, nil, "two columns are named id")
        XCTAssertEqual(found?.1, 2)
        XCTAssertEqual(found?.2, nil)
    }

    /// The per-statement memory of which column each read asked for must not confuse rows read in
    /// different orders, or a statement reused by later calls.
    func testReadsInAnyOrderAndAcrossCallsResolveCorrectly() throws {
        for i in 1...6 {
            try db.run("INSERT INTO items (id, title, allow_comment, parent) VALUES (?, ?, ?, ?)", [i, "t\(i)", i % 2 == 0, i * 10])
        }
        let sql = "SELECT id, title, allow_comment, parent FROM items ORDER BY id"
        for _ in 0..<3 {
            let rows = try db.query(sql) { r -> String in
                let id = r.int("id")
                // Odd rows read two columns in one order, even rows three in another.
                if id % 2 == 1 { return "\(id):\(r.string("title")):\(r.int("parent"))" }
                return "\(r.int("parent")):\(r.bool("allow_comment")):\(r.string("title")):\(id)"
            }
            XCTAssertEqual(rows, ["1:t1:10", "20:true:t2:2", "3:t3:30", "40:true:t4:4", "5:t5:50", "60:true:t6:6"])
        }
        XCTAssertEqual(db.cachedStatementCount, 2, "the insert and the select, each prepared once")
    }

    func testASchemaChangeRereadsTheNames() throws {
        try db.run("INSERT INTO items (id, title, allow_comment) VALUES (1, 'x', 1)")
        let sql = "SELECT * FROM items"
        XCTAssertEqual(try db.queryOne(sql) { $0.string("title") }, "x")
        try db.execute("ALTER TABLE items ADD COLUMN rating INTEGER NOT NULL DEFAULT 5")
        XCTAssertEqual(try db.queryOne(sql) { ($0.columnIndex("rating"), $0.int("rating")) }?.1, 5)
        XCTAssertEqual(try db.queryOne(sql) { $0.string("title") }, "x")
    }

    func testBindableValuesMixAndMatchSQLValues() throws {
        let id: Int64 = 9, title = "mixed", allow = true, thumb: String? = nil, score = 1.25
        let small: Int32 = 3, bytes: [UInt8] = [], parent: Int? = 4
        try db.run("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?)", [id, title, thumb, allow, score, bytes, parent])
        let kinds = try db.queryOne("SELECT typeof(id), typeof(title), typeof(thumbnail), allow_comment, typeof(score), typeof(data), parent FROM items WHERE id = ? AND allow_comment = ?",
                                    [id, allow]) { r in (0..<7).map { r.value($0) } }
        XCTAssertEqual(kinds, [.text("integer"), .text("text"), .text("null"), .integer(1), .text("real"), .text("blob"), .integer(4)])
        XCTAssertEqual(try db.queryOne("SELECT ? + ?", [small, 1]) { $0.int(0) }, 4)
        // The [SQLValue] form keeps working, as do literals and SQLValue inside a mixed list.
        XCTAssertEqual(try db.queryOne("SELECT title FROM items WHERE id = ?", [.integer(9)]) { $0.string(0) }, "mixed")
        XCTAssertEqual(try db.queryOne("SELECT title FROM items WHERE id = ?", [9]) { $0.string(0) }, "mixed")
        XCTAssertEqual(try db.queryOne("SELECT ? || ?", [SQLValue.text("a"), title]) { $0.string(0) }, "amixed")
        var out: [Int64] = []
        try db.forEach("SELECT id FROM items WHERE id = ?", [id]) { out.append($0.int64("id")) }
        XCTAssertEqual(out, [9])
        XCTAssertThrowsError(try db.run("SELECT ?", [id, title]), "the count must still match") { error in
            XCTAssertTrue(String(describing: error).contains("expects 1 arguments, got 2"))
        }
    }

    struct Item: RowDecodable, Equatable {
        let id: Int64
        let title: String
        let thumbnail: String?
        init(id: Int64, title: String, thumbnail: String?) {
            self.id = id
            self.title = title
            self.thumbnail = thumbnail
        }
        init(row: Row) {
            id = row.int64("id")
            title = row.string("title")
            thumbnail = row.optionalString("thumbnail")
        }
    }

    func testRecordsDecodeByName() throws {
        try db.run("INSERT INTO items (id, title, thumbnail, allow_comment) VALUES (1, 'a', NULL, 1), (2, 'b', 'b.jpg', 0)")
        // Column order differs from the record's: names decide.
        let all = try db.query("SELECT thumbnail, title, id FROM items ORDER BY id", as: Item.self)
        XCTAssertEqual(all, [Item(id: 1, title: "a", thumbnail: nil), Item(id: 2, title: "b", thumbnail: "b.jpg")])
        XCTAssertEqual(try db.queryOne("SELECT * FROM items WHERE id = ?", [Int64(2)], as: Item.self)?.title, "b")
        XCTAssertNil(try db.queryOne("SELECT * FROM items WHERE id = ?", [.integer(3)], as: Item.self))
    }

    // MARK: - A misspelt name

    static let workerVariable = "TSUNA_STORE_BAD_NAME_WORKER"

    /// Debug builds stop on a name the result does not have, naming it, the SQL and the columns. Run in
    /// a child process (this test binary, re-executed on the worker test below), since it traps.
    func testAnUnknownNameStopsADebugBuildWithAMessage() throws {
        #if DEBUG
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        child.arguments = ["StoreTests.RowByNameTests/testUnknownNameWorker"]
        var env = ProcessInfo.processInfo.environment
        env[Self.workerVariable] = dir.path
        child.environment = env
        let errors = Pipe()
        child.standardOutput = FileHandle.nullDevice
        child.standardError = errors
        try child.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationReason, .uncaughtSignal, text)
        XCTAssertTrue(text.contains("no result column is named \"titel\" in: SELECT id, title FROM items"), text)
        XCTAssertTrue(text.contains("(columns: id, title)"), text)
        #else
        try db.run("INSERT INTO items (id, title, allow_comment) VALUES (1, 'x', 1)")
        let read = try db.queryOne("SELECT id, title FROM items") { ($0.string("titel"), $0.optionalInt64("nope")) }
        XCTAssertEqual(read?.0, "", "release builds read an unknown name as NULL")
        XCTAssertEqual(read?.1, nil)
        #endif
    }

    /// The child half of the test above.
    func testUnknownNameWorker() throws {
        guard ProcessInfo.processInfo.environment[Self.workerVariable] != nil else {
            throw XCTSkip("runs only as the child of testAnUnknownNameStopsADebugBuildWithAMessage")
        }
        try db.run("INSERT INTO items (id, title, allow_comment) VALUES (1, 'x', 1)")
        _ = try db.queryOne("SELECT id, title FROM items") { $0.string("titel") }
    }
}
