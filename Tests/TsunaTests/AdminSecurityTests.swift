import XCTest
import Foundation
import TestSupport

/// SPEC 13's protections: CSRF tokens and same-origin posts (a refusal changes nothing), the security headers on
/// every panel response, escaping of what users wrote, and 4xx pages for hostile input.
final class AdminSecurityTests: XCTestCase {
    func testAPostWithoutTheRightTokenOrFromAnotherOriginChangesNothing() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let ada = try server.makeUser("ada@example.com")
        let panel = try PanelClient.signedIn(server, admin)
        let db = PanelDatabase(server)
        let token = try XCTUnwrap(try db.string("SELECT token FROM users WHERE email = 'ada@example.com'"))
        let path = "/admin/users/\(token)/deactivate/"
        try panel.get("/admin/users/\(token)/")

        let missing = try panel.post(path, csrf: false)
        XCTAssertEqual(missing.status, 403)
        XCTAssertTrue(missing.pageText.contains("Nothing was changed"), missing.text)
        XCTAssertEqual(try panel.post(path, [("csrf", "x")], csrf: false).status, 403)
        XCTAssertEqual(try panel.post(path, [("csrf", "")], csrf: false).status, 403)
        let otherPanel = try PanelClient.signedIn(server, try server.makeAdmin())
        XCTAssertEqual(try panel.post(path, [("csrf", try XCTUnwrap(otherPanel.csrf))], csrf: false).status, 403,
                       "another session's token is no good")
        let crossSite = try panel.post(path, headers: ["Origin": "http://evil.example"])
        XCTAssertEqual(crossSite.status, 403)
        XCTAssertTrue(crossSite.pageText.contains("another site"), crossSite.text)
        XCTAssertEqual(try panel.post(path, headers: ["Origin": "null"]).status, 403)
        XCTAssertEqual(try panel.post(path, headers: ["Sec-Fetch-Site": "cross-site"]).status, 403)
        let noSession = try server.client().request("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                     body: Array("csrf=\(panel.csrf ?? "")".utf8))
        XCTAssertEqual(noSession.status, 403)
        XCTAssertEqual(try db.int("SELECT is_active FROM users WHERE email = 'ada@example.com'"), 1)
        XCTAssertEqual(try server.client().json("GET", "/accounts/v1/me/", token: ada.access).status, 200)
        XCTAssertEqual(try db.int("SELECT count(*) FROM audit_log WHERE action = 'deactivate'"), 0)

        // The same post with the token, from the panel's own origin (the Host it was sent to, or the configured
        // domain behind a proxy that rewrites Host), does it.
        XCTAssertEqual(try panel.post(path, headers: ["Origin": "http://127.0.0.1:\(server.port)"]).status, 303)
        try db.run("UPDATE users SET is_active = 1 WHERE email = 'ada@example.com'")
        XCTAssertEqual(try panel.post(path, headers: ["Origin": "http://test"]).status, 303)
        XCTAssertEqual(try db.int("SELECT is_active FROM users WHERE email = 'ada@example.com'"), 0)
    }

