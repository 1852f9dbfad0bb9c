import XCTest
import Foundation
import TestSupport

/// SPEC section 9 (comments) end to end.
final class CommentsTests: XCTestCase {
    func testCommentsRepliesOrderEditDeleteAndPin() throws {
        let f = try ContentFixture()
        let c = f.c
        let item = try f.item()
        let ada = try f.server.makeUser("ada@example.com")
        let bob = try f.server.makeUser("bob@example.com", firstName: "Bob", lastName: "")
        let base = "/comments/v1/video/\(item)/"
        let first = try c.json("POST", base, ["body": "First!"], token: ada.access)
        XCTAssertEqual(first.status, 201, first.text)
        XCTAssertEqual(Set(first.object.keys), ["parent", "user", "user_token", "body", "date", "edited", "pinned", "token", "replies_count"])
        XCTAssertTrue(first.object["parent"] is NSNull)
        XCTAssertEqual(first.object["user"] as? String, "Ada Lovelace")
        let firstToken = try XCTUnwrap(first.object["token"] as? String)
        let second = try XCTUnwrap(try c.json("POST", base, ["body": "Second", "parent": NSNull()], token: bob.access).object["token"] as? String)
        let reply = try c.json("POST", base, ["body": "Reply", "parent": firstToken], token: bob.access)
        XCTAssertEqual(reply.status, 201)
        XCTAssertEqual(reply.object["parent"] as? String, firstToken)
        let replyToken = try XCTUnwrap(reply.object["token"] as? String)
        XCTAssertEqual(try c.json("POST", base, ["body": "Reply 2", "parent": firstToken], token: ada.access).status, 201)

        // Bad parents and bodies.
        let unknown = UUID().uuidString
        XCTAssertEqual(try c.json("POST", base, ["body": "x", "parent": unknown], token: ada.access).messages("parent"),
                       ["Object with token=\(unknown) does not exist."])
        XCTAssertEqual(try c.json("POST", base, ["body": "x", "parent": "nope"], token: ada.access).messages("parent"),
                       ["Object with token=nope does not exist."])
        XCTAssertEqual(try c.json("POST", base, ["body": "x", "parent": replyToken], token: ada.access).status, 400, "replies nest one level")
        let otherItem = try f.item()
        XCTAssertEqual(try c.json("POST", "/comments/v1/1/\(otherItem)/", ["body": "x", "parent": firstToken], token: ada.access).status, 400)
        XCTAssertEqual(try c.json("POST", base, [:] as [String: Any], token: ada.access).messages("body"), ["This field is required."])
        XCTAssertEqual(try c.json("POST", base, ["body": String(repeating: "b", count: 401)], token: ada.access).messages("body"),
                       ["Ensure this field has no more than 400 characters."])

        // List: top level only, newest first, replies counted; pinned first.
        var list = try c.json("GET", base, token: ada.access)
        XCTAssertEqual(list.object["count"] as? Int, 2)
        var rows = try XCTUnwrap(list.object["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["token"] as? String }, [second, firstToken])
        XCTAssertEqual(rows.map { $0["replies_count"] as? Int }, [0, 2])
        let notAdmin = try c.json("PATCH", base + "\(firstToken)/pin/", ["pinned": true], token: ada.access)
        XCTAssertEqual(notAdmin.status, 403)
        XCTAssertEqual(notAdmin.detail, "You are not the channel admin.")
        let pinned = try c.json("PUT", base + "\(firstToken)/pin/", ["pinned": true], token: f.owner.access)
        XCTAssertEqual(pinned.status, 200)
        XCTAssertEqual(pinned.text, #"{"pinned": true}"#)
        XCTAssertEqual(try c.json("PATCH", base + "\(firstToken)/pin/", ["pinned": "maybe"], token: f.owner.access).messages("pinned"),
                       ["Must be a valid boolean."])
        list = try c.json("GET", base, token: ada.access)
        rows = try XCTUnwrap(list.object["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["token"] as? String }, [firstToken, second])
        XCTAssertEqual(rows.first?["pinned"] as? Bool, true)

        // Detail with replies, oldest first.
        let detail = try c.json("GET", base + "\(firstToken)/", token: bob.access)
        XCTAssertEqual(detail.status, 200)
        let replies = try XCTUnwrap(detail.object["replies"] as? [[String: Any]])
        XCTAssertEqual(replies.map { $0["body"] as? String }, ["Reply", "Reply 2"])
        XCTAssertEqual(Set(replies[0].keys), ["user", "user_token", "body", "date", "token"])
        XCTAssertEqual(try c.json("GET", base + "\(UUID().uuidString)/", token: bob.access).status, 404)
        XCTAssertEqual(try c.json("GET", "/comments/v1/1/\(otherItem)/\(firstToken)/", token: bob.access).status, 404)

        // Edit: the author only.
        let foreign = try c.json("PATCH", base + "\(firstToken)/", ["body": "Hijacked"], token: bob.access)
        XCTAssertEqual(foreign.status, 403)
        XCTAssertEqual(foreign.detail, "You are not the owner of this comment.")
        XCTAssertEqual(try c.json("PATCH", base + "\(firstToken)/", ["body": "x"], token: f.owner.access).status, 403)
        let edited = try c.json("PUT", base + "\(firstToken)/", ["body": "First, edited", "edited": false], token: ada.access)
        XCTAssertEqual(edited.status, 200, edited.text)
        XCTAssertEqual(edited.object["body"] as? String, "First, edited")
        XCTAssertEqual(edited.object["edited"] as? Bool, true)
        XCTAssertEqual(try c.json("PUT", base + "\(firstToken)/", [:] as [String: Any], token: ada.access).messages("body"), ["This field is required."])

        // Delete: the author or a channel admin, replies included.
        XCTAssertEqual(try c.json("DELETE", base + "\(second)/", token: ada.access).detail, "You are not the owner of this comment.")
        XCTAssertEqual(try c.json("DELETE", base + "\(second)/", token: bob.access).status, 204)
        XCTAssertEqual(try c.json("DELETE", base + "\(firstToken)/", token: f.owner.access).status, 204)
        XCTAssertEqual(try c.json("GET", base, token: ada.access).object["count"] as? Int, 0)
        XCTAssertEqual(try f.scalar("SELECT count(*) FROM comments WHERE content_id = (SELECT id FROM contents WHERE token = '\(item)')"), 0)
    }

    func testClosedCommentsPrivateItemsAndContentTypes() throws {
        let f = try ContentFixture()
        let c = f.c
        let closed = try f.item("musics", fields: ["allow_comment": "false"])
        let hidden = try f.item(published: false)
        let ada = try f.server.makeUser("ada@example.com")
        let r = try c.json("POST", "/comments/v1/music/\(closed)/", ["body": "Hi"], token: ada.access)
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.detail, "Comments are not allowed for this object.")
        XCTAssertEqual(try c.json("POST", "/comments/v1/music/\(closed)/", [:] as [String: Any], token: ada.access).status, 403, "403 before 400")
        XCTAssertEqual(try c.json("GET", "/comments/v1/2/\(closed)/", token: ada.access).object["count"] as? Int, 0)
        for (method, path) in [("GET", ""), ("POST", "")] {
            let p = try c.json(method, "/comments/v1/1/\(hidden)/" + path, method == "POST" ? ["body": "x"] : nil, token: ada.access)
            XCTAssertEqual(p.detail, "You dont have permission to retrieve private contents.")
        }
        XCTAssertEqual(try c.json("POST", "/comments/v1/1/\(hidden)/", ["body": "note"], token: f.owner.access).status, 201)
        XCTAssertEqual(try c.json("GET", "/comments/v1/0/\(hidden)/", token: ada.access).detail, "Content type not found.")
        XCTAssertEqual(try c.json("GET", "/comments/v1/1/\(UUID().uuidString)/", token: ada.access).status, 404)
        XCTAssertEqual(try c.json("GET", "/comments/v1/1/\(hidden)/").status, 401)
    }
}
