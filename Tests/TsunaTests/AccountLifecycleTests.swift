import XCTest
import Foundation
import TestSupport

/// SPEC section 2's account lifecycle end to end: password change, reset by mail, logout, account deletion.
final class AccountLifecycleTests: XCTestCase {
    static let invalidToken = "Given token not valid for any token type"

    func testPasswordChangeRejectsEveryEarlierToken() throws {
        let server = try TestServer()
        let ada = try server.makeUser("ada@example.com")
        let second = try server.login(ada.email, ada.password)
        let c = try server.client()
        let path = "/accounts/v1/password/change/"

        XCTAssertEqual(try c.json("POST", path, ["current_password": "x", "new_password": "new-password-1"]).status, 401)
        let missing = try c.json("POST", path, [:], token: ada.access)
        XCTAssertEqual(missing.status, 400)
        XCTAssertEqual(missing.messages("current_password"), ["This field is required."])
        XCTAssertEqual(missing.messages("new_password"), ["This field is required."])
        let weak = try c.json("POST", path, ["current_password": ada.password, "new_password": "1234567"], token: ada.access)
        XCTAssertEqual(weak.status, 400)
        XCTAssertEqual(weak.messages("new_password"), ["This password is too short. It must contain at least 8 characters.",
                                                       "This password is entirely numeric."])
        let wrong = try c.json("POST", path, ["current_password": "not-it-at-all", "new_password": "new-password-1"],
                               token: ada.access)
        XCTAssertEqual(wrong.status, 400)
        XCTAssertEqual(wrong.object as NSDictionary, ["current_password": ["Wrong password."]])
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: ada.access).status, 200, "a refused change revokes nothing")

        let changed = try c.json("POST", path, ["current_password": ada.password, "new_password": "new-password-1"],
                                 token: ada.access)
        XCTAssertEqual(changed.status, 200, changed.text)
        let access = try XCTUnwrap(changed.object["access"] as? String)
        let refresh = try XCTUnwrap(changed.object["refresh"] as? String)
        for old in [ada.access, second.access] {
            let r = try c.json("GET", "/accounts/v1/me/", token: old)
            XCTAssertEqual(r.status, 401)
            XCTAssertEqual(r.object["code"] as? String, "token_not_valid")
            XCTAssertEqual(r.header("WWW-Authenticate"), "Bearer realm=\"api\"")
        }
        for old in [ada.refresh, second.refresh] {
            XCTAssertEqual(try c.json("POST", "/accounts/v1/token/refresh/", ["refresh": old]).status, 401)
        }
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: access).status, 200)
        let refreshed = try c.json("POST", "/accounts/v1/token/refresh/", ["refresh": refresh])
        XCTAssertEqual(refreshed.status, 200)
        XCTAssertEqual(try c.json("GET", "/channels/v1/", token: refreshed.object["access"] as? String).status, 200)
        XCTAssertEqual(try c.json("POST", "/accounts/v1/login/", ["email": ada.email, "password": ada.password]).status, 401)
        XCTAssertNoThrow(try server.login(ada.email, "new-password-1"))
    }

    func testResetByMailIsUsableOnceAndRevokesEarlierTokens() throws {
        let server = try TestServer()
        let ada = try server.makeUser("ada@example.com")
        let c = try server.client()
        let unknown = try c.json("POST", "/accounts/v1/password/reset/", ["email": "nobody@example.com"])
        let known = try c.json("POST", "/accounts/v1/password/reset/", ["email": "ADA@example.com"])
        XCTAssertEqual(unknown.status, 202)
        XCTAssertEqual(known.status, 202)
        XCTAssertEqual(unknown.text, known.text, "the same answer whether the address exists or not")
        XCTAssertEqual(known.detail, "If an active account uses this address, a reset link has been sent.")
        XCTAssertEqual(try c.json("POST", "/accounts/v1/password/reset/", [:]).messages("email"), ["This field is required."])
        XCTAssertEqual(try c.json("POST", "/accounts/v1/password/reset/", ["email": "x"], token: ada.access).status, 403,
                       "anonymous only")

        let mail = try XCTUnwrap(server.waitForMail(to: ada.email, subject: "Reset your Tsuna Streaming password"))
        let link = try XCTUnwrap(mail.link)
        XCTAssertTrue(link.contains("/accounts/v1/password/reset/"), link)
        let path = try XCTUnwrap(URL(string: link)?.path) + "/"
        XCTAssertEqual(try c.json("GET", path).detail, "Token is valid.")
        let form = try c.request("GET", path, headers: ["Accept": "text/html"])
        XCTAssertEqual(form.status, 200)
        XCTAssertTrue(form.text.contains("name=\"new_password\""), form.text)

        let weak = try c.json("POST", path, ["new_password": "short"])
        XCTAssertEqual(weak.status, 400)
        XCTAssertNotNil(weak.messages("new_password"))
        XCTAssertEqual(try c.json("GET", path).status, 200, "a refused password does not spend the token")
        let done = try c.request("POST", path, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                 body: Array("new_password=brand-new-pass".utf8))
        XCTAssertEqual(done.status, 200, done.text)
        XCTAssertEqual(done.detail, "Password has been reset.")
        let spent = try c.json("GET", path)
        XCTAssertEqual(spent.status, 400)
        XCTAssertEqual(spent.detail, "Token is invalid or expired.")
        XCTAssertEqual(try c.json("POST", path, ["new_password": "another-pass-2"]).detail, "Token is invalid or expired.")
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: ada.access).status, 401)
        XCTAssertNoThrow(try server.login(ada.email, "brand-new-pass"))

        for bad in ["/accounts/v1/password/reset/not-a-uuid/", "/accounts/v1/password/reset/\(UUID().uuidString)/"] {
            let r = try c.json("GET", bad)
            XCTAssertEqual(r.status, 400, bad)
            XCTAssertEqual(r.detail, "Token is invalid or expired.")
        }
    }

    func testANewResetRequestReplacesTheOldTokenAndExpiredOnesAreRefused() throws {
        let server = try TestServer(environment: ["TSUNA_RESET_TTL_MINUTES": "0"])
        let ada = try server.makeUser("ada@example.com")
        let c = try server.client()
        XCTAssertEqual(try c.json("POST", "/accounts/v1/password/reset/", ["email": ada.email]).status, 202)
        let mail = try XCTUnwrap(server.waitForMail(to: ada.email, subject: "Reset your Tsuna Streaming password"))
        let path = try XCTUnwrap(URL(string: mail.link ?? "")?.path) + "/"
        XCTAssertEqual(try c.json("GET", path).status, 400, "a TTL of 0 expires the token at once")

        let live = try TestServer()
        let bob = try live.makeUser("bob@example.com")
        let lc = try live.client()
        XCTAssertEqual(try lc.json("POST", "/accounts/v1/password/reset/", ["email": bob.email]).status, 202)
        let first = try XCTUnwrap(live.waitForMail(to: bob.email, subject: "Reset your Tsuna Streaming password"))
        XCTAssertEqual(try lc.json("POST", "/accounts/v1/password/reset/", ["email": bob.email]).status, 202)
        let deadline = Date().addingTimeInterval(20)
        var second = first
        while second.link == first.link && Date() < deadline {
            second = live.waitForMail(to: bob.email, subject: "Reset your Tsuna Streaming password") ?? first
            usleep(20_000)
        }
        XCTAssertNotEqual(second.link, first.link)
        XCTAssertEqual(try lc.json("GET", (URL(string: first.link ?? "")?.path ?? "") + "/").status, 400)
        XCTAssertEqual(try lc.json("GET", (URL(string: second.link ?? "")?.path ?? "") + "/").status, 200)
    }

    func testLogoutOfOneSessionAndOfAll() throws {
        let server = try TestServer()
        let ada = try server.makeUser("ada@example.com")
        let other = try server.login(ada.email, ada.password)
        let c = try server.client()
        XCTAssertEqual(try c.json("POST", "/accounts/v1/logout/", [:]).status, 401)
        let bad = try c.json("POST", "/accounts/v1/logout/", ["refresh": "junk"], token: ada.access)
        XCTAssertEqual(bad.status, 400)
        XCTAssertNotNil(bad.messages("refresh"))
        let bob = try server.makeUser("bob@example.com")
        XCTAssertEqual(try c.json("POST", "/accounts/v1/logout/", ["refresh": bob.refresh], token: ada.access).status, 400,
                       "another user's refresh token is not the caller's to revoke")
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: bob.access).status, 200)

        XCTAssertEqual(try c.json("POST", "/accounts/v1/logout/", ["refresh": ada.refresh], token: ada.access).status, 204)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: ada.access).status, 401)
        XCTAssertEqual(try c.json("POST", "/accounts/v1/token/refresh/", ["refresh": ada.refresh]).status, 401)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: other.access).status, 200, "other logins keep working")

        // A restart keeps rejecting the revoked tokens.
        XCTAssertEqual(server.stop(), 0)
        let again = try TestServer(dataDirectory: server.dataDirectory)
        let c2 = try again.client()
        XCTAssertEqual(try c2.json("GET", "/accounts/v1/me/", token: ada.access).status, 401)
        XCTAssertEqual(try c2.json("GET", "/accounts/v1/me/", token: other.access).status, 200)

        let third = try again.login(ada.email, ada.password)
        XCTAssertEqual(try c2.json("POST", "/accounts/v1/logout/", ["all": true], token: third.access).status, 204)
        for t in [other.access, third.access] {
            XCTAssertEqual(try c2.json("GET", "/accounts/v1/me/", token: t).status, 401)
        }
        XCTAssertEqual(try c2.json("POST", "/accounts/v1/token/refresh/", ["refresh": other.refresh]).status, 401)
        XCTAssertNoThrow(try again.login(ada.email, ada.password), "logging out is not locking out")
    }

    func testDeletingAnAccountRemovesEverythingItOwns() throws {
        let f = try ContentFixture()
        let c = f.c
        let item = try f.item()
        let fan = try f.server.makeUser("fan@example.com", firstName: "Fan", lastName: "")
        // The fan subscribes, votes, views and comments on the owner's item; a reply to the fan's comment.
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(f.channel)/create/", token: fan.access).status, 201)
        XCTAssertEqual(try c.json("POST", "/votes/v1/video/\(item)/create/", token: fan.access).status, 201)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: fan.access).status, 200)
        let comment = try c.json("POST", "/comments/v1/video/\(item)/", ["body": "hi"], token: fan.access)
        let commentToken = try XCTUnwrap(comment.object["token"] as? String)
        XCTAssertEqual(try c.json("POST", "/comments/v1/video/\(item)/", ["body": "re", "parent": commentToken],
                                  token: f.owner.access).status, 201)

        let missing = try c.json("DELETE", "/accounts/v1/me/", [:], token: fan.access)
        XCTAssertEqual(missing.object as NSDictionary, ["password": ["This field is required."]])
        let wrong = try c.json("DELETE", "/accounts/v1/me/", ["password": "nope-nope-nope"], token: fan.access)
        XCTAssertEqual(wrong.object as NSDictionary, ["password": ["Wrong password."]])
        XCTAssertEqual(try c.json("DELETE", "/accounts/v1/me/", ["password": fan.password], token: fan.access).status, 204)
        XCTAssertEqual(try c.json("GET", "/accounts/v1/me/", token: fan.access).status, 401)

        let detail = try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: f.owner.access).object
        XCTAssertEqual(detail["upvotes"] as? Int, 0, "the pending vote went with the account")
        XCTAssertEqual(detail["viewers_count"] as? Int, 1, "only the owner's own view is left")
        let channel = try c.json("GET", "/channels/v1/\(f.channel)/", token: f.owner.access).object
        XCTAssertEqual(channel["subscribers_count"] as? Int, 1)
        XCTAssertEqual(try c.json("GET", "/comments/v1/video/\(item)/", token: f.owner.access).object["count"] as? Int, 0,
                       "the comment went, its reply with it")
        try f.waitFor("SELECT count(*) FROM votes", 0)
        try f.waitFor("SELECT count(*) FROM comments", 0)
        try f.waitFor("SELECT count(*) FROM users WHERE email = 'fan@example.com'", 0)
        let again = try c.json("POST", "/accounts/v1/register/", ["email": "fan@example.com", "password": "another-pass-1",
                                                                  "first_name": "Fan"])
        XCTAssertEqual(again.status, 201, "the email may register again: \(again.text)")

        // The owner deletes theirs: the channel, its item, files and counts go.
        XCTAssertEqual(f.files("media/videos").count, 1)
        XCTAssertEqual(try c.json("DELETE", "/accounts/v1/me/", ["password": f.owner.password], token: f.owner.access).status, 204)
        XCTAssertEqual(f.files("media/videos").count, 0)
        try f.waitFor("SELECT count(*) FROM channels", 0)
        try f.waitFor("SELECT count(*) FROM contents", 0)
        try f.waitFor("SELECT count(*) FROM viewers", 0)
        try f.waitFor("SELECT count(*) FROM channel_subscribers", 0)
    }
}
