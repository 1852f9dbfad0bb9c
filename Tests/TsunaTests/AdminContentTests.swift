import XCTest
import Foundation
import TestSupport

/// The panel's channels, contents, comments and memberships sections end to end, each action seen through the API.
final class AdminContentTests: XCTestCase {
    func testChannelsAreSearchedVerifiedAndDeletedWithEverythingInThem() throws {
        let fixture = try ContentFixture()
        let server = fixture.server
        let admin = try server.makeAdmin()
        let item = try fixture.item(fields: ["title": "Sunrise"])
        let other = try fixture.c.json("POST", "/channels/v1/", ["title": "natural history"], token: fixture.owner.access)
        let otherToken = try XCTUnwrap(other.object["token"] as? String)
        _ = try fixture.c.json("POST", "/channels/v1/", ["title": "Cooking"], token: fixture.owner.access)
        let panel = try PanelClient.signedIn(server, admin)

        let list = try panel.get("/admin/channels/")
        XCTAssertTrue(list.pageText.range(of: "Cooking")!.lowerBound < list.pageText.range(of: "Nature")!.lowerBound, "newest first")
        let found = try panel.get("/admin/channels/?q=NAT")
        XCTAssertTrue(found.pageText.contains("Nature") && found.pageText.contains("natural history"))
        XCTAssertFalse(found.pageText.contains("Cooking"))
        let detail = try panel.get("/admin/channels/\(fixture.channel)/")
        XCTAssertTrue(detail.pageText.contains("Olga Owner"), "owner")
        XCTAssertTrue(detail.text.contains("<dt>Subscribers</dt><dd>1</dd>"), detail.text)
        XCTAssertTrue(detail.text.contains("<dt>Videos</dt><dd>1</dd>"))

        XCTAssertEqual(try panel.post("/admin/channels/\(fixture.channel)/verify/").status, 303)
        XCTAssertEqual(try fixture.c.json("GET", "/channels/v1/\(fixture.channel)/", token: fixture.owner.access).object["is_verified"] as? Bool, true,
                       "the API sees it at once (the channel directory was invalidated)")
        XCTAssertEqual(try panel.post("/admin/channels/\(fixture.channel)/unverify/").status, 303)
        XCTAssertEqual(try fixture.c.json("GET", "/channels/v1/\(fixture.channel)/", token: fixture.owner.access).object["is_verified"] as? Bool, false)

        XCTAssertEqual(fixture.files("media/videos").count, 1)
        XCTAssertEqual(try panel.post("/admin/channels/\(fixture.channel)/delete/").status, 400, "needs the confirmation box")
        XCTAssertEqual(try panel.post("/admin/channels/\(fixture.channel)/delete/", [("confirm", "yes")]).status, 303)
        XCTAssertEqual(try fixture.c.json("GET", "/channels/v1/\(fixture.channel)/", token: fixture.owner.access).status, 404)
        XCTAssertEqual(try fixture.c.json("GET", "/videos/v1/\(fixture.channel)/\(item)/", token: fixture.owner.access).status, 404)
        XCTAssertEqual(fixture.files("media/videos"), [], "its files are gone")
        XCTAssertEqual(try fixture.c.json("GET", "/channels/v1/\(otherToken)/", token: fixture.owner.access).status, 200)
        XCTAssertEqual(try panel.get("/admin/channels/\(fixture.channel)/").status, 404)
        let audit = try panel.get("/admin/audit/")
        XCTAssertTrue(audit.pageText.contains("verify") && audit.pageText.contains("unverify") && audit.pageText.contains("delete"))
    }

