import XCTest
import Foundation
import TestSupport

/// `/viewers/v1/<ct>/<object_token>/list/` (SPEC section 9): the cache and the database together, admins only.
final class ViewersTests: XCTestCase {
    func testViewersListForChannelAdminsOnly() throws {
        let f = try ContentFixture()
        let c = f.c
        let item = try f.item()
        let ada = try f.server.makeUser("ada@example.com")
        let bob = try f.server.makeUser("bob@example.com", firstName: "Bob", lastName: "B")
        let list = "/viewers/v1/video/\(item)/list/"
        XCTAssertEqual(try c.json("GET", list, token: f.owner.access).object["count"] as? Int, 0, "creating records no view")
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: ada.access).status, 200)
        try f.waitFor("SELECT count(*) FROM viewers", 1)
        XCTAssertEqual(try c.json("GET", "/videos/v1/\(f.channel)/\(item)/", token: bob.access).status, 200)
        let r = try c.json("GET", list, token: f.owner.access)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.object["count"] as? Int, 2, "one flushed, one pending")
        let rows = try XCTUnwrap(r.object["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["user_token"] as? String }, [ada.token, bob.token])
        XCTAssertEqual(rows.last?["user"] as? String, "Bob B")
        XCTAssertEqual(Set(rows[0].keys), ["user", "user_token", "date"])
        let page = try c.json("GET", list + "?limit=1&offset=1", token: f.owner.access)
        XCTAssertEqual((page.object["results"] as? [[String: Any]])?.first?["user_token"] as? String, bob.token)

        let denied = try c.json("GET", list, token: ada.access)
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(denied.detail, "You are not admin of the channel")
        let admin = try f.makeAdmin("adam@example.com", permissions: [:])
        XCTAssertEqual(try c.json("GET", "/viewers/v1/1/\(item)/list/", token: admin.access).status, 200)
        XCTAssertEqual(try c.json("GET", "/viewers/v1/x/\(item)/list/", token: admin.access).detail, "Content type not found.")
        XCTAssertEqual(try c.json("GET", "/viewers/v1/2/\(item)/list/", token: admin.access).status, 404)
        let hidden = try f.item(published: false)
        XCTAssertEqual(try c.json("GET", "/viewers/v1/1/\(hidden)/list/", token: ada.access).detail, "You are not admin of the channel")
    }
}
