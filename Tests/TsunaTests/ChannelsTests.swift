import XCTest
import Foundation
import TestSupport
import Store

/// SPEC sections 4, 5 and 6 end to end; subscriber cases are checked right after the write and after a flush.
final class ChannelsTests: XCTestCase {
    static let env = ["TSUNA_FLUSH_INTERVAL_SECONDS": "1", "TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS": "0"]

    func createChannel(_ c: RawClient, _ user: TestUser, title: String = "Science", extra: [String: Any] = [:]) throws -> RawResponse {
        var body: [String: Any] = ["title": title]
        for (k, v) in extra { body[k] = v }
        return try c.json("POST", "/channels/v1/", body, token: user.access)
    }

    /// Waits (bounded) until the cache flushed: the database row count equals `expected`.
    func waitForRows(_ server: TestServer, _ sql: String, _ expected: Int) throws {
        let db = try Connection(path: server.dataDirectory + "/tsuna.sqlite", readOnly: true)
        defer { db.close() }
        let deadline = Date().addingTimeInterval(20)
        var n = -1
        while Date() < deadline {
            n = try db.queryOne(sql) { $0.int(0) } ?? -1
            if n == expected { return }
            usleep(100_000)
        }
        XCTFail("\(sql) = \(n), expected \(expected)")
    }

