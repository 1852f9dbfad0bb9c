import XCTest
import Foundation
import TestSupport

/// The panel's mail, dashboard and audit pages end to end.
final class AdminMailAuditTests: XCTestCase {
    /// Waits (bounded) until the query returns a value satisfying `condition`; returns the last value.
    @discardableResult
    private func wait(_ db: PanelDatabase, _ sql: String, until condition: (Int) -> Bool) throws -> Int {
        let deadline = Date().addingTimeInterval(20)
        var value = try db.int(sql)
        while !condition(value) && Date() < deadline {
            usleep(50_000)
            value = try db.int(sql)
        }
        return value
    }

    func testFailedMailIsListedWithItsErrorAndRetriedAtOnce() throws {
        // Nothing listens on the SMTP port: every attempt fails at once ("connection refused").
        let server = try TestServer(environment: ["TSUNA_SMTP_URL": "smtp://127.0.0.1:\(closedPort())"])
        let admin = try server.makeAdmin()
        let c = try server.client()
        let r = try c.json("POST", "/accounts/v1/register/", ["email": "ada@example.com", "password": "pass-word-9", "first_name": "Ada"])
        XCTAssertEqual(r.status, 201)
        let db = PanelDatabase(server)
        let id = try db.int("SELECT id FROM outbox WHERE recipient = 'ada@example.com'")
        XCTAssertEqual(try wait(db, "SELECT attempts FROM outbox WHERE id = \(id)") { $0 >= 1 }, 1)
        let panel = try PanelClient.signedIn(server, admin)

        let queued = try panel.get("/admin/mail/?status=queued")
        XCTAssertTrue(queued.pageText.contains("ada@example.com"), queued.text)
        XCTAssertTrue(queued.pageText.contains("Verify Your Account on Tsuna Streaming"))
        XCTAssertTrue(queued.text.contains("badge warn\">retrying"))
        let error = try XCTUnwrap(try db.string("SELECT last_error FROM outbox WHERE id = \(id)"))
        XCTAssertTrue(queued.pageText.contains(String(error.prefix(20))), "the last error is shown")
        XCTAssertTrue(queued.text.contains("action=\"/admin/mail/\(id)/retry/\""))

        // Retrying now: due at once (not in 5 s), and the sender is woken.
        let before = Int(Date().timeIntervalSince1970 * 1_000_000)
        let retried = try panel.post("/admin/mail/\(id)/retry/")
        XCTAssertEqual(retried.status, 303)
        XCTAssertEqual(retried.header("Location"), "/admin/mail/?status=queued&notice=mail-retried")
        let attempts = try wait(db, "SELECT attempts FROM outbox WHERE id = \(id)") { $0 >= 2 }
        XCTAssertGreaterThanOrEqual(attempts, 2, "the sender tried again")
        XCTAssertGreaterThan(try db.int("SELECT next_attempt_at FROM outbox WHERE id = \(id)"), before)

        // A message given up after its last attempt: listed as failed, counted, and retried with a new series.
        try db.run("UPDATE outbox SET failed = 1, attempts = 8, next_attempt_at = 9000000000000000 WHERE id = \(id)")
        let failed = try panel.get("/admin/mail/?status=failed")
        XCTAssertTrue(failed.text.contains("badge bad\">failed"), failed.text)
        XCTAssertTrue(try panel.get("/admin/").text.contains("<a href=\"/admin/mail/?status=failed\">1</a>"))
        XCTAssertFalse(try panel.get("/admin/mail/?status=sent").pageText.contains("ada@example.com"))
        XCTAssertEqual(try panel.post("/admin/mail/\(id)/retry/").status, 303)
        XCTAssertEqual(try db.int("SELECT failed FROM outbox WHERE id = \(id)"), 0)
        XCTAssertLessThan(try wait(db, "SELECT attempts FROM outbox WHERE id = \(id)") { $0 >= 1 && $0 < 8 }, 8)
        let audit = try panel.get("/admin/audit/")
        XCTAssertTrue(audit.pageText.contains("retry"))
        XCTAssertTrue(audit.pageText.contains("#\(id) to ada@example.com: Verify Your Account on Tsuna Streaming"))
    }

