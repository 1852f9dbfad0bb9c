import Mail
import Store
import XCTest

final class OutboxTests: XCTestCase {
    var dir: TempDirectory!
    var store: Store!

    override func setUpWithError() throws {
        dir = try TempDirectory()
        store = try makeOutboxStore(in: dir)
    }

    override func tearDown() {
        store?.close()
        dir?.remove()
    }

    func testEnqueueCommitsWithTheCallersTransaction() throws {
        try store.writeSync { c in
            try c.execute("CREATE TABLE users (email TEXT)")
        }
        try store.writeSync { c in
            try c.run("INSERT INTO users VALUES ('a@b.test')")
            try Outbox.enqueue(c, to: "a@b.test", subject: "Welcome", body: "Hello", now: 1_000)
        }
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 1)
        let row = try XCTUnwrap(try outboxRows(store).first)
        XCTAssertEqual(row.recipient, "a@b.test")
        XCTAssertEqual(row.attempts, 0)
        XCTAssertEqual(row.nextAttemptAt, 1_000)
        XCTAssertNil(row.sentAt)
        XCTAssertFalse(row.failed)
    }

    func testEnqueueRollsBackWithTheCallersTransaction() throws {
        struct DomainFailure: Error {}
        XCTAssertThrowsError(try store.writeSync { c in
            try Outbox.enqueue(c, to: "a@b.test", subject: "Welcome", body: "Hello", now: 1_000)
            throw DomainFailure()
        })
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 0)
        XCTAssertEqual(try outboxRows(store).count, 0)
    }

    func testEnqueueRejectsAddressesThatCouldInjectCommandsOrHeaders() throws {
        for bad in ["", "a@b.test\r\nRCPT TO:<x@y.test>", "a@b.test\nBcc: c@d.test", "a b@c.test", "<a@b.test>",
                    "a@b.test, c@d.test", "no-at-sign", "@b.test", "a@", "a@b\u{0}.test",
                    String(repeating: "a", count: 400) + "@b.test"] {
            XCTAssertThrowsError(try store.writeSync { try Outbox.enqueue($0, to: bad, subject: "s", body: "b", now: 1) },
                                 bad.debugDescription) { error in
                XCTAssertTrue(error is MailError, "\(error)")
            }
        }
        XCTAssertEqual(try outboxRows(store).count, 0)
        // Ordinary and unusual-but-valid addresses pass.
        for good in ["a@b.test", "first.last+tag@sub.example.co.uk", "\"quoted\"@b.test", "ünï@exämple.test"] {
            XCTAssertNoThrow(try store.writeSync { try Outbox.enqueue($0, to: good, subject: "s", body: "b", now: 1) }, good)
        }
    }

    func testDeleteSentKeepsPendingAndRecentMessages() throws {
        try store.writeSync { c in
            for i in 1...3 { try Outbox.enqueue(c, to: "u\(i)@b.test", subject: "s", body: "b", now: 1) }
            try c.run("UPDATE outbox SET sent_at = 100 WHERE id = 1")
            try c.run("UPDATE outbox SET sent_at = 500 WHERE id = 2")
        }
        XCTAssertEqual(try store.writeSync { try Outbox.deleteSent($0, before: 200) }, 1)
        XCTAssertEqual(try outboxRows(store).map(\.id), [2, 3])
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 1)
    }

    func testPendingQueriesUseThePartialIndexNotAScanOfHistory() throws {
        try store.writeSync { c in
            for i in 0..<500 { try Outbox.enqueue(c, to: "u\(i)@b.test", subject: "s", body: "b", now: 0) }
            try c.run("UPDATE outbox SET sent_at = 1 WHERE id <= 495")
        }
        for sql in ["""
            SELECT id, recipient, subject, body, attempts FROM outbox
            WHERE sent_at IS NULL AND failed = 0 AND next_attempt_at <= ? AND id > ?
            ORDER BY id LIMIT ?
            """, "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed = 0"] {
            let plan = try store.read { c in
                try c.query("EXPLAIN QUERY PLAN " + sql, sql.contains("?") ? [5, 0, 64] : []) { $0.string(3) }
            }.joined(separator: "\n")
            XCTAssertTrue(plan.contains("USING INDEX outbox_pending"), plan)
            XCTAssertFalse(plan.contains("TEMP B-TREE"), plan)
        }
        XCTAssertEqual(try store.read { try Outbox.pendingCount($0) }, 5)
    }
}