    func testCreateDetailListUpdateDelete() throws {
        let server = try TestServer(environment: Self.env)
        let ada = try server.makeUser("ada@example.com")
        let bob = try server.makeUser("bob@example.com", firstName: "Bob", lastName: "")
        let c = try server.client()
        let created = try createChannel(c, ada, extra: ["description": "", "is_verified": true, "token": "x"])
        XCTAssertEqual(created.status, 201, created.text)
        let token = try XCTUnwrap(created.object["token"] as? String)
        XCTAssertEqual(created.object["description"] as? String, "A new channel on Tsuna Streaming.")
        XCTAssertEqual(created.object["is_verified"] as? Bool, false)
        XCTAssertEqual(created.object["owner"] as? String, "Ada Lovelace")
        XCTAssertEqual(created.object["owner_token"] as? String, ada.token)
        XCTAssertEqual(created.object["role"] as? String, "owner")
        XCTAssertEqual(created.object["subscribers_count"] as? Int, 1, "the owner subscribes")
        XCTAssertTrue((created.object["date_created"] as? String ?? "").hasSuffix("Z"))
        XCTAssertNotNil(server.waitForMail(to: "ada@example.com", subject: "You've created a new Channel on Tsuna Streaming!"))

        let seen = try c.json("GET", "/channels/v1/\(token)/", token: bob.access)
        XCTAssertEqual(seen.status, 200)
        XCTAssertTrue(seen.object["role"] is NSNull)
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(UUID().uuidString)/", token: bob.access).status, 404)
        XCTAssertEqual(try c.json("GET", "/channels/v1/nope/", token: bob.access).object["detail"] as? String, "Not found.")
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/").status, 401)

        XCTAssertEqual(try createChannel(c, ada, title: "Music").status, 201)
        let list = try c.json("GET", "/channels/v1/?limit=1", token: ada.access)
        XCTAssertEqual(list.object["count"] as? Int, 2)
        XCTAssertNotNil(list.object["next"] as? String)
        XCTAssertTrue(list.object["previous"] is NSNull)
        XCTAssertEqual((list.object["results"] as? [[String: Any]])?.count, 1)
        let filtered = try c.json("GET", "/channels/v1/?title=Science", token: ada.access)
        XCTAssertEqual(filtered.object["count"] as? Int, 1)
        XCTAssertEqual(try c.json("GET", "/channels/v1/", token: bob.access).object["count"] as? Int, 0)

        let denied = try c.json("PATCH", "/channels/v1/\(token)/", ["title": "Mine"], token: bob.access)
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(denied.object["detail"] as? String, "Only channel admins can perform this action.")
        let patched = try c.json("PATCH", "/channels/v1/\(token)/", ["description": "Experiments"], token: ada.access)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(patched.object["description"] as? String, "Experiments")
        XCTAssertEqual(patched.object["title"] as? String, "Science")
        let put = try c.json("PUT", "/channels/v1/\(token)/", ["description": "x"], token: ada.access)
        XCTAssertEqual(put.object["title"] as? [String], ["This field is required."])
        let long = try c.json("PATCH", "/channels/v1/\(token)/", ["title": String(repeating: "t", count: 241)], token: ada.access)
        XCTAssertEqual(long.object["title"] as? [String], ["Ensure this field has no more than 240 characters."])

        // Reads see writes at once: a renamed channel and a renamed owner.
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: bob.access).object["description"] as? String, "Experiments")
        XCTAssertEqual(try c.json("PATCH", "/accounts/v1/\(ada.token)/", ["first_name": "Augusta"], token: ada.access).status, 200)
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: bob.access).object["owner"] as? String, "Augusta Lovelace")

        XCTAssertEqual(try c.json("DELETE", "/channels/v1/\(token)/", token: bob.access).status, 403)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: bob.access).status, 201)
        XCTAssertEqual(try c.json("DELETE", "/channels/v1/\(token)/", token: ada.access).status, 204)
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: ada.access).status, 404)
        XCTAssertEqual(try c.json("GET", "/channel_subscribers/v1/\(token)/", token: bob.access).status, 404)
        // Nothing of the channel is left in the database once the caches flushed.
        try waitForRows(server, "SELECT count(*) FROM channel_subscribers s LEFT JOIN channels ch ON ch.id = s.channel_id WHERE ch.id IS NULL", 0)
        try waitForRows(server, "SELECT count(*) FROM channels", 1)
    }

    func testChannelLimitsByRole() throws {
        let server = try TestServer(environment: Self.env)
        let user = try server.makeUser()
        let c = try server.client()
        for i in 0..<5 { XCTAssertEqual(try createChannel(c, user, title: "C\(i)").status, 201) }
        let sixth = try createChannel(c, user, title: "C5")
        XCTAssertEqual(sixth.status, 400)
        XCTAssertEqual(sixth.object["non_field_errors"] as? [String], ["User has reached the maximum number of channels."])
        let admin = try server.makeAdmin()
        for i in 0..<11 { XCTAssertEqual(try createChannel(c, admin, title: "A\(i)").status, 201) }
        let missing = try c.json("POST", "/channels/v1/", ["description": "no title"], token: user.access)
        XCTAssertEqual(missing.object["title"] as? [String], ["This field is required."])
    }

    func testSubscribersRightAfterTheWriteAndAfterAFlush() throws {
        let server = try TestServer(environment: Self.env)
        let ada = try server.makeUser("ada@example.com")
        let bob = try server.makeUser("bob@example.com", firstName: "Bob", lastName: "Builder")
        let c = try server.client()
        let token = try XCTUnwrap(try createChannel(c, ada).object["token"] as? String)
        let base = "/channel_subscribers/v1/\(token)/"

        XCTAssertEqual(try c.json("GET", base, token: bob.access).text, "false")
        XCTAssertEqual(try c.json("POST", base + "create/", token: bob.access).object["subscribed"] as? Bool, true)
        // Right after the write (pending in the cache):
        XCTAssertEqual(try c.json("GET", base, token: bob.access).text, "true")
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: bob.access).object["subscribers_count"] as? Int, 2)
        let again = try c.json("POST", base + "create/", token: bob.access)
        XCTAssertEqual(again.status, 403)
        XCTAssertEqual(again.object["detail"] as? String, "You are already subscribed to this channel.")
        let list = try c.json("GET", base + "list/", token: bob.access)
        XCTAssertEqual(list.object["count"] as? Int, 2)
        let rows = try XCTUnwrap(list.object["results"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["user_token"] as? String }, [ada.token, bob.token])
        XCTAssertEqual(rows.last?["user"] as? String, "Bob Builder")
        // After a flush (1 s interval): the same answers, now from SQLite.
        try waitForRows(server, "SELECT count(*) FROM channel_subscribers", 2)
        XCTAssertEqual(try c.json("GET", base, token: bob.access).text, "true")
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: bob.access).object["subscribers_count"] as? Int, 2)
        XCTAssertEqual(try c.json("GET", base + "list/", token: ada.access).object["count"] as? Int, 2)

        let owner = try c.json("DELETE", base + "delete/", token: ada.access)
        XCTAssertEqual(owner.status, 403)
        XCTAssertEqual(owner.object["detail"] as? String, "Channel owner can not unsubscribe.")
        XCTAssertEqual(try c.json("DELETE", base + "delete/", token: bob.access).status, 204)
        XCTAssertEqual(try c.json("GET", base, token: bob.access).text, "false")
        XCTAssertEqual(try c.json("GET", "/channels/v1/\(token)/", token: bob.access).object["subscribers_count"] as? Int, 1)
        let twice = try c.json("DELETE", base + "delete/", token: bob.access)
        XCTAssertEqual(twice.status, 403)
        XCTAssertEqual(twice.object["detail"] as? String, "You haven't subscribed yet.")
        try waitForRows(server, "SELECT count(*) FROM channel_subscribers", 1)
        XCTAssertEqual(try c.json("GET", base, token: bob.access).text, "false")
        XCTAssertEqual(try c.json("GET", base + "list/", token: bob.access).object["count"] as? Int, 1)
        XCTAssertEqual(try c.json("GET", "/channel_subscribers/v1/\(UUID().uuidString)/", token: bob.access).status, 404)
    }

    func testSubscriptionsSurviveAGracefulRestart() throws {
        let server = try TestServer(environment: ["TSUNA_FLUSH_INTERVAL_SECONDS": "3600"])
        let ada = try server.makeUser("ada@example.com")
        let bob = try server.makeUser("bob@example.com")
        let c = try server.client()
        let token = try XCTUnwrap(try createChannel(c, ada).object["token"] as? String)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: bob.access).status, 201)
        XCTAssertEqual(server.stop(), 0)
        let again = try TestServer(environment: ["TSUNA_FLUSH_INTERVAL_SECONDS": "3600"], dataDirectory: server.dataDirectory)
        let c2 = try again.client()
        XCTAssertEqual(try c2.json("GET", "/channel_subscribers/v1/\(token)/", token: bob.access).text, "true")
        let db = try Connection(path: again.dataDirectory + "/tsuna.sqlite", readOnly: true)
        defer { db.close() }
        XCTAssertEqual(try db.queryOne("SELECT count(*) FROM channel_subscribers") { $0.int(0) }, 2, "flushed at shutdown")
    }

    func testSubscriptionsAcknowledgedBeforeTheLastSnapshotSurviveKill9() throws {
        let env = ["TSUNA_FLUSH_INTERVAL_SECONDS": "3600", "TSUNA_SNAPSHOT_INTERVAL_SECONDS": "0.2"]
        let server = try TestServer(environment: env)
        let ada = try server.makeUser("ada@example.com")
        let bob = try server.makeUser("bob@example.com")
        let eve = try server.makeUser("eve@example.com")
        let c = try server.client()
        let token = try XCTUnwrap(try createChannel(c, ada).object["token"] as? String)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: bob.access).status, 201)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: eve.access).status, 201)
        XCTAssertEqual(try c.json("DELETE", "/channel_subscribers/v1/\(token)/delete/", token: eve.access).status, 204)
        // Wait (bounded) until a snapshot holds the pending writes, then kill without any chance to flush.
        let deadline = Date().addingTimeInterval(20)
        let snapshots = server.dataDirectory + "/snapshots"
        while Date() < deadline && ((try? FileManager.default.contentsOfDirectory(atPath: snapshots))?.filter { $0.hasSuffix(".snapshot") }.isEmpty ?? true) {
            usleep(50_000)
        }
        usleep(600_000)
        server.kill()
        let again = try TestServer(environment: env, dataDirectory: server.dataDirectory)
        let c2 = try again.client()
        XCTAssertEqual(try c2.json("GET", "/channel_subscribers/v1/\(token)/", token: bob.access).text, "true")
        XCTAssertEqual(try c2.json("GET", "/channel_subscribers/v1/\(token)/", token: eve.access).text, "false")
        XCTAssertEqual(try c2.json("GET", "/channels/v1/\(token)/", token: bob.access).object["subscribers_count"] as? Int, 2)
    }

    func testAdmins() throws {
        let server = try TestServer(environment: Self.env)
        let ada = try server.makeUser("ada@example.com")
        let bob = try server.makeUser("bob@example.com", firstName: "Bob", lastName: "")
        let eve = try server.makeUser("eve@example.com", firstName: "Eve", lastName: "")
        let c = try server.client()
        let token = try XCTUnwrap(try createChannel(c, ada, title: "Lab").object["token"] as? String)
        let base = "/channel_admins/v1/\(token)/"

        let notAdmin = try c.json("GET", base, token: bob.access)
        XCTAssertEqual(notAdmin.status, 403)
        XCTAssertEqual(notAdmin.object["detail"] as? String, "You are not admin of the channel")
        let notOwner = try c.json("POST", base, ["user": eve.token], token: bob.access)
        XCTAssertEqual(notOwner.status, 403)
        XCTAssertEqual(notOwner.object["detail"] as? String, "You are not the owner of the channel.")
        XCTAssertEqual(try c.json("POST", base, ["user": "nobody"], token: ada.access).object["user"] as? [String],
                       ["Object with token=nobody does not exist."])
        XCTAssertEqual(try c.json("POST", base, [:], token: ada.access).object["user"] as? [String], ["This field is required."])
        XCTAssertEqual(try c.json("POST", base, ["user": bob.token], token: ada.access).object["non_field_errors"] as? [String],
                       ["User hasnt subscribed to channel."])
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: bob.access).status, 201)
        let promoted = try c.json("POST", base, ["user": bob.token], token: ada.access)
        XCTAssertEqual(promoted.status, 201, promoted.text)
        XCTAssertEqual(promoted.object["user"] as? String, bob.token)
        let adminToken = try XCTUnwrap(promoted.object["token"] as? String)
        XCTAssertEqual(try c.json("POST", base, ["user": bob.token], token: ada.access).object["non_field_errors"] as? [String],
                       ["User is already an admin of this channel."])
        XCTAssertNotNil(server.waitForMail(to: "bob@example.com", subject: "You've been promoted to admin of Lab"))

        let list = try c.json("GET", base, token: bob.access)
        XCTAssertEqual(list.status, 200)
        XCTAssertEqual(list.object["count"] as? Int, 2)
        let row = try XCTUnwrap((list.object["results"] as? [[String: Any]])?.last)
        XCTAssertEqual(row["user"] as? String, "Bob")
        XCTAssertEqual(row["promoted_by_token"] as? String, ada.token)
        XCTAssertEqual(row["channel"] as? String, token)
        XCTAssertEqual(row["token"] as? String, adminToken)

        let detail = try c.json("GET", base + "\(adminToken)/", token: bob.access)
        XCTAssertEqual(detail.status, 200)
        XCTAssertEqual(detail.object["permissions"] as? [String: Bool], ["can_add_object": false, "can_edit_object": false,
            "can_delete_object": false, "can_publish_object": false, "can_change_channel_info": false])
        XCTAssertEqual(try c.json("PATCH", "/channels/v1/\(token)/", ["title": "X"], token: bob.access).status, 403)
        let granted = try c.json("PATCH", base + "\(adminToken)/", ["permissions": ["can_change_channel_info": true]], token: ada.access)
        XCTAssertEqual(granted.status, 200, granted.text)
        XCTAssertEqual((granted.object["permissions"] as? [String: Bool])?["can_change_channel_info"], true)
        XCTAssertEqual(try c.json("PATCH", "/channels/v1/\(token)/", ["title": "Lab 2"], token: bob.access).status, 200)
        XCTAssertEqual(try c.json("PATCH", base + "\(adminToken)/", ["permissions": ["can_add_object": true]], token: bob.access).status, 403)
        let badBool = try c.json("PATCH", base + "\(adminToken)/", ["permissions": ["can_add_object": "maybe"]], token: ada.access)
        XCTAssertEqual(badBool.status, 400)

        let ownerRecord = try XCTUnwrap((list.object["results"] as? [[String: Any]])?.first?["token"] as? String)
        let fixed = try c.json("PATCH", base + "\(ownerRecord)/", ["permissions": ["can_add_object": false]], token: ada.access)
        XCTAssertEqual(fixed.status, 403)
        XCTAssertEqual(fixed.object["detail"] as? String, "Channel owner's permissions can not be changed.")
        let selfDelete = try c.json("DELETE", base + "\(ownerRecord)/", token: ada.access)
        XCTAssertEqual(selfDelete.object["detail"] as? String, "You cannot delete yourself.")
        let adminSelf = try c.json("DELETE", base + "\(adminToken)/", token: bob.access)
        XCTAssertEqual(adminSelf.object["detail"] as? String, "You are not the owner of the channel.")
        XCTAssertEqual(try c.json("GET", base + "\(UUID().uuidString)/", token: ada.access).status, 404)

        // An admin who unsubscribes stops being an admin at once.
        XCTAssertEqual(try c.json("DELETE", "/channel_subscribers/v1/\(token)/delete/", token: bob.access).status, 204)
        XCTAssertEqual(try c.json("GET", base, token: bob.access).status, 403)
        XCTAssertEqual(try c.json("GET", base, token: ada.access).object["count"] as? Int, 1)

        // Promote again, then demote.
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: eve.access).status, 201)
        let eveAdmin = try XCTUnwrap(try c.json("POST", base, ["user": eve.token], token: ada.access).object["token"] as? String)
        XCTAssertEqual(try c.json("DELETE", base + "\(eveAdmin)/", token: ada.access).status, 204)
        XCTAssertEqual(try c.json("GET", base + "\(eveAdmin)/", token: ada.access).status, 404)
    }

    func testPromotionNeedsALongEnoughSubscription() throws {
        let server = try TestServer(environment: ["TSUNA_ADMIN_MIN_SUBSCRIPTION_HOURS": "24"])
        let ada = try server.makeUser("ada@example.com")
        let bob = try server.makeUser("bob@example.com")
        let c = try server.client()
        let token = try XCTUnwrap(try createChannel(c, ada).object["token"] as? String)
        XCTAssertEqual(try c.json("POST", "/channel_subscribers/v1/\(token)/create/", token: bob.access).status, 201)
        let early = try c.json("POST", "/channel_admins/v1/\(token)/", ["user": bob.token], token: ada.access)
        XCTAssertEqual(early.status, 400)
        XCTAssertEqual(early.object["non_field_errors"] as? [String],
                       ["User must be subscribed to channel for at least 24 hours to get promoted."])
    }
}