    func testASentMessageIsNotRetried() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        _ = try server.makeUser("ada@example.com")
        let db = PanelDatabase(server)
        let id = try db.int("SELECT id FROM outbox WHERE recipient = 'ada@example.com'")
        try wait(db, "SELECT count(*) FROM outbox WHERE id = \(id) AND sent_at IS NOT NULL") { $0 == 1 }
        let panel = try PanelClient.signedIn(server, admin)
        let sent = try panel.get("/admin/mail/?status=sent")
        XCTAssertTrue(sent.text.contains("badge ok\">sent"))
        XCTAssertFalse(sent.text.contains("/retry/"))
        let refused = try panel.post("/admin/mail/\(id)/retry/")
        XCTAssertEqual(refused.status, 409)
        XCTAssertEqual(server.mails().filter { $0.to.contains("ada@example.com") }.count, 1)
    }

    func testTheDashboardCountsEverythingAndTheAuditListsActionsNewestFirst() throws {
        let fixture = try ContentFixture()
        let server = fixture.server
        let admin = try server.makeAdmin("root@example.com")
        _ = try fixture.item()
        _ = try fixture.item("musics")
        let item = try fixture.item()
        _ = try fixture.c.json("POST", "/comments/v1/video/\(item)/", ["body": "Nice"], token: fixture.owner.access)
        let late = try fixture.c.json("POST", "/accounts/v1/register/", ["email": "late@example.com", "password": "pass-word-9", "first_name": "Late"])
        XCTAssertEqual(late.status, 201)
        let panel = try PanelClient.signedIn(server, admin)
        let dashboard = try panel.get("/admin/")
        func card(_ value: String, _ label: String) -> Bool {
            dashboard.text.contains("<b>\(value)</b><span>\(label)</span>") || dashboard.text.contains(">\(value)</a></b><span>\(label)</span>")
        }
        XCTAssertTrue(card("3", "users"), dashboard.text)
        XCTAssertTrue(card("2", "active") && card("1", "unverified") && card("0", "deactivated") && card("1", "administrators"))
        XCTAssertTrue(card("1", "channels") && card("2", "videos") && card("1", "musics") && card("1", "comments"))
        XCTAssertTrue(card("0", "premium") && card("0", "failed"))
        for cache in ["subscriptions", "votes", "viewers"] { XCTAssertTrue(dashboard.text.contains(">\(cache)</td>"), cache) }
        XCTAssertTrue(dashboard.pageText.contains("Version0.1.0"))
        XCTAssertTrue(dashboard.pageText.contains("write-ahead log"))
        // The media folder is measured in the background: a later load shows the figure.
        var media = dashboard
        let deadline = Date().addingTimeInterval(20)
        while !media.pageText.contains("files (measured") && Date() < deadline {
            usleep(50_000)
            media = try panel.get("/admin/")
        }
        XCTAssertTrue(media.pageText.contains("in 3 files (measured"), media.pageText)

        let lateToken = try XCTUnwrap(late.object["token"] as? String)
        try panel.get("/admin/users/\(lateToken)/")
        try panel.post("/admin/users/\(lateToken)/activate/")
        try panel.post("/admin/channels/\(fixture.channel)/verify/")
        let audit = try panel.get("/admin/audit/?size=2")
        let text = audit.pageText
        XCTAssertTrue(text.range(of: "verify")!.lowerBound < text.range(of: "activate")!.lowerBound, "newest first")
        XCTAssertTrue(text.contains("root@example.com") && text.contains("Nature") && text.contains("late@example.com"))
        XCTAssertTrue(audit.text.contains("href=\"/admin/channels/\(fixture.channel)/\""), "the object is linked")
        XCTAssertFalse(text.contains("sign in"), "two per page")
        let older = try panel.get("/admin/audit/?size=2&before=\(try PanelDatabase(server).int("SELECT min(id) FROM audit_log WHERE action != 'sign in'"))")
        XCTAssertTrue(older.pageText.contains("sign in"))
    }
}