    func testContentsAreListedByKindSearchedUnpublishedAndDeleted() throws {
        let fixture = try ContentFixture()
        let server = fixture.server
        let admin = try server.makeAdmin()
        let first = try fixture.item(fields: ["title": "Alpine lake"])
        let song = try fixture.item("musics", fields: ["title": "Alpine song"])
        let last = try fixture.item(fields: ["title": "Beach"])
        let panel = try PanelClient.signedIn(server, admin)

        let all = try panel.get("/admin/contents/")
        let text = all.pageText
        XCTAssertTrue(text.range(of: "Beach")!.lowerBound < text.range(of: "Alpine song")!.lowerBound)
        XCTAssertTrue(text.range(of: "Alpine song")!.lowerBound < text.range(of: "Alpine lake")!.lowerBound, "newest first")
        XCTAssertTrue(text.contains("Nature") && text.contains("public"), "channel and visibility")
        let videos = try panel.get("/admin/contents/?kind=video").pageText
        XCTAssertTrue(videos.contains("Beach") && videos.contains("Alpine lake") && !videos.contains("Alpine song"))
        let searched = try panel.get("/admin/contents/?q=alp&kind=music").pageText
        XCTAssertTrue(searched.contains("Alpine song") && !searched.contains("Alpine lake"))

        XCTAssertEqual(try panel.post("/admin/contents/\(first)/unpublish/").status, 303)
        let listed = try fixture.c.json("GET", "/videos/v1/\(fixture.channel)/", token: admin.access)
        XCTAssertEqual((listed.object["results"] as? [[String: Any]])?.compactMap { $0["token"] as? String }, [last],
                       "the unpublished item left the public list")
        XCTAssertEqual(try fixture.c.json("GET", "/videos/v1/\(fixture.channel)/\(first)/", token: fixture.owner.access).object["visibility"] as? String, "pr")
        XCTAssertTrue(try panel.get("/admin/contents/\(first)/").text.contains("badge muted\">private"))

        XCTAssertEqual(try panel.post("/admin/contents/\(song)/delete/", [("confirm", "yes")]).status, 303)
        XCTAssertEqual(try fixture.c.json("GET", "/musics/v1/\(fixture.channel)/\(song)/", token: fixture.owner.access).status, 404)
        XCTAssertEqual(fixture.files("media/musics"), [])
        XCTAssertEqual(fixture.files("media/videos").count, 2)
        XCTAssertEqual(try panel.get("/admin/contents/\(song)/").status, 404)
    }

    func testCommentsAreSearchedByTheirWordsAndDeletedWithTheirReplies() throws {
        let fixture = try ContentFixture()
        let server = fixture.server
        let admin = try server.makeAdmin()
        let item = try fixture.item(fields: ["title": "Waterfall"])
        let c = fixture.c, owner = fixture.owner
        func comment(_ body: String, parent: String? = nil) throws -> String {
            var json: [String: Any] = ["body": body]
            if let parent { json["parent"] = parent }
            let r = try c.json("POST", "/comments/v1/video/\(item)/", json, token: owner.access)
            guard r.status == 201, let token = r.object["token"] as? String else { throw TestFailure("comment: \(r.text)") }
            return token
        }
        let spam = try comment("Buy cheap watches at example dot com")
        let reply = try comment("Nobody wants watches", parent: spam)
        _ = try comment("What a lovely waterfall")
        _ = try c.json("PATCH", "/comments/v1/video/\(item)/\(reply)/", ["body": "Nobody wants your clocks"], token: owner.access)
        let panel = try PanelClient.signedIn(server, admin)

        let all = try panel.get("/admin/comments/").pageText
        XCTAssertTrue(all.range(of: "lovely waterfall")!.lowerBound < all.range(of: "Buy cheap")!.lowerBound, "newest first")
        XCTAssertTrue(all.contains("Waterfall") && all.contains("Olga Owner"), "item and author")
        let watch = try panel.get("/admin/comments/?q=WATCH").pageText
        XCTAssertTrue(watch.contains("Buy cheap watches"), "a word prefix, any case")
        XCTAssertFalse(watch.contains("Nobody"), "the edited reply no longer says watches")
        XCTAssertTrue(try panel.get("/admin/comments/?q=clocks+nobody").pageText.contains("Nobody wants your clocks"))
        XCTAssertTrue(try panel.get("/admin/comments/?q=cheap+lovely").pageText.contains("No comment holds these words."))

        XCTAssertEqual(try panel.post("/admin/comments/\(spam)/delete/").status, 303)
        XCTAssertEqual(try c.json("GET", "/comments/v1/video/\(item)/\(spam)/", token: owner.access).status, 404)
        XCTAssertEqual(try c.json("GET", "/comments/v1/video/\(item)/\(reply)/", token: owner.access).status, 404, "replies go too")
        XCTAssertTrue(try panel.get("/admin/comments/?q=nobody").pageText.contains("No comment holds these words."),
                      "the search index forgot the deleted replies")
        // Deleting the item removes its comments from the search as well (foreign key cascade).
        _ = try c.json("DELETE", "/videos/v1/\(fixture.channel)/\(item)/", token: owner.access)
        XCTAssertTrue(try panel.get("/admin/comments/?q=lovely").pageText.contains("No comment holds these words."))
        XCTAssertEqual(try fixture.scalar("SELECT count(*) FROM comments_search WHERE comments_search MATCH 'lovely'"), 0)
    }

