import XCTest
import Foundation
import TestSupport

/// SPEC 13's sign-in and sessions, against the real server: who may sign in, the cookie, sign-out, idle expiry,
/// throttling, and an administrator who loses their rights losing the panel at once.
final class AdminSignInTests: XCTestCase {
    func testAdministratorSignsInWithAPanelCookieAndOthersGetTheFormAgain() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin("root@example.com")
        let user = try server.makeUser("ada@example.com")
        let panel = try PanelClient(server)

        let form = try panel.get("/admin/")
        XCTAssertEqual(form.status, 200)
        XCTAssertTrue(form.text.contains("action=\"/admin/sign-in/\""), form.text)
        XCTAssertNotNil(panel.csrf, "the sign-in form carries its own token")

        let wrong = try panel.post("/admin/sign-in/", [("email", admin.email), ("password", "not-the-password")])
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.pageText.contains("Wrong email or password."), wrong.text)
        let unknown = try panel.post("/admin/sign-in/", [("email", "nobody@example.com"), ("password", "whatever-1")])
        XCTAssertTrue(unknown.pageText.contains("Wrong email or password."))
        let normal = try panel.post("/admin/sign-in/", [("email", user.email), ("password", user.password)])
        XCTAssertEqual(normal.status, 403)
        XCTAssertTrue(normal.pageText.contains("Only site administrators can sign in here."), normal.text)
        XCTAssertNil(panel.cookies["tsuna_admin"], "no session for refused sign-ins")
        XCTAssertTrue(server.log.contains("admin: sign-in refused for ada@example.com"), "failures are logged")
        XCTAssertTrue(server.log.contains("admin: sign-in refused for root@example.com"))

        let ok = try panel.post("/admin/sign-in/", [("email", "ROOT@example.com"), ("password", admin.password)])
        XCTAssertEqual(ok.status, 303)
        XCTAssertEqual(ok.header("Location"), "/admin/")
        let cookie = try XCTUnwrap(ok.headers.first { $0.0.lowercased() == "set-cookie" && $0.1.hasPrefix("tsuna_admin=") }?.1)
        let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertEqual(attributes, ["Path=/admin", "HttpOnly", "SameSite=Strict"], "no Secure on an http domain")
        let id = try XCTUnwrap(panel.cookies["tsuna_admin"])
        XCTAssertEqual(id.count, 43, "32 random bytes")
        let db = PanelDatabase(server)
        XCTAssertEqual(try db.int("SELECT count(*) FROM admin_sessions"), 1)
        XCTAssertEqual(try db.int("SELECT count(*) FROM admin_sessions WHERE id_hash = '\(id)'"), 0, "only a hash is stored")

        let dashboard = try panel.get("/admin/")
        XCTAssertEqual(dashboard.status, 200)
        XCTAssertTrue(dashboard.text.contains("<h1>Dashboard</h1>"), dashboard.text)
        XCTAssertTrue(dashboard.pageText.contains("root@example.com"))
        // The panel's cookie is no API credential, and an API token opens no page.
        XCTAssertEqual(try server.client().request("GET", "/accounts/v1/me/", headers: ["Cookie": "tsuna_admin=\(id)"]).status, 401)
        XCTAssertEqual(try server.client().request("GET", "/admin/users/", headers: ["Authorization": "Bearer \(admin.access)"]).status, 303)
    }

    func testSignOutEndsTheSessionAndTheOldCookieOpensNothing() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let panel = try PanelClient.signedIn(server, admin)
        let id = try XCTUnwrap(panel.cookies["tsuna_admin"])
        let out = try panel.post("/admin/sign-out/")
        XCTAssertEqual(out.status, 303)
        XCTAssertNil(panel.cookies["tsuna_admin"], "the cookie is cleared")
        XCTAssertEqual(try PanelDatabase(server).int("SELECT count(*) FROM admin_sessions"), 0)
        let replay = try server.client().request("GET", "/admin/users/", headers: ["Cookie": "tsuna_admin=\(id)"])
        XCTAssertEqual(replay.status, 303)
        XCTAssertEqual(replay.header("Location"), "/admin/")
        let form = try server.client().request("GET", "/admin/", headers: ["Cookie": "tsuna_admin=\(id)"])
        XCTAssertTrue(form.text.contains("action=\"/admin/sign-in/\""))
    }

    func testSessionsEndAfterTwelveHoursIdleAndLastSeenIsWrittenAtMostOnceAMinute() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let panel = try PanelClient.signedIn(server, admin)
        let db = PanelDatabase(server)
        let seen = try db.int("SELECT last_seen FROM admin_sessions")
        try panel.get("/admin/users/")
        XCTAssertEqual(try db.int("SELECT last_seen FROM admin_sessions"), seen, "not rewritten within a minute")

        // Eleven hours idle: still signed in, and the use is recorded.
        try db.run("UPDATE admin_sessions SET last_seen = last_seen - \(11 * 3600 * 1_000_000)")
        XCTAssertEqual(try panel.get("/admin/users/").status, 200)
        XCTAssertGreaterThanOrEqual(try db.int("SELECT last_seen FROM admin_sessions"), seen)
        // Twelve hours and a second idle: the session is over.
        try db.run("UPDATE admin_sessions SET last_seen = last_seen - \(12 * 3600 * 1_000_000 + 1_000_000)")
        let expired = try panel.get("/admin/users/")
        XCTAssertEqual(expired.status, 303)
        XCTAssertTrue(try panel.get("/admin/").text.contains("action=\"/admin/sign-in/\""))
    }

    func testSecureCookiesBehindAnHttpsDomain() throws {
        let server = try TestServer(environment: ["TSUNA_DOMAIN": "https://community.example"])
        let admin = try server.makeAdmin()
        let panel = try PanelClient(server)
        let form = try panel.get("/admin/")
        XCTAssertTrue(form.header("Set-Cookie")?.contains("Secure") ?? false)
        let ok = try panel.post("/admin/sign-in/", [("email", admin.email), ("password", admin.password)])
        let cookie = try XCTUnwrap(ok.headers.first { $0.1.hasPrefix("tsuna_admin=") }?.1)
        XCTAssertTrue(cookie.contains("; Secure"), cookie)
        XCTAssertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"))
    }

    func testSignInIsThrottledPerClientAddressLikeLogin() throws {
        let server = try TestServer(environment: ["TSUNA_THROTTLE_AUTH": "3/minute"])
        let admin = try server.makeAdmin()
        let panel = try PanelClient(server)
        try panel.get("/admin/")
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try panel.post("/admin/sign-in/", [("email", admin.email), ("password", "wrong-one-1")]).status) }
        let throttled = try panel.post("/admin/sign-in/", [("email", admin.email), ("password", admin.password)])
        XCTAssertTrue(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(statuses)")
        XCTAssertEqual(throttled.status, 429)
        XCTAssertNotNil(throttled.header("Retry-After"))
        XCTAssertTrue(throttled.pageText.contains("Too many sign-in attempts"), throttled.text)
        XCTAssertNil(panel.cookies["tsuna_admin"])
    }

    func testSignInFormRefusesAPostWithoutItsOwnToken() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let c = try server.client()
        let body = Array(PanelClient.encode([("email", admin.email), ("password", admin.password)]).utf8)
        let r = try c.request("POST", "/admin/sign-in/", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body)
        XCTAssertEqual(r.status, 403)
        XCTAssertFalse(r.headers.contains { $0.1.hasPrefix("tsuna_admin=") && !$0.1.hasPrefix("tsuna_admin=;") })
        XCTAssertEqual(try PanelDatabase(server).int("SELECT count(*) FROM admin_sessions"), 0)
    }

    func testARemovedAdministratorLosesThePanelOnTheirNextRequestAndTheLastOneStays() throws {
        let server = try TestServer()
        let root = try server.makeAdmin("root@example.com")
        let second = try server.makeAdmin("second@example.com")
        let rootPanel = try PanelClient.signedIn(server, root)
        let secondPanel = try PanelClient.signedIn(server, second)
        let db = PanelDatabase(server)
        let secondToken = try XCTUnwrap(try db.string("SELECT token FROM users WHERE email = 'second@example.com'"))
        let rootToken = try XCTUnwrap(try db.string("SELECT token FROM users WHERE email = 'root@example.com'"))

        try rootPanel.get("/admin/users/\(secondToken)/")
        XCTAssertEqual(try rootPanel.post("/admin/users/\(secondToken)/remove-admin/").status, 303)
        XCTAssertEqual(try secondPanel.get("/admin/users/").status, 303, "their sessions ended with their rights")
        let again = try secondPanel.signIn(second.email, second.password)
        XCTAssertEqual(again.status, 403)
        XCTAssertTrue(again.pageText.contains("Only site administrators can sign in here."), again.text)

        // Rights taken away some other way: every request checks them, so the panel is gone at once.
        let third = try server.makeAdmin("third@example.com")
        let thirdPanel = try PanelClient.signedIn(server, third)
        try db.run("UPDATE users SET is_admin = 0 WHERE email = 'third@example.com'")
        var lost = try thirdPanel.get("/admin/users/")
        let deadline = Date().addingTimeInterval(10)
        while lost.status == 200 && Date() < deadline {   // the user directory trusts its copy for 2 s
            usleep(100_000)
            lost = try thirdPanel.get("/admin/users/")
        }
        XCTAssertEqual(lost.status, 403)
        XCTAssertTrue(lost.pageText.contains("Only site administrators can sign in here."), lost.text)
        XCTAssertEqual(try db.int("SELECT count(*) FROM admin_sessions WHERE user_id = (SELECT id FROM users WHERE email = 'third@example.com')"), 0)

        // Root is now the last administrator: removing their rights is refused, with a message.
        try rootPanel.get("/admin/users/\(rootToken)/")
        let refused = try rootPanel.post("/admin/users/\(rootToken)/remove-admin/")
        XCTAssertEqual(refused.status, 400)
        XCTAssertTrue(refused.pageText.contains("The last administrator cannot lose administrator rights."), refused.text)
        XCTAssertEqual(try db.int("SELECT is_admin FROM users WHERE email = 'root@example.com'"), 1)
        XCTAssertEqual(try rootPanel.get("/admin/").status, 200)
    }
}
