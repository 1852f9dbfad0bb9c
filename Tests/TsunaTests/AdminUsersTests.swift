import XCTest
import Foundation
import TestSupport

/// The panel's users section end to end: lists and searches, and each action seen through the API.
final class AdminUsersTests: XCTestCase {
    static let notValid = "Given token not valid for any token type"

    /// `count` users straight into the database: user-000 … with names "Name-000 Family".
    private func insertUsers(_ db: PanelDatabase, _ count: Int) throws {
        let rows = (0..<count).map { i -> String in
            let n = String(format: "%03d", i)
            return "('\(UUID().uuidString.lowercased())', 'user-\(n)@example.com', 'x', 'Name-\(n)', 'Family', 1, \(1_700_000_000_000_000 + i))"
        }
        try db.run("INSERT INTO users (token, email, password, first_name, last_name, is_active, date_joined) VALUES "
                   + rows.joined(separator: ","))
    }

    private func emails(_ r: RawResponse) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"user-\d{3}@example\.com"#)
        return regex.matches(in: r.text, range: NSRange(r.text.startIndex..., in: r.text)).map { String(r.text[Range($0.range, in: r.text)!]) }
    }

    private func link(_ r: RawResponse, _ label: String) -> String? {
        guard let range = r.text.range(of: #"<a href="[^"]+">"# + NSRegularExpression.escapedPattern(for: label), options: .regularExpression) else { return nil }
        let tag = r.text[range]
        return String(tag.dropFirst(9).prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    func testUsersAreListedNewestFirstAndSearchedByEmailOrNameWithKeysetPages() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let db = PanelDatabase(server)
        try insertUsers(db, 60)
        let panel = try PanelClient.signedIn(server, admin)

        let first = try panel.get("/admin/users/?size=25")
        XCTAssertEqual(emails(first).first, "user-059@example.com", "newest first")
        XCTAssertEqual(emails(first).count, 25)
        let olderPath = try XCTUnwrap(link(first, "Older ›"))
        let second = try panel.get(olderPath)
        XCTAssertEqual(emails(second).first, "user-034@example.com")
        let third = try panel.get(try XCTUnwrap(link(second, "Older ›")))
        XCTAssertEqual(emails(third).count, 10 + 0, "the last page: users 009…000 and no one else")
        XCTAssertEqual(emails(third).last, "user-000@example.com")
        XCTAssertNil(link(third, "Older ›"))
        let back = try panel.get(try XCTUnwrap(link(third, "‹ Newer")))
        XCTAssertEqual(emails(back), emails(second), "newer goes back exactly one page")

        let byEmail = try panel.get("/admin/users/?q=USER-04&by=email")
        XCTAssertEqual(emails(byEmail), (40...49).map { String(format: "user-%03d@example.com", $0) }, "prefix, any case, email order")
        let byName = try panel.get("/admin/users/?q=name-05&by=name&size=4")
        XCTAssertEqual(emails(byName), ["user-050@example.com", "user-051@example.com", "user-052@example.com", "user-053@example.com"])
        let next = try panel.get(try XCTUnwrap(link(byName, "Next ›")))
        XCTAssertEqual(emails(next), ["user-054@example.com", "user-055@example.com", "user-056@example.com", "user-057@example.com"])
        XCTAssertTrue(try panel.get("/admin/users/?q=Name-012+Fam&by=name").text.contains("user-012@example.com"))
        XCTAssertTrue(try panel.get("/admin/users/?q=nobody&by=email").pageText.contains("No user matches."))
    }

    func testDeactivateRefusesTheUsersTokensAtOnceAndActivateLetsThemBackIn() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let ada = try server.makeUser("ada@example.com")
        let panel = try PanelClient.signedIn(server, admin)
        let c = try server.client()
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: ada.access).status, 200)

        try panel.get("/admin/users/\(ada.token)/")
        let done = try panel.post("/admin/users/\(ada.token)/deactivate/")
        XCTAssertEqual(done.status, 303)
        XCTAssertEqual(done.header("Location"), "/admin/users/\(ada.token)/?notice=deactivated")
        let after = try c.json("GET", "/accounts/v1/me/", token: ada.access)
        XCTAssertEqual(after.status, 401)
        XCTAssertEqual(after.object["code"] as? String, "token_not_valid")
        XCTAssertEqual(try c.json("POST", "/accounts/v1/token/refresh/", ["refresh": ada.refresh]).status, 401)
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": ada.email, "password": ada.password]).status, 401)
        // Neither a new verification mail nor an old link brings the account back.
        let resend = try c.json("POST", "/accounts/v1/resend/", ["user": ada.token])
        XCTAssertEqual(resend.status, 400)
        XCTAssertEqual(resend.messages("user"), ["User is deactivated."])
        if let link = server.waitForMail(to: ada.email)?.link, let path = URL(string: link)?.path {
            XCTAssertEqual(try c.request("GET", path + "/").status, 400)
        }
        let page = try panel.get("/admin/users/\(ada.token)/?notice=deactivated")
        XCTAssertTrue(page.pageText.contains("The account is deactivated"), page.text)
        XCTAssertTrue(page.text.contains("badge bad\">deactivated"))

        try panel.post("/admin/users/\(ada.token)/activate/")
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: ada.access).status, 401, "old tokens stay refused")
        let again = try server.login(ada.email, ada.password)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: again.access).status, 200)
    }

    func testADeactivatedAccountOutlivesTheUnverifiedAccountsCleanup() throws {
        let server = try TestServer(environment: ["TSUNA_CLEANUP_INTERVAL_SECONDS": "0.2"])
        let admin = try server.makeAdmin()
        let ada = try server.makeUser("ada@example.com")
        let panel = try PanelClient.signedIn(server, admin)
        try panel.get("/admin/users/\(ada.token)/")
        try panel.post("/admin/users/\(ada.token)/deactivate/")
        let db = PanelDatabase(server)
        let stale = 25 * 3600 * 1_000_000
        try db.run("UPDATE users SET date_joined = date_joined - \(stale) WHERE email = 'ada@example.com'")
        let r = try server.client().json("POST", "/accounts/v1/register/", ["email": "late@example.com", "password": "pass-word-9", "first_name": "Late"])
        XCTAssertEqual(r.status, 201)
        try db.run("UPDATE users SET date_joined = date_joined - \(stale) WHERE email = 'late@example.com'")
        let deadline = Date().addingTimeInterval(20)
        while try db.int("SELECT count(*) FROM users WHERE email = 'late@example.com'") == 1 && Date() < deadline { usleep(100_000) }
        XCTAssertEqual(try db.int("SELECT count(*) FROM users WHERE email = 'late@example.com'"), 0, "the unverified account went")
        XCTAssertEqual(try db.int("SELECT count(*) FROM users WHERE email = 'ada@example.com'"), 1, "the deactivated one stays")
    }

    func testAdministratorRightsAndTheActionsThatNeedThemRemovedFirst() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let bob = try server.makeUser("bob@example.com")
        let panel = try PanelClient.signedIn(server, admin)
        try panel.get("/admin/users/\(bob.token)/")
        XCTAssertEqual(try panel.post("/admin/users/\(bob.token)/make-admin/").status, 303)
        let bobPanel = try PanelClient.signedIn(server, bob)
        XCTAssertEqual(try bobPanel.get("/admin/users/").status, 200, "a new administrator can sign in")
        let plan = try server.client().json("POST", "/memberships/v1/", ["title": "Gold", "active_months": 1], token: bob.access)
        XCTAssertEqual(plan.status, 201, "and is an admin in the API too")

        try panel.get("/admin/users/\(bob.token)/")
        for action in ["deactivate", "delete"] {
            let refused = try panel.post("/admin/users/\(bob.token)/\(action)/", [("confirm", "yes")])
            XCTAssertEqual(refused.status, 400, action)
            XCTAssertTrue(refused.pageText.contains("Remove this user's administrator rights first."), refused.text)
        }
        XCTAssertEqual(try panel.post("/admin/users/\(bob.token)/remove-admin/").status, 303)
        XCTAssertEqual(try server.client().json("POST", "/memberships/v1/", ["title": "Silver", "active_months": 1],
                                                 token: bob.access).status, 403)
        XCTAssertEqual(try bobPanel.get("/admin/").text.contains("action=\"/admin/sign-in/\""), true)
    }

    func testDeleteRemovesTheAccountLikeDeleteMeAndResendMailsANewLink() throws {
        let fixture = try ContentFixture()
        let server = fixture.server
        let admin = try server.makeAdmin()
        let owner = fixture.owner
        _ = try fixture.item()
        let panel = try PanelClient.signedIn(server, admin)
        XCTAssertEqual(fixture.files("media/videos").count, 1)
        try panel.get("/admin/users/\(owner.token)/")
        let unconfirmed = try panel.post("/admin/users/\(owner.token)/delete/")
        XCTAssertEqual(unconfirmed.status, 400, "the confirmation box must be ticked")
        XCTAssertEqual(try fixture.c.json("GET", "/channels/v1/\(fixture.channel)/", token: admin.access).status, 200)
        let deleted = try panel.post("/admin/users/\(owner.token)/delete/", [("confirm", "yes")])
        XCTAssertEqual(deleted.status, 303)
        XCTAssertEqual(deleted.header("Location"), "/admin/users/?notice=user-deleted")
        XCTAssertEqual(try fixture.c.json("GET", "/accounts/v1/me/", token: owner.access).status, 401)
        XCTAssertEqual(try fixture.c.json("GET", "/accounts/v1/\(owner.token)/", token: admin.access).status, 404)
        XCTAssertEqual(try fixture.c.json("GET", "/channels/v1/\(fixture.channel)/", token: admin.access).status, 404)
        XCTAssertEqual(fixture.files("media/videos"), [], "the files went with the channel")
        XCTAssertEqual(try panel.get("/admin/users/\(owner.token)/").status, 404)
        XCTAssertEqual(try fixture.scalar("SELECT count(*) FROM users WHERE email = 'owner@example.com'"), 0)

        // Resend: an unverified account gets a new mail; an active one is refused with the API's message.
        let r = try fixture.c.json("POST", "/accounts/v1/register/", ["email": "new@example.com", "password": "pass-word-9", "first_name": "New"])
        let newToken = try XCTUnwrap(r.object["token"] as? String)
        XCTAssertNotNil(server.waitForMail(to: "new@example.com"))
        try PanelDatabase(server).run("UPDATE verification_tokens SET expires_at = 0")
        try panel.get("/admin/users/\(newToken)/")
        XCTAssertEqual(try panel.post("/admin/users/\(newToken)/resend-verification/").status, 303)
        let deadline = Date().addingTimeInterval(20)
        while server.mails().filter({ $0.to.contains("new@example.com") }).count < 2 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(server.mails().filter { $0.to.contains("new@example.com") }.count, 2)
        let twice = try panel.post("/admin/users/\(newToken)/resend-verification/")
        XCTAssertEqual(twice.status, 400)
        XCTAssertTrue(twice.pageText.contains("An active token already exists."))
        XCTAssertEqual(try panel.post("/admin/users/\(newToken)/activate/").status, 303, "activating verifies by hand")
        XCTAssertNoThrow(try server.login("new@example.com", "pass-word-9"))
        let active = try panel.post("/admin/users/\(newToken)/resend-verification/")
        XCTAssertEqual(active.status, 400)
        XCTAssertTrue(active.pageText.contains("User is already active."))
        let audit = try panel.get("/admin/audit/")
        XCTAssertTrue(audit.pageText.contains("resend verification"))
        XCTAssertTrue(audit.pageText.contains("owner@example.com"), "the label outlives the account")
    }
}
