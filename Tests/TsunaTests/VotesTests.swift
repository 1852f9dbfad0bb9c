import XCTest
import Foundation
import TestSupport

/// SPEC section 8 end to end; counts are checked right after the writes and after a flush.
final class VotesTests: XCTestCase {
    func testVoteUnvoteListAndCounts() throws {
        let f = try ContentFixture()
        let c = f.c
        let item = try f.item()
        let ada = try f.server.makeUser("ada@example.com")
        let bob = try f.server.makeUser("bob@example.com", firstName: "Bob", lastName: "")
        let base = "/votes/v1/video/\(item)/"
        XCTAssertEqual(try c.json("GET", base, token: ada.access).text, "null")
        let up = try c.json("POST", base + "create/", token: ada.access)
        XCTAssertEqual(up.status, 201)
        XCTAssertEqual(up.text, #"{"choice": "u"}"#)
        let again = try c.json("POST", base + "create/", ["choice": "d"], token: ada.access)
        XCTAssertEqual(again.status, 403)
        XCTAssertEqual(again.detail, "You have already voted to this object.")
        let bad = try c.json("POST", base + "create/", ["choice": "x"], token: bob.access)
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.object as NSDictionary, ["choice": ["\"x\" is not a valid choice."]])
        XCTAssertEqual(try c.json("POST", "/votes/v1/1/\(item)/create/", ["choice": "d"], token: bob.access).text, #"{"choice": "d"}"#)
        let mine = try c.json("GET", "/votes/v1/1/\(item)/", token: bob.access)
        XCTAssertEqual(mine.object["choice"] as? String, "d")
        XCTAssertTrue((mine.object["date"] as? String ?? "").hasSuffix("Z"))

        // Counts right after the writes (pending in the cache), then after a flush.
        let detail = "/videos/v1/\(f.channel)/\(item)/"
        var d = try c.json("GET", detail, token: f.owner.access)
        XCTAssertEqual(d.object["upvotes"] as? Int, 1)
        XCTAssertEqual(d.object["downvotes"] as? Int, 1)
        let list = try c.json("GET", base + "list/", token: bob.access)
        XCTAssertEqual(list.object["count"] as? Int, 2)
        let rows = try XCTUnwrap(list.object["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["user_token"] as? String }, [ada.token, bob.token])
        XCTAssertEqual(rows.map { $0["choice"] as? String }, ["u", "d"])
        XCTAssertEqual(rows.last?["user"] as? String, "Bob")
        XCTAssertEqual(Set(rows[0].keys), ["user", "user_token", "choice", "date"])
        try f.waitFor("SELECT count(*) FROM votes", 2)
        d = try c.json("GET", detail, token: f.owner.access)
        XCTAssertEqual(d.object["upvotes"] as? Int, 1)
        XCTAssertEqual(d.object["downvotes"] as? Int, 1)

        let notVoted = try c.json("DELETE", base + "delete/", token: f.owner.access)
        XCTAssertEqual(notVoted.status, 403)
        XCTAssertEqual(notVoted.detail, "You have not voted to this object.")
        XCTAssertEqual(try c.json("DELETE", base + "delete/", token: ada.access).status, 204)
        XCTAssertEqual(try c.json("GET", base, token: ada.access).text, "null")
        XCTAssertEqual(try c.json("GET", detail, token: f.owner.access).object["upvotes"] as? Int, 0, "a pending delete hides the stored row")
        try f.waitFor("SELECT count(*) FROM votes", 1)
        XCTAssertEqual(try c.json("GET", base + "list/", token: ada.access).object["count"] as? Int, 1)
        XCTAssertEqual(try c.json("POST", base + "create/", ["choice": "d"], token: ada.access).status, 201, "may vote again")
    }

    func testErrorsAndPrivateItems() throws {
        let f = try ContentFixture()
        let c = f.c
        let item = try f.item()
        let song = try f.item("musics", published: false)
        let ada = try f.server.makeUser("ada@example.com")
        let ct = try c.json("GET", "/votes/v1/3/\(item)/", token: ada.access)
        XCTAssertEqual(ct.status, 404)
        XCTAssertEqual(ct.text, #"{"detail": "Content type not found."}"#)
        XCTAssertEqual(try c.json("GET", "/votes/v1/movie/\(item)/", token: ada.access).detail, "Content type not found.")
        XCTAssertEqual(try c.json("GET", "/votes/v1/music/\(item)/", token: ada.access).detail, "Not found.", "a video is not a music")
        XCTAssertEqual(try c.json("GET", "/votes/v1/1/not-a-token/", token: ada.access).detail, "Not found.")
        XCTAssertEqual(try c.json("GET", "/votes/v1/1/\(item)/").status, 401)
        for (method, path) in [("GET", ""), ("POST", "create/"), ("DELETE", "delete/"), ("GET", "list/")] {
            let r = try c.json(method, "/votes/v1/music/\(song)/" + path, token: ada.access)
            XCTAssertEqual(r.status, 403, path)
            XCTAssertEqual(r.detail, "You dont have permission to retrieve private contents.")
        }
        XCTAssertEqual(try c.json("POST", "/votes/v1/2/\(song)/create/", token: f.owner.access).status, 201, "channel admins may")
    }
}
