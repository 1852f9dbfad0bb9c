import CSQLite
import XCTest
import TestSupport
@testable import Store

final class ConnectionTests: XCTestCase {
    var dir: TemporaryDirectory!
    var db: Connection!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory()
        db = try Connection(path: dir.file("test.sqlite"))
        try db.execute("""
            CREATE TABLE t(id INTEGER PRIMARY KEY, v);
            CREATE TABLE u(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            """)
    }

    override func tearDown() {
        db?.close()
        dir?.remove()
    }

    func testEverySQLValueRoundTrips() throws {
        let values: [SQLValue] = [
            .null, .integer(0), .integer(Int64.max), .integer(Int64.min), .real(3.5), .real(-0.25),
            .text(""), .text("héllo 🍣"), .text("nul\u{0}inside"), .blob([]), .blob(Array(0...255)),
        ]
        for v in values { try db.run("INSERT INTO t(v) VALUES (?)", [v]) }
        let back = try db.query("SELECT v, typeof(v) FROM t ORDER BY id") { ($0.value(0), $0.string(1)) }
        XCTAssertEqual(back.map(\.0), values)
        XCTAssertEqual(back.map(\.1), ["null", "integer", "integer", "integer", "real", "real",
                                       "text", "text", "text", "blob", "blob"])
        // Update and delete complete the round trip.
        XCTAssertEqual(try db.run("UPDATE t SET v = ? WHERE typeof(v) = 'real'", ["changed"]), 2)
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM t WHERE v = 'changed'") { $0.int(0) }, 2)
        XCTAssertEqual(try db.run("DELETE FROM t WHERE v IS NULL"), 1)
        XCTAssertEqual(db.changes, 1)
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM t") { $0.int(0) }, values.count - 1)
    }

    func testLiteralsAndConvenienceInitialisers() {
        let a: SQLValue = 5, b: SQLValue = "x", c: SQLValue = nil, d: SQLValue = 1.5, e: SQLValue = true
        XCTAssertEqual([a, b, c, d, e], [.integer(5), .text("x"), .null, .real(1.5), .integer(1)])
        XCTAssertEqual(SQLValue(7), .integer(7))
        XCTAssertEqual(SQLValue(String?.none), .null)
        XCTAssertEqual(SQLValue(Optional("y")), .text("y"))
        XCTAssertEqual(SQLValue(false), .integer(0))
        XCTAssertEqual(SQLValue(2.0), .real(2))
        XCTAssertEqual(SQLValue(Int?.none), .null)
    }

    func testRowAccessors() throws {
        try db.run("INSERT INTO t(id, v) VALUES (1, NULL), (2, 42), (3, 'text'), (4, 2.5)")
        let rows = try db.query("SELECT id, v AS value FROM t ORDER BY id") { r in
            (r.columnCount, r.columnName(1), r.int(1), r.string(1), r.optionalString(1), r.optionalInt(1),
             r.isNull(1), r.bool(1), r.double(1), r.int64(0))
        }
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[0].0, 2)
        XCTAssertEqual(rows[0].1, "value")
        XCTAssertEqual(rows[0].2, 0)
        XCTAssertEqual(rows[0].3, "")
        XCTAssertNil(rows[0].4)
        XCTAssertNil(rows[0].5)
        XCTAssertTrue(rows[0].6)
        XCTAssertFalse(rows[0].7)
        XCTAssertEqual(rows[1].2, 42)
        XCTAssertEqual(rows[1].3, "42")
        XCTAssertEqual(rows[1].5, 42)
        XCTAssertTrue(rows[1].7)
        XCTAssertEqual(rows[2].4, "text")
        XCTAssertEqual(rows[3].8, 2.5)
        XCTAssertEqual(rows[3].9, 4)
    }

    func testOutOfRangeColumnsReadAsNull() throws {
        let got = try db.queryOne("SELECT 1") { r in
            [r.isNull(5), r.isNull(-1), r.isNull(Int.max), r.int(9) == 0, r.string(Int.min).isEmpty,
             r.blob(3).isEmpty, r.value(1 << 33) == .null, r.columnName(7).isEmpty]
        }
        XCTAssertEqual(got, Array(repeating: true, count: 8))
    }

    func testQueryQueryOneAndForEach() throws {
        for i in 1...5 { try db.run("INSERT INTO t(id, v) VALUES (?, ?)", [SQLValue(i), SQLValue(i * 10)]) }
        XCTAssertEqual(try db.query("SELECT v FROM t WHERE id > ? ORDER BY id", [2]) { $0.int(0) }, [30, 40, 50])
        XCTAssertEqual(try db.queryOne("SELECT v FROM t WHERE id = ?", [4]) { $0.int(0) }, 40)
        XCTAssertNil(try db.queryOne("SELECT v FROM t WHERE id = ?", [99]) { $0.int(0) })
        var sum = 0
        try db.forEach("SELECT v FROM t") { sum += $0.int(0) }
        XCTAssertEqual(sum, 150)
        XCTAssertEqual(db.lastInsertRowID, 5)
    }

    func testStatementCacheReusesOnePreparedStatement() throws {
        let before = db.cachedStatementCount
        for i in 0..<1000 { try db.run("INSERT INTO t(v) VALUES (?)", [SQLValue(i)]) }
        for i in 0..<1000 { _ = try db.queryOne("SELECT v FROM t WHERE id = ?", [SQLValue(i + 1)]) { $0.int(0) } }
        XCTAssertEqual(db.cachedStatementCount, before + 2)
        XCTAssertEqual(try db.queryOne("SELECT sum(v) FROM t") { $0.int(0) }, 999 * 1000 / 2)
        XCTAssertEqual(busyStatements(), 0)
    }

    func testStatementsAreResetEvenWhenTheBodyThrows() throws {
        try db.run("INSERT INTO t(v) VALUES (1), (2), (3)")
        struct Stop: Error {}
        XCTAssertThrowsError(try db.forEach("SELECT v FROM t") { _ in throw Stop() })
        XCTAssertThrowsError(try db.queryOne("SELECT v FROM t") { _ in throw Stop() })
        _ = try db.queryOne("SELECT v FROM t") { $0.int(0) }   // stops after the first of three rows
        XCTAssertEqual(busyStatements(), 0)
        XCTAssertFalse(db.isInTransaction)
    }

    func testSameSQLNestedInsideItsOwnIteration() throws {
        try db.run("INSERT INTO t(v) VALUES (1), (2)")
        var pairs = 0
        try db.forEach("SELECT v FROM t") { _ in
            pairs += try db.query("SELECT v FROM t") { $0.int(0) }.count
        }
        XCTAssertEqual(pairs, 4)
        XCTAssertEqual(busyStatements(), 0)
    }

    func testHostileSQLAndArgumentsThrow() throws {
        assertStoreError(try db.run("INSERT INTO t(v) VALUES (?)", [])) { XCTAssertEqual($0.code, SQLITE_RANGE) }
        assertStoreError(try db.run("INSERT INTO t(v) VALUES (?)", [1, 2])) { XCTAssertEqual($0.code, SQLITE_RANGE) }
        assertStoreError(try db.run("")) { _ in }
        assertStoreError(try db.run("SELECT 1; SELECT 2")) { XCTAssertTrue($0.message.contains("more than one")) }
        assertStoreError(try db.query("SELEC nonsense") { _ in 0 }) { XCTAssertEqual($0.sql, "SELEC nonsense") }
        assertStoreError(try db.execute("NOT SQL AT ALL")) { XCTAssertTrue($0.description.contains("NOT SQL")) }
        // Trailing semicolons, spaces and comments are still one statement.
        XCTAssertEqual(try db.queryOne("SELECT 7; -- seven\n ") { $0.int(0) }, 7)
        XCTAssertEqual(try db.queryOne("SELECT 8 ;  ") { $0.int(0) }, 8)
    }

    func testConstraintViolation() throws {
        try db.run("INSERT INTO u(name) VALUES ('a')")
        assertStoreError(try db.run("INSERT INTO u(name) VALUES ('a')")) {
            XCTAssertTrue($0.isConstraintViolation)
            XCTAssertEqual($0.code, 2067)   // SQLITE_CONSTRAINT_UNIQUE
            XCTAssertFalse($0.isBusy)
        }
        assertStoreError(try db.run("INSERT INTO u(name) VALUES (NULL)")) { XCTAssertTrue($0.isConstraintViolation) }
        try db.execute("CREATE TABLE child(id INTEGER PRIMARY KEY, u_id INTEGER NOT NULL REFERENCES u(id))")
        assertStoreError(try db.run("INSERT INTO child(u_id) VALUES (999)")) {   // foreign_keys=ON
            XCTAssertTrue($0.isConstraintViolation)
        }
    }

    func testTransactionCommits() throws {
        let n = try db.transaction { () -> Int in
            try db.run("INSERT INTO t(v) VALUES (1)")
            XCTAssertTrue(db.isInTransaction)
            return try db.run("INSERT INTO t(v) VALUES (2)")
        }
        XCTAssertEqual(n, 1)
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try otherConnectionCount(), 2)
    }

    func testTransactionRollsBackOnThrow() throws {
        struct Boom: Error {}
        XCTAssertThrowsError(try db.transaction {
            try db.run("INSERT INTO t(v) VALUES ('gone')")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM t") { $0.int(0) }, 0)
    }

    func testNestedTransactionRollsBackOnlyTheSavepoint() throws {
        struct Boom: Error {}
        try db.transaction {
            try db.run("INSERT INTO t(v) VALUES ('outer')")
            do {
                try db.transaction {
                    try db.run("INSERT INTO t(v) VALUES ('inner')")
                    try db.transaction { try db.run("INSERT INTO t(v) VALUES ('innermost')") }
                    throw Boom()
                }
                XCTFail("inner transaction should throw")
            } catch is Boom {}
            try db.transaction { try db.run("INSERT INTO t(v) VALUES ('second inner')") }
        }
        XCTAssertEqual(try db.query("SELECT v FROM t ORDER BY id") { $0.string(0) }, ["outer", "second inner"])
        XCTAssertEqual(db.transactionDepth, 0)
    }

    func testFailedCommitRollsBack() throws {
        try db.execute("""
            CREATE TABLE parent(id INTEGER PRIMARY KEY);
            CREATE TABLE kid(id INTEGER PRIMARY KEY,
                             p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            """)
        assertStoreError(try db.transaction { try db.run("INSERT INTO kid(p) VALUES (5)") }) {
            XCTAssertTrue($0.isConstraintViolation)
        }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM kid") { $0.int(0) }, 0)
    }

    func testBusyWriteLockThrowsIsBusyAfterTheTimeout() throws {
        let other = try Connection(path: dir.file("test.sqlite"), busyTimeoutMilliseconds: 20)
        defer { other.close() }
        try db.execute("BEGIN IMMEDIATE")
        assertStoreError(try other.transaction { try other.run("INSERT INTO t(v) VALUES (1)") }) {
            XCTAssertTrue($0.isBusy)
        }
        XCTAssertFalse(other.isInTransaction)
        try db.execute("COMMIT")
        try other.transaction { try other.run("INSERT INTO t(v) VALUES (1)") }   // free again
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM t") { $0.int(0) }, 1)
    }

    func testReadOnlyConnectionRefusesWrites() throws {
        let ro = try Connection(path: dir.file("test.sqlite"), readOnly: true)
        defer { ro.close() }
        XCTAssertEqual(try ro.queryOne("SELECT count(*) FROM t") { $0.int(0) }, 0)
        assertStoreError(try ro.run("INSERT INTO t(v) VALUES (1)")) { XCTAssertEqual($0.code & 0xff, SQLITE_READONLY) }
    }

    func testUserVersionAndJournalMode() throws {
        XCTAssertEqual(try db.userVersion, 0)
        try db.setUserVersion(12)
        XCTAssertEqual(try db.userVersion, 12)
        XCTAssertThrowsError(try db.setUserVersion(Int(Int32.max) + 1))
        XCTAssertEqual(try db.queryOne("PRAGMA journal_mode") { $0.string(0) }, "wal")
        XCTAssertEqual(try db.queryOne("PRAGMA foreign_keys") { $0.int(0) }, 1)
        XCTAssertEqual(try db.queryOne("PRAGMA synchronous") { $0.int(0) }, 1)   // NORMAL
    }

    func testCloseIsIdempotentAndLaterCallsThrow() throws {
        db.close()
        db.close()
        XCTAssertThrowsError(try db.run("SELECT 1"))
        XCTAssertThrowsError(try db.query("SELECT 1") { $0.int(0) })
        XCTAssertEqual(db.lastInsertRowID, 0)
    }

    func testOpeningAMissingFileReadOnlyFails() {
        assertStoreError(try Connection(path: dir.file("missing.sqlite"), readOnly: true)) {
            XCTAssertTrue($0.message.contains("missing.sqlite"))
        }
    }

    // MARK: helpers

    /// Statements of `db` that are mid-run (would hold a read transaction open).
    private func busyStatements() -> Int {
        var n = 0
        var s = sqlite3_next_stmt(db.db, nil)
        while let stmt = s {
            if sqlite3_stmt_busy(stmt) != 0 { n += 1 }
            s = sqlite3_next_stmt(db.db, stmt)
        }
        return n
    }

    private func otherConnectionCount() throws -> Int {
        let other = try Connection(path: dir.file("test.sqlite"), readOnly: true)
        defer { other.close() }
        return try other.queryOne("SELECT count(*) FROM t") { $0.int(0) } ?? -1
    }
}

/// Asserts that `expression` throws a StoreError and hands it to `check`.
func assertStoreError<T>(_ expression: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line,
                         _ check: (StoreError) -> Void) {
    do {
        _ = try expression()
        XCTFail("expected a StoreError", file: file, line: line)
    } catch let e as StoreError {
        check(e)
    } catch {
        XCTFail("expected a StoreError, got \(error)", file: file, line: line)
    }
}