    func testMembershipPlansFollowTheAPIsRules() throws {
        let server = try TestServer()
        let admin = try server.makeAdmin()
        let user = try server.makeUser()
        let panel = try PanelClient.signedIn(server, admin)
        let c = try server.client()

        try panel.get("/admin/memberships/new/")
        let invalid = try panel.post("/admin/memberships/new/", [("title", ""), ("price", "5"), ("active_months", "30")])
        XCTAssertEqual(invalid.status, 400)
        for message in ["This field may not be blank.", "Ensure this value is greater than or equal to 10.",
                        "Ensure this value is less than or equal to 24."] {
            XCTAssertTrue(invalid.pageText.contains(message), message)
        }
        let created = try panel.post("/admin/memberships/new/", [("title", "Gold"), ("description", "All of it"), ("price", "50"),
                                                                ("active_months", "3"), ("is_available", "true")])
        XCTAssertEqual(created.status, 303)
        let token = try XCTUnwrap(created.header("Location")?.split(separator: "/").dropLast().last.map(String.init))
        let plan = try c.json("GET", "/memberships/v1/\(token)/", token: user.access).object
        XCTAssertEqual(plan["title"] as? String, "Gold")
        XCTAssertEqual(plan["price"] as? Int, 50)
        XCTAssertEqual(plan["is_available"] as? Bool, true)

        try panel.get("/admin/memberships/\(token)/")
        XCTAssertEqual(try panel.post("/admin/memberships/\(token)/", [("title", "Gold+"), ("description", "All of it"), ("price", "60"),
                                                                       ("active_months", "3")]).status, 303)
        let edited = try c.json("GET", "/memberships/v1/\(token)/", token: user.access).object
        XCTAssertEqual(edited["title"] as? String, "Gold+")
        XCTAssertEqual(edited["is_available"] as? Bool, false, "an unticked box is false")
        try PanelDatabase(server).run("UPDATE memberships SET is_available = 1")
        XCTAssertEqual(try c.json("POST", "/memberships/v1/\(token)/subscribe/", token: user.access).status, 201)

        let inUse = try panel.post("/admin/memberships/\(token)/delete/")
        XCTAssertEqual(inUse.status, 400)
        XCTAssertTrue(inUse.pageText.contains("Plan is in use"), inUse.text)
        XCTAssertTrue(try panel.get("/admin/memberships/").pageText.contains("Gold+"))
        let dashboard = try panel.get("/admin/")
        XCTAssertTrue(dashboard.text.contains("<b>1</b><span>premium</span>"), dashboard.text)

        let spare = try panel.post("/admin/memberships/new/", [("title", "Spare"), ("active_months", "1")])
        let spareToken = try XCTUnwrap(spare.header("Location")?.split(separator: "/").dropLast().last.map(String.init))
        XCTAssertEqual(try panel.post("/admin/memberships/\(spareToken)/delete/").status, 303)
        XCTAssertEqual(try c.json("GET", "/memberships/v1/\(spareToken)/", token: user.access).status, 404)
    }
}