    func testEveryPanelResponseCarriesTheSecurityHeaders() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let panel = try PanelClient.signedIn(server, admin)
        let db = PanelDatabase(server)
        let userToken = try XCTUnwrap(try db.string("SELECT token FROM users WHERE email = '\(user.email)'"))
        var responses: [(String, RawResponse)] = []
        for path in ["/admin/", "/admin/users/", "/admin/users/?q=a", "/admin/users/\(userToken)/", "/admin/memberships/",
                     "/admin/memberships/new/", "/admin/channels/", "/admin/contents/", "/admin/comments/?q=x",
                     "/admin/mail/", "/admin/audit/", "/admin/static/panel.css", "/admin/nope", "/admin/users/not-a-token/",
                     "/admin/users/?before=x"] {
            responses.append((path, try panel.get(path)))
        }
        responses.append(("POST csrf", try panel.post("/admin/users/\(userToken)/activate/", csrf: false)))
        responses.append(("redirect", try panel.post("/admin/users/\(userToken)/deactivate/")))
        responses.append(("sign-in form", try server.client().request("GET", "/admin/")))
        responses.append(("signed out", try server.client().request("GET", "/admin/users/")))
        for (path, r) in responses {
            XCTAssertEqual(r.header("Content-Security-Policy"), "default-src 'self'; frame-ancestors 'none'; form-action 'self'", path)
            XCTAssertEqual(r.header("X-Frame-Options"), "DENY", path)
            XCTAssertEqual(r.header("Referrer-Policy"), "same-origin", path)
            XCTAssertEqual(r.header("X-Content-Type-Options"), "nosniff", path)
            XCTAssertNotNil(r.header("Cache-Control"), path)
            XCTAssertFalse(r.text.contains("<script"), path)
            XCTAssertFalse(r.text.contains("style=\""), "no inline styles (the policy would block them): \(path)")
        }
        let page = try panel.get("/admin/users/")
        XCTAssertEqual(page.header("Cache-Control"), "no-store")
        XCTAssertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        let css = try panel.get("/admin/static/panel.css")
        XCTAssertEqual(css.header("Content-Type"), "text/css; charset=utf-8")
        XCTAssertTrue(css.header("Cache-Control")?.hasPrefix("public") ?? false)
        XCTAssertTrue(page.text.contains("<link rel=\"stylesheet\" href=\"/admin/static/panel.css?v="))
    }

    func testWhatUsersWroteIsEscapedEverywhere() throws {
        let fixture = try ContentFixture()
        let server = fixture.server
        let admin = try server.makeAdmin()
        let evil = "<script>alert(1)</script>"
        let mallory = try server.makeUser("mallory@example.com", firstName: evil, lastName: "\"><img src=x onerror=alert(2)>")
        let ch = try fixture.c.json("POST", "/channels/v1/", ["title": evil, "description": "<b>bold</b>"], token: mallory.access)
        XCTAssertEqual(ch.status, 201)
        let item = try fixture.item(fields: ["title": evil])
        let comment = try fixture.c.json("POST", "/comments/v1/video/\(item)/", ["body": "hello \(evil) & bye"], token: mallory.access)
        XCTAssertEqual(comment.status, 201)
        let panel = try PanelClient.signedIn(server, admin)
        let db = PanelDatabase(server)
        let userToken = try XCTUnwrap(try db.string("SELECT token FROM users WHERE email = 'mallory@example.com'"))
        let channelToken = try XCTUnwrap(ch.object["token"] as? String)
        for path in ["/admin/users/", "/admin/users/?q=%3Cscr&by=name", "/admin/users/\(userToken)/", "/admin/channels/",
                     "/admin/channels/\(channelToken)/", "/admin/contents/", "/admin/contents/\(item)/", "/admin/comments/",
                     "/admin/comments/?q=hello", "/admin/users/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"] {
            let r = try panel.get(path)
            XCTAssertEqual(r.status, 200, path)
            XCTAssertFalse(r.text.contains("<script>"), path)
            XCTAssertFalse(r.text.contains("<img"), path)
            XCTAssertFalse(r.text.contains("<b>bold"), path)
            XCTAssertTrue(r.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path): \(r.text)")
        }
        XCTAssertTrue(try panel.get("/admin/users/\(userToken)/").text.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"))
    }

    func testHostileInputGetsClearFourHundredPagesNeverAServerError() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let panel = try PanelClient.signedIn(server, admin)
        let unknown = UUID().uuidString.lowercased()
        let cases: [(String, Int)] = [
            ("/admin/users/\(unknown)/", 404), ("/admin/users/x/", 404), ("/admin/channels/\(unknown)/", 404),
            ("/admin/contents/..%2F..%2Fetc/", 404), ("/admin/memberships/\(unknown)/", 404), ("/admin/nothing/here", 404),
            ("/admin/users/?before=-1", 400), ("/admin/users/?before=99999999999999999999", 400), ("/admin/users/?size=0", 400),
            ("/admin/users/?size=1000", 400), ("/admin/users/?by=password&q=a", 400), ("/admin/contents/?kind=picture", 400),
            ("/admin/mail/?status=lost", 400), ("/admin/users/?q=" + String(repeating: "a", count: 300), 400),
            ("/admin/users/?q=%C3%28", 400), ("/admin/users/?q=" + String(repeating: "%F0%9F%98%80", count: 60), 200),
            ("/admin/comments/?q=%22%2A%28NEAR", 200), ("/admin/comments/?q=%00", 200), ("/admin/users/?from=zz&from_id=x", 400),
            ("/admin/users/?q=a&from=%FF", 400), ("/admin/audit/?after=3", 200), ("/admin/users/?q=%25_%5C&by=name", 200),
        ]
        for (path, status) in cases {
            let r = try panel.get(path)
            XCTAssertEqual(r.status, status, "\(path): \(r.text.prefix(300))")
            if r.header("Content-Type")?.hasPrefix("text/html") == true, status >= 400 {
                XCTAssertTrue(r.text.contains("class=\"error\""), path)
            }
        }
        let posts: [(String, [String: String], [UInt8], Int)] = [
            ("/admin/users/\(unknown)/activate/", [:], Array("csrf=\(panel.csrf ?? "")".utf8), 404),
            ("/admin/mail/0/retry/", [:], Array("csrf=\(panel.csrf ?? "")".utf8), 404),
            ("/admin/mail/abc/retry/", [:], Array("csrf=\(panel.csrf ?? "")".utf8), 404),
            ("/admin/users/\(unknown)/activate/", ["Content-Type": "application/json"], Array("{}".utf8), 415),
            ("/admin/users/\(unknown)/activate/", [:], Array("csrf=%zz".utf8), 400),
            ("/admin/users/\(unknown)/activate/", [:], [0xFF, 0xFE, 0x3D], 400),
            ("/admin/memberships/new/", [:], Array("csrf=\(panel.csrf ?? "")&title=&price=5&active_months=x".utf8), 400),
        ]
        for (path, headers, body, status) in posts {
            var h = headers
            h["Content-Type"] = h["Content-Type"] ?? "application/x-www-form-urlencoded"
            let r = try panel.send("POST", path, headers: h, body: body)
            XCTAssertEqual(r.status, status, "\(path): \(r.text.prefix(300))")
        }
        XCTAssertEqual(try panel.get("/admin/users/").status, 200, "the session still works")
        // A form over 64 KiB is refused from its Content-Length, before it is read (the server closes the connection).
        let big = try server.client().request("POST", "/admin/users/\(unknown)/activate/",
                                              headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                              body: Array(repeating: UInt8(ascii: "a"), count: 70_000))
        XCTAssertEqual(big.status, 413)
        XCTAssertFalse(server.log.contains(" 500 "), server.log)
    }
}
